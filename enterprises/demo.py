"""The synthetic demo province: plausible but invented enterprises, groupings and demo accounts on real divisions.

`seed_demo` is called by `manage.py seed_demo` (and `tidu seed-demo`) and by tests. Everything it writes carries
`is_synthetic=True` (demo users are marked by their e-mail domain), so `replace=True` can remove it again without
touching real data. The output depends only on the arguments and the reference data: one `random.Random(seed)`
drives every choice, and every query it reads from is ordered."""

import contextlib
import datetime as dt
import math
import random
import time
from bisect import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from accounts.models import Membership, Role, User
from catalog.models import Provider
from regions.models import IndustryDivision, Region, prefix_range

from . import creditcode, events
from . import demo_names as words
from .demo_groupings import make_chains, make_clusters
from .demo_records import DEFAULT_PASSWORD, DEMO_EMAIL_DOMAIN, DEMO_USERS, delete_synthetic, synthetic_counts
from .demo_records import synthetic as _synthetic
from .models import (
    Contact,
    Enterprise,
    EnterpriseEvent,
    EnterpriseFigures,
    EnterpriseLabel,
    Label,
)
from .services import apply_size, initials

EVENT_SUMMARY = "建档（合成演示数据）"
BATCH = 2000
YEARS = (2023, 2024, 2025)
PSEUDO_CITIES = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}

Progress = Callable[[int, int], None]


class DemoError(Exception):
    """The demo data cannot be generated as asked; the message says why, in plain Chinese."""


class DemoDataExists(DemoError):
    pass


# Size classes as drawn (the stored class is then derived by `apply_size`, as for real data).
CLASS_SHARES = {"micro": 0.50, "small": 0.40, "medium": 0.085, "large": 0.015}


def _label_probabilities(target: float, factors: dict[str, float]) -> dict[str, float]:
    """P(label | size class) so that the overall share is about `target`, larger firms weighted by `factors`."""
    mean = sum(CLASS_SHARES[c] * factors.get(c, 0.0) for c in CLASS_SHARES)
    return {c: min(0.95, target * factors.get(c, 0.0) / mean) for c in CLASS_SHARES}


LABEL_P = {
    "specialised-sme": _label_probabilities(0.08, {"micro": 0.4, "small": 1.3, "medium": 2.5}),
    "little-giant": _label_probabilities(0.015, {"micro": 0.1, "small": 0.8, "medium": 3.0}),
    "innovative-sme": _label_probabilities(0.033, {"micro": 0.6, "small": 1.3, "medium": 1.5}),
    "single-champion": _label_probabilities(0.003, {"small": 0.05, "medium": 3.0, "large": 40.0}),
    "high-tech": _label_probabilities(0.105, {"micro": 0.5, "small": 1.2, "medium": 2.5, "large": 3.0}),
    "tier-basic": _label_probabilities(0.06, {"micro": 0.2, "small": 1.0, "medium": 3.5, "large": 6.0}),
    "tier-advanced": _label_probabilities(0.01, {"small": 0.3, "medium": 3.0, "large": 15.0}),
}
HIGH_TECH_INDUSTRY = {"39": 1.8, "27": 1.8, "40": 1.6, "38": 1.4, "37": 1.4, "35": 1.2, "26": 1.1}


def short_name(name: str) -> str:
    """南昌市 → 南昌, 东湖区 → 东湖, 恩施土家族苗族自治州 → 恩施; 沛县 stays 沛县."""
    if "自治" in name:
        return name[:2]
    for suffix in words.PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _weighted_choice(rng: random.Random, items: list, cum):
    return items[bisect(cum, rng.random() * cum[-1])]


def _decimal(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def _org_code(body: str) -> str:
    """Append the GB 11714 check character to an 8-character organisation code body."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


# --------------------------------------------------------------------------------------------------- geography


@dataclass(frozen=True)
class City:
    code: str
    path: str
    label: str  # 南昌市; a province-level municipality's 市辖区 shows as the province
    short: str
    specialties: tuple[str, ...]
    industry_cum: tuple[float, ...]


@dataclass(frozen=True)
class County:
    code: str
    name: str
    address: str  # full name without spaces, the start of every address
    short: str
    city: City


class Geography:
    """The province's cities and leaf counties, each city's industry mix, and how many enterprises each county gets."""

    def __init__(self, province: Region, rng: random.Random, total: int):
        self.province = province
        self.province_short = short_name(province.name)
        self.industries = list(IndustryDivision.objects.order_by("code").values_list("code", flat=True))
        if not self.industries:
            raise DemoError("行业大类参考数据为空，请先执行 migrate。")
        base = [words.INDUSTRY_WEIGHTS.get(code, 1.0) for code in self.industries]
        eligible = [code for code in self.industries if code in words.THEME_OF]

        pp = province.path
        city_rows = list(Region.objects.filter(level=2, is_active=True, **prefix_range("code", pp)).order_by("code"))
        leaf_rows = list(
            Region.objects.filter(is_leaf=True, is_active=True, level__gte=2, **prefix_range("code", pp)).order_by(
                "code"
            )
        )
        self.cities: dict[str, City] = {}
        for row in city_rows:
            pseudo = row.name in PSEUDO_CITIES
            specialties = self._specialties(rng, eligible)
            weights = [w * (5.0 if code in specialties else 1.0) for code, w in zip(self.industries, base, strict=True)]
            self.cities[row.code] = City(
                code=row.code,
                path=row.path,
                label=province.name if pseudo else row.name,
                short=self.province_short if pseudo else short_name(row.name),
                specialties=specialties,
                industry_cum=tuple(accumulate(weights)),
            )
        self.counties: list[County] = []
        for row in leaf_rows:
            city = self.cities.get(row.code if row.level == 2 else row.parent_id)
            if city is None:  # under an inactive city: not offered
                continue
            self.counties.append(County(row.code, row.name, row.full_name.replace(" ", ""), short_name(row.name), city))
        if not self.counties:
            raise DemoError(f"{province.name}没有可用的区县，无法生成演示数据。")
        self.capital = next(iter(self.cities.values()))  # the first city by code: the provincial capital
        self.counts = self._allocate(rng, total)

    @staticmethod
    def _specialties(rng: random.Random, eligible: list[str]) -> tuple[str, ...]:
        pool = list(eligible)
        chosen = []
        for _ in range(rng.choice((2, 3))):
            cum = list(accumulate(words.INDUSTRY_WEIGHTS.get(code, 1.0) for code in pool))
            chosen.append(pool.pop(bisect(cum, rng.random() * cum[-1])))
        return tuple(chosen)

    def _allocate(self, rng: random.Random, total: int) -> list[int]:
        """Zipf-like weights over a seeded shuffle, raised for urban districts and the capital; every county gets
        a minimum first, the rest by largest remainder."""
        n = len(self.counties)
        order = list(range(n))
        rng.shuffle(order)
        weights = [0.0] * n
        for rank, index in enumerate(order):
            county = self.counties[index]
            weight = 1.0 / (rank + 1) ** 0.6
            if county.name.endswith("区"):
                weight *= 1.6
            elif county.name.endswith("市"):
                weight *= 1.3
            if county.city is self.capital:
                weight *= 1.3
            weights[index] = weight
        minimum = min(3, total // (3 * n))
        rest = total - minimum * n
        shares = [rest * w / sum(weights) for w in weights]
        counts = [minimum + math.floor(s) for s in shares]
        left = total - sum(counts)
        by_remainder = sorted(range(n), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
        for i in by_remainder[:left]:
            counts[i] += 1
        return counts


# --------------------------------------------------------------------------------------------------- enterprises


@dataclass
class Draft:
    enterprise: Enterprise
    figures: list[tuple[int, int, Decimal, Decimal]]
    labels: list[tuple[str, int]]
    contact: tuple[str, str, str]


class EnterpriseFactory:
    def __init__(self, rng: random.Random, industries: list[str], used_names: set[str], used_codes: set[str]):
        self.rng = rng
        self.industries = industries
        self.used_names = used_names
        self.used_codes = used_codes
        self.classes = list(CLASS_SHARES)
        self.class_cum = list(accumulate(CLASS_SHARES.values()))
        self.suffixes = {
            large: ([s for s, _ in table], list(accumulate(w for _, w in table)))
            for large, table in ((False, words.SUFFIXES_SMALL), (True, words.SUFFIXES_LARGE))
        }

    def draft(self, county: County) -> Draft:
        rng = self.rng
        industry = _weighted_choice(rng, self.industries, county.city.industry_cum)
        drawn = _weighted_choice(rng, self.classes, self.class_cum)
        founded = self._founded(drawn)
        employees, revenue = self._size(drawn)
        revenue *= words.REVENUE_FACTOR.get(industry, 1.0)
        assets = revenue * math.exp(rng.gauss(math.log(0.9), 0.45))
        figures = self._history(founded.year, employees, revenue, assets)
        name = self._name(county, industry, drawn in ("medium", "large"))
        latest = figures[0]
        enterprise = Enterprise(
            credit_code=self._credit_code(county.code, founded.year),
            name=name,
            name_initials=initials(name),
            county_id=county.code,
            address=f"{county.address}{rng.choice(words.ROADS)}路{rng.randint(1, 999)}号",
            industry_id=industry,
            founded_on=founded,
            figures_year=latest[0],
            employees=latest[1],
            revenue=latest[2],
            assets=latest[3],
            is_synthetic=True,
        )
        apply_size(enterprise)
        return Draft(enterprise, figures, self._labels(enterprise.size_class, industry), self._contact())

    def _founded(self, drawn: str) -> dt.date:
        a, b = (1.4, 1.6) if drawn in ("medium", "large") else (2.2, 1.3)
        year = min(2024, 1985 + int(40 * self.rng.betavariate(a, b)))
        return dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))

    def _size(self, drawn: str) -> tuple[int, float]:
        """Employees and revenue (万元) from log-normal shapes placed within the drawn size class."""
        rng = self.rng
        g1 = rng.gauss(0, 1)
        g2 = 0.6 * g1 + 0.8 * rng.gauss(0, 1)
        if drawn == "large":
            return round(1000 * math.exp(abs(g1) * 0.6)), 40000 * math.exp(abs(g2) * 0.9)
        if drawn == "medium":
            return round(300 * math.exp(abs(g1) * 0.55)), 2000 * math.exp(abs(g2) * 1.0)
        if drawn == "small":
            return min(299, round(20 * math.exp(abs(g1) * 0.9))), min(30000.0, 300 * math.exp(abs(g2) * 1.5))
        return max(1, round(math.exp(1.8 + 0.75 * g1))), math.exp(math.log(110) + 0.9 * g2)

    def _history(self, founded_year: int, employees: int, revenue: float, assets: float) -> list[tuple]:
        """Rows (year, employees, revenue, assets), latest first: two or three recent years with plausible growth."""
        rng = self.rng
        three = founded_year <= 2022 and rng.random() < 0.75
        years = YEARS if three else YEARS[1:]
        rows = []
        for year in reversed(years):
            rows.append((year, employees, _decimal(max(revenue, 1.0)), _decimal(max(assets, 1.0))))
            revenue /= 1 + min(0.8, max(-0.35, rng.gauss(0.07, 0.13)))
            employees = max(1, round(employees / (1 + min(0.5, max(-0.3, rng.gauss(0.03, 0.07))))))
            assets /= 1 + min(0.5, max(-0.3, rng.gauss(0.05, 0.08)))
        return rows

    def _name(self, county: County, industry: str, large: bool) -> str:
        rng = self.rng
        suffixes, cum = self.suffixes[large]
        for _ in range(1000):
            place = county.short if rng.random() < 0.45 else county.city.short
            first, second = rng.choice(words.BRAND_FIRST), rng.choice(words.BRAND_SECOND)
            if first == second:
                continue
            name = place + first + second + rng.choice(words.INDUSTRY_WORDS.get(industry, ("制造",)))
            name += _weighted_choice(rng, suffixes, cum)
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise DemoError(f"{county.name}的企业名称组合已用尽，请减少企业数量。")

    def _credit_code(self, division: str, founded_year: int) -> str:
        return unique_credit_code(self.rng, division, self.used_codes, modern=founded_year >= 2016)

    def _labels(self, size_class: str, industry: str) -> list[tuple[str, int]]:
        rng, labels = self.rng, []
        p_spec = LABEL_P["specialised-sme"][size_class]
        if rng.random() < p_spec:
            year = rng.randint(2019, 2025)
            labels.append(("specialised-sme", year))
            if rng.random() < min(1.0, LABEL_P["little-giant"][size_class] / p_spec):
                labels.append(("little-giant", rng.randint(year, 2025)))
        elif rng.random() < LABEL_P["innovative-sme"][size_class]:
            labels.append(("innovative-sme", rng.randint(2022, 2025)))
        if rng.random() < LABEL_P["single-champion"][size_class]:
            labels.append(("single-champion", rng.randint(2019, 2025)))
        if rng.random() < LABEL_P["high-tech"][size_class] * HIGH_TECH_INDUSTRY.get(industry, 0.9):
            labels.append(("high-tech", rng.randint(2019, 2025)))
        if rng.random() < LABEL_P["tier-advanced"][size_class]:
            labels.append(("tier-advanced", rng.randint(2024, 2025)))
        elif rng.random() < LABEL_P["tier-basic"][size_class]:
            labels.append(("tier-basic", rng.randint(2024, 2025)))
        return labels

    def _contact(self) -> tuple[str, str, str]:
        rng = self.rng
        name = rng.choice(words.SURNAMES) + "".join(rng.choice(words.GIVEN) for _ in range(rng.choice((1, 2, 2))))
        return name, rng.choice(words.TITLES), f"1380000{rng.randrange(10000):04d}"


def unique_credit_code(rng: random.Random, division: str, used: set[str], *, modern: bool = True) -> str:
    """A valid, unused code: 9 (registered by market regulation) 1 (enterprise), the division code, an organisation
    code ("MA…" for recent registrations, 8 digits for older ones) and the check character."""
    for _ in range(10000):
        if modern:
            body = "MA" + "".join(rng.choices(creditcode.ALPHABET, k=6))
        else:
            body = "".join(rng.choices("0123456789", k=8))
        code = creditcode.make("91" + division + _org_code(body))
        if code not in used:
            used.add(code)
            return code
    raise DemoError("无法生成不重复的统一社会信用代码。")


def _write_batch(drafts: list[Draft], counts: Counter) -> list[int]:
    objs = [d.enterprise for d in drafts]
    Enterprise.objects.bulk_create(objs, batch_size=BATCH)
    if objs and objs[0].pk is None:  # a backend that does not return keys from bulk inserts
        ids = dict(
            Enterprise.objects.filter(credit_code__in=[o.credit_code for o in objs]).values_list("credit_code", "id")
        )
        for obj in objs:
            obj.pk = obj.id = ids[obj.credit_code]
    figures, labels, contacts, timeline = [], [], [], []
    for d in drafts:
        pk = d.enterprise.pk
        figures += [
            EnterpriseFigures(enterprise_id=pk, year=y, employees=e, revenue=r, assets=a) for y, e, r, a in d.figures
        ]
        labels += [EnterpriseLabel(enterprise_id=pk, label_id=code, year=year) for code, year in d.labels]
        name, title, phone = d.contact
        contacts.append(
            Contact(
                enterprise_id=pk,
                name=name,
                title=title,
                phone=phone,
                email=f"contact@e{pk}.example.cn",
                is_primary=True,
            )
        )
        timeline.append(events.build(pk, events.Kind.CREATED, summary=EVENT_SUMMARY))
    EnterpriseFigures.objects.bulk_create(figures, batch_size=BATCH)
    EnterpriseLabel.objects.bulk_create(labels, batch_size=BATCH)
    Contact.objects.bulk_create(contacts, batch_size=BATCH)
    EnterpriseEvent.objects.bulk_create(timeline, batch_size=BATCH)
    counts.update(
        enterprises=len(objs),
        figures=len(figures),
        labels=len(labels),
        contacts=len(contacts),
        events=len(timeline),
        above_scale=sum(1 for o in objs if o.is_above_scale),
    )
    return [o.pk for o in objs]


# --------------------------------------------------------------------------------------------------- groupings


# --------------------------------------------------------------------------------------------------- accounts


def _accounts(rng: random.Random, geo: Geography, county_counts: dict[str, int], password: str, counts: Counter):
    """The demo logins, one per role, and the synthetic provider the provider login belongs to."""
    capital = geo.capital
    provider_codes = set(Provider.objects.order_by().values_list("credit_code", flat=True))
    brand = rng.choice(words.BRAND_FIRST) + rng.choice(words.BRAND_SECOND)
    provider = Provider.objects.create(
        name=f"{capital.short}{brand}数字科技有限公司",
        credit_code=unique_credit_code(rng, capital.code, provider_codes),
        region_id=capital.code,
        is_synthetic=True,
        status="published",
    )
    counts.update(providers=1)

    city = capital
    city_counties = [c for c in geo.counties if c.city is city]
    county = city_counties[0]
    others = [c for c in city_counties[1:] if county_counts.get(c.code)] or [
        c for c in geo.counties if c is not county and county_counts.get(c.code)
    ]
    other_city = next((c for c in geo.cities.values() if c is not city), None)
    first = (
        _synthetic(**prefix_range("county_id", county.code)).order_by("id").first()
        or _synthetic(**prefix_range("county_id", city.path)).order_by("id").first()
        or _synthetic().order_by("id").first()
    )
    assigned = (
        list(_synthetic(county_id=others[0].code).order_by("id").values_list("id", flat=True)[:20]) if others else []
    )
    plan = [
        ("admin", "平台管理员 陈工", Role.ADMIN, {}),
        ("province", f"{geo.province.name}工信厅 王处长", Role.PROVINCE_OFFICER, {"region_id": geo.province.code}),
        ("city", f"{city.label}工信局 李科长", Role.CITY_OFFICER, {"region_id": city.code}),
        ("county", f"{county.name}工信局 张股长", Role.COUNTY_OFFICER, {"region_id": county.code}),
        ("othercity", f"{other_city.label if other_city else ''}工信局 刘科长", Role.CITY_OFFICER,
         {"region_id": other_city.code} if other_city else None),
        ("enterprise", "企业联系人 赵经理", Role.ENTERPRISE, {"enterprise_id": first.pk} if first else None),
        ("provider", "服务商 孙经理", Role.PROVIDER, {"provider_id": provider.pk}),
        ("commissioner", f"{county.name}数字专员 周工", Role.COMMISSIONER, {"region_id": county.code}),
        ("expert", "评审专家 吴教授", Role.EXPERT, {}),
    ]  # fmt: skip
    taken = set(User.objects.filter(username__in=DEMO_USERS).values_list("username", flat=True))
    skipped = []
    for username, display_name, role, scope in plan:
        if username in taken or scope is None:
            skipped.append(username)
            continue
        admin = role == Role.ADMIN
        user = User(
            username=username, display_name=display_name, email=f"{username}@{DEMO_EMAIL_DOMAIN}",
            is_staff=admin, is_superuser=admin,
        )  # fmt: skip
        user.set_password(password)
        user.save()
        membership = Membership.objects.create(user=user, role=role, **scope)
        if role == Role.COMMISSIONER and assigned:
            membership.assigned_enterprises.set(assigned)
        counts.update(users=1)
    return skipped


# --------------------------------------------------------------------------------------------------- entry point


def _province(code: str) -> Region:
    digits = str(code).strip()[:2]
    region = Region.objects.filter(code=f"{digits}0000", level=1).first() if digits.isdigit() else None
    if region is None:
        raise DemoError(f"找不到省级区划“{code}”（例如 36 表示江西省 360000）。")
    return region


def seed_demo(
    province: str = "36",
    enterprises: int = 5000,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    replace: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Build the synthetic province; returns counts of what was written. `progress(done, total)` is called after
    each batch of enterprises. Raises DemoDataExists when synthetic data is present and `replace` is false."""
    started = time.monotonic()
    if enterprises < 1:
        raise DemoError("企业数量至少为 1。")
    try:
        validate_password(password)
    except ValidationError as error:
        raise DemoError("演示账号密码不符合密码规则：" + "".join(error.messages)) from error
    region = _province(province)
    missing = set(LABEL_P) - set(Label.objects.values_list("code", flat=True))
    if missing:
        raise DemoError("标签参考数据不完整，请先执行 migrate。")
    rng = random.Random(seed)
    counts: Counter = Counter()
    with transaction.atomic():
        existing = synthetic_counts()
        if any(existing.values()):
            if not replace:
                raise DemoDataExists(
                    "数据库中已有合成演示数据（企业 {enterprises} 家、集群 {clusters} 个、产业链 {chains} 条、"
                    "服务商 {providers} 家、演示账号 {users} 个）。如需重新生成，请加 --replace："
                    "将先删除全部合成数据和演示账号，真实数据不受影响。".format(**existing)
                )
            delete_synthetic()
        geo = Geography(region, rng, enterprises)
        in_province = prefix_range("county_id", region.path)
        used_codes = set(
            Enterprise.objects.filter(credit_code__startswith="91" + region.path)
            .order_by()
            .values_list("credit_code", flat=True)
        )
        used_names = set(Enterprise.objects.filter(**in_province).order_by().values_list("name", flat=True))
        factory = EnterpriseFactory(rng, geo.industries, used_names, used_codes)
        per_city_industry: Counter = Counter()
        drafts: list[Draft] = []
        for county, n in zip(geo.counties, geo.counts, strict=True):
            for _ in range(n):
                draft = factory.draft(county)
                per_city_industry[(county.city.code, draft.enterprise.industry_id)] += 1
                drafts.append(draft)
                if len(drafts) >= BATCH:
                    _write_batch(drafts, counts)
                    drafts = []
                    if progress:
                        progress(counts["enterprises"], enterprises)
        if drafts:
            _write_batch(drafts, counts)
            if progress:
                progress(counts["enterprises"], enterprises)
        del drafts, used_names, used_codes
        make_clusters(rng, geo, per_city_industry, counts)
        make_chains(rng, geo, enterprises, counts)
        county_counts = {c.code: n for c, n in zip(geo.counties, geo.counts, strict=True)}
        skipped = _accounts(rng, geo, county_counts, password, counts)
    with contextlib.suppress(DatabaseError):
        from django.core.cache import cache

        cache.delete("tidu:demo-loaded")
    keys = ("enterprises", "above_scale", "figures", "labels", "contacts", "events", "clusters", "cluster_members",
            "chains", "chain_members", "providers", "users")  # fmt: skip
    result: dict = {"province": region.code, "counties": len(geo.counties), **{k: counts[k] for k in keys}}
    result["skipped_users"] = skipped
    result["seconds"] = round(time.monotonic() - started, 2)
    return result
