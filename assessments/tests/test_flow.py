"""Filling in, submitting and reading a self-assessment through the pages, as an enterprise user does."""

import pytest
from django.urls import reverse

from assessments.models import Assessment, AssessmentResult, DomainScore
from enterprises.models import EnterpriseEvent

pytestmark = pytest.mark.django_db


def start(client, enterprise, version, kind="self", production_type="discrete"):
    response = client.post(
        reverse("assessments:start", args=[enterprise.pk]),
        {"version": version.pk, "kind": kind, "production_type": production_type},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Assessment.objects.latest("id")


def page_post(version, group, answers, extra=None):
    """The POST body the questionnaire page sends for one group: every item's presence marker and its answer."""
    data = {"group": group}
    for ref in version.parsed().iter_items():
        if ref.path[0].code != group:
            continue
        code = ref.item.code
        data[f"m:{code}"] = "1"
        if code in answers:
            data[f"a:{code}"] = answers[code]
    data.update(extra or {})
    return data


def test_enterprise_fills_saves_and_submits_a_cmmm_self_assessment(world, login, cmmm):
    client = login(world["enterprise"])
    a = start(client, world["home"], cmmm)
    assert a.kind == "self" and a.status == "draft" and a.context["production_type"] == "discrete"
    page = client.get(reverse("assessments:fill", args=[a.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "暂定" in text  # the provisional model is marked as such
    spec = cmmm.parsed()
    first = spec.nodes[0]
    codes = [r.item.code for r in spec.iter_items() if r.path[0] is first]
    # Save the first group with everything fully satisfied, then go to the next group.
    response = client.post(
        reverse("assessments:fill", args=[a.pk]),
        page_post(cmmm, first.code, dict.fromkeys(codes, "full"), {"go": spec.nodes[1].code}),
    )
    assert response.status_code == 302 and f"group={spec.nodes[1].code}" in response["Location"]
    a.refresh_from_db()
    assert a.answers == dict.fromkeys(codes, "full") and a.answered_count == len(codes)
    # Submit: unanswered items count as not satisfied, so the result is low but valid.
    response = client.post(reverse("assessments:review", args=[a.pk]))
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == "submitted" and a.submitted_at is not None
    result = AssessmentResult.objects.get(assessment=a, is_current=True)
    assert result.snapshot["items"][codes[0]]["points"] == 1.0
    assert result.level is not None and result.provisional
    assert DomainScore.objects.filter(result=result, node_code=first.code).get().score == 1.0
    event = EnterpriseEvent.objects.filter(enterprise=world["home"], kind="assessed").get()
    assert cmmm.name in event.summary
    # Frozen: the questionnaire refuses further changes.
    assert client.get(reverse("assessments:fill", args=[a.pk])).status_code == 403
    detail = client.get(reverse("assessments:detail", args=[a.pk]))
    assert detail.status_code == 200
    assert result.level_name in detail.content.decode()


def test_a_bad_answer_is_reported_and_the_good_ones_on_the_page_are_kept(world, login, sme2024):
    client = login(world["enterprise"])
    a = start(client, world["home"], sme2024)
    spec = sme2024.parsed()
    numeric = next(r.item for r in spec.iter_items() if r.item.kind == "numeric_bands")
    single = next(r.item for r in spec.iter_items() if r.item.kind == "single_choice" and r.path[0] is spec.nodes[0])
    group = next(r.path[0].code for r in spec.iter_items() if r.item.code == numeric.code)
    body = page_post(sme2024, group, {numeric.code: "很多", single.code: single.options[-1].code})
    response = client.post(reverse("assessments:fill", args=[a.pk]), body)
    assert response.status_code == 422
    text = response.content.decode()
    assert "请输入数字" in text and "很多" in text  # the typed text is shown back with the problem
    a.refresh_from_db()
    assert a.answers == {single.code: single.options[-1].code}
    # An option that does not exist is refused by the engine's own check, with the item named.
    body = page_post(sme2024, group, {single.code: "no-such-option"})
    response = client.post(reverse("assessments:autosave", args=[a.pk]), body)
    assert response.status_code == 200 and single.code in response.content.decode()
    a.refresh_from_db()
    assert a.answers == {single.code: single.options[-1].code}


def test_autosave_keeps_a_draft_that_can_be_resumed(world, login, cmmm):
    client = login(world["enterprise"])
    a = start(client, world["home"], cmmm)
    spec = cmmm.parsed()
    code = next(r.item.code for r in spec.iter_items())
    response = client.post(
        reverse("assessments:autosave", args=[a.pk]), page_post(cmmm, spec.nodes[0].code, {code: "partial"})
    )
    assert response.status_code == 200 and "草稿已自动保存" in response.content.decode()
    page = client.get(reverse("assessments:fill", args=[a.pk]) + f"?group={spec.nodes[0].code}")
    assert f'name="a:{code}" value="partial" checked' in page.content.decode()


def test_not_applicable_only_where_the_model_allows_it(world, login, cmmm):
    client = login(world["enterprise"])
    a = start(client, world["home"], cmmm)
    spec = cmmm.parsed()
    refs = list(spec.iter_items())
    allowed = next((r for r in refs if r.item.not_applicable_allowed), None)
    refused = next(r for r in refs if not r.item.not_applicable_allowed)
    body = page_post(cmmm, refused.path[0].code, {}, {f"na:{refused.item.code}": "1"})
    response = client.post(reverse("assessments:fill", args=[a.pk]), body)
    assert response.status_code == 422 and "不允许选择“不适用”" in response.content.decode()
    if allowed is not None:
        body = page_post(cmmm, allowed.path[0].code, {}, {f"na:{allowed.item.code}": "1"})
        assert client.post(reverse("assessments:fill", args=[a.pk]), body).status_code == 302
        a.refresh_from_db()
        assert a.answers[allowed.item.code] == "n/a"


def test_process_only_items_do_not_appear_for_a_discrete_manufacturer(world, login, cmmm):
    spec = cmmm.parsed()
    process_only = [r for r in spec.iter_items() if "process" in r.item.applies_to.production_types]
    assert process_only  # the shipped CMMM has process-only items (配方、装置…)
    client = login(world["enterprise"])
    a = start(client, world["home"], cmmm, production_type="discrete")
    ref = process_only[0]
    page = client.get(reverse("assessments:fill", args=[a.pk]) + f"?group={ref.path[0].code}")
    assert f"item-{ref.item.code}" not in page.content.decode()
    b = start(client, world["home"], cmmm, production_type="process")
    page = client.get(reverse("assessments:fill", args=[b.pk]) + f"?group={ref.path[0].code}")
    assert f"item-{ref.item.code}" in page.content.decode()
