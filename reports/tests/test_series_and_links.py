"""Which report is the report (the authority's diagnosis reports and the enterprise's own are separate series), and
absolute links built from the configured site address, never from a hard-coded host and port.

Synthetic enterprises (conftest `world`) answering a two-question toy model, so each PDF renders quickly."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import maturity
from assessments import services as assessment_services
from core.links import absolute_url
from reports import services
from reports.models import DiagnosisReport
from reports.tests.test_api import API, Api
from reports.tests.test_peers import TOY, answer
from reports.tests.test_reports import needs_poppler, pdf_text
from tidu.settings import _site_url

OFFICIAL_LABEL, SELF_LABEL = "诊断报告（主管部门出具）", "自评估报告（企业自行生成）"


@pytest.fixture
def answered(world):
    """home (东湖区) and neighbour (青山湖区, the commissioner's) have each submitted the toy model."""
    toy = assessment_services.publish_version(maturity.load_yaml(TOY))
    answer(world["home"], toy, 6, 7)
    answer(world["neighbour"], toy, 3, 4)
    return world


def flat(text: str) -> str:
    return "".join(text.split())


# --- the site address ---------------------------------------------------------------------------------------------


def test_the_site_address_is_http_or_https_with_a_host_and_at_most_a_path_prefix():
    assert _site_url("https://zhigai.example.gov.cn/") == "https://zhigai.example.gov.cn"
    assert _site_url(" http://10.1.2.3:8080/tidu/ ") == "http://10.1.2.3:8080/tidu"
    for bad in [
        "zhigai.example.gov.cn",  # no scheme
        "ftp://zhigai.example.gov.cn",
        "https://",
        "https://example.cn:99999",
        "https://example.cn:port",
        "https://example.cn/?next=/",
        "https://example.cn/#top",
        "https://user:secret@example.cn",
        "https://example.cn//tidu",
    ]:
        with pytest.raises(ImproperlyConfigured, match="TIDU_SITE_URL"):
            _site_url(bad)


def test_a_bad_site_address_stops_the_start_with_a_clear_message(tmp_path):
    env = {**os.environ, "TIDU_SITE_URL": "127.0.0.1:8000", "TIDU_VAR_DIR": str(tmp_path)}
    env.pop("TIDU_PUBLIC_URL", None)
    run = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True
    )
    assert run.returncode != 0
    assert "TIDU_SITE_URL='127.0.0.1:8000' must start with http:// or https://" in run.stderr


def test_absolute_links_join_the_site_address_and_a_reversed_path(settings):
    settings.TIDU_SITE_URL = "https://zhigai.example.gov.cn/tidu"
    path = reverse("report_verify", args=["ABCD-EFGH-JKMN-PQRS"])
    assert absolute_url(path) == "https://zhigai.example.gov.cn/tidu/r/ABCD-EFGH-JKMN-PQRS/"
    assert services.verify_url("ABCD-EFGH-JKMN-PQRS") == "https://zhigai.example.gov.cn/tidu/r/ABCD-EFGH-JKMN-PQRS/"
    with pytest.raises(ValueError):
        absolute_url("r/relative/")


@needs_poppler
def test_the_pdf_the_report_page_and_the_email_give_the_configured_address(
    answered, login, settings, tmp_path, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TIDU_SITE_URL = "https://zhigai.example.gov.cn/tidu"
    answered["enterprise"].email = "it@dhjx.example.cn"
    answered["enterprise"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        report = services.issue_report(actor=answered["county"], enterprise=answered["home"])
    # The enterprise is told by e-mail, with a link to the report on the configured site.
    (mail,) = mailoutbox
    assert f"https://zhigai.example.gov.cn/tidu{reverse('reports:detail', args=[report.pk])}" in mail.body
    assert "127.0.0.1" not in mail.body and ":8000" not in mail.body
    expected = f"https://zhigai.example.gov.cn/tidu/r/{report.code}/"
    text = flat(pdf_text(report.pdf.read(), tmp_path))
    assert expected in text
    assert "127.0.0.1" not in text and "localhost" not in text and ":8000" not in text
    page = login(answered["county"]).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert expected in page and "127.0.0.1" not in page
    # The site moves: the page follows the setting; the PDF, a signed-off document, keeps what it printed.
    settings.TIDU_SITE_URL = "https://new.example.gov.cn"
    page = login(answered["county"]).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert f"https://new.example.gov.cn/r/{report.code}/" in page and expected not in page


# Absolute links to this site built by hand: a scheme and a local host, a development port, or the request's host
# (wrong behind a proxy). Every absolute link goes through core.links.absolute_url instead.
HAND_BUILT_LINK = re.compile(r"https?://(?:127\.0\.0\.1|localhost|0\.0\.0\.0)|:8000\b|build_absolute_uri")
NOT_APPLICATION_CODE = {".venv", "var", "node_modules", "static", "benchmarks", "scripts", "locale", ".git"}


def test_no_link_in_application_code_or_templates_is_built_from_a_hard_coded_host_or_port():
    root = Path(django_settings.BASE_DIR)
    scanned, offending = 0, []
    for top in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in NOT_APPLICATION_CODE):
        for path in top.rglob("*"):
            rel = path.relative_to(root)
            if path.suffix not in {".py", ".html", ".txt"} or "tests" in rel.parts or "migrations" in rel.parts:
                continue
            scanned += 1
            for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                if HAND_BUILT_LINK.search(line):
                    offending.append(f"{rel}:{number}: {line.strip()}")
    # The one allowed place: the development default of the setting itself.
    allowed = [o for o in offending if o.startswith("tidu/settings.py:") and '"TIDU_SITE_URL"' in o]
    assert len(allowed) == 1 and offending == allowed, offending
    assert scanned > 100  # the scan did walk the apps and templates


# --- which report is the report -----------------------------------------------------------------------------------


def issue_on_page(client, enterprise):
    response = client.post(reverse("reports:issue", args=[enterprise.pk]), {"target_level": "", "target_tier": ""})
    assert response.status_code == 302, response.content.decode()[:500]
    return DiagnosisReport.objects.get(pk=int(response.url.rstrip("/").rsplit("/", 1)[1]))


def test_the_enterprise_generates_its_own_series_and_the_authority_issues_another(answered, login):
    home = answered["home"]
    own_1 = issue_on_page(login(answered["enterprise"]), home)
    official_1 = issue_on_page(login(answered["county"]), home)
    own_2 = issue_on_page(login(answered["enterprise"]), home)
    official_2 = issue_on_page(login(answered["city"]), home)
    assert [(r.series, r.version) for r in [own_1, official_1, own_2, official_2]] == [
        ("self", 1),
        ("official", 1),
        ("self", 2),
        ("official", 2),
    ]
    assert own_1.title == f"{home.name} 数字化转型自评估报告（企业自行生成，第 1 版）"
    assert official_2.title == f"{home.name} 数字化转型诊断报告（第 2 版）"
    assert own_1.issuer == "梯度平台（企业自助生成）" and official_1.issuer.endswith("东湖区工业和信息化主管部门")
    # A commissioner diagnoses for the programme: the authority's series, under its own numbering per enterprise.
    by_commissioner = issue_on_page(login(answered["commissioner"]), answered["neighbour"])
    assert (by_commissioner.series, by_commissioner.version) == ("official", 1)
    assert by_commissioner.issuer.endswith("数字化转型诊断服务")
    # The enterprise's report page lists the two series apart.
    page = login(answered["enterprise"]).get(reverse("reports:enterprise", args=[home.pk])).content.decode()
    official_table = page.split('data-testid="reports-official"')[1].split("</table>")[0]
    self_table = page.split('data-testid="reports-self"')[1].split("</table>")[0]
    assert official_1.code in official_table and official_2.code in official_table
    assert own_1.code not in official_table and own_2.code not in official_table
    assert own_1.code in self_table and own_2.code in self_table and official_1.code not in self_table
    assert "生成企业自评估报告" in page  # the enterprise's button says what it makes
    officer_page = login(answered["county"]).get(reverse("reports:enterprise", args=[home.pk])).content.decode()
    assert "出具正式诊断报告" in officer_page
    # Each report's page says which kind it is.
    detail = login(answered["enterprise"]).get(reverse("reports:detail", args=[own_2.pk])).content.decode()
    assert 'data-testid="series-self"' in detail and "数字化转型自评估报告" in detail
    detail = login(answered["enterprise"]).get(reverse("reports:detail", args=[official_1.pk])).content.decode()
    assert 'data-testid="series-official"' in detail and "数字化转型自评估报告" not in detail


def test_the_api_gives_each_report_its_series_and_filters_by_it(answered, client, login):
    home = answered["home"]
    own = issue_on_page(login(answered["enterprise"]), home)
    created = Api(client, answered["county"]).post("/reports", {"enterprise_id": home.pk})
    assert created.status_code == 201
    assert (created.json()["series"], created.json()["series_label"], created.json()["version"]) == (
        "official",
        OFFICIAL_LABEL,
        1,
    )
    listed = Api(client, answered["enterprise"]).get("/reports", enterprise_id=home.pk).json()["items"]
    assert sorted((r["series"], r["series_label"], r["version"]) for r in listed) == [
        ("official", OFFICIAL_LABEL, 1),
        ("self", SELF_LABEL, 1),
    ]
    only_own = Api(client, answered["enterprise"]).get("/reports", series="self").json()["items"]
    assert [r["code"] for r in only_own] == [own.code]
    assert Api(client, answered["enterprise"]).get("/reports", series="other").status_code == 422


@needs_poppler
def test_the_cover_of_a_self_generated_report_says_so_and_the_authoritys_does_not(answered, tmp_path):
    own = services.issue_report(actor=answered["enterprise"], enterprise=answered["home"])
    official = services.issue_report(actor=answered["county"], enterprise=answered["home"])
    own_text = flat(pdf_text(own.pdf.read(), tmp_path))
    official_text = flat(pdf_text(official.pdf.read(), tmp_path))
    assert "数字化转型自评估报告" in own_text and flat(SELF_LABEL) in own_text
    assert "不是主管部门或数字专员出具的诊断报告" in own_text and "一企一诊断书" not in own_text
    assert "数字化转型诊断报告" in official_text and flat(OFFICIAL_LABEL) in official_text
    assert "自评估报告" not in official_text


def test_the_verification_page_says_which_kind_of_report_a_code_is_and_who_issued_it(answered, client):
    own = services.issue_report(actor=answered["enterprise"], enterprise=answered["home"])
    official = services.issue_report(actor=answered["county"], enterprise=answered["home"])
    page = client.get(reverse("report_verify", args=[own.code])).content.decode()
    assert 'data-testid="kind-self"' in page and SELF_LABEL in page and "梯度平台（企业自助生成）" in page
    assert "不是主管部门或数字专员出具的诊断报告" in page
    assert answered["home"].name not in page  # the kind and the issuer, never the content
    page = client.get(reverse("report_verify", args=[official.code])).content.decode()
    assert 'data-testid="kind-official"' in page and OFFICIAL_LABEL in page and "东湖区工业和信息化主管部门" in page
    assert "不是主管部门或数字专员出具的诊断报告" not in page
    page = client.get(reverse("report_verify", args=["0000-0000-0000-0000"])).content.decode()
    assert 'data-testid="verify-kind"' not in page
    # Uploading the genuine file says the same; the API answers it too.
    original = own.pdf.read()
    upload = SimpleUploadedFile("r.pdf", original, "application/pdf")
    page = client.post(reverse("report_verify", args=[own.code]), {"pdf": upload}).content.decode()
    assert 'data-testid="verify-ok"' in page and SELF_LABEL in page
    body = client.post(f"{API}/reports/verify/{own.code}", {"pdf": SimpleUploadedFile("r.pdf", original)}).json()
    assert (body["genuine"], body["series"], body["issuer"]) == (True, "self", "梯度平台（企业自助生成）")


def test_a_busy_database_is_a_409_with_a_message_not_a_server_error(answered, login, client, monkeypatch):
    """When concurrent issues keep the database past its lock timeout, both the page and the API say so plainly."""

    def busy(enterprise, series):
        raise services.ReportBusy()

    monkeypatch.setattr(services, "next_version", busy)
    page = login(answered["county"]).post(reverse("reports:issue", args=[answered["home"].pk]))
    assert page.status_code == 409 and "系统繁忙，请稍后再试" in page.content.decode()
    api = Api(client, answered["county"]).post("/reports", {"enterprise_id": answered["home"].pk})
    assert api.status_code == 409 and "系统繁忙，请稍后再试" in api.json()["detail"]
    assert not DiagnosisReport.objects.exists()
