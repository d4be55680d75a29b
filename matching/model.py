"""Plain data the engine works on. Callers (the catalog app, a diagnosis) build these from their models."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .taxonomy import ScenarioSet

Event = Literal["shown", "contacted", "contracted", "rated"]
ProviderStatus = Literal["active", "warned", "suspended", "removed"]

# GB/T 2260 province-level prefixes (31 provinces, Taiwan, Hong Kong, Macao). A region code is six digits: the
# province, then the city ("00" for the province itself), then the county ("00" for the city itself).
_PROVINCE_LIST = "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82"
PROVINCES = frozenset(_PROVINCE_LIST.split(" "))
# Nationwide is said one way only: a provider (or solution) with no served regions. No code stands for it, so
# "000000", "" or a bare prefix in a list of served regions is refused like any other unknown code.


class RegionCodeError(ValueError):
    """A region code that is not a known administrative division (the message is shown to users)."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"地区代码“{code}”不是已知的行政区划代码（应为 6 位区划代码，如 320500）")


def is_division(code: str, known: frozenset[str] | None = None) -> bool:
    """A six-digit GB/T 2260 code; with ``known`` (the divisions the database holds) it must be one of them."""
    if not (isinstance(code, str) and len(code) == 6 and code.isdigit() and code[:2] in PROVINCES):
        return False
    if code[2:4] == "00" and code[4:] != "00":
        return False  # a county part under no city
    return known is None or code in known


def check_region(code: str, known: frozenset[str] | None = None) -> str:
    """``code`` if it is a known division, else RegionCodeError."""
    if not is_division(code, known):
        raise RegionCodeError(code)
    return code


def region_prefix(code: str) -> str:
    """ "320000" → "32", "320500" → "3205", "320583" → "320583"; "" (no region stated) → ""."""
    code = (code or "").strip()
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
    regions: tuple[str, ...] = ()  # division codes served; empty = nationwide (the only way to say it)


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
    # The scenario taxonomy the province loaded (None: the shipped file) and the division codes it knows (None:
    # any code of the GB/T 2260 shape); both come from the database on the Django side.
    taxonomy: ScenarioSet | None = None
    divisions: frozenset[str] | None = None
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
