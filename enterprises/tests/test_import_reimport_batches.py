"""A re-import over the archive is checked and written a batch of rows at a time: the figures, labels and contacts
each archived enterprise's row changes are decided per batch (the check counts them and drops them; the commit
writes them). A list mixing new enterprises, updated ones (new year's figures, a changed figure, a label's year, a
contact's phone) and unchanged ones, cut into batches of two rows, must give the same counts, report, rows and
timeline entries as the same list in one batch. All data here is synthetic."""

import pytest

from conftest import make_code
from enterprises import import_write
from enterprises.imports import import_commit
from enterprises.models import Contact, Enterprise, EnterpriseEvent, EnterpriseFigures, EnterpriseLabel

from .test_import import csv_bytes, upload

pytestmark = pytest.mark.django_db

# Row templates: {code}, {tag} (the run's own names). First list: five enterprises with 2024 figures, a label and
# a contact. Second list: the same five (in another order) and two new ones.
FIRST = [
    "{a},{tag}甲有限公司,360102,34,2024,120,3500,高新技术企业:2022,张一,13900000001",
    "{b},{tag}乙有限公司,360102,34,2024,40,800,高新技术企业:2022,张二,13900000002",
    "{d},{tag}丁有限公司,360102,34,2024,300,9000,高新技术企业:2022,张四,13900000004",
    "{e},{tag}戊有限公司,360102,34,2024,20,150,,张五,13900000005",
    "{g},{tag}庚有限公司,360102,34,2024,60,600,,张七,13900000007",
]
SECOND = [
    "{a},{tag}甲有限公司,360102,34,2025,130,3900,高新技术企业:2022,张一,13900000001",  # next year's figures
    "{b},{tag}乙有限公司,360102,34,2024,40,800,高新技术企业:2022,张二,13900000002",  # unchanged
    "{c},{tag}丙有限公司,360102,34,2025,15,90,高新技术企业:2024,张三,13900000003",  # new
    "{d},{tag}丁有限公司,360102,34,2024,300,9000,高新技术企业:2023,张四,13800000004",  # label year, phone
    "{e},{tag}戊有限公司,360102,34,2024,25,150,专精特新中小企业:2025,张五,13900000005",  # a figure, a new label
    "{f},{tag}己有限公司,360102,34,2025,8,30,,张六,13900000006",  # new
    "{g},{tag}庚有限公司,360102,34,2024,60,600,,张七,13900000007",  # unchanged
]


def _reimport(world, monkeypatch, batch: int, tag: str) -> dict:
    """Import FIRST, then re-import SECOND with the rows written `batch` at a time; what a user can see of it, by the
    rows' letters, with the run's own codes and names taken out."""
    codes = {letter: make_code("360102") for letter in "abcdefg"}
    lines = lambda rows: [row.format(tag=tag, **codes) for row in rows]  # noqa: E731
    first = upload(world["county"], "名单.csv", csv_bytes(*lines(FIRST)))
    import_commit(first)
    first.refresh_from_db()
    assert first.status == "done", first.message
    monkeypatch.setattr(import_write, "WRITE_BATCH", batch)
    job = upload(world["county"], "名单.csv", csv_bytes(*lines(SECOND)))
    assert job.status == "ready", job.errors
    checked = (job.created_count, job.updated_count, job.unchanged_count)
    preview = [(p["row"], p["action"], p["changes"]) for p in job.preview]
    import_commit(job)
    job.refresh_from_db()
    assert job.status == "done", job.message
    letter = {code: key for key, code in codes.items()}
    rows = {}
    for key, code in codes.items():
        enterprise = Enterprise.objects.get(credit_code=code)
        events = EnterpriseEvent.objects.filter(enterprise=enterprise, kind="imported", data__import_job=str(job.pk))
        rows[key] = {
            "enterprise": (
                enterprise.name.removeprefix(tag),
                enterprise.figures_year,
                enterprise.employees,
                str(enterprise.revenue),
                enterprise.size_class,
                enterprise.is_above_scale,
            ),
            "figures": list(
                EnterpriseFigures.objects.filter(enterprise=enterprise)
                .order_by("year")
                .values_list("year", "employees", "revenue")
            ),
            "labels": list(enterprise.label_links.order_by("label_id").values_list("label_id", "year")),
            "contacts": list(enterprise.contacts.order_by("pk").values_list("name", "phone", "is_primary")),
            "events": [(e.summary, e.data["row"], e.data["changes"]) for e in events.order_by("pk")],
        }
    # The order the re-import inserted each table's rows in (their ids): the order of the file's rows.
    inserted = {}
    for model in (Enterprise, EnterpriseFigures, EnterpriseLabel, Contact, EnterpriseEvent):
        field = "credit_code" if model is Enterprise else "enterprise__credit_code"
        ids = model.objects.filter(**{f"{field}__in": codes.values()})
        if model is not Enterprise:
            ids = ids.filter(pk__gt=model.objects.filter(**{f"{field}__in": codes.values()}).order_by("pk")[4].pk)
        inserted[model.__name__] = [letter[code] for code in ids.order_by("pk").values_list(field, flat=True)]
    return {
        "checked": checked,
        "written": (job.created_count, job.updated_count, job.unchanged_count),
        "message": job.message,
        "preview": preview,
        "rows": rows,
        "inserted": inserted,
    }


def test_a_reimport_in_batches_of_two_rows_counts_and_writes_what_one_batch_does(world, monkeypatch):
    in_pairs = _reimport(world, monkeypatch, 2, "分批")
    at_once = _reimport(world, monkeypatch, 1000, "整批")
    assert in_pairs == at_once

    # And what both did is what the list says.
    assert in_pairs["checked"] == in_pairs["written"] == (2, 3, 2)
    assert in_pairs["message"] == "已导入：新增 2 家，更新 3 家，2 家无变化"
    assert [action for _row, action, _changes in in_pairs["preview"]] == [
        "更新", "无变化", "新增", "更新", "更新", "新增", "无变化"
    ]  # fmt: skip
    rows = in_pairs["rows"]
    assert rows["a"]["enterprise"][1:4] == (2025, 130, "3900.00")
    assert [year for year, *_ in rows["a"]["figures"]] == [2024, 2025]
    assert rows["d"]["labels"] == [("high-tech", 2023)]
    assert rows["d"]["contacts"] == [("张四", "13800000004", True)]
    assert rows["e"]["figures"][0][:2] == (2024, 25) and rows["e"]["labels"] == [("specialised-sme", 2025)]
    assert [len(rows[key]["events"]) for key in "abcdefg"] == [1, 0, 1, 1, 1, 1, 0]
    assert in_pairs["inserted"]["EnterpriseEvent"] == ["a", "c", "d", "e", "f"]
    assert in_pairs["inserted"]["EnterpriseFigures"] == ["a", "c", "f"]
