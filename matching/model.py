"""Plain data the engine works on. Callers (the catalog app, a diagnosis) build these from their models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Event = Literal["shown", "contacted", "contracted", "rated"]
ProviderStatus = Literal["active", "warned", "suspended", "removed"]

NATIONWIDE = "000000"


def region_prefix(code: str) -> str:
    """ "320000" → "32", "320500" → "3205", "000000"/"" → "" (covers everything)."""
    code = (code or "").strip()
    if code in ("", NATIONWIDE):
        return ""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def region_covers(served: str, target: str) -> bool:
    return (target or "").startswith(region_prefix(served))


@dataclass(frozen=True)
class Provider:
    """A solution provider (服务商) with its grade and standing."""

    id: str
    name: str
    grade: str = ""  # "A", "B", "C" or "1".."5" stars; "" when not graded
    status: ProviderStatus = "active"
    regions: tuple[str, ...] = ()  # empty = nationwide


@dataclass(frozen=True)
class Solution:
    """A solution in the resource pool (解决方案资源池)."""

    id: str
    provider_id: str
    title: str
    description: str = ""
    scenarios: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()  # GB/T 4754 divisions, e.g. "36"; empty = any industry
    regions: tuple[str, ...] = ()  # empty = the provider's regions
    sizes: tuple[str, ...] = ()  # "micro", "small", "medium", "large"; empty = any
    tiers: tuple[str, ...] = ()  # "基础级", "先进级", "卓越级", "领航级"; empty = any
    deployments: tuple[str, ...] = ()  # "cloud", "on_premise", "hybrid"; empty = any
    price_min: float | None = None  # 万元
    price_max: float | None = None
    ai: bool = False
    lightweight: bool = False  # 小快轻准


@dataclass(frozen=True)
class Case:
    """A delivered project of a solution at an enterprise."""

    solution_id: str
    provider_id: str
    industry: str
    region: str
    verified: bool = False


@dataclass(frozen=True)
class Gap:
    """One scenario a diagnosis found lacking, with how much it matters."""

    scenario: str
    weight: float = 1.0


@dataclass(frozen=True)
class Need:
    """What an enterprise asks for: free text and optional structured fields."""

    text: str = ""
    id: str = ""
    scenarios: tuple[str, ...] = ()
    gaps: tuple[Gap, ...] = ()
    industry: str = ""
    region: str = ""
    size: str = ""
    tier: str = ""
    budget_max: float | None = None  # 万元
    deployments: tuple[str, ...] = ()  # acceptable; empty = any

    def scenario_weights(self) -> dict[str, float]:
        weights = {code: 1.0 for code in self.scenarios}
        for gap in self.gaps:
            weights[gap.scenario] = max(weights.get(gap.scenario, 0.0), gap.weight)
        return weights

    @classmethod
    def from_gaps(cls, gaps: list[Gap] | tuple[Gap, ...], **fields: object) -> Need:
        return cls(gaps=tuple(gaps), **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Outcome:
    """One recorded event after a recommendation."""

    solution_id: str
    event: Event
    need_id: str = ""
    scenarios: tuple[str, ...] = ()  # the need's scenarios, so learning works without the need itself
    industry: str = ""
    stars: int | None = None


@dataclass
class Catalog:
    """Everything the ranker looks at; build once and reuse (the text index is cached on it)."""

    solutions: list[Solution]
    providers: dict[str, Provider]
    cases: list[Case] = field(default_factory=list)
    _cache: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_dict(cls, data: dict) -> Catalog:
        def tup(value: object) -> tuple[str, ...]:
            if value is None:
                return ()
            if isinstance(value, str | int):
                return (str(value),)
            return tuple(str(v) for v in value)  # type: ignore[union-attr]

        providers = {
            str(p["id"]): Provider(
                id=str(p["id"]),
                name=p["name"],
                grade=str(p.get("grade", "")),
                status=p.get("status", "active"),
                regions=tup(p.get("regions")),
            )
            for p in data.get("providers", [])
        }
        solutions = [
            Solution(
                id=str(s["id"]),
                provider_id=str(s["provider"]),
                title=s["title"],
                description=s.get("description", ""),
                scenarios=tup(s.get("scenarios")),
                industries=tup(s.get("industries")),
                regions=tup(s.get("regions")),
                sizes=tup(s.get("sizes")),
                tiers=tup(s.get("tiers")),
                deployments=tup(s.get("deployments")),
                price_min=s.get("price", [None, None])[0],
                price_max=s.get("price", [None, None])[1],
                ai=bool(s.get("ai", False)),
                lightweight=bool(s.get("lightweight", False)),
            )
            for s in data.get("solutions", [])
        ]
        cases = [
            Case(
                solution_id=str(c["solution"]),
                provider_id=next((s.provider_id for s in solutions if s.id == str(c["solution"])), ""),
                industry=str(c["industry"]),
                region=str(c["region"]),
                verified=bool(c.get("verified", False)),
            )
            for c in data.get("cases", [])
        ]
        return cls(solutions=solutions, providers=providers, cases=cases)
