"""Catalog search: the tokenised full-text index (FTS5 / tsvector), its upkeep, scoping and the search page.

All records here are synthetic (invented names, generated credit codes)."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import search, services
from catalog.models import Case, Need, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(db):
    return Scenario.objects.create(code="T-S-01", name="测试设备管理", link_code="TS", link_name="测试环节")


def make_provider(name="测试智造科技有限公司", region="360100", status="published", **fields):
    return services.provider_create(
        actor=None,
        provider=Provider(name=name, credit_code=make_code(region[:6]), region_id=region, status=status, **fields),
    )


def make_solution(provider, title, description="测试用介绍", status="published", **fields):
    return services.solution_save(
        actor=None,
        solution=Solution(provider=provider, title=title, description=description, status=status, **fields),
        scenario_codes=["T-S-01"],
    )


def titles(qs):
    return sorted(o.title for o in qs)


def found(model, text):
    return search.filter_text(model.objects.all(), text)


def ranked(model, text):
    return search.Ranked(model.objects.all(), text)


# Matching words -----------------------------------------------------------------------------------------------------


def test_a_word_is_found_inside_longer_text(scenario):
    p = make_provider()
    make_solution(p, "设备预测性维护平台", "振动监测与故障预警")
    make_solution(p, "能耗监测看板", "电表采集")
    assert titles(found(Solution, "设备")) == ["设备预测性维护平台"]
    assert titles(found(Solution, "预测性维护")) == ["设备预测性维护平台"]
    assert titles(found(Solution, "故障预警")) == ["设备预测性维护平台"]


def test_synonyms_find_each_other(scenario):
    p = make_provider()
    make_solution(p, "智能排产系统", "车间排产与派工")
    make_solution(p, "制造执行系统", "生产过程管控")
    make_solution(p, "仓储看板", "库存盘点")
    assert titles(found(Solution, "排程")) == ["智能排产系统"]
    assert titles(found(Solution, "MES")) == ["制造执行系统"]
    assert titles(found(Solution, "ｍｅｓ")) == ["制造执行系统"]  # full-width letters are the same word


def test_every_word_of_the_query_must_match(scenario):
    p = make_provider()
    make_solution(p, "设备联网", "数据采集")
    make_solution(p, "设备点检", "移动巡检")
    assert titles(found(Solution, "设备 数据采集")) == ["设备联网"]
    assert titles(found(Solution, "设备")) == ["设备点检", "设备联网"]


def test_a_compound_query_word_finds_text_cut_differently(scenario):
    # "排产系统" is one dictionary word (its synonym aps); the solution's text cuts into 智能排产 + 系统.
    make_solution(make_provider(), "智能排产系统", "面向离散制造")
    assert titles(found(Solution, "排产系统")) == ["智能排产系统"]


def test_every_kind_is_searched_in_its_own_fields(world, scenario):
    p = make_provider(description="专注注塑行业", qualifications="高新技术企业 ISO27001")
    s = make_solution(p, "视觉质检", outcomes=[{"metric": "不良率下降", "value": "30%", "evidenced": False}])
    case = services.case_save(
        actor=None,
        case=Case(
            provider=p,
            solution=s,
            title="某注塑厂质检改造",
            summary="引入机器视觉",
            industry_id="29",
            region_id="360102",
            metrics=[{"metric": "漏检率", "before": "5", "after": "1", "unit": "%"}],
        ),
        scenario_codes=["T-S-01"],
    )
    need = services.need_create(
        actor=None, need=Need(enterprise=world["home"], title="求助", text="希望实现刀具寿命管理", visibility="public")
    )
    assert list(found(Provider, "ISO27001")) == [p]
    assert list(found(Provider, "注塑")) == [p]
    assert list(found(Solution, "不良率")) == [s]
    assert list(found(Case, "漏检率")) == [case]
    assert list(found(Case, "机器视觉")) == [case]
    assert list(found(Need, "刀具寿命")) == [need]
    assert not found(Need, "注塑").exists()  # kinds never leak into each other


def test_the_title_hit_ranks_first(scenario):
    p = make_provider()
    make_solution(p, "工厂看板", "含质量追溯模块的看板")
    make_solution(p, "质量追溯系统", "批次管理")
    make_solution(p, "另一个看板", "没有相关内容")
    assert [s.title for s in ranked(Solution, "质量追溯")[:10]] == ["质量追溯系统", "工厂看板"]


# Hostile and odd queries --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        '"设备',
        "AND",
        "OR OR",
        "NEAR(设备 平台)",
        "设备 NOT 平台",
        "*",
        "设*",
        "title:设备",
        "(((",
        ")",
        "^设备",
        "设备 -平台",
        "' OR 1=1 --",
        "!!!",
        "&|<->:*",
        "设" * 1000,
        "设备平台" * 250,
        "\x00",
    ],
)
def test_hostile_query_syntax_neither_errors_nor_matches_everything(scenario, text):
    p = make_provider()
    make_solution(p, "设备平台", "设备平台")
    make_solution(p, "能耗看板", "能耗看板")
    assert "能耗看板" not in titles(found(Solution, text))
    assert "能耗看板" not in titles(ranked(Solution, text)[:10])


def test_operator_words_are_searched_as_plain_words(scenario):
    p = make_provider()
    make_solution(p, "NEAR 平台", "OR AND")
    make_solution(p, "普通平台", "无")
    assert titles(found(Solution, "near")) == ["NEAR 平台"]
    assert titles(found(Solution, '"OR" AND')) == ["NEAR 平台"]


def test_a_query_without_searchable_words_matches_nothing(scenario):
    make_solution(make_provider(), "设备平台")
    for text in ["", "   ", "的", "，。！", "设"]:
        assert not found(Solution, text).exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=60))
def test_any_text_is_a_safe_query(scenario, text):
    if not Solution.objects.exists():
        make_solution(make_provider(), "设备平台", "振动监测")
    list(found(Solution, text))  # must not raise
    ranked(Solution, text)[:5]


# Keeping the index current ------------------------------------------------------------------------------------------


def test_an_edit_through_the_service_is_found_at_once(scenario):
    s = make_solution(make_provider(), "能耗看板")
    assert not found(Solution, "碳排放").exists()
    s.title = "碳排放核算"
    services.solution_save(actor=None, solution=s, scenario_codes=["T-S-01"])
    assert list(found(Solution, "碳排放")) == [s]
    assert not found(Solution, "能耗").exists()


def test_a_rolled_back_edit_leaves_the_index_as_it_was(scenario):
    from django.db import transaction

    s = make_solution(make_provider(), "能耗看板")
    s.title = "碳排放核算"
    with pytest.raises(RuntimeError), transaction.atomic():
        services.solution_save(actor=None, solution=s, scenario_codes=["T-S-01"])
        raise RuntimeError
    assert not found(Solution, "碳排放").exists() and titles(found(Solution, "能耗")) == ["能耗看板"]


def test_a_provider_edit_approved_by_the_officer_is_found_by_its_new_text(world, scenario):
    from catalog import workflow

    p = make_provider(description="注塑行业服务")
    workflow.provider_submit(actor=None, provider=p, data={"description": "机器视觉质检服务"})
    assert not found(Provider, "机器视觉").exists()  # waiting for review: the published text is still the one found
    workflow.provider_changes_review(actor=world["province"], provider=p, approve=True, reason="材料齐全")
    assert list(found(Provider, "机器视觉")) == [p] and not found(Provider, "注塑").exists()


def test_an_admin_edit_is_indexed(scenario, rf, admin_user):
    from django.contrib import admin

    s = make_solution(make_provider(), "能耗看板")
    s.title = "碳排放核算"
    admin.site._registry[Solution].save_model(rf.post("/"), s, form=None, change=True)
    assert list(found(Solution, "碳排放")) == [s]


def test_deleted_objects_are_never_found_and_sync_drops_their_rows(scenario):
    p = make_provider()
    a = make_solution(p, "设备联网")
    b = make_solution(p, "设备点检")
    search.sync("solution")
    assert titles(found(Solution, "设备")) == ["设备点检", "设备联网"]
    a.delete()
    assert list(found(Solution, "设备")) == [b] and ranked(Solution, "设备").count() == 1
    p.delete()  # cascades to the solution
    assert not found(Solution, "设备").exists() and ranked(Solution, "设备")[:5] == []
    assert search.sync("solution") == 2 and _index_count("solution") == 0


def test_sync_repairs_a_write_around_the_services(scenario):
    from django.utils import timezone

    s = make_solution(make_provider(), "能耗看板")
    search.sync("solution")
    Solution.objects.filter(pk=s.pk).update(title="碳排放核算", updated_at=timezone.now())
    assert not found(Solution, "碳排放").exists()  # a search reads the index as it is
    call_command("sync_search_index", verbosity=0)
    assert list(found(Solution, "碳排放")) == [s]


def test_sync_reads_a_few_rows_and_writes_nothing_when_nothing_changed(scenario, django_assert_max_num_queries):
    make_solution(make_provider(), "设备联网")
    search.sync("solution")
    # state, rows saved within the margin, the count, their index stamps, the index's row count
    with django_assert_max_num_queries(5) as captured:
        assert search.sync("solution") == 0
    assert not writes(captured)


def test_sync_costs_four_reads_once_edits_are_older_than_the_margin(scenario, django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    make_solution(make_provider(), "设备联网")
    make_solution(make_provider(name="另一家服务商"), "能耗看板")
    Solution.objects.update(updated_at=timezone.now() - timedelta(minutes=3))  # saved a while ago
    search.rebuild(["solution"])
    with connection.cursor() as cur:  # as if the last sync ran just after those edits
        cur.execute(
            "UPDATE catalog_search_state SET watermark = %s WHERE kind = 'solution'",
            [(timezone.now() - timedelta(minutes=2)).isoformat()],
        )
    assert search.sync("solution") == 0  # sees the two rows once, finds them current, moves the window on
    with django_assert_num_queries(4):  # state, rows saved since (none), count, index rows
        assert search.sync("solution") == 0
    assert titles(found(Solution, "能耗")) == ["能耗看板"]


def test_rebuild_command_indexes_everything(scenario):
    p = make_provider()
    make_solution(p, "设备联网")
    make_solution(p, "能耗看板")
    with connection.cursor() as cur:  # a lost index: rows and state gone
        cur.execute("DELETE FROM catalog_search_index")
        cur.execute("DELETE FROM catalog_search_state")
    assert not found(Solution, "能耗").exists()
    call_command("rebuild_search_index", verbosity=0)
    assert _index_count("solution") == 2 and _index_count("provider") == 1
    assert titles(found(Solution, "能耗")) == ["能耗看板"]


def writes(captured) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]


def _index_count(kind):
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM catalog_search_index WHERE kind = %s", [kind])
        return cur.fetchone()[0]


# Scoping ------------------------------------------------------------------------------------------------------------


def test_the_caller_scoping_is_kept(world, scenario):
    published = make_provider("设备服务甲公司")
    draft = make_provider("设备服务乙公司", status="draft", region="360400")
    assert list(search.filter_text(Provider.objects.visible_to(world["enterprise"]), "设备服务")) == [published]
    assert set(search.filter_text(Provider.objects.visible_to(world["other_city"]), "设备服务")) == {published, draft}
    assert set(search.filter_text(Provider.objects.visible_to(world["city"]), "设备服务")) == {published}


def test_filter_lists_use_the_index(world, scenario, login):
    p = make_provider()
    make_solution(p, "智能排产系统")
    make_solution(p, "能耗看板")
    page = login(world["city"]).get(reverse("catalog:solution_list"), {"q": "排程"})
    assert [s.title for s in page.context["page"].object_list] == ["智能排产系统"]


# The search page ----------------------------------------------------------------------------------------------------


@pytest.fixture
def pools(world, scenario):
    """A published provider with a solution and a case, a draft provider of 九江 with its own user, and needs."""
    from accounts.models import Role

    listed = make_provider("赣江设备智联有限公司", description="设备联网与预测性维护")
    solution = make_solution(listed, "设备预测性维护平台", "振动监测，提前预警<script>alert(1)</script>")
    case = services.case_save(
        actor=None,
        case=Case(provider=listed, title="设备改造案例", summary="某厂设备联网", industry_id="34", region_id="360102"),
        scenario_codes=["T-S-01"],
    )
    draft = make_provider("九江设备草稿服务商", status="draft", region="360400")
    draft_user = world["make_user"]("draft_user", Role.PROVIDER, provider=draft)
    public = services.need_create(
        actor=None, need=Need(enterprise=world["home"], title="设备联网需求", text="设备联网改造", visibility="public")
    )
    invited = services.need_create(
        actor=None,
        need=Need(enterprise=world["home"], title="设备保密需求", text="设备数据治理", visibility="invited"),
    )
    return {**world, "listed": listed, "solution": solution, "case": case, "draft": draft,
            "draft_user": draft_user, "public": public, "invited": invited}  # fmt: skip


@pytest.fixture
def world(world, make_user):  # noqa: F811 - the persona world, plus the user factory for extra personas
    return {**world, "make_user": make_user}


def hits(client, q, kind=""):
    response = client.get(reverse("catalog:search"), {"q": q, "kind": kind})
    assert response.status_code == 200
    return response, {g["kind"]: g for g in response.context["groups"]}


def test_search_page_groups_results_by_kind_with_counts(pools, login):
    response, groups = hits(login(pools["admin"]), "设备")
    assert {k: g["count"] for k, g in groups.items()} == {"provider": 2, "solution": 1, "case": 1, "need": 2}
    assert response.context["total"] == 6
    html = response.content.decode()
    assert 'data-testid="group-solution"' in html and 'data-testid="count-need"' in html


@pytest.mark.parametrize(
    "persona, providers, needs",
    [
        ("admin", {"赣江设备智联有限公司", "九江设备草稿服务商"}, {"设备联网需求", "设备保密需求"}),
        ("province", {"赣江设备智联有限公司", "九江设备草稿服务商"}, {"设备联网需求", "设备保密需求"}),
        ("city", {"赣江设备智联有限公司"}, {"设备联网需求", "设备保密需求"}),
        ("other_city", {"赣江设备智联有限公司", "九江设备草稿服务商"}, set()),
        ("enterprise", {"赣江设备智联有限公司"}, {"设备联网需求", "设备保密需求"}),
        ("provider", {"赣江设备智联有限公司"}, {"设备联网需求"}),
        ("draft_user", {"赣江设备智联有限公司", "九江设备草稿服务商"}, {"设备联网需求"}),
        ("commissioner", {"赣江设备智联有限公司"}, set()),
        ("expert", {"赣江设备智联有限公司"}, set()),
        ("nobody", {"赣江设备智联有限公司"}, set()),
    ],
)
def test_each_persona_finds_only_what_it_may_see(pools, login, persona, providers, needs):
    before = (Provider.objects.count(), Need.objects.count(), Solution.objects.count())
    _response, groups = hits(login(pools[persona]), "设备", kind="")
    assert {h.title.replace("<mark>", "").replace("</mark>", "") for h in groups["provider"]["hits"]} == providers
    assert groups["need"]["count"] == len(needs)
    assert {h.title.replace("<mark>", "").replace("</mark>", "") for h in groups["need"]["hits"]} == needs
    assert (Provider.objects.count(), Need.objects.count(), Solution.objects.count()) == before


def test_anonymous_visitors_are_sent_to_login(pools, client):
    response = client.get(reverse("catalog:search"), {"q": "设备"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_hits_are_highlighted_on_escaped_text(pools, login):
    response, groups = hits(login(pools["city"]), "预测性维护", kind="solution")
    hit = groups["solution"]["hits"][0]
    assert hit.title == "设备<mark>预测性维护</mark>平台"
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_synonyms_are_highlighted_in_the_words_the_text_uses(scenario):
    assert search.highlight("车间排程与派工", search.parse_query("排产").terms) == "车间<mark>排程</mark>与派工"
    assert search.highlight("<b>MES</b>", ["mes"]) == "&lt;b&gt;<mark>MES</mark>&lt;/b&gt;"
    long = "前言" * 100 + "设备预测性维护" + "结尾" * 100
    snippet = search.highlight(long, ["设备"], width=40)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>设备</mark>" in snippet


def test_one_kind_is_paged_and_the_others_only_counted(pools, login):
    _response, groups = hits(login(pools["admin"]), "设备", kind="need")
    assert groups["need"]["page"] is not None and len(groups["need"]["hits"]) == 2
    assert groups["provider"]["count"] == 2 and groups["provider"]["hits"] == []


def test_htmx_gets_the_results_fragment(pools, login):
    response = login(pools["city"]).get(reverse("catalog:search"), {"q": "设备"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'data-testid="group-provider"' in html


@pytest.mark.parametrize("q", ["", "，，", '"AND" OR *'])
def test_empty_or_meaningless_queries_show_no_results(pools, login, q):
    response, groups = hits(login(pools["admin"]), q)
    assert response.context["total"] == 0 and all(not g["hits"] for g in groups.values())


# A search only reads ------------------------------------------------------------------------------------------------


def test_a_search_get_writes_nothing_and_finds_a_just_published_solution(pools, login, django_assert_max_num_queries):
    from catalog import workflow

    provider_user = pools["provider"]
    own = provider_user.memberships.get().provider
    submitted = workflow.solution_submit(
        actor=provider_user,
        solution=Solution(provider=own, title="刀具寿命预测云", description="刀具磨损监测"),
        scenario_codes=["T-S-01"],
    )
    workflow.provider_review(actor=pools["province"], provider=own, action="publish", reason="材料齐全")
    workflow.solution_review(actor=pools["province"], solution=submitted, action="publish", reason="材料齐全")
    client = login(pools["enterprise"])
    with django_assert_max_num_queries(40) as captured:
        response, groups = hits(client, "刀具寿命", kind="solution")
        client.get(reverse("catalog:solution_list"), {"q": "刀具寿命"})
    assert [h.title for h in groups["solution"]["hits"]] == ["<mark>刀具寿命</mark>预测云"]
    # The page's context processors may fill the database cache (tidu_cache); nothing else is written.
    assert not [sql for sql in writes(captured) if "tidu_cache" not in sql]


# Ranking many hits --------------------------------------------------------------------------------------------------


@pytest.fixture
def many(scenario, monkeypatch):
    """Six solutions on 设备 (synthetic): three with it in the title, three in the body only; ranking in tiers from
    the first hit on and counts stopping at four, as a word in most of a large pool would."""
    monkeypatch.setattr(search, "EXACT_LIMIT", 0)
    monkeypatch.setattr(search, "COUNT_CAP", 4)
    p = make_provider()
    made = [
        make_solution(p, "设备联网", "数据采集"),
        make_solution(p, "能耗看板", "设备能耗监测"),
        make_solution(p, "设备点检", "移动巡检与能耗"),
        make_solution(p, "质量追溯", "设备与批次"),
        make_solution(p, "设备能耗分析", "按产线"),
        make_solution(p, "排产系统", "含设备日历"),
    ]
    return {"provider": p, "made": made}


def test_many_hits_come_title_first_then_newest_first(many):
    hits = ranked(Solution, "设备")
    assert not hits.exact and hits.capped and hits.count() == 4
    assert [s.title for s in hits[:4]] == ["设备能耗分析", "设备点检", "设备联网", "排产系统"]


def test_with_several_words_all_in_the_title_come_before_some_before_none(many):
    hits = ranked(Solution, "设备 能耗")
    # Only three match both words: both in the title; then one in the title, newest first.
    assert [s.title for s in hits[:4]] == ["设备能耗分析", "设备点检", "能耗看板"]
    assert hits.count() == 3 and not hits.capped


def test_paging_many_hits_shows_each_once_up_to_the_cap(many):
    from django.core.paginator import Paginator

    pages = Paginator(ranked(Solution, "设备"), 3)
    seen = [s.title for n in pages.page_range for s in pages.page(n).object_list]
    assert pages.num_pages == 2 and len(seen) == 4 and len(set(seen)) == 4


def test_the_scope_applies_to_many_hits(many, world):
    many["made"][4].status = "draft"
    services.solution_save(actor=None, solution=many["made"][4], scenario_codes=["T-S-01"])
    hits = search.Ranked(Solution.objects.visible_to(world["enterprise"]), "设备")
    assert "设备能耗分析" not in [s.title for s in hits[:4]] and hits[0].title == "设备点检"


def test_the_page_says_when_a_count_stopped_at_the_cap(pools, login, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 1)
    response, groups = hits(login(pools["admin"]), "设备", kind="provider")
    assert groups["provider"]["capped"] and groups["provider"]["shown_count"] == "1+"
    assert response.context["shown_total"] == f"{response.context['total']}+"
    assert 'data-testid="capped-provider"' in response.content.decode()
