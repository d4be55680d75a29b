"""The commit writes a list a batch of rows at a time, building the new enterprises' figures, labels and contacts
only for the batch being written: a list mixing new and archived enterprises, cut into batches of three rows, gives
every enterprise exactly its own rows beside it, inserted in the order of the file. All data here is synthetic."""

import pytest

from conftest import make_code
from enterprises import import_write
from enterprises.imports import import_commit
from enterprises.models import Contact, Enterprise, EnterpriseEvent, EnterpriseFigures, EnterpriseLabel

from .test_import import csv_bytes, upload

pytestmark = pytest.mark.django_db


def test_a_mixed_list_written_in_small_batches_gives_each_enterprise_its_own_rows(world, make_enterprise, monkeypatch):
    monkeypatch.setattr(import_write, "WRITE_BATCH", 3)
    archived = [make_enterprise(name=f"已建档批次企业{n}有限公司") for n in range(3)]
    fresh = [make_code("360102") for _ in range(4)]
    # Rows alternate: new, archived, new, archived, new, archived, new; each brings figures, a label and a contact
    # of its own (head count = 10 × its row number), so a row written against the wrong enterprise shows.
    codes = [fresh[0], archived[0].credit_code, fresh[1], archived[1].credit_code, fresh[2],
             archived[2].credit_code, fresh[3]]  # fmt: skip
    lines = [
        f"{code},批次写入{n}有限公司,360102,34,2025,{10 * (n + 2)},{100 + n},高新技术企业:2023,联系人{n},1390000000{n}"
        for n, code in enumerate(codes)
    ]
    job = upload(world["county"], "batches.csv", csv_bytes(*lines))
    assert (job.status, job.created_count, job.updated_count) == ("ready", 4, 3), job.errors
    import_commit(job)
    job.refresh_from_db()
    assert job.status == "done", job.message

    for n, code in enumerate(codes):
        enterprise = Enterprise.objects.get(credit_code=code)
        row = n + 2
        assert enterprise.name == f"批次写入{n}有限公司"
        assert enterprise.employees == 10 * row and enterprise.figures_year == 2025  # the latest figures copied
        figures = EnterpriseFigures.objects.get(enterprise=enterprise, year=2025)
        assert (figures.employees, str(figures.revenue)) == (10 * row, f"{100 + n}.00")
        assert list(EnterpriseLabel.objects.filter(enterprise=enterprise).values_list("label_id", "year")) == [
            ("high-tech", 2023)
        ]
        assert list(Contact.objects.filter(enterprise=enterprise).values_list("name", "phone")) == [
            (f"联系人{n}", f"1390000000{n}")
        ]
        event = EnterpriseEvent.objects.get(enterprise=enterprise, kind="imported")
        assert event.data["row"] == row and event.data["import_job"] == str(job.pk)

    # Each table got its rows in the order of the file, as when the whole list was inserted at once.
    by_row = {code: n for n, code in enumerate(codes)}
    for model in (EnterpriseFigures, EnterpriseLabel, Contact, EnterpriseEvent):
        written = model.objects.filter(enterprise__credit_code__in=codes).order_by("pk")
        if model is EnterpriseEvent:
            written = written.filter(kind="imported")
        assert [by_row[code] for code in written.values_list("enterprise__credit_code", flat=True)] == list(range(7))
