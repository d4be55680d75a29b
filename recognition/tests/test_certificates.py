"""Certificates: issued once on recognition as a PDF with a verification code and the public verification URL,
checked on the same public page as diagnosis reports (r/<code>/): genuine file yes, altered file no, unknown code no;
downloadable by the enterprise and officers in scope only; the published list shows recognitions in force."""

import hashlib
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import verification
from recognition import certificates, prerequisites, results, services
from recognition.models import Application, Recognition

pytestmark = pytest.mark.django_db

SHORT_CHAIN = [
    {"code": "county_check", "name": "区县审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city"},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city"},
]


def recognised(world, load_programme, attach, enterprise=None, user=None):
    import datetime as dt

    from django.utils import timezone

    programme = load_programme(prerequisites={}, chain=SHORT_CHAIN)
    user, enterprise = user or world["enterprise"], enterprise or world["home"]
    application = services.application_start(actor=user, programme=programme, enterprise=enterprise)
    attach(application)
    check = prerequisites.check(programme.rules, enterprise, {})
    services.application_submit(actor=user, application=application, check=check)
    for who in ("county", "city"):
        services.application_decide(actor=world[who], application=application, decision="pass", reason="同意")
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    for _ in range(2):
        services.application_decide(actor=world["city"], application=application, decision="pass", reason="公示无异议")
    return Recognition.objects.get(application=application)


def text_of(pdf: bytes) -> str:
    """Read back as a person checking a certificate would (poppler's pdftotext)."""
    return subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_recognition_issues_a_certificate_pdf_once_with_its_digest_and_verification_url(world, load_programme, attach):
    recognition = recognised(world, load_programme, attach)
    pdf = recognition.certificate_pdf.read()
    assert pdf.startswith(b"%PDF-") and hashlib.sha256(pdf).hexdigest() == recognition.certificate_sha256
    text = text_of(pdf).replace(" ", "")
    assert "东湖精密机械有限公司" in text and "基础级" in text and "2026年度智能工厂（基础级）认定" in text
    assert "南昌市工业和信息化主管部门" in text
    assert recognition.certificate_code in text and f"/r/{recognition.certificate_code}/" in text
    assert world["home"].credit_code in text
    before = recognition.certificate_sha256
    certificates.issue(recognition)  # issued once: a second call keeps the first file
    recognition.refresh_from_db()
    assert recognition.certificate_sha256 == before


def test_the_public_verification_page_checks_certificates_like_reports(world, load_programme, attach, client):
    recognition = recognised(world, load_programme, attach)
    original = recognition.certificate_pdf.read()
    url = reverse("report_verify", args=[recognition.certificate_code])
    page = client.get(url).content.decode()
    assert 'data-testid="verify-document"' in page and "认定证书核验" in page and "东湖精密机械有限公司" in page
    assert "有效" in page and 'data-testid="verify-kind"' not in page

    ok = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", original, "application/pdf")})
    assert ok.status_code == 200 and 'data-testid="verify-ok"' in ok.content.decode()
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    bad = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", bytes(altered), "application/pdf")})
    assert 'data-testid="verify-failed"' in bad.content.decode()
    typed = reverse("report_verify", args=[recognition.certificate_code.lower()])  # typed by hand
    assert (
        'data-testid="verify-ok"' in client.post(typed, {"pdf": SimpleUploadedFile("c.pdf", original)}).content.decode()
    )

    unknown = reverse("report_verify", args=["RCAAAAAAAAAA"])
    assert 'data-testid="verify-document"' not in client.get(unknown).content.decode()
    page = client.post(unknown, {"pdf": SimpleUploadedFile("c.pdf", original, "application/pdf")}).content.decode()
    assert 'data-testid="verify-failed"' in page and "验证码不存在" in page

    results.revoke(actor=world["city"], recognition=recognition, reason="发现材料造假")
    assert 'data-testid="verify-warning"' in client.get(url).content.decode()
    page = client.post(url, {"pdf": SimpleUploadedFile("c.pdf", original, "application/pdf")}).content.decode()
    assert 'data-testid="verify-ok"' in page and "证书不再有效" in page and "真实有效" not in page


def test_the_registry_finds_each_kind_and_nothing_for_a_stranger_code(world, load_programme, attach):
    recognition = recognised(world, load_programme, attach)
    found = verification.find(recognition.certificate_code)
    assert found.kind == "certificate" and found.sha256 == recognition.certificate_sha256
    assert verification.matches(found, recognition.certificate_pdf.read())
    assert not verification.matches(found, b"%PDF-1.7 other")
    assert verification.find("0000-0000-0000-0000") is None and verification.find("RC-nonsense") is None
    assert found.warning == ""
    Recognition.objects.filter(pk=recognition.pk).update(valid_until=recognition.recognised_on.replace(year=2020))
    assert "已过有效期" in verification.find(recognition.certificate_code).warning


def test_the_certificate_downloads_for_the_enterprise_and_officers_in_scope_only(world, load_programme, attach,
                                                                                 login):  # fmt: skip
    recognition = recognised(world, load_programme, attach)
    url = reverse("recognition:certificate", args=[recognition.pk])
    original = recognition.certificate_pdf.read()
    for who in ("enterprise", "county", "city", "province", "admin"):
        response = login(world[who]).get(url)
        assert response.status_code == 200, who
        assert b"".join(response.streaming_content) == original
    for who in ("other_city", "provider", "commissioner", "expert", "nobody"):
        assert login(world[who]).get(url).status_code == 404, who
    client = login(world["nobody"])
    client.logout()
    assert client.get(url).status_code == 302  # anonymous: to the login page


def test_the_published_list_shows_recognitions_in_force_and_not_revoked_ones(world, load_programme, attach, client):
    recognition = recognised(world, load_programme, attach)
    url = reverse("recognition:public_recognised")
    page = client.get(url).content.decode()
    assert "东湖精密机械有限公司" in page and recognition.certificate_code in page and "基础级" in page
    assert client.get(url, {"tier": "advanced"}).content.decode().count('data-testid="recognised-row"') == 0
    assert (
        client.get(url, {"year": "2026", "tier": "basic"}).content.decode().count('data-testid="recognised-row"') == 1
    )
    assert client.get(url, {"year": "2020"}).content.decode().count('data-testid="recognised-row"') == 0
    results.revoke(actor=world["city"], recognition=recognition, reason="发现材料造假")
    page = client.get(url).content.decode()
    assert "东湖精密机械有限公司" not in page and recognition.certificate_code not in page


def test_revocation_page_needs_the_recognising_level_and_a_reason(world, load_programme, attach, login):
    recognition = recognised(world, load_programme, attach)
    url = reverse("recognition:revoke", args=[recognition.pk])
    assert login(world["other_city"]).post(url, {"reason": "材料造假"}).status_code == 404
    assert login(world["enterprise"]).post(url, {"reason": "材料造假"}).status_code == 403
    assert login(world["county"]).post(url, {"reason": "材料造假"}).status_code == 403  # not the recognising level
    assert login(world["city"]).post(url, {"reason": " "}).status_code == 400
    recognition.refresh_from_db()
    assert recognition.in_force and world["home"].label_links.filter(label_id="tier-basic").exists()
    assert login(world["city"]).post(url, {"reason": "发现材料造假"}).status_code == 302
    recognition.refresh_from_db()
    assert recognition.revoked_reason == "发现材料造假" and recognition.revoked_by == world["city"]
    assert not world["home"].label_links.filter(label_id="tier-basic").exists()
