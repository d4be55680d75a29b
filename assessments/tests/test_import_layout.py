"""Assessment bulk import reads real lists as the enterprise import does: the header found by its names below a
title, a 序号 column ignored, totals and signatures skipped, the visible sheet chosen. Synthetic data."""

import pytest

from assessments.models import Assessment
from assessments.tests.conftest import all_answers
from assessments.tests.test_import import DISCRETE, cmmm_choice, confirm, row_for, template_headers, upload
from enterprises.tests.lists import SheetSpec, workbook

pytestmark = pytest.mark.django_db


def test_a_titled_list_with_a_serial_column_and_signatures_is_imported(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    home = world["home"]
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    width = len(headers) + 1
    rows = [
        ["2025年东湖区智能制造能力成熟度自评估汇总表"] + [None] * (width - 1),
        [None] * width,
        ["序号", *headers],
        [1, *row_for(headers, home, answers)],
        ["合计", *([None] * (width - 1))],
        ["填表人：张三", *([None] * (width - 1))],
    ]
    stale = SheetSpec("旧表", [headers, row_for(headers, world["neighbour"], answers)], hidden=True)
    job = upload(client, cmmm, workbook(SheetSpec("汇总", rows, merges=["A1:F1"]), stale))
    assert job.status == "ready", job.errors
    assert job.created_count == 1 and job.preview[0]["row"] == 4
    assert "第 1 行为标题，已跳过" in job.notes
    assert "第 5 行为合计或小计，已跳过" in job.notes and "第 6 行起为落款或说明，已忽略" in job.notes
    assert "已忽略隐藏的工作表：“旧表”" in job.notes
    job = confirm(client, job)
    assert job.status == "done", job.message
    assert list(Assessment.objects.values_list("enterprise_id", flat=True)) == [home.pk]
