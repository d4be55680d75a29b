"""The recognition API: the applications a user may see (the same scope as the pages), where each stands and its
history, and submit / withdraw / decide through the same services — another region's or enterprise's application
is a 404, one seen but not the user's to act on a 403, a move the chain refuses a 422 with the reasons; nothing
changes on a refusal (synthetic data)."""

import json

import pytest

from recognition import chain, prerequisites, services
from recognition.models import Application

pytestmark = pytest.mark.django_db
API = "/api/v1/recognition"


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def programme(load_programme):
    return load_programme(prerequisites={})


@pytest.fixture
def draft(world, programme):
    return services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])


def submitted(world, draft, attach):
    attach(draft)
    check = prerequisites.check(draft.programme.rules, draft.enterprise, {})
    return services.application_submit(actor=world["enterprise"], application=draft, check=check)


def state(application) -> tuple:
    application.refresh_from_db()
    return application.status, application.step, application.events.count()


def test_who_lists_and_reads_an_application(world, login, client, draft, attach):
    url = f"{API}/applications/{draft.pk}"
    assert [a["id"] for a in login(world["enterprise"]).get(f"{API}/applications").json()["items"]] == [draft.pk]
    assert login(world["county"]).get(url).status_code == 404  # a draft is the enterprise's own
    submitted(world, draft, attach)
    expected = {"enterprise": 200, "county": 200, "city": 200, "province": 200, "other_city": 404, "provider": 404,
                "expert": 404}  # fmt: skip
    for persona, status in expected.items():
        response = login(world[persona]).get(url)
        assert response.status_code == status, persona
        listed = [a["id"] for a in login(world[persona]).get(f"{API}/applications").json()["items"]]
        assert listed == ([draft.pk] if status == 200 else []), persona
    page = login(world["city"]).get(f"{API}/applications", {"limit": 1, "offset": 0}).json()
    assert page["count"] == 1 and page["items"][0]["status_label"] == "审核中"
    client.logout()
    assert client.get(url).status_code == 401
    body = login(world["enterprise"]).get(url).json()
    assert (body["status"], body["step_code"], body["acting_level"]) == ("in_review", "county_check", "county")
    assert body["due_on"] and body["may_withdraw"] and not body["may_submit"] and body["decisions"] == []
    assert [e["action"] for e in body["history"]] == ["draft", "submit"]
    assert login(world["county"]).get(url).json()["decisions"] == ["pass", "reject", "return"]
    waiting = login(world["county"]).get(f"{API}/applications", {"waiting_for_me": "true"}).json()["items"]
    assert [a["id"] for a in waiting] == [draft.pk]
    assert login(world["city"]).get(f"{API}/applications", {"waiting_for_me": "true"}).json()["items"] == []


def test_submit_refused_with_the_reasons_then_accepted(world, login, draft, attach):
    client = login(world["enterprise"])
    refused = post(client, f"{API}/applications/{draft.pk}/submit")
    assert refused.status_code == 422 and "缺少申报材料" in refused.json()["detail"]
    assert state(draft)[0] == chain.DRAFT
    for persona, status in {"county": 404, "other_city": 404, "provider": 404}.items():
        assert post(login(world[persona]), f"{API}/applications/{draft.pk}/submit").status_code == status, persona
    attach(draft)
    accepted = post(login(world["enterprise"]), f"{API}/applications/{draft.pk}/submit")
    assert accepted.status_code == 200 and accepted.json()["status"] == "in_review"


def test_decide_by_role_and_level_with_nothing_changed_on_refusal(world, login, draft, attach):
    application = submitted(world, draft, attach)
    url = f"{API}/applications/{application.pk}/decide"
    body = {"decision": "pass", "reason": "材料齐全"}
    before = state(application)
    expected = {"city": 403, "province": 403, "enterprise": 403, "other_city": 404, "provider": 404, "expert": 404}
    for persona, status in expected.items():
        assert post(login(world[persona]), url, body).status_code == status, persona
    county = login(world["county"])
    assert post(county, url, {"decision": "pass", "reason": ""}).status_code == 422
    assert post(county, url, {"decision": "cultivate", "reason": "可培育"}).status_code == 422
    assert post(county, url, {"decision": "promote", "reason": "可培育"}).status_code == 422
    assert state(application) == before
    response = post(county, url, {"decision": "return", "reason": "请补充营业执照"})
    assert response.status_code == 200 and response.json()["status"] == "returned"
    seen = login(world["enterprise"]).get(f"{API}/applications/{application.pk}").json()
    assert seen["history"][-1]["reason"] == "请补充营业执照" and seen["history"][-1]["actor"] == "区县级主管部门"
    assert seen["may_submit"]


def test_withdraw_by_the_applicant_only(world, login, draft, attach):
    application = submitted(world, draft, attach)
    url = f"{API}/applications/{application.pk}/withdraw"
    before = state(application)
    for persona, status in {"county": 403, "city": 403, "other_city": 404, "provider": 404}.items():
        assert post(login(world[persona]), url, {"reason": "x"}).status_code == status, persona
    assert state(application) == before
    response = post(login(world["enterprise"]), url, {"reason": "准备不足"})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    assert post(login(world["enterprise"]), url, {}).status_code == 422  # already final
    assert Application.objects.get(pk=application.pk).events.get(action="withdraw").reason == "准备不足"
