"""Resource pool records: what is refused, and who sees what."""

import pytest

from catalog import services
from catalog.models import Need, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(db):
    return Scenario.objects.create(code="T-01", name="测试场景-车间排产", link_code="T", link_name="测试环节")


def provider(region="360100", status="published", **fields):
    return services.provider_create(
        actor=None,
        provider=Provider(
            name=fields.pop("name", "测试服务商"),
            credit_code=make_code(region[:6]),
            region_id=region,
            status=status,
            **fields,
        ),
    )


def test_a_second_provider_with_the_same_credit_code_is_refused(world):
    first = provider()
    with pytest.raises(services.CatalogError) as exc:
        services.provider_create(
            actor=None, provider=Provider(name="另一家", credit_code=first.credit_code.lower(), region_id="360100")
        )
    assert "已登记为服务商" in str(exc.value) and first.name in str(exc.value)
    assert Provider.objects.filter(credit_code=first.credit_code).count() == 1


def test_a_provider_with_a_bad_credit_code_or_unknown_type_is_refused(world):
    with pytest.raises(services.CatalogError) as exc:
        services.provider_create(actor=None, provider=Provider(name="x", credit_code="123", region_id="360100"))
    assert "credit_code" in exc.value.problems
    with pytest.raises(services.CatalogError) as exc:
        provider(types=["magic"])
    assert "未知的服务类型" in exc.value.problems["types"]


def test_solutions_must_name_known_scenarios_and_industries_and_nothing_is_half_written(world, scenario):
    p = provider()
    solution = Solution(provider=p, title="排产系统", description="<script>alert(1)</script>多品种小批量排产")
    with pytest.raises(services.CatalogError) as exc:
        services.solution_save(actor=None, solution=solution, scenario_codes=["T-01", "NOPE"])
    assert "NOPE" in exc.value.problems["scenarios"]
    solution.industries = ["99"]
    with pytest.raises(services.CatalogError) as exc:
        services.solution_save(actor=None, solution=solution, scenario_codes=["T-01"])
    assert "99" in exc.value.problems["industries"]
    assert not Solution.objects.exists()
    solution.industries = ["34"]
    solution.price_min, solution.price_max = 50, 20
    with pytest.raises(services.CatalogError) as exc:
        services.solution_save(actor=None, solution=solution, scenario_codes=["T-01"])
    assert "price_max" in exc.value.problems
    solution.price_max = 80
    saved = services.solution_save(actor=None, solution=solution, scenario_codes=["T-01"])
    assert list(saved.scenarios.values_list("code", flat=True)) == ["T-01"]


@pytest.mark.parametrize("text", ["", "   ", "a", "排"])
def test_a_need_without_real_text_is_refused(world, text):
    need = Need(enterprise=world["home"], title="", text=text)
    with pytest.raises(services.CatalogError) as exc:
        services.need_create(actor=world["enterprise"], need=need)
    assert "请具体描述需求" in exc.value.problems["text"]
    assert not Need.objects.exists()


def test_who_sees_providers_and_solutions(world, scenario):
    from accounts.models import Membership

    published = provider(name="已发布服务商")
    draft = provider(name="草稿服务商", status="draft", region="360400")
    Membership.objects.filter(user=world["provider"]).update(provider=draft)
    for p in (published, draft):
        services.solution_save(
            actor=None,
            solution=Solution(provider=p, title=f"{p.name}方案", description="说明", status="published"),
            scenario_codes=["T-01"],
        )

    def names(user):
        return set(Provider.objects.visible_to(user).values_list("name", flat=True))

    assert names(world["enterprise"]) == {"已发布服务商"}  # the directory: published records only
    assert "草稿服务商" in names(world["provider"])  # its own draft
    assert "草稿服务商" in names(world["other_city"])  # the officer of its registration region (九江)
    assert "草稿服务商" not in names(world["city"])
    assert Solution.objects.visible_to(world["enterprise"]).count() == 1
    assert Solution.objects.visible_to(world["provider"]).count() == 2


def test_needs_are_seen_by_their_enterprise_its_officers_and_providers_it_is_shared_with(world):
    from accounts.models import Membership

    p = provider(regions_served=["360400"])  # serves 九江 only
    Membership.objects.filter(user=world["provider"]).update(provider=p)
    regional = services.need_create(
        actor=world["enterprise"], need=Need(enterprise=world["home"], text="需要车间排产系统", visibility="region")
    )
    invited = services.need_create(
        actor=world["enterprise"], need=Need(enterprise=world["home"], text="设备联网改造", visibility="invited")
    )
    nine = services.need_create(
        actor=None, need=Need(enterprise=world["other"], text="化工装置先进控制", visibility="region")
    )
    visible = set(Need.objects.visible_to(world["provider"]))
    assert visible == {nine}  # 南昌 needs are outside the regions it serves, and it was not invited
    invited.invited.add(p)
    assert set(Need.objects.visible_to(world["provider"])) == {nine, invited}
    assert set(Need.objects.visible_to(world["enterprise"])) == {regional, invited}
    assert set(Need.objects.visible_to(world["city"])) == {regional, invited}
    assert set(Need.objects.visible_to(world["other_city"])) == {nine}
    assert not Need.objects.visible_to(world["expert"]).exists()
