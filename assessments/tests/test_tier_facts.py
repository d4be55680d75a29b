"""Declared tier-check facts: the enterprise declares with evidence, an officer or commissioner confirms or rejects,
a new declaration supersedes the old one, and the tier page says 满足 once everything a tier needs is confirmed."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments import tier_services, tiers
from assessments.models import TierFact, TierFactEvidence
from assessments.tier_services import TierFactError, tier_fact_confirm, tier_fact_declare, tier_fact_reject
from core.uploads import UploadError
from enterprises.models import EnterpriseEvent

from .test_verification_and_scope import submitted_self_assessment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# A factory that meets 基础级 to 卓越级 once confirmed: 3 AI scenes of 10 is 30 % (卓越级 needs 20 %, 领航级 60 %).
GOOD = {
    "abnormal_list": False,
    "serious_accident_3y": False,
    "secure_controllable": True,
    "organisation_talent": True,
    "scene_count": 10,
    "ai_scene_count": 3,
}
FORM_VALUE = {True: "true", False: "false"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, PDF)


@pytest.fixture
def ready(world, cmmm):
    """The home enterprise with a CMMM 四级 self-assessment and above scale: only declarations are missing."""
    submitted_self_assessment(world, cmmm, "most")
    world["home"].is_above_scale = True
    world["home"].save(update_fields=["is_above_scale"])
    return world


def declare(world, key, value, actor=None):
    actor = actor or world["enterprise"]
    return tier_fact_declare(actor=actor, enterprise=world["home"], key=key, value=value, files=[pdf()])


def outcomes(enterprise):
    evaluation, _ = tiers.check(enterprise)
    return {t.code: t.outcome for t in evaluation.tiers}


def page(client, enterprise):
    return client.get(reverse("assessments:tiers", args=[enterprise.pk]))


def verdict(html: str, code: str) -> str:
    return re.search(rf'data-testid="verdict-{code}">([^<]+)<', html).group(1)


# ---------------------------------------------------------------------------------------------------------------
# Services


def test_the_check_says_yes_once_every_declaration_is_confirmed(ready):
    assert outcomes(ready["home"])["basic"] == "undeclared"
    facts = [declare(ready, key, value) for key, value in GOOD.items()]
    # Unconfirmed, even 领航级 (whose 60 % AI share the declared 30 % would miss: the reason says so) waits.
    assert set(outcomes(ready["home"]).values()) == {"pending"}
    for fact in facts:
        tier_fact_confirm(actor=ready["county"], fact=fact)
    assert outcomes(ready["home"]) == {"basic": "met", "advanced": "met", "excellent": "met", "leading": "not_met"}
    fact = TierFact.objects.get(key="abnormal_list")
    assert (fact.status, fact.reviewed_by, fact.evidence.count()) == ("confirmed", ready["county"], 1)


def test_every_declaration_and_review_is_on_the_enterprises_timeline_shared_with_it(ready):
    fact = declare(ready, "scene_count", 10)
    tier_fact_confirm(actor=ready["city"], fact=fact)
    other = declare(ready, "ai_scene_count", 3)
    tier_fact_reject(actor=ready["city"], fact=other, reason="场景清单与现场不符")
    rows = list(
        EnterpriseEvent.objects.filter(enterprise=ready["home"], data__has_key="tier_fact")
        .order_by("id")
        .values_list("summary", "visibility", "actor__username")
    )
    assert rows == [
        ("申报梯度条件：场景数为“10 个”", "shared", "enterprise"),
        ("确认梯度条件申报：场景数为“10 个”", "shared", "city"),
        ("申报梯度条件：人工智能应用场景数为“3 个”", "shared", "enterprise"),
        ("退回梯度条件申报：人工智能应用场景数，原因：场景清单与现场不符", "shared", "city"),
    ]


def test_a_rejected_declaration_asks_for_a_new_one_with_the_reason(ready):
    for key, value in GOOD.items():
        tier_fact_confirm(actor=ready["county"], fact=declare(ready, key, value))
    fact = TierFact.objects.get(key="organisation_talent")
    fact.status = "declared"  # as if still unreviewed, to reject it
    fact.save()
    tier_fact_reject(actor=ready["county"], fact=fact, reason="未见组织机构文件")
    evaluation, _ = tiers.check(ready["home"])
    basic = evaluation.tiers[0]
    condition = next(c for c in basic.conditions if c.code == "organisation_talent")
    assert (basic.outcome, condition.outcome) == ("undeclared", "undeclared")
    assert "已退回（未见组织机构文件），须重新申报" in condition.reason


def test_a_rejection_needs_a_reason(ready):
    fact = declare(ready, "abnormal_list", False)
    with pytest.raises(TierFactError, match="原因"):
        tier_fact_reject(actor=ready["county"], fact=fact, reason="  ")
    fact.refresh_from_db()
    assert fact.status == "declared"


def test_a_new_declaration_supersedes_the_current_one_and_keeps_the_history(ready):
    first = declare(ready, "scene_count", 8)
    tier_fact_confirm(actor=ready["county"], fact=first)
    second = declare(ready, "scene_count", 12)
    first.refresh_from_db()
    assert (first.is_current, first.status, second.is_current, second.status) == (
        False,
        "confirmed",
        True,
        "declared",
    )
    # The newest declaration is what counts: it waits for confirmation, and the old one cannot be reviewed again.
    evaluation, _ = tiers.check(ready["home"])
    assert "scene_count" in evaluation.pending_facts
    with pytest.raises(TierFactError, match="取代"):
        tier_fact_reject(actor=ready["county"], fact=first, reason="过时")
    rows = {row.key: row for row in tiers.fact_rows(ready["home"])}
    assert (rows["scene_count"].current, rows["scene_count"].history) == (second, [first])


def test_a_declaration_is_reviewed_once(ready):
    fact = declare(ready, "abnormal_list", False)
    tier_fact_confirm(actor=ready["county"], fact=fact)
    with pytest.raises(TierFactError, match="已审核"):
        tier_fact_reject(actor=ready["city"], fact=fact, reason="重新核查")


def test_nobody_reviews_a_declaration_they_made(ready):
    fact = declare(ready, "abnormal_list", False, actor=ready["admin"])
    with pytest.raises(TierFactError, match="自己"):
        tier_fact_confirm(actor=ready["admin"], fact=fact)
    assert not tiers.can_review_fact(ready["admin"], fact)


def test_a_declaration_needs_evidence_a_valid_file_and_a_value_of_the_facts_type(ready):
    home, ent = ready["home"], ready["enterprise"]
    with pytest.raises(TierFactError, match="佐证材料"):
        tier_fact_declare(actor=ent, enterprise=home, key="abnormal_list", value=False, files=[])
    with pytest.raises(UploadError):
        page_as_pdf = SimpleUploadedFile("证明.pdf", b"<html><script>alert(1)</script></html>")
        tier_fact_declare(actor=ent, enterprise=home, key="abnormal_list", value=False, files=[page_as_pdf])
    with pytest.raises(TierFactError, match="无效"):
        tier_fact_declare(actor=ent, enterprise=home, key="scene_count", value="十", files=[pdf()])
    with pytest.raises(TierFactError, match="不是"):
        tier_fact_declare(actor=ent, enterprise=home, key="cmmm_level", value=4, files=[pdf()])
    with pytest.raises(TierFactError, match="最多"):
        files = [pdf() for _ in range(tier_services.MAX_FILES + 1)]
        tier_fact_declare(actor=ent, enterprise=home, key="abnormal_list", value=False, files=files)
    assert not TierFact.objects.exists() and not TierFactEvidence.objects.exists()


def test_jiangsus_own_self_test_is_declared_only_by_jiangsu_enterprises(world, make_enterprise):
    kunshan = make_enterprise("320583", name="昆山精工有限公司")
    assert "provincial_self_test_tier" in tiers.declared_keys(kunshan)
    assert "provincial_self_test_tier" not in tiers.declared_keys(world["home"])
    with pytest.raises(TierFactError):
        declare(world, "provincial_self_test_tier", "先进级")


# ---------------------------------------------------------------------------------------------------------------
# Pages


def post_declaration(client, enterprise, key, value, files=None):
    body = {f"{key}-value": FORM_VALUE.get(value, value), f"{key}-evidence": files or [pdf()], f"{key}-note": ""}
    return client.post(reverse("assessments:tier_fact_declare", args=[enterprise.pk, key]), body)


def test_the_enterprise_declares_on_the_page_an_officer_confirms_and_the_page_says_yes(ready, login):
    home = ready["home"]
    client = login(ready["enterprise"])
    html = page(client, home).content.decode()
    assert verdict(html, "basic") == "待申报"
    for key, value in GOOD.items():
        response = post_declaration(client, home, key, value)
        assert response.status_code == 302 and response.url.endswith(f"#fact-{key}")
    html = page(client, home).content.decode()
    assert verdict(html, "basic") == "待确认"
    assert "企业已申报「列入经营异常名录或严重失信主体名单」：否，待主管部门/数字专员确认" in html
    assert 'data-testid="review-' not in html  # the enterprise is offered no review buttons

    officer = login(ready["county"])
    html = page(officer, home).content.decode()
    assert html.count('data-testid="review-') == len(GOOD) and 'data-testid="declare-' not in html
    for fact in TierFact.objects.filter(enterprise=home):
        assert officer.post(reverse("assessments:tier_fact_confirm", args=[fact.pk])).status_code == 302
    html = page(officer, home).content.decode()
    assert [verdict(html, c) for c in ("basic", "advanced", "excellent", "leading")] == [
        "满足",
        "满足",
        "满足",
        "不满足",
    ]


def test_a_higher_tier_waiting_on_a_lower_one_says_why_on_the_page(ready, login):
    from enterprises.models import EnterpriseLabel

    EnterpriseLabel.objects.create(enterprise=ready["home"], label_id="tier-advanced")
    facts = [declare(ready, key, value) for key, value in GOOD.items()]
    for fact in facts[1:]:
        tier_fact_confirm(actor=ready["county"], fact=fact)
    html = page(login(ready["enterprise"]), ready["home"]).content.decode()
    assert [verdict(html, c) for c in ("basic", "advanced", "excellent")] == ["待确认"] * 3
    cap = re.search(r'data-testid="cap-excellent">([^<]+)<', html).group(1)
    assert cap == "待确认：基础级条件尚待确认，须逐级达到（本级自身条件均已满足）"


def test_a_refused_upload_shows_the_reason_in_the_form(ready, login):
    client = login(ready["enterprise"])
    bad = SimpleUploadedFile("证明.pdf", b"MZ\x90\x00 not a pdf")
    response = post_declaration(client, ready["home"], "abnormal_list", False, files=[bad])
    assert response.status_code == 422
    assert "文件内容与扩展名 .pdf 不符" in response.content.decode()
    assert not TierFact.objects.exists()


def test_a_rejection_from_the_page_is_shown_to_the_enterprise(ready, login):
    fact = declare(ready, "ai_scene_count", 3)
    url = reverse("assessments:tier_fact_reject", args=[fact.pk])
    assert login(ready["city"]).post(url, {"reason": ""}).status_code == 302
    fact.refresh_from_db()
    assert fact.status == "declared"  # no reason, no rejection
    login(ready["city"]).post(url, {"reason": "请附场景清单"})
    html = page(login(ready["enterprise"]), ready["home"]).content.decode()
    assert "退回原因：请附场景清单" in html and 'data-testid="fact-status-ai_scene_count">已退回' in html


def test_the_enterprise_cannot_confirm_or_reject_its_own_facts(ready, login):
    fact = declare(ready, "abnormal_list", False)
    client = login(ready["enterprise"])
    assert client.post(reverse("assessments:tier_fact_confirm", args=[fact.pk])).status_code == 403
    assert client.post(reverse("assessments:tier_fact_reject", args=[fact.pk]), {"reason": "x"}).status_code == 403
    fact.refresh_from_db()
    assert (fact.status, fact.reviewed_by) == ("declared", None)


def test_officers_declare_nothing_for_the_enterprise(ready, login):
    response = post_declaration(login(ready["county"]), ready["home"], "abnormal_list", False)
    assert response.status_code == 403 and not TierFact.objects.exists()


def test_outside_the_scope_everything_is_404_and_nothing_changes(ready, login):
    fact = declare(ready, "abnormal_list", False)
    ev = fact.evidence.get()
    urls = [
        ("get", reverse("assessments:tiers", args=[ready["home"].pk]), {}),
        ("get", reverse("assessments:tier_fact_evidence", args=[fact.pk, ev.pk]), {}),
        ("post", reverse("assessments:tier_fact_confirm", args=[fact.pk]), {}),
        ("post", reverse("assessments:tier_fact_reject", args=[fact.pk]), {"reason": "x"}),
    ]
    for persona in ("other_city", "provider", "expert", "commissioner", "nobody"):
        client = login(ready[persona])
        for method, url, body in urls:
            assert getattr(client, method)(url, body).status_code == 404, (persona, url)
        assert post_declaration(client, ready["home"], "scene_count", 5).status_code == 404, persona
    fact.refresh_from_db()
    assert (fact.status, TierFact.objects.count()) == ("declared", 1)


def test_a_commissioner_assigned_to_the_enterprise_confirms_and_anyone_in_scope_reads_the_evidence(ready, login):
    ready["commissioner"].memberships.get().assigned_enterprises.add(ready["home"])
    fact = declare(ready, "abnormal_list", False)
    client = login(ready["commissioner"])
    assert client.post(reverse("assessments:tier_fact_confirm", args=[fact.pk])).status_code == 302
    fact.refresh_from_db()
    assert (fact.status, fact.reviewed_by) == ("confirmed", ready["commissioner"])
    url = reverse("assessments:tier_fact_evidence", args=[fact.pk, fact.evidence.get().pk])
    for persona in ("enterprise", "county", "province", "commissioner"):
        response = login(ready[persona]).get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF, persona
