"""The assessment API: the same scope, permissions and rules as the pages, for token and session clients."""

import json

import pytest

import maturity
from accounts import services as account_services
from assessments.models import Assessment, AssessmentResult
from assessments.specs import without_provenance
from maturity.spec import NA

from .conftest import all_answers

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Api:
    """A client speaking JSON with one user's bearer token."""

    def __init__(self, client, user):
        _token, plain = account_services.token_create(user=user, name="测试")
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {plain}"}

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.auth)

    def post(self, path, body=None):
        return self.client.post(API + path, json.dumps(body or {}), content_type="application/json", **self.auth)

    def patch(self, path, body):
        return self.client.patch(API + path, json.dumps(body), content_type="application/json", **self.auth)


def pick(item):
    """A valid, middling answer for any scoring kind."""
    match item.kind:
        case "graded":
            return "most"
        case "single_choice":
            return item.options[-1].code
        case "multi_select":
            return [item.options[0].code]
        case "numeric_bands":
            return 50
        case "scene":
            return 2
        case "prerequisite":
            return True
    return None


def start(api, enterprise, model_code="sme-2024", kind="self", **extra):
    response = api.post(
        "/assessments", {"enterprise_id": enterprise.pk, "model_code": model_code, "kind": kind, **extra}
    )
    assert response.status_code == 201, response.content.decode()
    return response.json()


def test_enterprise_creates_answers_submits_and_reads_the_result_with_a_token(world, client, sme2024):
    api = Api(client, world["enterprise"])
    draft = start(api, world["home"], production_type="discrete")
    assert draft["status"] == "draft" and draft["kind"] == "self" and draft["model_version_id"] == sme2024.pk
    assert draft["context"]["production_type"] == "discrete" and draft["can_edit"] and draft["level"] is None
    assert Assessment.objects.get(pk=draft["id"]).source == "api"

    answers = all_answers(sme2024, draft["context"], pick)
    response = api.patch(f"/assessments/{draft['id']}/answers", {"answers": answers})
    assert response.status_code == 200, response.content.decode()
    assert response.json() == {
        "detail": "已保存",
        "saved": len(answers),
        "answered_count": len(answers),
        "problems": {},
    }

    response = api.post(f"/assessments/{draft['id']}/submit")
    assert response.status_code == 200, response.content.decode()
    expected = maturity.score(sme2024.parsed(), answers, draft["context"])
    assert response.json()["score"] == pytest.approx(expected.score) and response.json()["is_current"]

    detail = api.get(f"/assessments/{draft['id']}").json()
    assert detail["status"] == "submitted" and detail["answers"] == answers and not detail["can_edit"]
    assert detail["level"] == expected.level and detail["score"] == pytest.approx(expected.score)

    result = api.get(f"/assessments/{draft['id']}/result").json()
    assert (result["level"], result["level_name"]) == (expected.level, expected.level_name)
    assert result["score"] == pytest.approx(expected.score) and result["scale_max"] == expected.scale_max
    assert result["provisional"] is True and result["model_code"] == "sme-2024"
    assert [lv["number"] for lv in result["levels"]] == [lv.number for lv in expected.levels]
    assert set(result["nodes"]) == set(expected.nodes) and result["trace"] == list(expected.trace)
    assert len(result["snapshots"]) == 1 and result["snapshots"][0]["reason"] == "提交"
    assert [h["assessment_id"] for h in result["history"]] == [draft["id"]]
    assert result["history"][0]["delta"] is None


def test_a_second_round_shows_the_change_in_the_history(world, client, sme2024):
    api = Api(client, world["enterprise"])
    ids = []
    for value in (10, 70):
        draft = start(api, world["home"])
        answers = all_answers(sme2024, draft["context"], pick)
        answers.update({code: value for code, v in answers.items() if isinstance(v, int) and v == 50})
        assert api.patch(f"/assessments/{draft['id']}/answers", {"answers": answers}).status_code == 200
        assert api.post(f"/assessments/{draft['id']}/submit").status_code == 200
        ids.append(draft["id"])
    history = api.get(f"/assessments/{ids[1]}/result").json()["history"]
    assert [h["assessment_id"] for h in history] == ids
    assert history[1]["delta"] == pytest.approx(history[1]["score"] - history[0]["score"]) and history[1]["delta"] > 0


def test_session_login_uses_the_api_too(world, login, sme2024):
    client = login(world["enterprise"])
    response = client.post(
        f"{API}/assessments",
        {"enterprise_id": world["home"].pk, "model_version_id": sme2024.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    listed = client.get(f"{API}/assessments").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == response.json()["id"]


def test_anonymous_gets_401(world, client, sme2024):
    assert client.get(f"{API}/assessments").status_code == 401
    assert client.get(f"{API}/models").status_code == 401


def test_other_city_officer_cannot_see_or_change_the_assessment(world, client, sme2024):
    owner = Api(client, world["enterprise"])
    draft = start(owner, world["home"])
    answers = all_answers(sme2024, draft["context"], pick)
    owner.patch(f"/assessments/{draft['id']}/answers", {"answers": answers})
    owner.post(f"/assessments/{draft['id']}/submit")
    before = AssessmentResult.objects.count(), Assessment.objects.count()

    other = Api(client, world["other_city"])
    assert other.get(f"/assessments/{draft['id']}").status_code == 404
    assert other.get(f"/assessments/{draft['id']}/result").status_code == 404
    assert other.patch(f"/assessments/{draft['id']}/answers", {"answers": {}}).status_code == 404
    assert other.post(f"/assessments/{draft['id']}/submit").status_code == 404
    assert other.get("/assessments").json()["count"] == 0
    response = other.post(
        "/assessments", {"enterprise_id": world["home"].pk, "model_code": "cmmm", "kind": "diagnosis"}
    )
    assert response.status_code == 404
    assert (AssessmentResult.objects.count(), Assessment.objects.count()) == before
    # The home city's officer sees the submitted assessment.
    assert Api(client, world["city"]).get(f"/assessments/{draft['id']}/result").status_code == 200


def test_enterprise_user_cannot_start_a_diagnosis_or_assess_another_enterprise(world, client, cmmm):
    api = Api(client, world["enterprise"])
    response = api.post("/assessments", {"enterprise_id": world["home"].pk, "model_code": "cmmm", "kind": "diagnosis"})
    assert response.status_code == 403 and "不能" in response.json()["detail"]
    response = api.post("/assessments", {"enterprise_id": world["neighbour"].pk, "model_code": "cmmm"})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_drafts_are_seen_only_by_who_fills_them_in(world, client, sme2024):
    draft = start(Api(client, world["enterprise"]), world["home"])
    city = Api(client, world["city"])
    assert city.get(f"/assessments/{draft['id']}").status_code == 404
    assert city.get("/assessments").json()["count"] == 0
    # The officer's own diagnosis draft is theirs alone; the enterprise does not see it.
    diagnosis = start(city, world["home"], kind="diagnosis")
    assert Api(client, world["enterprise"]).get(f"/assessments/{diagnosis['id']}").status_code == 404
    province = Api(client, world["province"])
    assert province.patch(f"/assessments/{diagnosis['id']}/answers", {"answers": {}}).status_code == 404


def test_bad_answers_are_reported_by_item_and_valid_ones_are_still_saved(world, client, sme2024):
    api = Api(client, world["enterprise"])
    draft = start(api, world["home"])
    spec = sme2024.parsed()
    numeric = next(r.item for r in spec.iter_items() if r.item.kind == "numeric_bands")
    single = next(r.item for r in spec.iter_items() if r.item.kind == "single_choice")
    response = api.patch(
        f"/assessments/{draft['id']}/answers",
        {"answers": {numeric.code: "很多", single.code: single.options[0].code, "X9.9": 1}},
    )
    assert response.status_code == 422
    body = response.json()
    assert set(body["problems"]) == {numeric.code, "X9.9"} and numeric.code in body["problems"][numeric.code]
    assert body["saved"] == 1 and body["answered_count"] == 1 and "2 个答案未保存" in body["detail"]
    assert Assessment.objects.get(pk=draft["id"]).answers == {single.code: single.options[0].code}
    # null clears an answer.
    response = api.patch(f"/assessments/{draft['id']}/answers", {"answers": {single.code: None}})
    assert response.status_code == 200 and response.json()["answered_count"] == 0


def test_not_applicable_only_where_the_model_allows_it(world, client, cmmm):
    api = Api(client, world["enterprise"])
    draft = start(api, world["home"], model_code="cmmm")
    spec = cmmm.parsed()
    allowed = next(r.item for r in spec.iter_items() if r.item.not_applicable_allowed)
    refused = next(r.item for r in spec.iter_items() if not r.item.not_applicable_allowed)
    response = api.patch(f"/assessments/{draft['id']}/answers", {"answers": {allowed.code: NA, refused.code: NA}})
    assert response.status_code == 422
    assert response.json()["problems"] == {refused.code: "该条目不允许选择“不适用”"}
    assert Assessment.objects.get(pk=draft["id"]).answers == {allowed.code: NA}


def test_submitting_twice_is_refused_and_frozen_answers_stay(world, client, sme2024):
    api = Api(client, world["enterprise"])
    draft = start(api, world["home"])
    answers = all_answers(sme2024, draft["context"], pick)
    api.patch(f"/assessments/{draft['id']}/answers", {"answers": answers})
    assert api.post(f"/assessments/{draft['id']}/submit").status_code == 200
    response = api.post(f"/assessments/{draft['id']}/submit")
    assert response.status_code == 422 and "已提交" in response.json()["detail"]
    response = api.patch(f"/assessments/{draft['id']}/answers", {"answers": dict.fromkeys(answers)})
    assert response.status_code == 422 and response.json()["saved"] == 0
    assert AssessmentResult.objects.filter(assessment_id=draft["id"]).count() == 1
    assert Assessment.objects.get(pk=draft["id"]).answers == answers


def test_the_result_of_a_draft_does_not_exist_yet(world, client, sme2024):
    api = Api(client, world["enterprise"])
    draft = start(api, world["home"])
    response = api.get(f"/assessments/{draft['id']}/result")
    assert response.status_code == 404 and "尚未提交" in response.json()["detail"]


def test_a_verification_needs_a_reason_for_every_changed_answer(world, client, sme2024):
    owner = Api(client, world["enterprise"])
    draft = start(owner, world["home"])
    answers = all_answers(sme2024, draft["context"], pick)
    owner.patch(f"/assessments/{draft['id']}/answers", {"answers": answers})
    owner.post(f"/assessments/{draft['id']}/submit")

    body = {"enterprise_id": world["home"].pk, "kind": "verified", "verifies_id": draft["id"]}
    assert owner.post("/assessments", body).status_code == 403  # an enterprise does not verify itself
    county = Api(client, world["county"])
    check = start(county, world["home"], model_code=None, kind="verified", verifies_id=draft["id"])
    assert check["answers"] == answers and check["verifies_id"] == draft["id"]
    single = next(r.item for r in sme2024.parsed().iter_items() if r.item.kind == "single_choice")
    county.patch(f"/assessments/{check['id']}/answers", {"answers": {single.code: single.options[0].code}})
    response = county.post(f"/assessments/{check['id']}/submit")
    assert response.status_code == 422 and set(response.json()["problems"]) == {single.code}
    reasons = {"reasons": {single.code: "现场核查未见相关系统"}}
    assert county.patch(f"/assessments/{check['id']}/answers", {"answers": {}, **reasons}).status_code == 200
    assert county.post(f"/assessments/{check['id']}/submit").status_code == 200


def test_list_filters_and_paginates(world, client, sme2024, cmmm):
    api = Api(client, world["enterprise"])
    start(api, world["home"])
    start(api, world["home"], model_code="cmmm")
    assert api.get("/assessments", model_code="cmmm").json()["count"] == 1
    assert api.get("/assessments", status="submitted").json()["count"] == 0
    assert api.get("/assessments", enterprise_id=world["home"].pk, kind="self").json()["count"] == 2
    page = api.get("/assessments", limit=1, offset=1).json()
    assert page["count"] == 2 and len(page["items"]) == 1 and page["items"][0]["enterprise_name"] == world["home"].name
    assert api.get("/assessments", kind="bogus").status_code == 422


def test_models_are_listed_with_their_spec(world, client, cmmm):
    api = Api(client, world["expert"])
    listed = api.get("/models").json()
    current = {m["code"]: m for m in listed if m["is_current"]}
    assert {"cmmm", "sme-2024"} <= set(current) and current["cmmm"]["item_count"] == cmmm.item_count
    detail = api.get(f"/models/{cmmm.pk}").json()
    # Provenance (where each fact was found) is for officers and admins; the expert gets the model without it.
    assert detail["spec"] == without_provenance(cmmm.spec) and detail["version"] == cmmm.version
    assert Api(client, world["province"]).get(f"/models/{cmmm.pk}").json()["spec"] == cmmm.spec
    assert api.get("/models/999999").status_code == 404


def test_yaml_export_round_trips_to_the_stored_spec(world, client, cmmm, sme2024):
    api = Api(client, world["province"])
    for version in (cmmm, sme2024):
        response = api.get(f"/models/{version.pk}/export", format="yaml")
        assert response.status_code == 200 and response["Content-Type"].startswith("application/yaml")
        assert f"{version.code}-{version.version}.yaml" in response["Content-Disposition"]
        assert maturity.load_yaml(response.content.decode()) == version.parsed()
        assert maturity.load_yaml(response.content.decode()).model_dump(mode="json") == version.spec


def test_xlsx_export_is_a_workbook(world, client, sme2024):
    response = Api(client, world["enterprise"]).get(f"/models/{sme2024.pk}/export", format="xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    assert Api(client, world["enterprise"]).get(f"/models/{sme2024.pk}/export", format="pdf").status_code == 422
