"""SYNTHETIC demo pools for the demo province: providers, solutions, cases and needs.

The providers, solutions and cases are the hand-written synthetic evaluation catalog of the matching engine
(matching/data/eval_catalog.yaml: invented companies and products), moved into the demo province: providers that
served named provinces serve the demo province instead, cases sit at demo enterprises of the same industry, and a
few demo enterprises post needs written in the same synthetic set. Every record is marked is_synthetic."""

from __future__ import annotations

import random
import time
from pathlib import Path

import yaml
from django.db import transaction

from enterprises.demo import unique_credit_code
from enterprises.models import Enterprise
from regions.models import Region

from . import evaluation
from .models import Case, MatchMeeting, Need, Provider, Scenario, Solution

DATA = Path(__file__).resolve().parent.parent / "matching" / "data"
DEPLOYMENTS = {"cloud": "saas", "on_premise": "on_premises", "hybrid": "hybrid"}
STATUS = {"suspended": "suspended", "warned": "warned"}


def _load(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def clear() -> int:
    count = Provider.objects.filter(is_synthetic=True, solutions__isnull=False).distinct().count()
    MatchMeeting.objects.filter(is_synthetic=True).delete()
    Need.objects.filter(is_synthetic=True).delete()
    Case.objects.filter(is_synthetic=True).delete()
    Solution.objects.filter(is_synthetic=True).delete()
    Provider.objects.filter(is_synthetic=True, solutions__isnull=True).exclude(memberships__isnull=False).delete()
    return count


@transaction.atomic
def seed(*, province: str = "36", seed: int = 1, needs: int = 12) -> dict[str, int]:
    started = time.monotonic()
    rng = random.Random(seed)
    capital = Region.objects.filter(code__startswith=province, level=2).order_by("code").first()
    catalog = _load("eval_catalog.yaml")
    used = set(Provider.objects.values_list("credit_code", flat=True))
    providers: dict[str, Provider] = {}
    for p in catalog["providers"]:
        providers[p["id"]] = Provider.objects.create(
            name=f"{p['name']}有限公司",
            credit_code=unique_credit_code(rng, capital.code, used),
            region=capital,
            types=["software"],
            regions_served=[f"{province}0000"] if p.get("regions") else [],
            description=f"{p['name']}：合成演示服务商。",
            staff=rng.choice([12, 35, 60, 120, 300]),
            status=STATUS.get(p.get("status", ""), "published"),
            is_synthetic=True,
        )
    known = set(Scenario.objects.values_list("code", flat=True))
    solutions: dict[str, Solution] = {}
    for s in catalog["solutions"]:
        price = s.get("price") or [None, None]
        solution = Solution.objects.create(
            provider=providers[s["provider"]],
            title=s["title"],
            description=s.get("description", ""),
            industries=[str(i) for i in s.get("industries", [])],
            sizes=s.get("sizes", []),
            deployments=[DEPLOYMENTS[d] for d in s.get("deployments", []) if d in DEPLOYMENTS],
            price_min=price[0],
            price_max=price[1],
            lightweight=bool(s.get("lightweight")),
            ai_capability=bool(s.get("ai")),
            status="published",
            is_synthetic=True,
        )
        solution.scenarios.set([code for code in s.get("scenarios", []) if code in known])
        solutions[s["id"]] = solution
    by_industry: dict[str, list[Enterprise]] = {}
    demo_enterprises = Enterprise.objects.filter(is_synthetic=True).in_region(province)
    for e in demo_enterprises.only("pk", "name", "industry_id", "county_id"):
        by_industry.setdefault(e.industry_id, []).append(e)
    cases = 0
    for c in catalog.get("cases", []):
        solution = solutions[c["solution"]]
        pool = by_industry.get(str(c["industry"])) or []
        enterprise = rng.choice(pool) if pool else None
        case = Case.objects.create(
            provider=solution.provider,
            solution=solution,
            enterprise=enterprise,
            title=f"{enterprise.name if enterprise else '某企业'}{solution.title}项目",
            summary="合成演示案例。",
            industry_id=str(c["industry"]),
            region_id=enterprise.county_id if enterprise else capital.code,
            verified=bool(c.get("verified")),
            is_synthetic=True,
        )
        case.scenarios.set(solution.scenarios.all())
        cases += 1
    posted = 0
    for n in _load("eval_needs.yaml")["needs"][:needs]:
        pool = by_industry.get(str(n.get("industry", ""))) or []
        if not pool:
            continue
        Need.objects.create(
            enterprise=rng.choice(pool),
            title=n["text"][:30],
            text=n["text"],
            budget_max=n.get("budget_max"),
            visibility="public",
            is_synthetic=True,
        )
        posted += 1
    for provider in providers.values():
        evaluation.evaluate(
            actor=None, provider=provider, reviews={"capability_review": rng.choice(["most", "full", "partial"])}
        )
    return {
        "providers": len(providers),
        "solutions": len(solutions),
        "cases": cases,
        "needs": posted,
        "seconds": round(time.monotonic() - started, 1),
    }
