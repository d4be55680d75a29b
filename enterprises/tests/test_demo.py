"""The synthetic demo province: deterministic, valid, scoped to the province, and never touching real data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest

from accounts.models import Membership, Role, User
from catalog.models import Provider
from enterprises import creditcode
from enterprises.demo import DemoDataExists, DemoError, seed_demo
from enterprises.demo_records import DEMO_EMAIL_DOMAIN, DEMO_USERS, demo_logins
from enterprises.models import (
    Chain,
    ChainMembership,
    Cluster,
    Contact,
    Enterprise,
    EnterpriseEvent,
    EnterpriseFigures,
    EnterpriseLabel,
)
from enterprises.sizing import classify
from regions.models import Region

N = 300
PASSWORD = "Demo-pass-2026!"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(seed_value: int = 1, replace: bool = False, enterprises: int = N) -> dict:
    return seed_demo(province="36", enterprises=enterprises, seed=seed_value, password=PASSWORD, replace=replace)


def snapshot() -> dict:
    synthetic = Enterprise.objects.filter(is_synthetic=True)
    return {
        "enterprises": sorted(
            synthetic.values_list(
                "credit_code", "name", "county_id", "industry_id", "employees", "revenue", "founded_on"
            )
        ),
        "figures": sorted(
            EnterpriseFigures.objects.filter(enterprise__is_synthetic=True).values_list(
                "enterprise__credit_code", "year", "employees", "revenue", "assets"
            )
        ),
        "labels": sorted(
            EnterpriseLabel.objects.filter(enterprise__is_synthetic=True).values_list(
                "enterprise__credit_code", "label_id", "year"
            )
        ),
        "clusters": sorted(
            Cluster.objects.filter(is_synthetic=True).values_list("name", "memberships__enterprise__name")
        ),
        "chains": sorted(
            ChainMembership.objects.filter(chain__is_synthetic=True).values_list(
                "chain__name", "enterprise__credit_code", "position"
            )
        ),
        "contacts": sorted(Contact.objects.filter(enterprise__is_synthetic=True).values_list("name", "phone")),
        "provider": list(Provider.objects.filter(is_synthetic=True).values_list("name", "credit_code")),
        "assigned": sorted(
            Membership.objects.filter(user__username="commissioner").values_list(
                "assigned_enterprises__credit_code", flat=True
            )
        ),
    }


@pytest.fixture
def seeded() -> dict:
    return seed()


def test_same_seed_gives_same_data_and_another_seed_differs(seeded):
    first = snapshot()
    assert seed(1, replace=True)["enterprises"] == N
    assert snapshot() == first
    seed(2, replace=True)
    second = snapshot()
    assert second["enterprises"] != first["enterprises"]
    assert len(second["enterprises"]) == N


def test_credit_codes_valid_unique_and_carry_the_county(seeded):
    rows = list(Enterprise.objects.filter(is_synthetic=True).values_list("credit_code", "county_id"))
    assert len(rows) == N
    assert len({code for code, _ in rows}) == N
    for code, county in rows:
        assert creditcode.validate(code) is None, code
        assert code[:2] == "91"
        assert code[2:8] == county
        assert set(code) <= set(creditcode.ALPHABET)
    provider = Provider.objects.get(is_synthetic=True)
    assert creditcode.validate(provider.credit_code) is None
    assert provider.region_id == "360100"


def test_enterprises_sit_on_leaf_counties_of_the_province_with_consistent_size(seeded):
    leaves = set(
        Region.objects.filter(is_leaf=True, is_active=True, level__gte=2, code__startswith="36").values_list(
            "code", flat=True
        )
    )
    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) == N
    assert {e.county_id for e in enterprises} == leaves  # 300 over ~100 counties: every county gets some
    names = [e.name for e in enterprises]
    assert len(set(names)) == N
    above = 0
    for e in enterprises:
        assert e.is_synthetic
        assert e.county_id in leaves
        assert e.name.endswith(("有限公司", "有限责任公司", "股份有限公司"))
        assert e.address.startswith(Region.objects.get(code=e.county_id).full_name.replace(" ", ""))
        assert 1985 <= e.founded_on.year <= 2024
        result = classify(e.employees, e.revenue)
        assert (e.size_class, e.is_above_scale) == (result.size_class, result.is_above_scale)
        assert e.revenue.as_tuple().exponent == -2
        assert e.name_initials and e.name_initials.isupper()
        latest = e.figures.order_by("-year").first()
        assert (latest.year, latest.employees, latest.revenue, latest.assets) == (
            e.figures_year,
            e.employees,
            e.revenue,
            e.assets,
        )
        assert set(e.figures.values_list("year", flat=True)) in ({2024, 2025}, {2023, 2024, 2025})
        above += bool(e.is_above_scale)
    assert 0.10 <= above / N <= 0.30
    assert Contact.objects.filter(is_primary=True).count() == N
    assert EnterpriseEvent.objects.filter(kind="created", summary="建档（合成演示数据）").count() == N
    assert not Cluster.objects.filter(is_synthetic=False).exists()
    assert Chain.objects.filter(is_synthetic=True).count() == 5


def test_chain_leaders_carry_the_label_and_clusters_stay_in_their_city(seeded):
    leaders = set(ChainMembership.objects.filter(position="leader").values_list("enterprise_id", flat=True))
    assert leaders
    assert (
        set(EnterpriseLabel.objects.filter(label_id="chain-leader").values_list("enterprise_id", flat=True)) == leaders
    )
    for cluster in Cluster.objects.all():
        industries = set(cluster.industries.values_list("code", flat=True))
        assert cluster.name.endswith("产业集群")
        for e in cluster.members.all():
            assert e.county_id.startswith(cluster.region_id[:4])
            assert e.industry_id in industries


def test_second_run_refuses_and_leaves_data_unchanged(seeded):
    before = snapshot()
    with pytest.raises(DemoDataExists, match="--replace"):
        seed(2)
    assert snapshot() == before
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_demo", "--enterprises", "50", "--seed", "3", stdout=io.StringIO())
    assert snapshot() == before


def test_replace_never_touches_real_data():
    real = Enterprise.objects.create(
        credit_code=creditcode.make("91360102" + "MA00000A" + "1"),
        name="真实测试企业有限公司",
        county_id="360102",
        industry_id="34",
    )
    real_user = User.objects.create_user("expert", password=PASSWORD)  # a real account holding a demo username
    result = seed()
    assert result["skipped_users"] == ["expert"]
    seed(2, replace=True)
    assert Enterprise.objects.filter(pk=real.pk, is_synthetic=False).exists()
    assert User.objects.filter(pk=real_user.pk).exists()
    assert Enterprise.objects.filter(is_synthetic=True).count() == N
    assert Enterprise.objects.count() == N + 1


def test_demo_users_have_their_memberships_and_can_log_in(seeded, client):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    assert set(users) == set(DEMO_USERS)
    assert all(u.email.endswith("@" + DEMO_EMAIL_DOMAIN) and u.display_name for u in users.values())
    assert users["admin"].is_superuser

    def membership(username: str) -> Membership:
        return Membership.objects.get(user=users[username])

    assert membership("admin").role == Role.ADMIN
    assert (membership("province").role, membership("province").region_id) == (Role.PROVINCE_OFFICER, "360000")
    assert (membership("city").role, membership("city").region_id) == (Role.CITY_OFFICER, "360100")
    assert (membership("county").role, membership("county").region_id) == (Role.COUNTY_OFFICER, "360102")
    assert (membership("othercity").role, membership("othercity").region_id) == (Role.CITY_OFFICER, "360200")
    enterprise = membership("enterprise")
    assert enterprise.role == Role.ENTERPRISE
    assert enterprise.enterprise == Enterprise.objects.filter(county_id="360102").order_by("id").first()
    provider = membership("provider")
    assert provider.role == Role.PROVIDER and provider.provider.is_synthetic
    commissioner = membership("commissioner")
    assert (commissioner.role, commissioner.region_id) == (Role.COMMISSIONER, "360102")
    assigned = list(commissioner.assigned_enterprises.all())
    assert 1 <= len(assigned) <= 20
    assert len({e.county_id for e in assigned}) == 1
    assert assigned[0].county_id != "360102" and assigned[0].county_id.startswith("3601")
    assert membership("expert").role == Role.EXPERT
    for m in Membership.objects.all():
        m.full_clean()

    for username in DEMO_USERS:
        assert client.login(request=HttpRequest(), username=username, password=PASSWORD), username
        client.logout()
    assert not client.login(request=HttpRequest(), username="province", password="wrong-password-1!")

    logins = demo_logins()
    assert [row[0] for row in logins] == list(DEMO_USERS)
    assert dict((u, scope) for u, _, scope in logins)["province"] == "江西省"


def test_command_prints_counts_and_logins():
    out = io.StringIO()
    call_command("seed_demo", "--enterprises", "120", "--seed", "5", "--password", PASSWORD, stdout=out)
    text = out.getvalue()
    assert "120" in text
    for username in DEMO_USERS:
        assert username in text
    assert Enterprise.objects.filter(is_synthetic=True).count() == 120


def test_rejects_unknown_province_and_weak_password():
    with pytest.raises(DemoError):
        seed_demo(province="00", enterprises=10, seed=1, password=PASSWORD)
    with pytest.raises(DemoError):
        seed_demo(province="36", enterprises=10, seed=1, password="short")
    assert not Enterprise.objects.exists()


@pytest.mark.django_db
def test_if_empty_leaves_an_archive_with_enterprises_alone(make_enterprise):
    from io import StringIO

    from django.core.management import call_command

    make_enterprise("360102", name="真实企业有限公司")
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--enterprises", "50", stdout=out)
    assert "未生成演示数据" in out.getvalue()
    assert not Enterprise.objects.filter(is_synthetic=True).exists()
