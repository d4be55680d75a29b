"""The resource-pool API: the pages' scope, permissions and rules for token and session clients.

Every refusal is checked to have changed nothing. All records here are synthetic."""

import json

import pytest

from accounts import services as account_services
from catalog import services, workflow
from catalog.models import (
    Case,
    Need,
    NeedResponse,
    PoolEvent,
    Provider,
    ProviderAppeal,
    ProviderEvaluation,
    Scenario,
    Solution,
)
from catalog.selectors import scenario_graph_data, scenarios_for_industry
from conftest import make_code

pytestmark = pytest.mark.django_db

API = "/api/v1"
APS = "S-PM-02"  # 车间智能排产 in the shipped taxonomy


class Api:
    """A JSON client for one user: a bearer token, or nothing for the anonymous persona."""

    def __init__(self, client, user=None):
        self.client, self.auth = client, {}
        if user is not None:
            _token, plain = account_services.token_create(user=user, name="测试")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.auth)

    def post(self, path, body=None):
        return self.client.post(API + path, json.dumps(body or {}), content_type="application/json", **self.auth)

    def patch(self, path, body):
        return self.client.patch(API + path, json.dumps(body), content_type="application/json", **self.auth)


def snapshot():
    """What a refused call must leave as it was."""
    return {
        "providers": list(Provider.objects.order_by("pk").values()),
        "solutions": list(Solution.objects.order_by("pk").values()),
        "needs": list(Need.objects.order_by("pk").values()),
        "responses": list(NeedResponse.objects.order_by("pk").values()),
        "evaluations": ProviderEvaluation.objects.count(),
        "appeals": list(ProviderAppeal.objects.order_by("pk").values()),
        "events": PoolEvent.objects.count(),
    }


@pytest.fixture
def pool(world):
    """A published provider in 南昌 with a published solution and a case; a draft provider in 九江; the world's
    provider (a draft in 南昌, run by the `provider` user) with a draft solution of its own."""
    listed = services.provider_create(
        actor=None,
        provider=Provider(
            name="排程软件（合成）有限公司",
            credit_code=make_code("360100"),
            region_id="360100",
            status="published",
            types=["software"],
            industries=["34"],
            description="多品种小批量排产",
            contact_name="张工",
            contact_phone="0791-00000000",
        ),
    )
    published = services.solution_save(
        actor=None,
        solution=Solution(
            provider=listed,
            title="离散制造智能排产APS",
            description="多品种小批量插单排程，交期预测",
            status="published",
            lightweight=True,
            price_min=10,
            price_max=30,
        ),
        scenario_codes=[APS],
    )
    far = services.provider_create(
        actor=None,
        provider=Provider(name="九江草稿服务商", credit_code=make_code("360400"), region_id="360400"),
    )
    far_solution = services.solution_save(
        actor=None, solution=Solution(provider=far, title="九江草稿方案", description="草稿"), scenario_codes=[APS]
    )
    own = Provider.objects.get(name="测试服务商有限公司")  # world["provider"] is the user who runs it
    own_draft = services.solution_save(
        actor=None,
        solution=Solution(provider=own, title="本单位草稿方案", description="草稿"),
        scenario_codes=[APS],
    )
    case = Case.objects.create(
        provider=listed, solution=published, title="排产案例", industry_id="34", region_id="360102"
    )
    far_case = Case.objects.create(provider=far, title="九江案例", industry_id="26", region_id="360402")
    return {
        "listed": listed,
        "own": own,
        "published": published,
        "far": far,
        "far_solution": far_solution,
        "own_draft": own_draft,
        "case": case,
        "far_case": far_case,
    }


def post_need(world, text="我们想上一套排产系统，解决插单多、交期不准的问题", **fields):
    need = Need(enterprise=world["home"], text=text, visibility=fields.pop("visibility", "public"), **fields)
    return services.need_create(actor=world["enterprise"], need=need, scenario_codes=[APS])


# ---------------------------------------------------------------- the API as a whole


def test_anonymous_gets_401_from_every_pool_endpoint_and_changes_nothing(client, world, pool):
    need = post_need(world)
    before = snapshot()
    anonymous = Api(client)
    reads = [
        "/providers",
        f"/providers/{pool['listed'].pk}",
        f"/providers/{pool['listed'].pk}/evaluations",
        f"/providers/{pool['listed'].pk}/appeals",
        "/solutions",
        f"/solutions/{pool['published'].pk}",
        "/scenarios",
        "/scenarios/graph",
        f"/scenarios/{APS}",
        "/cases",
        f"/cases/{pool['case'].pk}",
        "/needs",
        f"/needs/{need.pk}",
        f"/needs/{need.pk}/recommendations",
        "/inbox",
        "/assessments/1/recommendations",
    ]
    for path in reads:
        assert anonymous.get(path).status_code == 401, path
    writes = [
        ("/providers", {"name": "x", "credit_code": "x", "region_code": "360100"}),
        (f"/providers/{pool['listed'].pk}/review", {"action": "suspend", "reason": "测试理由"}),
        (f"/providers/{pool['listed'].pk}/evaluations", {}),
        (f"/providers/{pool['listed'].pk}/appeals", {"text": "评价有误请复核"}),
        ("/solutions", {"title": "x", "description": "x", "scenario_codes": [APS]}),
        (f"/solutions/{pool['published'].pk}/review", {"action": "withdraw", "reason": "测试理由"}),
        ("/needs", {"text": "需要排产系统"}),
        (f"/needs/{need.pk}/responses", {"message": "我们可以做"}),
        (f"/needs/{need.pk}/close", {}),
        (f"/providers/{pool['listed'].pk}/changes/review", {"approve": True, "reason": "测试理由"}),
        (f"/solutions/{pool['published'].pk}/changes/review", {"approve": True, "reason": "测试理由"}),
    ]
    for path, body in writes:
        assert anonymous.post(path, body).status_code == 401, path
    assert anonymous.patch(f"/providers/{pool['listed'].pk}", {"name": "改名"}).status_code == 401
    assert anonymous.patch(f"/solutions/{pool['published'].pk}", {"title": "改名"}).status_code == 401
    assert snapshot() == before


def test_openapi_lists_the_pool_paths_under_their_own_tags(world, login):
    spec = login(world["county"]).get(f"{API}/openapi.json").json()
    expected = {
        "/api/v1/providers",
        "/api/v1/providers/{pk}",
        "/api/v1/providers/{pk}/review",
        "/api/v1/providers/{pk}/evaluations",
        "/api/v1/providers/{pk}/appeals",
        "/api/v1/providers/{pk}/appeals/{appeal_pk}/decision",
        "/api/v1/solutions",
        "/api/v1/solutions/{pk}",
        "/api/v1/solutions/{pk}/review",
        "/api/v1/scenarios",
        "/api/v1/scenarios/graph",
        "/api/v1/scenarios/{code}",
        "/api/v1/cases",
        "/api/v1/cases/{pk}",
        "/api/v1/needs",
        "/api/v1/needs/{pk}",
        "/api/v1/needs/{pk}/responses",
        "/api/v1/responses/{pk}/decision",
        "/api/v1/needs/{pk}/close",
        "/api/v1/needs/{pk}/recommendations",
        "/api/v1/assessments/{pk}/recommendations",
        "/api/v1/inbox",
    }
    assert expected <= set(spec["paths"])
    assert "资源池 · 服务商" in spec["paths"]["/api/v1/providers"]["get"]["tags"]
    assert "资源池 · 需求对接" in spec["paths"]["/api/v1/needs"]["post"]["tags"]


def test_session_login_reaches_the_pool_api(world, pool, login):
    response = login(world["enterprise"]).get(f"{API}/providers")
    assert response.status_code == 200 and response.json()["count"] == 1


# ---------------------------------------------------------------- providers


def test_provider_list_is_the_directory_plus_what_the_user_manages(client, world, pool):
    names = lambda user, **q: {p["name"] for p in Api(client, user).get("/providers", **q).json()["items"]}  # noqa: E731
    assert names(world["enterprise"]) == {"排程软件（合成）有限公司"}
    assert names(world["provider"]) == {"排程软件（合成）有限公司", "测试服务商有限公司"}
    assert names(world["city"], status="draft") == {"测试服务商有限公司"}
    assert names(world["other_city"], status="draft") == {"九江草稿服务商"}
    assert names(world["enterprise"], status="draft") == {"排程软件（合成）有限公司"}  # status is for officers only
    assert names(world["enterprise"], q="排程", type="software", industry="34", region="360100") == {
        "排程软件（合成）有限公司"
    }
    assert names(world["enterprise"], type="hardware") == set()


def test_provider_list_refuses_an_unknown_type_in_chinese(client, world, pool):
    response = Api(client, world["enterprise"]).get("/providers", type="magic")
    assert response.status_code == 422 and "magic" in response.json()["problems"]["type"]


def test_provider_detail_follows_the_scope(client, world, pool):
    listed, draft = pool["listed"], pool["own"]
    body = Api(client, world["enterprise"]).get(f"/providers/{listed.pk}").json()
    assert body["contact"] == {"name": "张工", "phone": "0791-00000000", "email": ""}
    assert body["solution_count"] == 1 and body["case_count"] == 1
    assert not body["can_edit"] and not body["can_review"] and body["pending_changes"] is None
    assert Api(client, world["enterprise"]).get(f"/providers/{draft.pk}").status_code == 404
    assert Api(client, world["other_city"]).get(f"/providers/{draft.pk}").status_code == 404
    city = Api(client, world["city"]).get(f"/providers/{draft.pk}").json()
    assert city["can_review"] and not city["can_edit"] and city["pending_changes"] == {}
    own = Api(client, world["provider"]).get(f"/providers/{draft.pk}").json()
    assert own["can_edit"] and not own["can_review"] and own["status"] == "draft"


def test_an_officer_registers_a_provider_in_their_region_only(client, world, pool):
    body = {"name": "新登记（合成）服务商", "credit_code": make_code("360100"), "region_code": "360102"}
    before = snapshot()
    assert Api(client, world["enterprise"]).post("/providers", body).status_code == 403
    assert Api(client, world["provider"]).post("/providers", body).status_code == 403
    assert Api(client, world["other_city"]).post("/providers", body).status_code == 403
    assert snapshot() == before
    response = Api(client, world["city"]).post("/providers", body)
    assert response.status_code == 201, response.content.decode()
    assert response.json()["status"] == "draft" and response.json()["region_code"] == "360102"
    assert Provider.objects.get(credit_code=body["credit_code"]).name == "新登记（合成）服务商"


def test_a_duplicate_credit_code_is_refused_with_the_chinese_message(client, world, pool):
    before = snapshot()
    body = {"name": "重复", "credit_code": pool["listed"].credit_code.lower(), "region_code": "360100"}
    response = Api(client, world["city"]).post("/providers", body)
    assert response.status_code == 422
    assert "已登记为服务商" in response.json()["detail"] and "排程软件（合成）有限公司" in response.json()["detail"]
    assert "credit_code" in response.json()["problems"]
    assert snapshot() == before


def test_a_provider_updates_its_own_record_and_html_comes_back_as_text(client, world, pool):
    own = pool["own"]
    script = "<script>alert(1)</script>我们做排产"
    before = snapshot()
    assert Api(client, world["enterprise"]).patch(f"/providers/{pool['listed'].pk}", {"name": "x"}).status_code == 403
    assert Api(client, world["city"]).patch(f"/providers/{own.pk}", {"name": "x"}).status_code == 403
    assert Api(client, world["other_city"]).patch(f"/providers/{own.pk}", {"name": "x"}).status_code == 404
    assert Api(client, world["provider"]).patch(f"/providers/{own.pk}", {"industries": ["99"]}).status_code == 422
    assert snapshot() == before
    response = Api(client, world["provider"]).patch(f"/providers/{own.pk}", {"description": script, "staff": 12})
    assert response.status_code == 200, response.content.decode()
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["description"] == script and response.json()["status"] == "pending"
    assert PoolEvent.objects.filter(kind="provider_submitted", provider=own).exists()


def test_edits_to_a_listed_provider_wait_for_review(client, world, pool):
    own = pool["own"]
    workflow.provider_review(actor=world["city"], provider=own, action="publish", reason="资料齐全")
    response = Api(client, world["provider"]).patch(f"/providers/{own.pk}", {"name": "改名后的服务商"})
    assert response.status_code == 200, response.content.decode()
    assert response.json()["name"] == "测试服务商有限公司" and response.json()["status"] == "published"
    assert response.json()["pending_changes"] == {"name": "改名后的服务商"}
    assert Api(client, world["enterprise"]).get(f"/providers/{own.pk}").json()["pending_changes"] is None
    assert (
        Api(client, world["provider"]).post(f"/providers/{own.pk}/changes/review", {"approve": True}).status_code == 403
    )
    approved = Api(client, world["city"]).post(
        f"/providers/{own.pk}/changes/review", {"approve": True, "reason": "核实无误"}
    )
    assert approved.status_code == 200 and approved.json()["name"] == "改名后的服务商"


def test_only_the_registration_regions_officers_review_a_provider(client, world, pool):
    own = pool["own"]
    before = snapshot()
    body = {"action": "publish", "reason": "资料齐全"}
    assert Api(client, world["provider"]).post(f"/providers/{own.pk}/review", body).status_code == 403
    assert Api(client, world["enterprise"]).post(f"/providers/{pool['listed'].pk}/review", body).status_code == 403
    assert Api(client, world["county"]).post(f"/providers/{pool['listed'].pk}/review", body).status_code == 403
    assert Api(client, world["other_city"]).post(f"/providers/{own.pk}/review", body).status_code == 404
    no_reason = Api(client, world["city"]).post(f"/providers/{own.pk}/review", {"action": "publish", "reason": " "})
    assert no_reason.status_code == 422 and "请填写处理理由" in no_reason.json()["detail"]
    magic = Api(client, world["city"]).post(f"/providers/{own.pk}/review", {"action": "magic", "reason": "理由"})
    assert magic.status_code == 422 and magic.json()["detail"] == "未知的审核操作"
    assert snapshot() == before
    response = Api(client, world["province"]).post(
        f"/providers/{own.pk}/review", {"action": "warn", "reason": "投诉较多"}
    )
    assert response.status_code == 200 and response.json()["status"] == "warned"
    assert "投诉较多" in response.json()["status_reason"]


def test_evaluations_are_recomputed_by_officers_and_read_by_the_provider_itself(client, world, pool):
    own = pool["own"]
    before = snapshot()
    assert Api(client, world["provider"]).post(f"/providers/{own.pk}/evaluations", {}).status_code == 403
    assert Api(client, world["other_city"]).post(f"/providers/{own.pk}/evaluations", {}).status_code == 404
    bad = Api(client, world["city"]).post(f"/providers/{own.pk}/evaluations", {"reviews": {"capability_review": "x"}})
    assert bad.status_code == 422 and "capability_review" in bad.json()["detail"]
    assert snapshot() == before
    done = Api(client, world["city"]).post(
        f"/providers/{own.pk}/evaluations", {"reviews": {"capability_review": "full"}, "period": "2026Q4"}
    )
    assert done.status_code == 201, done.content.decode()
    assert done.json()["period"] == "2026Q4" and done.json()["grade"].endswith("级")
    assert done.json()["evaluated_by"] == "city"
    listed = Api(client, world["provider"]).get(f"/providers/{own.pk}/evaluations").json()
    assert [e["id"] for e in listed] == [done.json()["id"]]
    assert Api(client, world["enterprise"]).get(f"/providers/{pool['listed'].pk}/evaluations").status_code == 403
    assert Api(client, world["other_city"]).get(f"/providers/{own.pk}/evaluations").status_code == 404
    assert Api(client, world["other_city"]).get(f"/providers/{own.pk}/appeals").status_code == 404
    assert Api(client, world["enterprise"]).get(f"/providers/{pool['listed'].pk}/appeals").status_code == 403


def test_a_provider_appeals_and_the_officer_decides_once(client, world, pool):
    own = pool["own"]
    done = Api(client, world["city"]).post(f"/providers/{own.pk}/evaluations", {}).json()
    before = snapshot()
    short = Api(client, world["provider"]).post(f"/providers/{own.pk}/appeals", {"text": "不服"})
    assert short.status_code == 422 and "至少 5 个字" in short.json()["detail"]
    other = ProviderEvaluation.objects.create(
        provider=pool["listed"], period="x", scorecard_version="x", score=1, grade="D 级"
    )
    foreign = Api(client, world["provider"]).post(
        f"/providers/{own.pk}/appeals", {"text": "评价遗漏了案例", "evaluation_id": other.pk}
    )
    assert foreign.status_code == 422
    assert (
        Api(client, world["enterprise"])
        .post(f"/providers/{pool['listed'].pk}/appeals", {"text": "理由理由理由"})
        .status_code
        == 403
    )
    other.delete()
    assert snapshot() == before
    filed = Api(client, world["provider"]).post(
        f"/providers/{own.pk}/appeals", {"text": "评价遗漏了两个已核实的案例", "evaluation_id": done["id"]}
    )
    assert filed.status_code == 201 and filed.json()["status"] == "open"
    path = f"/providers/{own.pk}/appeals/{filed.json()['id']}/decision"
    assert Api(client, world["provider"]).post(path, {"accept": True, "decision": "同意"}).status_code == 403
    assert Api(client, world["other_city"]).post(path, {"accept": True, "decision": "同意"}).status_code == 404
    decided = Api(client, world["city"]).post(path, {"accept": True, "decision": "已补录案例，重新评价"})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    again = Api(client, world["city"]).post(path, {"accept": False, "decision": "再次处理"})
    assert again.status_code == 422 and "已处理" in again.json()["detail"]
    assert [a["status"] for a in Api(client, world["provider"]).get(f"/providers/{own.pk}/appeals").json()] == [
        "accepted"
    ]


# ---------------------------------------------------------------- solutions


def test_solution_list_filters_like_the_page(client, world, pool):
    titles = lambda user, **q: {s["title"] for s in Api(client, user).get("/solutions", **q).json()["items"]}  # noqa: E731
    assert titles(world["enterprise"]) == {"离散制造智能排产APS"}
    assert titles(world["provider"]) == {"离散制造智能排产APS", "本单位草稿方案"}
    assert titles(world["enterprise"], q="排程", scenario=APS, lightweight=True, budget="20") == {"离散制造智能排产APS"}
    assert titles(world["enterprise"], budget="5") == set()
    assert titles(world["enterprise"], ai=True) == set()
    assert titles(world["city"], status="draft") == {"本单位草稿方案"}  # 九江's draft is not the city's
    assert titles(world["enterprise"], status="draft") == {"离散制造智能排产APS"}  # status is for officers only
    bad = Api(client, world["enterprise"]).get("/solutions", scenario="S-NOPE")
    assert bad.status_code == 422 and "scenario" in bad.json()["problems"]


def test_solution_detail_follows_the_scope(client, world, pool):
    body = Api(client, world["enterprise"]).get(f"/solutions/{pool['published'].pk}").json()
    assert (
        body["scenarios"] == [APS] and body["provider_name"] == "排程软件（合成）有限公司" and body["case_count"] == 1
    )
    assert Api(client, world["enterprise"]).get(f"/solutions/{pool['far_solution'].pk}").status_code == 404
    assert Api(client, world["city"]).get(f"/solutions/{pool['far_solution'].pk}").status_code == 404
    assert Api(client, world["other_city"]).get(f"/solutions/{pool['far_solution'].pk}").json()["can_review"]


def test_a_provider_publishes_a_solution_and_bad_input_writes_nothing(client, world, pool):
    api = Api(client, world["provider"])
    body = {"title": "轻量排产SaaS", "description": "<b>插单</b>排程", "scenario_codes": [APS], "industries": ["34"]}
    before = snapshot()
    assert Api(client, world["enterprise"]).post("/solutions", body).status_code == 403
    unknown = api.post("/solutions", {**body, "scenario_codes": [APS, "S-NOPE"]})
    assert unknown.status_code == 422 and "未知的场景代码：S-NOPE" in unknown.json()["detail"]
    industry = api.post("/solutions", {**body, "industries": ["99"]})
    assert industry.status_code == 422 and "未知的行业代码：99" in industry.json()["detail"]
    inverted = api.post("/solutions", {**body, "price_min": 50, "price_max": 20})
    assert inverted.status_code == 422 and "最高价格不能低于最低价格" in inverted.json()["problems"]["price_max"]
    foreign = api.post("/solutions", {**body, "provider_id": pool["listed"].pk})
    assert foreign.status_code == 403
    assert snapshot() == before
    created = api.post("/solutions", body)
    assert created.status_code == 201, created.content.decode()
    assert created.json()["status"] == "pending" and created.json()["description"] == "<b>插单</b>排程"
    assert created.json()["provider_id"] == pool["own"].pk


def test_a_provider_edits_its_own_solution_only(client, world, pool):
    before = snapshot()
    assert Api(client, world["provider"]).patch(f"/solutions/{pool['published'].pk}", {"title": "x"}).status_code == 403
    assert (
        Api(client, world["provider"]).patch(f"/solutions/{pool['far_solution'].pk}", {"title": "x"}).status_code == 404
    )
    bad = Api(client, world["provider"]).patch(f"/solutions/{pool['own_draft'].pk}", {"scenario_codes": ["S-NOPE"]})
    assert bad.status_code == 422
    assert snapshot() == before
    response = Api(client, world["provider"]).patch(f"/solutions/{pool['own_draft'].pk}", {"title": "本单位排产方案"})
    assert response.status_code == 200 and response.json()["title"] == "本单位排产方案"
    assert response.json()["status"] == "pending" and response.json()["scenarios"] == [APS]


def test_edits_to_a_published_solution_wait_for_review(client, world, pool):
    draft = pool["own_draft"]
    workflow.solution_review(actor=world["city"], solution=draft, action="publish", reason="内容属实")
    edited = Api(client, world["provider"]).patch(f"/solutions/{draft.pk}", {"title": "排产方案（修订）"})
    assert edited.status_code == 200, edited.content.decode()
    assert edited.json()["title"] == "本单位草稿方案" and edited.json()["pending_changes"] == {
        "title": "排产方案（修订）"
    }
    path = f"/solutions/{draft.pk}/changes/review"
    before = snapshot()
    assert Api(client, world["provider"]).post(path, {"approve": True, "reason": "自己通过"}).status_code == 403
    assert Api(client, world["city"]).post(path, {"approve": True, "reason": ""}).status_code == 422
    assert snapshot() == before
    approved = Api(client, world["city"]).post(path, {"approve": True, "reason": "核实无误"})
    assert approved.status_code == 200 and approved.json()["title"] == "排产方案（修订）"
    assert approved.json()["pending_changes"] == {}


def test_officers_review_solutions_of_their_region(client, world, pool):
    path = f"/solutions/{pool['own_draft'].pk}/review"
    before = snapshot()
    assert Api(client, world["provider"]).post(path, {"action": "publish", "reason": "自己发布"}).status_code == 403
    assert Api(client, world["other_city"]).post(path, {"action": "publish", "reason": "理由"}).status_code == 404
    assert Api(client, world["city"]).post(path, {"action": "publish", "reason": ""}).status_code == 422
    assert snapshot() == before
    response = Api(client, world["city"]).post(path, {"action": "publish", "reason": "内容属实"})
    assert response.status_code == 200 and response.json()["status"] == "published"


# ---------------------------------------------------------------- scenarios and cases


def test_scenarios_list_and_detail_name_the_model_codes_they_close(client, world, pool):
    api = Api(client, world["enterprise"])
    scenarios = api.get("/scenarios").json()
    assert len(scenarios) == Scenario.objects.count() == 40
    aps = next(s for s in scenarios if s["code"] == APS)
    assert aps["name"] == "车间智能排产" and aps["solution_count"] == 1
    assert {s["code"] for s in api.get("/scenarios", industry="26").json()} < {s["code"] for s in scenarios}
    bad = api.get("/scenarios", industry="99")
    assert bad.status_code == 422 and "未知的行业代码" in bad.json()["detail"]
    detail = api.get(f"/scenarios/{APS}").json()
    cmmm = {c["code"]: c["name"] for c in detail["closes"] if c["model"] == "cmmm"}
    assert set(cmmm) == {"M2.2", "M2.2-L2-2", "M2.2-L4-1"} and cmmm["M2.2"]  # named from the current CMMM version
    assert api.get("/scenarios/S-NOPE").status_code == 404


def test_the_graph_endpoint_serves_the_graph_pages_data(client, world):
    body = Api(client, world["enterprise"]).get("/scenarios/graph", industry="34").json()
    expected = scenario_graph_data(scenarios_for_industry("34"))
    assert body["nodes"] == expected["nodes"] and body["links"] == expected["links"]
    assert body["count"] == len(scenarios_for_industry("34"))


def test_cases_follow_their_providers_scope(client, world, pool):
    api = Api(client, world["enterprise"])
    assert [c["title"] for c in api.get("/cases").json()["items"]] == ["排产案例"]
    detail = api.get(f"/cases/{pool['case'].pk}").json()
    assert detail["scenarios"] == [] and detail["solution_title"] == "离散制造智能排产APS"
    assert api.get(f"/cases/{pool['far_case'].pk}").status_code == 404
    assert Api(client, world["other_city"]).get(f"/cases/{pool['far_case'].pk}").status_code == 200


# ---------------------------------------------------------------- needs


def test_an_enterprise_posts_a_need_and_a_short_one_is_refused(client, world, pool):
    api = Api(client, world["enterprise"])
    before = snapshot()
    for text in ["", "排"]:
        refused = api.post("/needs", {"text": text})
        assert refused.status_code == 422 and "请具体描述需求" in refused.json()["problems"]["text"]
    assert api.post("/needs", {"text": "需要排产", "scenario_codes": ["S-NOPE"]}).status_code == 422
    assert api.post("/needs", {"text": "需要排产", "visibility": "invited"}).status_code == 422
    assert api.post("/needs", {"text": "需要排产", "deployments": ["cloud9"]}).status_code == 422
    assert Api(client, world["provider"]).post("/needs", {"text": "需要排产"}).status_code == 403
    assert Api(client, world["city"]).post("/needs", {"text": "需要排产"}).status_code == 403
    assert api.post("/needs", {"text": "需要排产", "enterprise_id": world["other"].pk}).status_code == 403
    assert snapshot() == before
    created = api.post(
        "/needs",
        {
            "text": "<i>排产</i>系统",
            "visibility": "invited",
            "invited_ids": [pool["listed"].pk],
            "scenario_codes": [APS],
        },
    )
    assert created.status_code == 201, created.content.decode()
    assert created.json()["text"] == "<i>排产</i>系统" and created.json()["scenarios"] == [APS]
    assert list(Need.objects.get(pk=created.json()["id"]).invited.all()) == [pool["listed"]]


def test_needs_are_scoped_like_the_pages(client, world, pool):
    public = post_need(world)
    regional = post_need(world, text="区域内的排产需求", visibility="region")
    ids = lambda user: {n["id"] for n in Api(client, user).get("/needs").json()["items"]}  # noqa: E731
    assert ids(world["enterprise"]) == ids(world["city"]) == {public.pk, regional.pk}
    assert ids(world["provider"]) == {public.pk, regional.pk}  # it serves everywhere (no regions listed)
    assert ids(world["other_city"]) == set()
    assert Api(client, world["other_city"]).get(f"/needs/{public.pk}").status_code == 404
    assert Api(client, world["commissioner"]).get(f"/needs/{public.pk}").status_code == 404


def test_a_provider_responds_once_and_sees_only_its_own_response(client, world, pool):
    need = post_need(world)
    listed_user_api = Api(client, pool_user(pool["listed"]))
    assert listed_user_api.post(f"/needs/{need.pk}/responses", {"message": "我们有成熟方案"}).status_code == 201
    api = Api(client, world["provider"])
    before = snapshot()
    assert (
        Api(client, world["enterprise"]).post(f"/needs/{need.pk}/responses", {"message": "自己响应"}).status_code == 403
    )
    assert api.post(f"/needs/{need.pk}/responses", {"message": "好"}).status_code == 422
    foreign = api.post(
        f"/needs/{need.pk}/responses", {"message": "附上别家的方案", "solution_id": pool["published"].pk}
    )
    assert foreign.status_code == 422 and "只能附上本单位的解决方案" in foreign.json()["detail"]
    assert snapshot() == before
    first = api.post(f"/needs/{need.pk}/responses", {"message": "可提供排产系统", "solution_id": pool["own_draft"].pk})
    assert first.status_code == 201 and first.json()["status"] == "responded"
    again = api.post(f"/needs/{need.pk}/responses", {"message": "再响应一次"})
    assert again.status_code == 422 and "只能响应一次" in again.json()["detail"]
    seen = api.get(f"/needs/{need.pk}").json()
    assert [r["provider_id"] for r in seen["responses"]] == [pool["own"].pk] and not seen["can_respond"]
    assert len(Api(client, world["enterprise"]).get(f"/needs/{need.pk}").json()["responses"]) == 2


def pool_user(provider):
    from accounts.models import Membership, Role, User

    user = User.objects.create_user(username=f"p{provider.pk}", password="x")  # noqa: S106 - a test user
    Membership.objects.create(user=user, role=Role.PROVIDER, provider=provider)
    return user


def test_the_enterprise_decides_on_responses_and_rates_them(client, world, pool):
    need = post_need(world)
    response = workflow.response_create(actor=world["provider"], need=need, provider=pool["own"], message="可以做")
    path = f"/responses/{response.pk}/decision"
    before = snapshot()
    assert Api(client, world["provider"]).post(path, {"status": "contracted"}).status_code == 403
    assert Api(client, world["city"]).post(path, {"status": "contracted"}).status_code == 403
    assert Api(client, world["other_city"]).post(path, {"status": "contracted"}).status_code == 404
    api = Api(client, world["enterprise"])
    assert api.post(path, {"rating": 7}).json()["problems"]["rating"] == "评价须为 1–5 星"
    assert api.post(path, {}).status_code == 422
    assert api.post(path, {"status": "hired"}).status_code == 422
    assert snapshot() == before
    decided = api.post(path, {"status": "shortlisted", "rating": 5})
    assert decided.status_code == 200 and (decided.json()["status"], decided.json()["rating"]) == ("shortlisted", 5)
    assert Need.objects.get(pk=need.pk).status == "shortlisted"


def test_only_the_posting_enterprise_closes_a_need(client, world, pool):
    need = post_need(world)
    before = snapshot()
    assert Api(client, world["provider"]).post(f"/needs/{need.pk}/close").status_code == 403
    assert Api(client, world["city"]).post(f"/needs/{need.pk}/close").status_code == 403
    assert Api(client, world["other_city"]).post(f"/needs/{need.pk}/close").status_code == 404
    assert snapshot() == before
    closed = Api(client, world["enterprise"]).post(f"/needs/{need.pk}/close", {"reason": "已自行解决"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert PoolEvent.objects.get(kind="need_closed", need=need).reason == "已自行解决"


def test_the_inbox_is_for_providers(client, world, pool):
    need = post_need(world)
    workflow.response_create(actor=world["provider"], need=need, provider=pool["own"], message="可以做")
    items = Api(client, world["provider"]).get("/inbox").json()["items"]
    assert [(n["id"], n["responded"], n["response_count"]) for n in items] == [(need.pk, True, 1)]
    assert Api(client, world["enterprise"]).get("/inbox").status_code == 403
    assert Api(client, world["city"]).get("/inbox").status_code == 403


# ---------------------------------------------------------------- recommendations


def test_recommendations_for_a_need_explain_themselves(client, world, pool):
    need = post_need(world)
    rows = Api(client, world["enterprise"]).get(f"/needs/{need.pk}/recommendations").json()
    assert rows[0]["solution_id"] == pool["published"].pk and rows[0]["provider_name"] == "排程软件（合成）有限公司"
    assert rows[0]["explanation"] and sum(rows[0]["breakdown"].values()) == pytest.approx(rows[0]["score"])
    assert pool["own_draft"].pk not in {r["solution_id"] for r in rows}
    assert Api(client, world["city"]).get(f"/needs/{need.pk}/recommendations").status_code == 200
    assert Api(client, world["provider"]).get(f"/needs/{need.pk}/recommendations").status_code == 403
    assert Api(client, world["other_city"]).get(f"/needs/{need.pk}/recommendations").status_code == 404


def test_recommendations_for_an_assessments_gaps(client, world, pool):
    from assessments import services as assessment_services
    from assessments.models import ModelVersion
    from assessments.tests.conftest import all_answers

    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    api = Api(client, world["enterprise"])
    assert api.get(f"/assessments/{a.pk}/recommendations").status_code == 404  # not submitted: no result yet
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    assessment_services.submit(actor=world["enterprise"], assessment=a)
    body = api.get(f"/assessments/{a.pk}/recommendations").json()
    assert APS in [g["scenario_code"] for g in body["gaps"]] and body["gaps"][0]["weight"] == 1.0
    assert body["recommendations"][0]["solution_id"] == pool["published"].pk
    assert "车间智能排产" in body["recommendations"][0]["explanation"]
    assert Api(client, world["other_city"]).get(f"/assessments/{a.pk}/recommendations").status_code == 404
