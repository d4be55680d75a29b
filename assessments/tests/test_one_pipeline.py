"""Both imports run through one pipeline (core.import_pipeline): the same refusals at upload, the same message when a
file is refused as a whole, the same states. Each case runs against the enterprise import and the assessment import.
All names and codes are synthetic."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments import imports as assessment_imports
from core.import_pipeline import FILE_COLUMN, NotReady, UploadError
from enterprises import imports as enterprise_imports

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["enterprises", "assessments"])
def start(request, world, cmmm):
    def start_(name: str, content: bytes):
        upload = SimpleUploadedFile(name, content)
        if request.param == "enterprises":
            job = enterprise_imports.import_start(actor=world["county"], upload=upload)
        else:
            job = assessment_imports.import_start(actor=world["county"], upload=upload, version=cmmm)
        job.refresh_from_db()
        return job

    start_.kind = request.param
    return start_


def test_an_empty_or_non_spreadsheet_upload_is_refused_before_anything_is_queued(start):
    with pytest.raises(UploadError, match="文件是空的"):
        start("名单.xlsx", b"")
    with pytest.raises(UploadError, match="不是"):
        start("名单.xlsx", b"%PDF-1.7")


def test_a_file_refused_as_a_whole_says_why_in_the_jobs_message(start):
    job = start("名单.csv", "甲,乙,丙\n1,2,3\n".encode())
    assert job.status == "invalid"
    assert job.error_count == 1 and job.errors[0]["column"] == FILE_COLUMN
    assert job.message == job.errors[0]["message"][:300]  # not "发现 1 处问题"
    with pytest.raises(NotReady):  # an invalid job cannot be confirmed
        (enterprise_imports if start.kind == "enterprises" else assessment_imports).import_confirm(
            actor=job.created_by, job=job
        )
