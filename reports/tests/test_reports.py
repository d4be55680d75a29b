"""The diagnosis report: what it says, the issued PDF, verification, findings and who may see what.

Synthetic enterprises and assessments (conftest `world`); PDFs are rendered for real with WeasyPrint and read back
with poppler's pdftotext, as a person checking a report would."""

import hashlib
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import maturity
from assessments import services as assessment_services
from assessments.models import Assessment, ModelVersion
from assessments.tests.conftest import all_answers
from catalog import services as catalog_services
from catalog.models import Provider, Scenario, Solution
from conftest import make_code
from enterprises.models import EnterpriseEvent
from incentives.models import Programme
from reports import services
from reports.compose import NothingToReport, cmmm_levels_for_tiers, compose
from reports.models import DiagnosisReport, Finding

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")


def submit_cmmm(world, enterprise, choose, actor=None, kind="self", verifies=None):
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    actor = actor or world["enterprise"]
    a = assessment_services.start(actor=actor, enterprise=enterprise, version=cmmm, kind=kind, verifies=verifies)
    answers = all_answers(cmmm, a.context, choose)
    reasons = {c: "现场核实" for c, v in answers.items() if verifies is not None and verifies.answers.get(c) != v}
    assessment_services.save_answers(actor=actor, assessment=a, updates=answers, reasons=reasons)
    assessment_services.submit(actor=actor, assessment=a)
    return a


def level_one_only(item):
    """Level-1 requirements fully met, nothing above: CMMM level 1 (规划级)."""
    return "full" if item.level == 1 else "none"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


# --- composition ------------------------------------------------------------------------------------------------


def test_the_report_states_level_gap_and_a_least_effort_roadmap_that_reaches_the_next_level(world):
    a = submit_cmmm(world, world["home"], level_one_only)
    content = compose(world["home"], world["county"])
    (m,) = content["models"]
    assert m["code"] == "cmmm" and m["level"] == 1 and m["kind"] == "self" and m["kind_label"] == "自评估"
    assert m["assessment_id"] == a.pk and m["provisional"] is True
    assert [row["number"] for row in m["ladder"]] == [5, 4, 3, 2, 1]
    assert m["gap"]["target_level"] == 2 and not m["gap"]["reached"]
    assert [lv["number"] for lv in m["gap"]["levels"]] == [2]  # level 2 fails, level 1 passed
    road = m["roadmap"]
    assert road["reachable"] and road["reached_level"] >= 2
    # The plan in the report is exactly the optimiser's plan on these answers.
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    plan = maturity.roadmap(cmmm.parsed(), a.answers, a.context, target_level=2)
    codes = [s["code"] for phase in road["phases"] for s in phase["steps"]]
    assert sorted(codes) == sorted(s.code for s in plan.steps) and road["total_effort"] == plan.total_effort
    # Every step the plan takes is a level-2 (or lower) requirement not yet met.
    assert all(s["level"] <= 2 and s["from_value"] == "不满足" for phase in road["phases"] for s in phase["steps"])
    # The gap per domain adds up to the plan's effort.
    assert sum(d["effort"] for d in m["gap"]["domains"]) == pytest.approx(plan.total_effort)
    assert m["strengths"] and m["weaknesses"]
    assert m["history"] == [
        {
            "date": a.submitted_at.date().isoformat(),
            "kind_label": "自评估",
            "score": m["score"],
            "level_name": m["level_name"],
            "delta": None,
        }
    ]


def test_a_chosen_target_level_or_smart_factory_tier_sets_the_roadmap_target(world):
    submit_cmmm(world, world["home"], level_one_only)
    three = compose(world["home"], world["county"], target_level=3)["models"][0]
    assert three["gap"]["target_level"] == 3 and three["roadmap"]["reached_level"] >= 3
    tiers = cmmm_levels_for_tiers()
    assert tiers["advanced"]["level"] == 2 and tiers["excellent"]["level"] == 3  # from the tier-condition model
    by_tier = compose(world["home"], world["county"], target_tier="excellent")
    assert by_tier["models"][0]["gap"]["target_level"] == 3 and by_tier["target_tier"]["name"] == "卓越级"
    with pytest.raises(ValueError, match="目标等级"):
        compose(world["home"], world["county"], target_level=9)
    with pytest.raises(ValueError, match="梯度"):
        compose(world["home"], world["county"], target_tier="platinum")


def test_steps_link_to_scenarios_matched_solutions_cases_and_programmes(world):
    # Everything met except 计划与调度 (M2.2) at every level: the plan works on scheduling.
    submit_cmmm(world, world["home"], lambda item: "none" if item.code.startswith("M2.2") else "full")
    scheduling = Scenario.objects.get(name="车间智能排产")
    provider = catalog_services.provider_create(
        actor=None,
        provider=Provider(name="排程软件公司", credit_code=make_code("360100"), region_id="360100", status="published"),
    )
    solution = catalog_services.solution_save(
        actor=None,
        solution=Solution(
            provider=provider, title="离散制造智能排产APS", description="多品种小批量插单排程", status="published"
        ),
        scenario_codes=[scheduling.code],
    )
    funded = Programme.objects.create(name="排产改造奖补（测试）", kind="subsidy", region_id="360000", max_amount=50)
    funded.scenarios.set([scheduling])
    Programme.objects.create(name="别省的项目（测试）", kind="voucher", region_id="440000")
    closed = Programme.objects.create(
        name="已截止的项目（测试）", kind="voucher", region_id="360000", closes_on="2020-01-01"
    )
    m = compose(world["home"], world["county"], target_level=5)["models"][0]
    resources = {r["code"]: r for r in m["roadmap"]["resources"]}
    assert scheduling.code in resources
    res = resources[scheduling.code]
    assert res["solutions"][0]["id"] == solution.pk and res["solutions"][0]["provider"] == "排程软件公司"
    assert [p["name"] for p in res["programmes"]] == ["排产改造奖补（测试）"]
    assert closed.name not in str(m["roadmap"])
    steps = [s for phase in m["roadmap"]["phases"] for s in phase["steps"]]
    assert steps and all(s["code"].startswith("M2.2") for s in steps)
    assert any(sc["code"] == scheduling.code for s in steps for sc in s["scenarios"])
    assert set(res["steps"]) <= {s["code"] for s in steps}


def test_history_shows_the_change_and_a_verification_is_labelled(world):
    first = submit_cmmm(world, world["home"], level_one_only)
    submit_cmmm(
        world,
        world["home"],
        lambda item: "full" if item.level <= 2 else "none",
        actor=world["county"],
        kind="verified",
        verifies=first,
    )
    m = compose(world["home"], world["county"])["models"][0]
    assert m["kind"] == "verified" and m["verifies_date"] == first.submitted_at.date().isoformat()
    assert [h["kind_label"] for h in m["history"]] == ["自评估", "核验评估"]
    assert m["history"][1]["delta"] == pytest.approx(m["history"][1]["score"] - m["history"][0]["score"], abs=0.011)
    assert m["history"][1]["delta"] > 0 and m["level"] == 2


def test_no_submitted_assessment_means_no_report(world):
    with pytest.raises(NothingToReport):
        compose(world["home"], world["county"])
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    with pytest.raises(NothingToReport):  # a draft is not something to report on
        compose(world["home"], world["county"])


# --- issuing, the PDF and verification ---------------------------------------------------------------------------


@needs_poppler
def test_an_issued_report_is_a_stored_pdf_whose_text_holds_the_key_figures(world, tmp_path):
    submit_cmmm(world, world["home"], level_one_only)
    Finding.objects.create(
        enterprise=world["home"],
        kind="finding",
        text="车间数据采集基本靠人工抄表。",
        author=world["commissioner"],
        author_name="王专员",
        author_role="数字专员",
        visibility="shared",  # only shared findings enter a report (see enterprises/tests/test_note_visibility_matrix)
    )
    report = services.issue_report(actor=world["county"], enterprise=world["home"])
    data = report.pdf.read()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == report.pdf_sha256
    assert report.version == 1 and report.content["issue"]["code"] == report.code
    text = pdf_text(data, tmp_path)
    flat = "".join(text.split())
    m = report.content["models"][0]
    for expected in [
        world["home"].name,
        world["home"].credit_code,
        m["level_name"],
        f"{m['score']:.2f}",
        report.code,
        "东湖区工业和信息化主管部门",
        "目录",
        "提升路线图",
        "同行对标",
        "车间数据采集基本靠人工抄表。",
        "王专员",
        "第2页/共",
    ]:
        assert "".join(expected.split()) in flat, expected
    # Three peers in the world: far below the minimum group, so no percentile is printed at all.
    assert m["peers"]["total"]["percentile"] is None
    assert "总分位于同行第" not in flat and "对标群体" not in flat and "不足10家" in flat
    # The timeline records it, and a second issue is a new version; the first stays as it was.
    event = EnterpriseEvent.objects.get(enterprise=world["home"], kind="reported")
    assert event.data["code"] == report.code and "第 1 版" in event.summary
    again = services.issue_report(actor=world["county"], enterprise=world["home"])
    assert again.version == 2 and again.code != report.code
    report.refresh_from_db()
    assert report.pdf.read() == data
    report.title = "改过的标题"
    with pytest.raises(ValueError, match="never edited"):
        report.save()


@needs_poppler
def test_verification_accepts_the_original_and_rejects_an_altered_copy(world, client, tmp_path):
    submit_cmmm(world, world["home"], level_one_only)
    report = services.issue_report(actor=world["county"], enterprise=world["home"])
    original = report.pdf.read()
    assert services.verify(report.code, original).genuine
    assert services.verify(report.code.lower().replace("-", " "), original).genuine  # typed by hand
    # One byte changed anywhere (here: inside the text stream area) is a different document.
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    assert not services.verify(report.code, bytes(altered)).genuine
    assert not services.verify(report.code, original + b"\n% appended").genuine
    other = services.issue_report(actor=world["county"], enterprise=world["home"])
    assert not services.verify(other.code, original).genuine  # genuine file, wrong code
    assert not services.verify("0000-0000-0000-0000", original).genuine
    # The public page: no login, says yes or no and the date, and nothing of the content.
    url = reverse("report_verify", args=[report.code])
    page = client.post(url, {"pdf": SimpleUploadedFile("r.pdf", original, "application/pdf")})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="verify-ok"' in body
    assert world["home"].name not in body and report.content["models"][0]["level_name"] not in body
    page = client.post(url, {"pdf": SimpleUploadedFile("r.pdf", bytes(altered), "application/pdf")})
    assert 'data-testid="verify-failed"' in page.content.decode()
    page = client.post(url, {"pdf": SimpleUploadedFile("r.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")})
    assert page.status_code == 400 and "这不是 PDF 文件" in page.content.decode()


def test_the_verification_page_is_throttled_per_address(world, client, settings):
    from django.core.cache import cache

    cache.clear()
    settings.CACHES = settings.CACHES  # the test cache is the configured one; the counter lives there
    url = reverse("report_verify", args=["0000-0000-0000-0000"])
    from reports import views

    for _ in range(views.VERIFICATIONS_PER_HOUR):
        assert (
            client.post(url, {"pdf": SimpleUploadedFile("r.pdf", b"%PDF-1.7 x", "application/pdf")}).status_code == 200
        )
    assert client.post(url, {"pdf": SimpleUploadedFile("r.pdf", b"%PDF-1.7 x", "application/pdf")}).status_code == 429
    cache.clear()


def test_codes_are_random_grouped_and_tolerant_of_how_people_type_them():
    codes = {services.new_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert len(code) == 19 and code.count("-") == 3
    assert services.normalise_code(code.lower().replace("-", "")) == code
    assert services.normalise_code("OOOO-IIII-LLLL-0000") == "0000-1111-1111-0000"
    assert services.normalise_code("short") == "" and services.normalise_code("U" * 16) == ""


# --- pages and scope ---------------------------------------------------------------------------------------------


def test_pages_are_scoped_to_who_may_see_the_enterprise(world, login):
    submit_cmmm(world, world["home"], level_one_only)
    client = login(world["county"])
    response = client.post(reverse("reports:issue", args=[world["home"].pk]), {"target_level": "", "target_tier": ""})
    assert response.status_code == 302
    report = DiagnosisReport.objects.get()
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == 200
    pdf = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == report.pdf.read()
    # The enterprise reads its own report; an officer elsewhere, a provider or a stranger never sees it exists.
    assert login(world["enterprise"]).get(reverse("reports:detail", args=[report.pk])).status_code == 200
    for who in ["other_city", "provider", "nobody"]:
        c = login(world[who])
        assert c.get(reverse("reports:detail", args=[report.pk])).status_code == 404, who
        assert c.get(reverse("reports:pdf", args=[report.pk])).status_code == 404, who
        assert c.get(reverse("reports:enterprise", args=[world["home"].pk])).status_code == 404, who
        assert c.post(reverse("reports:issue", args=[world["home"].pk])).status_code == 404, who
    assert DiagnosisReport.objects.count() == 1


def test_preview_renders_without_storing_and_bad_targets_get_a_clear_message(world, login):
    submit_cmmm(world, world["home"], level_one_only)
    client = login(world["county"])
    page = client.get(reverse("reports:preview", args=[world["home"].pk]), {"target_level": "3"})
    assert page.status_code == 200 and "提升路线图" in page.content.decode()
    assert DiagnosisReport.objects.count() == 0
    page = client.get(
        reverse("reports:preview", args=[world["home"].pk]), {"target_level": "3", "target_tier": "basic"}
    )
    assert page.status_code == 400 and "只能选一个" in page.content.decode()
    page = client.get(reverse("reports:preview", args=[world["home"].pk]), {"target_level": "abc"})
    assert page.status_code == 400
    page = login(world["city"]).get(reverse("reports:preview", args=[world["neighbour"].pk]))
    assert page.status_code == 409 and "还没有已提交的评估" in page.content.decode()


def test_findings_are_written_by_the_diagnosing_side_and_carry_their_author(world, login):
    submit_cmmm(world, world["home"], level_one_only)
    url = reverse("reports:finding_add", args=[world["home"].pk])
    # The enterprise itself cannot write the commissioner's findings.
    assert login(world["enterprise"]).post(url, {"kind": "finding", "text": "我们很好"}).status_code == 403
    county = login(world["county"])
    assert county.post(url, {"kind": "recommendation", "text": "   "}).status_code == 400
    shared = {"kind": "recommendation", "text": "优先上线设备联网。", "visibility": "shared"}
    assert county.post(url, shared).status_code == 200
    finding = Finding.objects.get()
    assert finding.author_role == "主管部门" and finding.author_name == "county"
    content = compose(world["home"], world["county"])
    assert content["findings"] == [
        {
            "kind": "recommendation",
            "kind_label": "改进建议",
            "text": "优先上线设备联网。",
            "author": "county",
            "role": "主管部门",
            "date": content["findings"][0]["date"],
        }
    ]
    # Only the author edits or removes it.
    edit = reverse("reports:finding_edit", args=[finding.pk])
    assert login(world["city"]).post(edit, {"kind": "finding", "text": "改写"}).status_code == 403
    assert login(world["other_city"]).post(edit, {"kind": "finding", "text": "改写"}).status_code == 404
    county = login(world["county"])  # one test client: log the author back in
    assert county.post(edit, {"kind": "finding", "text": "优先上线设备联网与数据采集。"}).status_code == 200
    assert compose(world["home"], world["county"])["findings"][0]["text"] == "优先上线设备联网与数据采集。"
    assert county.post(reverse("reports:finding_remove", args=[finding.pk])).status_code == 200
    assert compose(world["home"], world["county"])["findings"] == []


def test_an_assessment_kind_label_for_every_kind():
    from reports.compose import KIND_LABELS

    assert set(KIND_LABELS) == set(Assessment.Kind.values)


def test_the_menu_offers_report_batches_to_officers_only(world, login):
    assert 'data-testid="nav-reports"' in login(world["county"]).get("/").content.decode()
    assert 'data-testid="nav-reports"' not in login(world["enterprise"]).get("/").content.decode()
