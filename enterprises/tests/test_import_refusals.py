"""A refused import file is a 4xx with its reason on the upload page, before anything is queued; a workbook whose
sheet is hostile in a way only reading shows is refused by the check, quickly, and the job says why."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.tests.hostile import MB, workbook_with_sheet
from enterprises.models import Enterprise, ImportJob

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("名单.xlsx", workbook_with_sheet(b"A" * MB, 2048), "超过每个部件 512 MB 的上限"),
        ("名单.xlsx", b"%PDF-1.4\n%%EOF\n", "内容不是有效的 Excel 文件"),
        ("名单.csv", b"\x00\x01\x02\x03binary", "二进制"),
        ("名单.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "另存为 .xlsx"),
    ],
)
def test_a_refused_file_is_a_422_with_its_reason_and_no_job(world, login, media, name, content, message):
    response = login(world["county"]).post("/enterprises/import/", {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422 and message in response.content.decode()
    assert not ImportJob.objects.exists() and not list(media.rglob("*.upload"))


def test_a_sheet_with_one_enormous_run_of_text_fails_its_check_with_the_reason(world, login, media):
    content = workbook_with_sheet(b"A" * MB, 400)  # 400 MB of text in one cell, 0.4 MB uploaded
    response = login(world["county"]).post("/enterprises/import/", {"file": SimpleUploadedFile("名单.xlsx", content)})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.INVALID
    assert "32767" in job.errors[0]["message"] and not Enterprise.objects.filter(created_at__gte=job.created_at)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
