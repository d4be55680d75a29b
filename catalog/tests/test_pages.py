"""The resource-pool pages: who sees which page, the provider's own record and its review, and the need loop."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from catalog import services
from catalog.models import Need, NeedResponse, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenarios(db):
    return [
        Scenario.objects.create(
            code="T-PM-01",
            name="测试车间排产",
            link_code="TPM",
            link_name="测试生产管理",
            closes={"cmmm": ["TPP.1"]},
            order=1,
        ),
        Scenario.objects.create(
            code="T-PM-02", name="测试质量追溯", link_code="TPM", link_name="测试生产管理", industries=["26"], order=2
        ),
        Scenario.objects.create(
            code="T-RD-01", name="测试协同设计", link_code="TRD", link_name="测试研发设计", order=3
        ),
    ]


@pytest.fixture
def pool(world, scenarios):
    """The world's provider (draft, registered in 南昌) plus a published one in 九江 with a published solution."""
    published = services.provider_create(
        actor=None,
        provider=Provider(
            name="九江智造服务有限公司",
            credit_code=make_code("360402"),
            region_id="360400",
            status="published",
            types=["software"],
            industries=["26"],
            description="化工行业先进控制",
            grade="A",
            regions_served=["360400"],
        ),
    )
    solution = services.solution_save(
        actor=None,
        solution=Solution(provider=published, title="化工排产云", description="多装置排产", status="published"),
        scenario_codes=["T-PM-01"],
    )
    org = world["provider"].memberships.get().provider  # world["provider"] is the provider *user*
    return {**world, "published": published, "solution": solution, "org": org}


def status_of(client, url, method="get", data=None):
    return getattr(client, method)(url, data or {}).status_code


# Pages and who sees them -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["home", "provider_list", "solution_list", "scenario_list", "scenario_graph", "case_list", "need_list"]
)
@pytest.mark.parametrize("persona", ["admin", "province", "city", "enterprise", "provider", "expert", "nobody"])
def test_every_signed_in_persona_opens_the_pool_pages(pool, login, name, persona):
    assert status_of(login(pool[persona]), reverse(f"catalog:{name}")) == 200


def test_anonymous_visitors_are_sent_to_login(pool, client):
    response = client.get(reverse("catalog:provider_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_directory_lists_published_providers_only_and_filters_them(pool, login):
    client = login(pool["enterprise"])
    text = client.get(reverse("catalog:provider_list")).content.decode()
    assert "九江智造服务有限公司" in text and "测试服务商有限公司" not in text  # the draft is not listed
    assert "九江智造" not in client.get(reverse("catalog:provider_list"), {"industry": "34"}).content.decode()
    hit = client.get(reverse("catalog:provider_list"), {"q": "先进控制", "type": "software"}, HTTP_HX_REQUEST="true")
    assert "九江智造服务有限公司" in hit.content.decode() and "<html" not in hit.content.decode()  # the partial
    assert "九江智造" in client.get(reverse("catalog:provider_list"), {"region": "360400"}).content.decode()
    assert "九江智造" not in client.get(reverse("catalog:provider_list"), {"region": "360100"}).content.decode()


def test_a_draft_provider_is_404_for_outsiders_and_visible_to_itself_and_its_region(pool, login):
    url = reverse("catalog:provider_detail", args=[pool["org"].pk])
    assert status_of(login(pool["enterprise"]), url) == 404
    assert status_of(login(pool["other_city"]), url) == 404
    assert status_of(login(pool["provider"]), url) == 200
    assert status_of(login(pool["city"]), url) == 200


def test_provider_detail_shows_its_solutions_and_a_warning_banner(pool, login):
    p = pool["published"]
    p.status, p.status_reason = "warned", "2026-01-01 city 警示：响应不及时"
    p.save()
    text = login(pool["enterprise"]).get(reverse("catalog:provider_detail", args=[p.pk])).content.decode()
    assert 'data-testid="warning-banner"' in text and "响应不及时" in text
    assert "化工排产云" in text


def test_html_in_a_description_is_shown_inert(pool, login):
    p = pool["published"]
    p.description = '<script>alert("x")</script><b>粗体</b>'
    p.save()
    text = login(pool["enterprise"]).get(reverse("catalog:provider_detail", args=[p.pk])).content.decode()
    assert '<script>alert("x")</script>' not in text and "<b>粗体</b>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_solutions_filter_by_scenario_budget_and_flags(pool, login):
    client = login(pool["enterprise"])
    url = reverse("catalog:solution_list")
    assert "化工排产云" in client.get(url, {"scenario": "T-PM-01"}).content.decode()
    assert "化工排产云" not in client.get(url, {"scenario": "T-RD-01"}).content.decode()
    s = pool["solution"]
    s.price_min, s.price_max = 30, 60
    s.save()
    assert "化工排产云" not in client.get(url, {"budget": "20"}).content.decode()
    assert "化工排产云" in client.get(url, {"budget": "30"}).content.decode()
    assert "化工排产云" not in client.get(url, {"lightweight": "on"}).content.decode()
    assert status_of(client, reverse("catalog:solution_detail", args=[s.pk])) == 200


def test_scenarios_are_grouped_by_link_counted_and_filtered_by_industry(pool, login):
    client = login(pool["enterprise"])
    text = client.get(reverse("catalog:scenario_list")).content.decode()
    assert "测试生产管理" in text and "测试研发设计" in text and "测试质量追溯" in text
    assert "1 个方案" in text  # 车间排产 has the published solution
    assert "测试质量追溯" not in client.get(reverse("catalog:scenario_list"), {"industry": "34"}).content.decode()
    graph = client.get(reverse("catalog:scenario_graph"), {"industry": "34"})
    nodes = {n["id"] for n in graph.context["graph"]["nodes"]}
    assert {"link:TPM", "scenario:T-PM-01", "code:cmmm:TPP.1", "link:TRD"} <= nodes and "scenario:T-PM-02" not in nodes


def test_the_review_queue_and_inbox_are_refused_to_the_wrong_roles(pool, login):
    assert status_of(login(pool["enterprise"]), reverse("catalog:review")) == 403
    assert status_of(login(pool["provider"]), reverse("catalog:review")) == 403
    assert status_of(login(pool["city"]), reverse("catalog:review")) == 200
    assert status_of(login(pool["enterprise"]), reverse("catalog:inbox")) == 403
    assert status_of(login(pool["provider"]), reverse("catalog:inbox")) == 200
    assert status_of(login(pool["provider"]), reverse("catalog:need_create")) == 403


# The provider's record and its review ------------------------------------------------------------------------------


def provider_post(**fields):
    data = {"name": "测试服务商有限公司", "types": ["consulting", "software"], "description": "智能排产咨询"}
    data.update(fields)
    return data


def test_a_provider_edits_its_listed_record_and_the_edits_wait_for_review(pool, login):
    p = pool["org"]
    p.status = "published"
    p.save()
    client = login(pool["provider"])
    response = client.post(reverse("catalog:provider_edit", args=[p.pk]), provider_post(industries=["34"]))
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.status == "published" and p.types == [] and p.industries == []  # the listing is unchanged
    assert p.pending_changes == {
        "types": ["consulting", "software"],
        "industries": ["34"],
        "description": "智能排产咨询",
    }


def test_a_provider_edits_its_draft_directly_and_it_goes_to_review(pool, login):
    p = pool["org"]
    client = login(pool["provider"])
    assert client.post(reverse("catalog:provider_edit", args=[p.pk]), provider_post()).status_code == 302
    p.refresh_from_db()
    assert p.status == "pending" and p.types == ["consulting", "software"] and p.pending_changes == {}
    assert p in set(Provider.objects.filter(status="pending"))


def test_a_provider_cannot_edit_another_provider_and_a_bad_form_changes_nothing(pool, login):
    client = login(pool["provider"])
    other = pool["published"]
    assert status_of(client, reverse("catalog:provider_edit", args=[other.pk]), "post", provider_post()) == 403
    assert status_of(login(pool["city"]), reverse("catalog:provider_edit", args=[other.pk])) == 403
    own = pool["org"]
    client = login(pool["provider"])  # the one test client, signed back in as the provider
    response = client.post(reverse("catalog:provider_edit", args=[own.pk]), provider_post(types=[]))
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    own.refresh_from_db()
    assert own.status == "draft" and own.description == ""


def test_an_officer_of_the_region_reviews_with_a_required_reason(pool, login):
    p = pool["org"]
    p.status = "pending"
    p.save()
    client = login(pool["city"])
    assert p.name in client.get(reverse("catalog:review")).content.decode()
    url = reverse("catalog:provider_review", args=[p.pk])
    client.post(url, {"action": "publish", "reason": " "})
    p.refresh_from_db()
    assert p.status == "pending"  # no reason, no change
    client.post(url, {"action": "publish", "reason": "材料齐全"})
    p.refresh_from_db()
    assert p.status == "published" and "发布" in p.status_reason and "材料齐全" in p.status_reason
    for action, status in [("warn", "warned"), ("suspend", "suspended"), ("remove", "removed")]:
        client.post(url, {"action": action, "reason": f"理由-{action}"})
        p.refresh_from_db()
        assert p.status == status and f"理由-{action}" in p.status_reason


def test_an_officer_of_another_region_cannot_act(pool, login):
    p = pool["org"]
    p.status = "pending"
    p.save()
    client = login(pool["other_city"])
    assert p.name not in client.get(reverse("catalog:review")).content.decode()
    response = client.post(reverse("catalog:provider_review", args=[p.pk]), {"action": "remove", "reason": "越权"})
    assert response.status_code == 404
    # A published provider is visible to every officer, but only its own region's officers may act on it.
    published = pool["published"]
    url = reverse("catalog:provider_review", args=[published.pk])
    assert status_of(login(pool["city"]), url, "post", {"action": "remove", "reason": "越权"}) == 403
    p.refresh_from_db()
    published.refresh_from_db()
    assert p.status == "pending" and published.status == "published"


def test_a_provider_publishes_a_solution_for_review_and_the_officer_publishes_it(pool, login):
    client = login(pool["provider"])
    url = reverse("catalog:solution_create")
    response = client.post(url, {"title": "排产助手", "description": "小批量排产", "scenario_codes": []})
    assert response.status_code == 200 and "请至少选择一个适用场景" in response.content.decode()
    assert not Solution.objects.filter(title="排产助手").exists()
    response = client.post(url, {"title": "排产助手", "description": "小批量排产", "scenario_codes": ["T-PM-01"]})
    assert response.status_code == 302
    solution = Solution.objects.get(title="排产助手")
    assert solution.status == "pending" and solution.provider == pool["org"]
    assert status_of(login(pool["enterprise"]), reverse("catalog:solution_detail", args=[solution.pk])) == 404
    assert status_of(login(pool["provider"]), reverse("catalog:solution_edit", args=[pool["solution"].pk])) == 403
    officer = login(pool["city"])
    review = reverse("catalog:solution_review", args=[solution.pk])
    officer.post(review, {"action": "publish", "reason": ""})
    solution.refresh_from_db()
    assert solution.status == "pending"
    officer.post(review, {"action": "publish", "reason": "符合要求"})
    solution.refresh_from_db()
    assert solution.status == "published"


# The need loop -----------------------------------------------------------------------------------------------------


def need_post(**fields):
    data = {
        "title": "排产系统",
        "text": "需要多品种小批量排产系统",
        "visibility": "public",
        "scenario_codes": ["T-PM-01"],
    }
    data.update(fields)
    return data


def test_an_enterprise_posts_a_need_and_a_one_character_need_is_refused(pool, login):
    client = login(pool["enterprise"])
    response = client.post(reverse("catalog:need_create"), need_post(text="排"))
    assert response.status_code == 200 and "请具体描述需求（至少 2 个字）" in response.content.decode()
    assert not Need.objects.exists()
    response = client.post(reverse("catalog:need_create"), need_post(budget_max="50"))
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.enterprise == pool["home"] and need.created_by == pool["enterprise"]
    assert list(need.scenarios.values_list("code", flat=True)) == ["T-PM-01"]


def test_the_provider_responds_once_and_the_enterprise_shortlists_contracts_and_rates(pool, login):
    need = services.need_create(
        actor=pool["enterprise"], need=Need(enterprise=pool["home"], text="需要排产系统", visibility="public")
    )
    provider = login(pool["provider"])
    inbox = provider.get(reverse("catalog:inbox")).content.decode()
    assert "需要排产系统" in inbox and 'data-testid="not-responded"' in inbox
    respond = reverse("catalog:need_respond", args=[need.pk])
    provider.post(respond, {"message": "我们提供排产系统"})
    provider.post(respond, {"message": "再响应一次"})
    assert NeedResponse.objects.filter(need=need).count() == 1
    page = provider.get(reverse("catalog:need_detail", args=[need.pk]), follow=True)
    assert 'data-testid="already-responded"' in page.content.decode()
    second = provider.post(respond, {"message": "再响应一次"}, follow=True).content.decode()
    assert "每个服务商只能响应一次" in second
    assert 'data-testid="responded"' in provider.get(reverse("catalog:inbox")).content.decode()
    response = NeedResponse.objects.get()

    decide = reverse("catalog:response_decide", args=[response.pk])
    assert status_of(provider, decide, "post", {"status": "shortlisted"}) == 403
    assert status_of(login(pool["other_city"]), decide, "post", {"status": "shortlisted"}) == 404
    enterprise = login(pool["enterprise"])
    enterprise.post(decide, {"status": "shortlisted"})
    response.refresh_from_db()
    need.refresh_from_db()
    assert response.status == "shortlisted" and need.status == "shortlisted"
    enterprise.post(decide, {"status": "contracted", "rating": "5"})
    response.refresh_from_db()
    need.refresh_from_db()
    assert response.status == "contracted" and response.rating == 5 and need.status == "contracted"
    enterprise.post(decide, {"rating": "9"})
    response.refresh_from_db()
    assert response.rating == 5


def test_a_provider_cannot_attach_another_providers_solution(pool, login):
    need = services.need_create(
        actor=pool["enterprise"], need=Need(enterprise=pool["home"], text="需要排产系统", visibility="public")
    )
    client = login(pool["provider"])
    client.post(
        reverse("catalog:need_respond", args=[need.pk]), {"message": "借用方案", "solution": pool["solution"].pk}
    )
    assert not NeedResponse.objects.exists()


def test_a_need_not_shared_with_the_provider_is_404(pool, login):
    need = services.need_create(
        actor=pool["enterprise"], need=Need(enterprise=pool["home"], text="定向邀请需求", visibility="invited")
    )
    Membership.objects.filter(user=pool["provider"]).update(provider=pool["published"])
    client = login(pool["provider"])
    assert status_of(client, reverse("catalog:need_detail", args=[need.pk])) == 404
    assert status_of(client, reverse("catalog:need_respond", args=[need.pk]), "post", {"message": "你好你好"}) == 404
    assert status_of(login(pool["other_city"]), reverse("catalog:need_detail", args=[need.pk])) == 404
    assert status_of(login(pool["city"]), reverse("catalog:need_detail", args=[need.pk])) == 200
    assert not NeedResponse.objects.exists()
