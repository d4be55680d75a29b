"""Bulk import of assessments: template round trip, per-cell report, all-or-nothing, scope and permissions."""

import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import maturity
from assessments import imports
from assessments.import_results import full_snapshot
from assessments.models import Assessment, AssessmentImportJob, AssessmentResult, DomainScore
from assessments.tests.conftest import all_answers
from enterprises.models import Enterprise, EnterpriseEvent

pytestmark = pytest.mark.django_db
DISCRETE = {"production_type": "discrete", "industry": "34", "size": None}


def template_headers(client, version) -> list[str]:
    response = client.get(reverse("assessments:import_template", args=[version.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["评估数据", "填写说明"]
    return [cell.value for cell in book["评估数据"][1]]


def xlsx(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_for(headers, enterprise, answers, kind="自评估", production="", use_labels=False, items=None):
    items = items or {}
    cells = []
    for header in headers:
        code = header.split(" ")[0]
        if header == "统一社会信用代码":
            cells.append(enterprise.credit_code)
        elif header == "企业名称":
            cells.append(enterprise.name)
        elif header == "评估类型":
            cells.append(kind)
        elif header == "生产类型":
            cells.append(production)
        elif code in answers:
            value = answers[code]
            if use_labels and code in items and hasattr(items[code], "options"):
                labels = {o.code: o.label for o in items[code].options}
                value = "、".join(labels[v] for v in value) if isinstance(value, list) else labels[value]
            elif isinstance(value, list):
                value = "、".join(value)
            elif isinstance(value, bool):
                value = "是" if value else "否"
            cells.append(value)
        else:
            cells.append(None)
    return cells


def upload(client, version, content: bytes, name="评估.xlsx"):
    response = client.post(
        reverse("assessments:import"), {"version": version.pk, "file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return AssessmentImportJob.objects.latest("created_at")


def confirm(client, job):
    response = client.post(reverse("assessments:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def cmmm_choice(item):
    return "most" if item.code.endswith("1") else "full"


def test_template_round_trip_gives_the_results_score_gives(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    assert headers[:4] == ["统一社会信用代码", "企业名称", "评估类型", "生产类型"] and len(headers) == 4 + 169
    items = {r.item.code: r.item for r in cmmm.parsed().iter_items()}
    home, neighbour = world["home"], world["neighbour"]
    first = all_answers(cmmm, DISCRETE, cmmm_choice)
    process = {"production_type": "process", "industry": "39", "size": None}
    second = all_answers(cmmm, process, lambda item: "partial")
    rows = [
        row_for(headers, home, first),
        row_for(headers, neighbour, second, kind="诊断评估", production="流程型", use_labels=True, items=items),
    ]
    job = upload(client, cmmm, xlsx(headers, rows))
    assert job.status == "ready", job.errors
    assert job.created_count == 2 and len(job.preview) == 2
    expected = [maturity.score(cmmm.parsed(), first, DISCRETE), maturity.score(cmmm.parsed(), second, process)]
    assert job.preview[0]["score"] == round(expected[0].score, 2)
    assert job.preview[1]["level_name"] == (expected[1].level_name or "—")
    assert Assessment.objects.count() == 0  # the check writes nothing

    job = confirm(client, job)
    assert job.status == "done", job.message
    for enterprise, want, kind in ((home, expected[0], "self"), (neighbour, expected[1], "diagnosis")):
        a = Assessment.objects.get(enterprise=enterprise)
        assert (a.kind, a.status, a.source, a.model_version_id) == (kind, "submitted", "import", cmmm.pk)
        result = AssessmentResult.objects.get(assessment=a, is_current=True)
        assert result.score == pytest.approx(want.score, abs=1e-9)
        assert (result.level, result.level_name, result.provisional) == (want.level, want.level_name, want.provisional)
        assert result.snapshot == json.loads(json.dumps(want.to_dict()))
        domain = {d.node_code: d.score for d in DomainScore.objects.filter(result=result)}
        assert domain == pytest.approx({code: n.score for code, n in want.nodes.items()})
        assert EnterpriseEvent.objects.filter(enterprise=enterprise, kind="assessed").count() == 1
    assert Assessment.objects.get(enterprise=neighbour).answers == second


def test_large_imports_store_compact_snapshots_that_expand_to_the_full_result(world, login, cmmm, monkeypatch):
    monkeypatch.setattr(imports, "FULL_SNAPSHOT_ROWS", 0)
    client = login(world["admin"])
    headers = template_headers(client, cmmm)
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    job = confirm(client, upload(client, cmmm, xlsx(headers, [row_for(headers, world["home"], answers)])))
    assert job.status == "done", job.message
    want = json.loads(json.dumps(maturity.score(cmmm.parsed(), answers, DISCRETE).to_dict()))
    result = AssessmentResult.objects.select_related("assessment", "model_version").get()
    snapshot = result.snapshot
    assert snapshot["compact"] is True and snapshot["trace"] == []
    for got, expected in zip(snapshot["levels"], want["levels"], strict=True):
        assert got == {**expected, "score": pytest.approx(expected["score"])}
    assert snapshot["nodes"].keys() == want["nodes"].keys()
    for code, expected in want["nodes"].items():
        assert snapshot["nodes"][code] == {**expected, "score": pytest.approx(expected["score"])}
    assert (snapshot["score"], snapshot["level"]) == (pytest.approx(want["score"]), want["level"])
    assert full_snapshot(result) == want


def test_sme_model_with_choices_numbers_and_scenes_round_trips(world, login, sme2024):
    client = login(world["province"])
    headers = template_headers(client, sme2024)
    items = {r.item.code: r.item for r in sme2024.parsed().iter_items()}

    def choose(item):
        if item.kind == "multi_select":
            return [o.code for o in item.options[:2]]
        if item.kind == "single_choice":
            return item.options[-1].code
        if item.kind == "numeric_bands":
            return 35.0
        if item.kind == "scene":
            return item.max_grade
        if item.kind == "prerequisite":
            return True
        return None

    answers = {k: v for k, v in all_answers(sme2024, DISCRETE, choose).items() if v is not None}
    rows = [row_for(headers, world["home"], answers, use_labels=True, items=items)]
    job = confirm(client, upload(client, sme2024, xlsx(headers, rows)))
    assert job.status == "done", job.errors
    stored = Assessment.objects.get()
    want = maturity.score(sme2024.parsed(), stored.answers, stored.context)
    assert stored.answers == answers
    result = stored.results.get()
    assert (result.score, result.level) == (pytest.approx(want.score), want.level)


def test_bad_cells_are_reported_with_row_and_column_and_nothing_is_written(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    good = row_for(headers, world["home"], answers)
    bad = row_for(headers, world["neighbour"], answers)
    first_item = headers[4]
    bad[4] = "很好"
    process_only = next(h for h in headers[4:] if h.split(" ")[0] == "M1.2-L2-3")
    bad[headers.index(process_only)] = "full"  # a process-only item answered for a discrete enterprise
    bad[2] = "核验"
    job = upload(client, cmmm, xlsx(headers, [good, bad]))
    assert job.status == "invalid"
    report = {(e["row"], e["column"]): e for e in job.errors}
    assert report[(3, first_item)]["value"] == "很好"
    assert "填写值无效" in report[(3, first_item)]["message"] and "全部满足" in report[(3, first_item)]["message"]
    assert "只适用于流程型企业" in report[(3, process_only)]["message"]
    assert "评估类型" in report[(3, "评估类型")]["message"]
    assert job.error_count == 3
    job.status = "ready"  # even forced past the check, the commit re-checks and writes nothing
    job.save()
    assert confirm(client, job).status == "invalid"
    assert not Assessment.objects.exists() and not AssessmentResult.objects.exists()
    assert not EnterpriseEvent.objects.filter(kind="assessed").exists()


def test_duplicate_rows_and_unknown_columns_are_refused(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    row = row_for(headers, world["home"], answers)
    job = upload(client, cmmm, xlsx(headers, [row, row]))
    assert job.status == "invalid"
    assert job.errors == [
        {"row": 3, "column": "统一社会信用代码", "value": world["home"].credit_code,
         "message": "与第 2 行是同一家企业：每家企业只能有一行"}
    ]  # fmt: skip
    job = upload(client, cmmm, xlsx([*headers, "X9.9 不存在的条目"], [row]))
    assert job.status == "invalid" and "不是该模型版本的条目" in job.errors[0]["message"]


def test_out_of_scope_enterprise_reads_like_an_unknown_code(world, login, cmmm):
    client = login(world["county"])  # 东湖区 only
    headers = template_headers(client, cmmm)
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    other = row_for(headers, world["other"], answers)
    unknown = list(other)
    unknown[0] = "91360102MA00000000"
    job = upload(client, cmmm, xlsx(headers, [other, unknown]))
    messages = {e["row"]: e["message"] for e in job.errors if e["column"] == "统一社会信用代码"}
    assert messages[2] == messages[3] == imports.NOT_FOUND
    assert world["other"].name not in str(job.errors) + str(job.warnings)
    assert not Assessment.objects.exists()


def test_commissioner_imports_diagnoses_of_assigned_enterprises_only(world, login, cmmm):
    client = login(world["commissioner"])
    headers = template_headers(client, cmmm)
    answers = all_answers(cmmm, DISCRETE, cmmm_choice)
    rows = [row_for(headers, world["neighbour"], answers, kind="自评估")]
    job = upload(client, cmmm, xlsx(headers, rows))
    assert job.status == "invalid" and job.errors[0]["message"] == "您只能为分配给您的企业导入诊断评估"
    job = upload(client, cmmm, xlsx(headers, [row_for(headers, world["home"], answers, kind="诊断评估")]))
    assert job.errors[0]["message"] == imports.NOT_FOUND
    rows = [row_for(headers, world["neighbour"], answers, kind="诊断评估")]
    job = confirm(client, upload(client, cmmm, xlsx(headers, rows)))
    assert job.status == "done" and Assessment.objects.get().kind == "diagnosis"


def test_commit_rechecks_the_archive(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    rows = [row_for(headers, world["home"], all_answers(cmmm, DISCRETE, cmmm_choice))]
    job = upload(client, cmmm, xlsx(headers, rows))
    assert job.status == "ready"
    Enterprise.objects.filter(pk=world["home"].pk).update(county_id="360402")  # moved out of the officer's city
    assert confirm(client, job).status == "invalid"
    assert not Assessment.objects.exists()


def test_formulas_and_wrong_file_types_are_refused(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    row = row_for(headers, world["home"], all_answers(cmmm, DISCRETE, cmmm_choice))
    row[4] = '=IF(1,"full","none")'
    job = upload(client, cmmm, xlsx(headers, [row]))
    assert job.status == "invalid" and "公式" in job.errors[0]["message"]
    response = client.post(  # no spreadsheet: refused at upload with the reason, nothing queued
        reverse("assessments:import"),
        {"version": cmmm.pk, "file": SimpleUploadedFile("评估.pdf", b"%PDF-1.4\x00\x01binary")},
    )
    assert response.status_code == 422 and "不是电子表格文件（看起来是 PDF 文档）" in response.content.decode()
    assert AssessmentImportJob.objects.count() == 1
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["enterprise", "provider", "expert", "nobody"])
def test_who_may_not_import_gets_403_and_nothing_changes(world, login, cmmm, persona):
    client = login(world[persona])
    assert client.get(reverse("assessments:import")).status_code == 403
    assert client.get(reverse("assessments:import_template", args=[cmmm.pk])).status_code == 403
    content = xlsx(["统一社会信用代码"], [[world["home"].credit_code]])
    response = client.post(
        reverse("assessments:import"), {"version": cmmm.pk, "file": SimpleUploadedFile("a.xlsx", content)}
    )
    assert response.status_code == 403
    assert not AssessmentImportJob.objects.exists() and not Assessment.objects.exists()


def test_another_officers_job_is_not_found(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    rows = [row_for(headers, world["home"], all_answers(cmmm, DISCRETE, cmmm_choice))]
    job = upload(client, cmmm, xlsx(headers, rows))
    other = login(world["other_city"])
    assert other.get(reverse("assessments:import_status", args=[job.pk])).status_code == 404
    assert other.post(reverse("assessments:import_confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "ready" and not Assessment.objects.exists()


def test_status_page_polls_while_running_and_shows_the_preview(world, login, cmmm):
    client = login(world["city"])
    headers = template_headers(client, cmmm)
    rows = [row_for(headers, world["home"], all_answers(cmmm, DISCRETE, cmmm_choice))]
    job = upload(client, cmmm, xlsx(headers, rows))
    page = client.get(reverse("assessments:import_status", args=[job.pk])).content.decode()
    assert 'data-testid="preview"' in page and world["home"].name in page
    partial = client.get(reverse("assessments:import_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith("<div") or "import-status" in partial.content.decode()
