"""Demo data for funding (synthetic, labelled): the example programmes of incentives/programmes loaded for the demo
province under demo codes ("demo-…", names ending in （演示）) with an application window around today, opened, a
budget for the province split to its first two cities, and three applications of the demo enterprise to the service
voucher — one submitted (at the county's check), one approved with its voucher code, one approved with the contract
signed and the first tranche released. Every state is reached through the services, as the users would.

Idempotent: nothing happens when the demo programmes exist, unless `replace`; `clear` removes every row it made."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import yaml
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from catalog.models import Provider, Solution
from enterprises.demo_records import DEMO_EMAIL_DOMAIN, demo_users
from enterprises.models import Enterprise, EnterpriseEvent
from regions.models import Region, prefix_range

from . import rules, services
from .models import Budget, FundingApplication, FundingDocument, LedgerEntry, Programme

PREFIX = "demo-"
MARK = "（演示）"
USER_PREFIX = "demo_fund_"  # the demo's own accounts: officers of the applicant's county and city when not the demo's
VOUCHER = "sme-service-voucher"
PROVINCE_BUDGET, CITY_BUDGET = Decimal("10000000"), Decimal("3000000")
PDF = "%PDF-1.4 演示材料（合成数据）：{name}"


class DemoError(Exception):
    pass


def _data(path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["code"] = PREFIX + data["code"]
    data["name"] = data["name"].replace("（示例）", "") + MARK
    data["note"] = "演示数据（合成）：" + str(data.get("note", ""))
    today = timezone.localdate()
    # The window around today, so the demo takes applications whatever the date it is loaded on.
    data["opens"] = (today - dt.timedelta(days=30)).isoformat()
    data["closes"] = (today + dt.timedelta(days=180)).isoformat()
    return data


def clear() -> Counter:
    """Remove the demo programmes and everything on them (ledger rows, budgets, documents and their files, the
    timeline entries) and the demo's own officer accounts."""
    counts: Counter = Counter()
    with transaction.atomic():
        programmes = Programme.objects.filter(code__startswith=PREFIX)
        applications = FundingApplication.objects.filter(programme__in=programmes)
        for document in FundingDocument.objects.filter(application__in=applications):
            document.file.delete(save=False)
        LedgerEntry.objects.filter(application__in=applications).delete()
        EnterpriseEvent.objects.filter(kind=EnterpriseEvent.Kind.FUNDING, summary__contains=MARK).delete()
        counts["applications"] = applications.count()
        applications.delete()
        budgets = Budget.objects.filter(programme__in=programmes)
        for depth in (6, 4, 2):  # the splits first: a parent budget is protected by its children
            budgets.filter(region__level=depth // 2).delete()
        budgets.delete()
        counts["programmes"] = programmes.delete()[1].get("incentives.Programme", 0)
        User.objects.filter(username__startswith=USER_PREFIX, email__iendswith="@" + DEMO_EMAIL_DOMAIN).delete()
    return counts


def _officer(role: str, code: str, demo: User) -> User:
    """The demo officer when it sits in that very region; else a synthetic officer of it (no password)."""
    if any(m.region_id == code for m in demo.memberships.all()):
        return demo
    username = f"{USER_PREFIX}{code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=f"主管部门（演示）{code}", email=f"{username}@{DEMO_EMAIL_DOMAIN}")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=role, region_id=code)
    return user


def _provider(users: dict) -> tuple[Provider, Solution]:
    """The demo provider's organisation when it is listed with a published solution; else the first that is."""
    own = next((m.provider for m in users["provider"].memberships.all() if m.provider_id), None) \
        if "provider" in users else None  # fmt: skip
    candidates = ([own] if own else []) + list(Provider.objects.listed().filter(solutions__status="published")
                                                .distinct().order_by("pk")[:20])  # fmt: skip
    for provider in candidates:
        if not Provider.objects.listed().filter(pk=provider.pk).exists():
            continue
        solution = Solution.objects.filter(provider=provider, status="published").order_by("pk").first()
        if solution is not None:
            return provider, solution
    raise DemoError("资源池中没有已发布解决方案的入库服务商（请先运行 seed_demo_catalog）")


def _apply(programme, enterprise, user, provider, solution, n: int) -> FundingApplication:
    application = services.draft_save(
        actor=user, programme=programme, enterprise=enterprise, project_name=f"设备联网与数据采集改造（演示）{n}",
        contract_number=f"DEMO-HT-{enterprise.pk}-{n}", invoice_numbers=f"DEMO-FP-{enterprise.pk}-{n}",
        provider=provider, solution=solution, cost=Decimal(100000 * n), not_related=True,
        summary="演示申请：企业情况与项目均为合成数据，不代表任何真实企业。",
    )  # fmt: skip
    for document in programme.rules.documents:
        if document.required:
            body = PDF.format(name=document.name).encode()
            FundingDocument.objects.create(application=application, code=document.code, size=len(body),
                                           file=ContentFile(body, name=f"{document.code}.pdf"),
                                           name=f"{document.name}（演示）.pdf", sha256="0" * 64,
                                           uploaded_by=user)  # fmt: skip
    return services.submit(actor=user, application=application)


@transaction.atomic
def seed(province_code: str = "36", *, replace: bool = False) -> Counter | None:
    """Load the demo; None when it is there already and `replace` is not asked."""
    if Programme.objects.filter(code__startswith=PREFIX).exists():
        if not replace:
            return None
        clear()
    province = Region.objects.filter(code=str(province_code)[:2].ljust(6, "0"), level=1).first()
    if province is None:
        raise DemoError(f"找不到省级区划“{province_code}”")
    users = {u.username: u for u in demo_users().prefetch_related("memberships__provider")}
    missing = [name for name in ("province", "enterprise") if name not in users]
    if missing:
        raise DemoError(f"缺少演示账号：{'、'.join(missing)}（请先运行 seed_demo）")
    counts: Counter = Counter()

    cities = list(Region.objects.filter(parent=province).order_by("code")[:2])
    loaded = {}
    for path in sorted(rules.EXAMPLES.glob("*.yaml")):
        programme = services.programme_load(actor=None, region=province, data=_data(path))
        Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.OPEN, is_synthetic=True)
        programme.refresh_from_db()
        year = programme.year or timezone.localdate().year
        services.budget_set(actor=users["province"], programme=programme, region=province,
                            year=year, amount=PROVINCE_BUDGET)  # fmt: skip
        for city in cities:
            services.budget_set(actor=users["province"], programme=programme, region=city, year=year,
                                amount=CITY_BUDGET)  # fmt: skip
            counts["budgets"] += 1
        counts["budgets"] += 1
        loaded[path.stem] = programme
    counts["programmes"] = len(loaded)

    voucher = loaded.get(VOUCHER)
    own = next((m.enterprise_id for m in users["enterprise"].memberships.all() if m.enterprise_id), None)
    enterprise = Enterprise.objects.filter(pk=own, **prefix_range("county_id", province.path)).first()
    if voucher is None or enterprise is None:
        return counts
    if services.eligibility(voucher, enterprise).outcome == "not_met":
        return counts  # the demo enterprise is not a small or medium one: the programmes stand without applications
    provider, solution = _provider(users)
    county = _officer(Role.COUNTY_OFFICER, enterprise.county_id, users.get("county", users["province"]))
    city = _officer(Role.CITY_OFFICER, enterprise.county_id[:4] + "00", users.get("city", users["province"]))
    province_officer = users["province"]
    user = users["enterprise"]

    _apply(voucher, enterprise, user, provider, solution, 1)  # waits at the county's check
    counts["submitted"] += 1
    for n in (2, 3):
        application = _apply(voucher, enterprise, user, provider, solution, n)
        reason = "演示：材料齐全，情况属实"
        services.decide(actor=county, application=application, decision="pass", reason=reason)
        services.decide(actor=city, application=application, decision="pass", reason=reason)
        services.decide(actor=province_officer, application=application, decision="pass", reason=reason)
        application.refresh_from_db()
        counts["approved"] += 1
        if n == 3:
            services.contract_signed(actor=user, application=application)
            services.release(actor=province_officer, tranche=application.tranches.order_by("number").first())
            counts["released"] += 1
    counts["applications"] = 3
    return counts
