"""Maps of a province by county or city, coloured by a metric read from the tallies.

The boundaries are a file per province (`<province code>.json`, GeoJSON, each feature's `properties.code` its
county code): the vendored, unreviewed drawing under static/vendor/china-maps, or an officially reviewed file from
the directory in TIDU_MAP_DIR. A city's map is its province's file narrowed to its counties."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .figures import View, _level_counts, _tallies
from .progress import share

VENDORED = Path(settings.BASE_DIR) / "static" / "vendor" / "china-maps"
METRICS = {
    "level": _("达到二级及以上的占比（%）"),
    "assessed": _("本年自评估覆盖率（%）"),
    "tier": _("基础级及以上智能工厂占比（%）"),
    "population": _("企业数"),
}


def shapes_dir() -> Path:
    return Path(settings.TIDU_MAP_DIR) if settings.TIDU_MAP_DIR else VENDORED


def is_reviewed() -> bool:
    """Whether the boundaries come from a file the province supplied as reviewed, not the vendored drawing."""
    return bool(settings.TIDU_MAP_DIR)


@lru_cache(maxsize=8)
def _province(path: str, mtime: float) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def shape(region_path: str) -> dict | None:
    """The GeoJSON of a region's counties, or None when no file covers its province."""
    path = shapes_dir() / f"{region_path[:2]}0000.json"
    if not path.exists():
        return None
    data = _province(str(path), path.stat().st_mtime)
    if len(region_path) <= 2:
        return data
    features = [f for f in data["features"] if str(f["properties"].get("code", "")).startswith(region_path)]
    return {"type": "FeatureCollection", "features": features}


def values(view: View, metric: str, by: str) -> dict[str, float | None]:
    """{county code: value} for the map; `by="city"` gives each county its city's value. Shares of groups below the
    minimum size are None (drawn grey)."""
    population = _tallies(view, "population", keys=("county_id",))
    if metric == "population":
        met = population
    elif metric == "level":
        met = {}
        for (county, level), n in _level_counts(view, view.year, ("county_id", "level")).items():
            if level >= 2:
                met[(county,)] = met.get((county,), 0) + n
    elif metric == "assessed":
        met = _tallies(view, "assessed", keys=("county_id",), year=view.year, basis="self")
    elif metric == "tier":
        met = _tallies(view, "tier", keys=("county_id",))
    else:
        raise ValueError(metric)
    width = 4 if by == "city" else 6
    grouped_met: dict[str, int] = {}
    grouped_total: dict[str, int] = {}
    for (county,), n in population.items():
        grouped_total[county[:width]] = grouped_total.get(county[:width], 0) + n
    for (county,), n in met.items():
        grouped_met[county[:width]] = grouped_met.get(county[:width], 0) + n
    result: dict[str, float | None] = {}
    counties = {county for (county,) in population}
    if by == "city":  # every county drawn takes its city's value, enterprises or not
        drawn = shape(view.region.path) or {"features": []}
        counties |= {str(f["properties"].get("code", "")) for f in drawn["features"]}
    for county in sorted(counties):
        key = county[:width]
        total, hit = grouped_total.get(key, 0), grouped_met.get(key, 0)
        if metric == "population":
            result[county] = float(total)
        else:
            ratio = share(hit, total) if total >= view.min_group else None
            result[county] = None if ratio is None else float(ratio)
    return result
