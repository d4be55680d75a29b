"""The development index (发展指数): a definition's indicators computed from the tallies for every unit, built with
the composite-index engine, with rank intervals from an uncertainty analysis of the weights.

A definition is a YAML file under monitoring/index_definitions (a province adds its own): the unit ranked
(`unit:` county, city, industry, cluster or chain), indicators with their source (one of SOURCES; `domain_mean`
also names a top-level `node` of the model — the tallies keep those — read on the self-assessment basis), parent,
weight and goalposts, aggregates, the engine's pipeline configuration and the uncertainty analysis. Inputs and
outputs are plain rows in COINr's shape (iData, iMeta), so a published run can be rebuilt by anyone with the
engine or COINr.

Units: counties (a city without counties is one of its own) or cities of the province; the industries (GB/T 4754
divisions) with above-scale enterprises in the province; the industrial clusters or industry chains registered in
the province or below it, counting their members in the province.

Weighting by enterprise size (`weight_by: size`, with `size_weights: {large: 4, medium: 2, …}`): each enterprise
counts with the weight of its size class in every numerator and denominator of an indicator — a share is
Σ w·(enterprises that meet it) / Σ w·(enterprises), a mean is Σ w·(sum of values) / Σ w·(enterprises with a
value) — so a unit's large enterprises weigh more in its figure than its micro ones. A class the definition does
not list, and an enterprise without a size class, weighs 1. Without `weight_by` every enterprise weighs 1."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from django.db.models import F, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from enterprises.models import Chain, Cluster, SizeClass
from regions.models import IndustryDivision, Region, prefix_range

from .models import Tally

DEFINITIONS = Path(__file__).resolve().parent / "index_definitions"
SOURCES = {
    "share_level2": _("规上企业达到成熟度二级及以上的占比（%）"),
    "mean_level": _("已评估规上企业的平均成熟度等级"),
    "share_tier": _("基础级及以上智能工厂占规上企业的比例（%）"),
    "self_coverage": _("本年规上企业自评估覆盖率（%）"),
    "diag_coverage": _("本年规上企业诊断覆盖率（%）"),
    "yoy_level2": _("二级及以上占比的年度变化（百分点）"),
    "domain_mean": _("已评估规上企业在某能力域的平均得分（0–100）"),
}
UNITS = ("county", "city", "industry", "cluster", "chain")
MODEL = "cmmm"


@dataclass(frozen=True)
class Unit:
    """One ranked unit: its code in iData (a region code, a division code, C<id> / K<id> for a cluster / chain)."""

    code: str
    name: str


@cache
def definitions() -> dict[str, dict]:
    out = {}
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle)
        unknown = [i["source"] for i in spec["indicators"] if i["source"] not in SOURCES]
        if unknown:
            raise ValueError(f"{path.name}: unknown indicator sources {unknown}")
        if spec.get("unit", "county") not in UNITS:
            raise ValueError(f"{path.name}: unit must be one of {UNITS}")
        if spec.get("weight_by") not in (None, "size"):
            raise ValueError(f"{path.name}: weight_by can only be 'size'")
        if missing := [i["code"] for i in spec["indicators"] if i["source"] == "domain_mean" and not i.get("node")]:
            raise ValueError(f"{path.name}: domain_mean indicators need a node: {missing}")
        out[spec["code"]] = spec
    return out


def source_key(indicator: dict) -> str:
    """The key of an indicator's values: its source, with the node for a domain mean."""
    return f"domain_mean:{indicator['node']}" if indicator["source"] == "domain_mean" else indicator["source"]


def units(spec: dict, province: Region) -> list[Unit]:
    unit = spec.get("unit", "county")
    if unit in ("county", "city"):
        regions = Region.objects.filter(is_active=True, level=2, **prefix_range("code", province.path))
        if unit == "county":  # a city without counties is a unit of its own
            regions = Region.objects.filter(
                is_active=True, is_leaf=True, level__gte=2, **prefix_range("code", province.path)
            )
        return [Unit(r.code, r.name) for r in regions.order_by("code")]
    if unit == "industry":
        present = set(
            Tally.objects.filter(grouping=Tally.Grouping.SIZE, measure="population", above_scale=True,
                                 **prefix_range("county_id", province.path)).values_list("industry_id", flat=True)
        )  # fmt: skip
        divisions = IndustryDivision.objects.filter(code__in=present).order_by("code")
        return [Unit(d.code, d.name) for d in divisions]
    model, prefix = (Cluster, "C") if unit == "cluster" else (Chain, "K")
    groupings = model.objects.filter(**prefix_range("region_id", province.path)).order_by("region_id", "name")
    return [Unit(f"{prefix}{g.pk}", g.name) for g in groupings]


UNIT_NAMES = {
    "county": _("区县"), "city": _("设区市"), "industry": _("行业（国民经济行业分类大类）"),
    "cluster": _("产业集群（计本省内的成员）"), "chain": _("产业链（计本省内的成员）"),
}  # fmt: skip


def method_notes(spec: dict) -> list[str]:
    """What a run's methodology says about its units and weighting, beyond the common text."""
    notes = [_("评价单元：%(unit)s。") % {"unit": UNIT_NAMES[spec.get("unit", "county")]}]
    if weights := _size_weights(spec):
        names = dict(SizeClass.choices)
        listed = "、".join(f"{names.get(k, k)} × {v:g}" for k, v in weights.items())
        notes.append(
            _("按企业规模加权：每家企业在各指标的分子和分母中都按其规模类别的权重计（%(weights)s；未列出的类别"
              "和未填规模的企业权重为 1）。") % {"weights": listed}
        )  # fmt: skip
    if any(i["source"] == "domain_mean" for i in spec["indicators"]):
        notes.append(_("能力域平均得分：按每家企业最新结果中该域的得分（0–1，乘以 100）取平均。"))
    return notes


def _size_weights(spec: dict) -> dict[str, float]:
    return {str(k): float(v) for k, v in (spec.get("size_weights") or {}).items()} if spec.get("weight_by") else {}


def _sums(spec: dict, province: Region, measure: str, **filters) -> dict[tuple, tuple[float, float]]:
    """{(unit code, level, node): (weighted enterprises, weighted score sum)} of one measure's above-scale tallies,
    added up per unit and size class in SQL."""
    unit = spec.get("unit", "county")
    grouping = {"cluster": Tally.Grouping.CLUSTER, "chain": Tally.Grouping.CHAIN}.get(unit, Tally.Grouping.SIZE)
    key = {
        "county": Substr("county_id", 1, 6), "city": Substr("county_id", 1, 4), "industry": F("industry_id"),
    }.get(unit, F("group_id"))  # fmt: skip
    rows = (
        Tally.objects.filter(grouping=grouping, measure=measure, above_scale=True, **filters,
                             **prefix_range("county_id", province.path))
        .annotate(unit_key=key).values("unit_key", "size_class", "level", "node_code")
        .annotate(total=Sum("n"), scores=Sum("score_sum")).order_by()
    )  # fmt: skip
    weights = _size_weights(spec)
    prefix = {"cluster": "C", "chain": "K"}.get(unit, "")
    out: dict[tuple, tuple[float, float]] = {}
    for row in rows:
        code = f"{prefix}{row['unit_key']}"
        w = weights.get(row["size_class"], 1.0)
        n, s = out.get((code, row["level"], row["node_code"]), (0.0, 0.0))
        out[(code, row["level"], row["node_code"])] = (n + w * row["total"], s + w * (row["scores"] or 0.0))
    return out


def _unit_code(spec: dict, code: str) -> str:
    """The tallies' key of a unit: a city's code is its first four digits there."""
    return code[:4] if spec.get("unit", "county") == "city" else code


def indicator_values(spec: dict, province: Region, year: int) -> tuple[list[Unit], dict[str, dict[str, float]]]:
    """{source key: {unit code: value}} for every unit, from the tallies (NaN where a unit has no enterprises)."""
    unit_list = units(spec, province)
    model = spec.get("model", MODEL)

    def by_unit(sums: dict[tuple, tuple[float, float]]) -> dict[str, float]:
        out: dict[str, float] = {}
        for (code, _level, _node), (n, _s) in sums.items():
            out[code] = out.get(code, 0.0) + n
        return out

    population = by_unit(_sums(spec, province, "population", year=0))
    levels = _sums(spec, province, "level", year=year, model_code=model, basis="self")
    levels_before = _sums(spec, province, "level", year=year - 1, model_code=model, basis="self")
    tiers = by_unit(_sums(spec, province, "tier", year=0))
    assessed = {
        kind: by_unit(_sums(spec, province, "assessed", year=year, basis=kind)) for kind in ("self", "diagnosis")
    }
    nodes = sorted({i["node"] for i in spec["indicators"] if i["source"] == "domain_mean"})
    domains = _sums(spec, province, "domain", year=year, model_code=model, basis="self", node_code__in=nodes)

    def pct(part: float, whole: float) -> float:
        return part * 100 / whole if whole else math.nan

    keys = [source for source in SOURCES if source != "domain_mean"] + [f"domain_mean:{node}" for node in nodes]
    values: dict[str, dict[str, float]] = {key: {} for key in keys}
    for unit in unit_list:
        u = _unit_code(spec, unit.code)
        total = population.get(u, 0.0)
        at = {lvl: n for (k, lvl, _node), (n, _s) in levels.items() if k == u}
        before = {lvl: n for (k, lvl, _node), (n, _s) in levels_before.items() if k == u}
        assessed_n = sum(at.values())
        values["share_level2"][unit.code] = pct(sum(n for lvl, n in at.items() if lvl >= 2), total)
        values["mean_level"][unit.code] = sum(lvl * n for lvl, n in at.items()) / assessed_n if assessed_n else math.nan
        values["share_tier"][unit.code] = pct(tiers.get(u, 0.0), total)
        values["self_coverage"][unit.code] = pct(assessed["self"].get(u, 0.0), total)
        values["diag_coverage"][unit.code] = pct(assessed["diagnosis"].get(u, 0.0), total)
        values["yoy_level2"][unit.code] = values["share_level2"][unit.code] - pct(
            sum(n for lvl, n in before.items() if lvl >= 2), total
        )
        for node in nodes:
            scored, sum_of_scores = domains.get((u, 0, node), (0.0, 0.0))
            values[f"domain_mean:{node}"][unit.code] = sum_of_scores * 100 / scored if scored else math.nan
    return unit_list, values


def inputs(spec: dict, province: Region, year: int) -> tuple[list[dict], list[dict]]:
    """(iData rows, iMeta rows) in COINr's shape for the engine."""
    unit_list, values = indicator_values(spec, province, year)
    idata = []
    for unit in unit_list:
        row = {"uCode": unit.code, "uName": unit.name, "Time": year}
        for indicator in spec["indicators"]:
            value = values[source_key(indicator)][unit.code]
            row[indicator["code"]] = None if math.isnan(value) else round(value, 6)
        idata.append(row)
    imeta = [{"iCode": "Time", "iName": "年度", "Type": "Other"}]
    for indicator in spec["indicators"]:
        low, high = indicator.get("goalposts", (None, None))
        imeta.append({
            "iCode": indicator["code"], "iName": indicator["name"], "Level": 1, "Parent": indicator["parent"],
            "Direction": indicator.get("direction", 1), "Weight": indicator.get("weight", 1), "Type": "Indicator",
            "goalpost_lower": low, "goalpost_upper": high,
        })  # fmt: skip
    tops = {a["code"] for a in spec["aggregates"] if not a.get("parent")}
    levels = _aggregate_levels(spec)
    for aggregate in spec["aggregates"]:
        imeta.append({
            "iCode": aggregate["code"], "iName": aggregate["name"], "Level": levels[aggregate["code"]],
            "Parent": aggregate.get("parent") or None, "Weight": aggregate.get("weight", 1), "Type": "Aggregate",
        })  # fmt: skip
    assert len(tops) == 1, "a definition has one index at the top"
    return idata, imeta


def _aggregate_levels(spec: dict) -> dict[str, int]:
    parents = {a["code"]: a.get("parent") for a in spec["aggregates"]}
    children = {}
    for indicator in spec["indicators"]:
        children.setdefault(indicator["parent"], set()).add(indicator["code"])
    levels: dict[str, int] = {}

    def level(code: str) -> int:
        if code not in levels:
            below = [level(c) for c in parents if parents[c] == code]
            levels[code] = 1 + max(below + ([1] if code in children else []))
        return levels[code]

    for code in parents:
        level(code)
    return levels
