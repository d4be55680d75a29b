"""A refused assessment import file is a 4xx with its reason, on the page and through the API, and nothing is
queued or stored."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import services as account_services
from assessments.models import AssessmentImportJob
from core.tests.hostile import MB, workbook_with_sheet

pytestmark = pytest.mark.django_db
BOMB = workbook_with_sheet(b"A" * MB, 2048)  # 2 GB of sheet XML in ~2 MB


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_the_upload_page_answers_422_with_the_reason(world, login, cmmm, media):
    response = login(world["city"]).post(
        reverse("assessments:import"), {"version": cmmm.pk, "file": SimpleUploadedFile("评估.xlsx", BOMB)}
    )
    assert response.status_code == 422 and "超过每个部件 512 MB 的上限" in response.content.decode()
    assert not AssessmentImportJob.objects.exists() and not list(media.rglob("*.upload"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [("评估.xlsx", BOMB, "超过每个部件 512 MB 的上限"), ("评估.csv", b"\x00\x01binary", "二进制")],
)
def test_the_api_answers_422_with_the_reason(world, client, cmmm, media, name, content, message):
    _token, plain = account_services.token_create(user=world["city"], name="导入")
    upload = io.BytesIO(content)
    upload.name = name
    response = client.post(
        "/api/v1/assessment-imports",
        {"model_version_id": cmmm.pk, "file": upload},
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 422 and message in response.json()["detail"]
    assert not AssessmentImportJob.objects.exists() and not list(media.rglob("*.upload"))
