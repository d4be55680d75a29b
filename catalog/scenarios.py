"""The scenario taxonomy (场景图谱): typical smart-manufacturing scenarios grouped under links, as validated data.

A province edits or replaces the shipped file (`catalog/data/scenarios-2025.yaml`), so everything about a
particular scenario lives there and this module only checks it and derives views from it: an ECharts graph
(links → scenarios → maturity sub-domains) and a ranking of scenarios that close an assessment's gaps.
Pure Python and pydantic, like the maturity engine: no ORM, no settings.

Which maturity codes exist is passed in (`known_codes`, model code → codes) rather than looked up here, so a
taxonomy can be checked against whatever model files a province has loaded.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from maturity.base import Status, _Base
from maturity.loaders import _readable_path, read_yaml
from maturity.spec import ModelSpec, Node

DEFAULT_PATH = Path(__file__).parent / "data" / "scenarios-2025.yaml"

# The 5 scene-construction dimensions of the 2025 smart-factory 要素条件 (standards.md §2.3, [V]).
Dimension = Literal["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]
DIMENSIONS: tuple[str, ...] = get_args(Dimension)
# GB/T 4754-2017 门类 C 制造业 has divisions 13–43 (standards.md §6).
INDUSTRY_MIN, INDUSTRY_MAX = 13, 43
# A gap counts at this share for a scenario that names only the gap's sub-domain, not the gapped code itself:
# the scenario works in the right area but was not judged to address that requirement specifically.
SAME_SUBDOMAIN_SHARE = 0.5
GRAPH_CATEGORIES = ("环节", "场景", "能力子域")


class TaxonomyLoadError(ValueError):
    """A scenario file could not be read or is invalid; `problems` lists (path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {path or '(根)'}: {msg}" for path, msg in problems)
        super().__init__(f"场景文件 {source} 无效 (invalid scenario taxonomy):\n{lines}")


class Link(_Base):
    """A link (环节) of the manufacturing process that groups scenarios, e.g. 生产管理."""

    code: str = Field(pattern=r"^[A-Z]{2,4}$")
    name: str = Field(min_length=1)
    note: str = ""


class Scenario(_Base):
    """One typical scenario with the maturity gaps it helps to close and where it is typical."""

    code: str = Field(pattern=r"^S-[A-Z]{2,4}-\d{2}$")
    name: str = Field(min_length=1)
    link: str
    description: str = ""
    keywords: list[str] = []
    closes: dict[str, list[str]] = {}
    industries: list[str] = []
    smart_factory_dimension: Dimension
    ai: bool = False
    note: str = ""

    @field_validator("industries", mode="before")
    @classmethod
    def _industries_as_text(cls, value: Any) -> Any:
        # YAML reads `[25, 26]` as integers; division codes are text everywhere else in Tidu.
        return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value or []]

    @field_validator("industries")
    @classmethod
    def _industries_are_divisions(cls, value: list[str]) -> list[str]:
        for code in value:
            if not (len(code) == 2 and code.isdigit() and INDUSTRY_MIN <= int(code) <= INDUSTRY_MAX):
                raise ValueError(
                    f"行业 {code!r} 不是制造业大类代码（GB/T 4754 两位数字 {INDUSTRY_MIN}–{INDUSTRY_MAX}）"
                    " not a manufacturing division"
                )
        if len(set(value)) != len(value):
            raise ValueError(f"行业代码重复 duplicate industries: {_repeated(value)}")
        return value

    @model_validator(mode="after")
    def _check_closes(self, info: ValidationInfo) -> Scenario:
        for model, codes in self.closes.items():
            if len(set(codes)) != len(codes):
                raise ValueError(f"closes.{model}: 代码重复 duplicate codes {_repeated(codes)}")
        known: Mapping[str, Collection[str]] | None = (info.context or {}).get("known_codes")
        if known is None:
            return self
        for model, codes in self.closes.items():
            if model not in known:
                raise ValueError(f"closes: 未知的成熟度模型 {model!r} unknown model (已知 known: {sorted(known)})")
            if missing := [c for c in codes if c not in known[model]]:
                raise ValueError(f"closes.{model}: 模型中不存在的代码 unknown codes {missing}")
        return self

    def typical_for(self, industry: str | None) -> bool:
        """True if the scenario is typical for the division of `industry` (any length, e.g. "3611")."""
        return industry is None or not self.industries or industry[:2] in self.industries


class Taxonomy(_Base):
    """A whole scenario taxonomy: identity, provenance, links and scenarios."""

    code: str = Field(min_length=1)
    name: str
    version: str
    sources: list[str] = []
    status: Status
    note: str = ""
    links: list[Link] = Field(min_length=1)
    scenarios: list[Scenario] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> Taxonomy:
        # These checks span the lists, so pydantic would place them at the root: each problem starts with its
        # own place instead, one per line, and parse_taxonomy splits them back into (place, message) pairs.
        problems: list[str] = []
        seen: set[str] = set()
        for i, link in enumerate(self.links):
            if link.code in seen:
                problems.append(f"links[{i}]({link.code}): 环节代码重复 duplicate link code")
            seen.add(link.code)
        seen = set()
        for i, sc in enumerate(self.scenarios):
            here = f"scenarios[{i}]({sc.code})"
            if sc.code in seen:
                problems.append(f"{here}: 场景代码重复 duplicate scenario code")
            seen.add(sc.code)
            if sc.link not in {link.code for link in self.links}:
                problems.append(f"{here}.link: 环节 {sc.link!r} 未在 links 中定义 unknown link")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def scenario(self, code: str) -> Scenario:
        return next(sc for sc in self.scenarios if sc.code == code)


def _repeated(values: list[str]) -> list[str]:
    return sorted({v for v in values if values.count(v) > 1})


def parse_taxonomy(
    data: Any, source: str = "<data>", *, known_codes: Mapping[str, Collection[str]] | None = None
) -> Taxonomy:
    """Validate parsed data; with `known_codes` (model code → codes) every `closes` code must exist."""
    if not isinstance(data, dict):
        raise TaxonomyLoadError(source, [("", "顶层须为映射 top level must be a mapping")])
    try:
        return Taxonomy.model_validate(data, context={"known_codes": known_codes})
    except ValidationError as exc:
        problems: list[tuple[str, str]] = []
        for error in exc.errors():
            msg = error["msg"].removeprefix("Value error, ")
            if error["loc"]:
                problems.append((_readable_path(data, tuple(error["loc"])), msg))
            else:
                problems += [_split_place(line) for line in msg.splitlines()]
        raise TaxonomyLoadError(source, problems) from exc


def _split_place(line: str) -> tuple[str, str]:
    place, sep, msg = line.partition(": ")
    return (place, msg) if sep and " " not in place else ("", line)


def load_taxonomy(
    source: str | Path = DEFAULT_PATH, *, known_codes: Mapping[str, Collection[str]] | None = None
) -> Taxonomy:
    """Load a taxonomy from a path (Path, or a str naming a .yaml/.yml file) or from YAML text."""
    data, name = read_yaml(source, error=TaxonomyLoadError)
    return parse_taxonomy(data, name, known_codes=known_codes)


def model_names(spec: ModelSpec) -> dict[str, str]:
    """Code → name for every node and item of a maturity model; `graph(names=...)` labels sub-domains with it."""

    def walk(nodes: list[Node]) -> Iterator[tuple[str, str]]:
        for node in nodes:
            yield node.code, node.name
            yield from ((item.code, item.name) for item in node.items)
            yield from walk(node.children)

    return dict(walk(spec.nodes))


def model_codes(spec: ModelSpec) -> set[str]:
    """Every node and item code of a maturity model, i.e. what a scenario's `closes` may name."""
    return set(model_names(spec))


def _subdomain(code: str) -> str:
    """The sub-domain of a CMMM item code (`M2.2-L4-1` → `M2.2`); a sub-domain code is its own."""
    return code.split("-", 1)[0]


def _division(industry: str | int | None) -> str | None:
    if industry is None:
        return None
    text = str(industry)
    if not (len(text) >= 2 and text.isdigit() and INDUSTRY_MIN <= int(text[:2]) <= INDUSTRY_MAX):
        raise ValueError(f"行业 {industry!r} 不是制造业行业代码 not a manufacturing industry code")
    return text[:2]


def graph(
    taxonomy: Taxonomy,
    industry: str | int | None = None,
    *,
    model: str = "cmmm",
    names: Mapping[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Nodes, edges and categories for an ECharts `graph` series: links → scenarios → `model` sub-domains.

    With `industry` only scenarios typical for its division are kept, and links or sub-domains left without
    a scenario are dropped. `names` labels sub-domain nodes (code → name); unnamed ones show their code.
    Node `value` is the node's degree, for sizing. The order is the file's, sub-domains by code."""
    division = _division(industry)
    kept = [sc for sc in taxonomy.scenarios if sc.typical_for(division)]
    names = names or {}
    edges: list[dict[str, Any]] = []
    degree: dict[str, int] = {}

    def connect(source: str, target: str) -> None:
        edges.append({"source": source, "target": target})
        degree[source] = degree.get(source, 0) + 1
        degree[target] = degree.get(target, 0) + 1

    subdomains: set[str] = set()
    for sc in kept:
        connect(f"link:{sc.link}", f"scenario:{sc.code}")
        for sub in dict.fromkeys(_subdomain(c) for c in sc.closes.get(model, [])):
            subdomains.add(sub)
            connect(f"scenario:{sc.code}", f"{model}:{sub}")

    nodes: list[dict[str, Any]] = [
        {"id": f"link:{link.code}", "name": link.name, "category": 0}
        for link in taxonomy.links
        if f"link:{link.code}" in degree
    ]
    nodes += [
        {
            "id": f"scenario:{sc.code}",
            "name": sc.name,
            "category": 1,
            "link": sc.link,
            "dimension": sc.smart_factory_dimension,
            "ai": sc.ai,
        }
        for sc in kept
    ]
    nodes += [{"id": f"{model}:{sub}", "name": names.get(sub, sub), "category": 2} for sub in sorted(subdomains)]
    for node in nodes:
        node["value"] = degree.get(node["id"], 0)
    return {"categories": [{"name": c} for c in GRAPH_CATEGORIES], "nodes": nodes, "edges": edges}


def scenarios_for_gaps(
    taxonomy: Taxonomy,
    gap_codes: Mapping[str, float],
    *,
    model: str = "cmmm",
    industry: str | int | None = None,
) -> list[tuple[str, float]]:
    """Scenarios ranked by how much of an assessment's gaps they address, heaviest first, ties by code.

    `gap_codes` maps sub-domain or item codes to gap sizes (e.g. target level minus score); sizes ≤ 0 are no
    gap. A gap counts in full for a scenario whose `closes` names that exact code, and SAME_SUBDOMAIN_SHARE of
    it for one that names only the same sub-domain (the sub-domain of a gapped item, another item of it, or
    items of a gapped sub-domain). Scenarios addressing no gap are left out."""
    division = _division(industry)
    gaps = {code: float(size) for code, size in gap_codes.items() if size > 0}
    ranked: list[tuple[str, float]] = []
    for sc in taxonomy.scenarios:
        if not sc.typical_for(division):
            continue
        closes = set(sc.closes.get(model, []))
        subs = {_subdomain(c) for c in closes}
        weight = 0.0
        for code in sorted(gaps):
            if code in closes:
                weight += gaps[code]
            elif _subdomain(code) in subs:
                weight += gaps[code] * SAME_SUBDOMAIN_SHARE
        if weight > 0:
            ranked.append((sc.code, round(weight, 9)))
    return sorted(ranked, key=lambda pair: (-pair[1], pair[0]))


def load_default() -> Taxonomy:
    """The shipped taxonomy, checked against the shipped CMMM, SME-2024 and AI-level models."""
    from maturity import library

    specs = [library.load("cmmm-2020"), library.load("sme-2024"), library.load("ai-level-2026")]
    return load_taxonomy(DEFAULT_PATH, known_codes={spec.code: model_codes(spec) for spec in specs})
