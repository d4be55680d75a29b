"""The development index (发展指数): a definition's indicators computed from the tallies for every unit (county or
city), built with the composite-index engine, with rank intervals from an uncertainty analysis of the weights.

A definition is a YAML file under monitoring/index_definitions (a province adds its own): indicators with their
source (one of SOURCES), parent, weight and goalposts, aggregates, the engine's pipeline configuration and the
uncertainty analysis. Inputs and outputs are plain rows in COINr's shape (iData, iMeta), so a published run can
be rebuilt by anyone with the engine or COINr."""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path

import yaml
from django.utils.translation import gettext_lazy as _

from regions.models import Region, prefix_range

from .models import Tally

DEFINITIONS = Path(__file__).resolve().parent / "index_definitions"
SOURCES = {
    "share_level2": _("规上企业达到成熟度二级及以上的占比（%）"),
    "mean_level": _("已评估规上企业的平均成熟度等级"),
    "share_tier": _("基础级及以上智能工厂占规上企业的比例（%）"),
    "self_coverage": _("本年规上企业自评估覆盖率（%）"),
    "diag_coverage": _("本年规上企业诊断覆盖率（%）"),
    "yoy_level2": _("二级及以上占比的年度变化（百分点）"),
}
MODEL = "cmmm"


@cache
def definitions() -> dict[str, dict]:
    out = {}
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            spec = yaml.safe_load(handle)
        unknown = [i["source"] for i in spec["indicators"] if i["source"] not in SOURCES]
        if unknown:
            raise ValueError(f"{path.name}: unknown indicator sources {unknown}")
        out[spec["code"]] = spec
    return out


def units(spec: dict, province: Region) -> list[Region]:
    level = 3 if spec.get("unit", "county") == "county" else 2
    regions = Region.objects.filter(is_active=True, level=level, **prefix_range("code", province.path))
    if level == 3:  # a city without counties is a unit of its own
        regions = Region.objects.filter(
            is_active=True, is_leaf=True, level__gte=2, **prefix_range("code", province.path)
        )
    return list(regions.order_by("code"))


def _sums(province: Region, measure: str, width: int, **filters) -> dict[tuple, int]:
    rows = Tally.objects.filter(
        measure=measure, above_scale=True, **filters, **prefix_range("county_id", province.path)
    ).values_list("county_id", "level", "n")
    out: dict[tuple, int] = {}
    for county, level, n in rows:
        out[(county[:width], level)] = out.get((county[:width], level), 0) + n
    return out


def indicator_values(spec: dict, province: Region, year: int) -> tuple[list[Region], dict[str, dict[str, float]]]:
    """{source: {unit code: value}} for every unit, from the tallies (NaN where a unit has no enterprises)."""
    unit_list = units(spec, province)
    width = 6 if spec.get("unit", "county") == "county" else 4

    def key(code: str) -> str:
        return code[:width]

    population = {k[0]: n for k, n in _sums(province, "population", width, year=0).items()}
    levels = _sums(province, "level", width, year=year, model_code=MODEL, basis="self")
    levels_before = _sums(province, "level", width, year=year - 1, model_code=MODEL, basis="self")
    tiers = _sums(province, "tier", width, year=0)
    assessed = {}
    for kind in ("self", "diagnosis"):
        assessed[kind] = {k[0]: n for k, n in _sums(province, "assessed", width, year=year, basis=kind).items()}

    def pct(part: float, whole: float) -> float:
        return part * 100 / whole if whole else math.nan

    values: dict[str, dict[str, float]] = {source: {} for source in SOURCES}
    for unit in unit_list:
        u = key(unit.code)
        total = population.get(u, 0)
        at = {lvl: n for (k, lvl), n in levels.items() if k == u}
        before = {lvl: n for (k, lvl), n in levels_before.items() if k == u}
        assessed_n = sum(at.values())
        values["share_level2"][unit.code] = pct(sum(n for lvl, n in at.items() if lvl >= 2), total)
        values["mean_level"][unit.code] = sum(lvl * n for lvl, n in at.items()) / assessed_n if assessed_n else math.nan
        values["share_tier"][unit.code] = pct(sum(n for (k, _r), n in tiers.items() if k == u), total)
        values["self_coverage"][unit.code] = pct(assessed["self"].get(u, 0), total)
        values["diag_coverage"][unit.code] = pct(assessed["diagnosis"].get(u, 0), total)
        values["yoy_level2"][unit.code] = values["share_level2"][unit.code] - pct(
            sum(n for lvl, n in before.items() if lvl >= 2), total
        )
    return unit_list, values


def inputs(spec: dict, province: Region, year: int) -> tuple[list[dict], list[dict]]:
    """(iData rows, iMeta rows) in COINr's shape for the engine."""
    unit_list, values = indicator_values(spec, province, year)
    idata = []
    for unit in unit_list:
        row = {"uCode": unit.code, "uName": unit.name, "Time": year}
        for indicator in spec["indicators"]:
            value = values[indicator["source"]][unit.code]
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
