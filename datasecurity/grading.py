"""The guided grading check: criteria of the 2022 办法 (and the GB/T 43697 impact matrix) as data, and the level they
suggest. The suggestion stays a suggestion until the enterprise confirms a level (which may differ, with a reason).
Pure: no Django."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES = Path(__file__).parent / "rules"
ORDER = {"general": 0, "important": 1, "core": 2}


@dataclass(frozen=True)
class Criterion:
    code: str
    text: str
    level: str


@dataclass(frozen=True)
class Spec:
    categories: dict[str, str]
    levels: dict[str, str]  # code → name, highest first
    criteria: tuple[Criterion, ...]
    matrix: dict[str, dict[str, str]]
    objects: dict[str, str]
    degrees: dict[str, str]
    matrix_provisional: bool


@dataclass(frozen=True)
class Suggestion:
    level: str
    reasons: tuple[str, ...]  # the criteria or matrix cells that decided it, in words
    provisional: bool  # decided (partly) by data not verified against the source


def parse(data: dict) -> Spec:
    criteria = tuple(Criterion(c["code"], c["text"], lvl["code"]) for lvl in data["levels"] for c in lvl["criteria"])
    matrix = data["matrix"]
    for row in matrix["table"].values():
        for level in row.values():
            if level not in ORDER:
                raise ValueError(f"未知级别：{level}")
    return Spec(
        categories={c["code"]: c["name"] for c in data["categories"]},
        levels={lvl["code"]: lvl["name"] for lvl in data["levels"]},
        criteria=criteria,
        matrix=matrix["table"],
        objects={o["code"]: o["name"] for o in matrix["objects"]},
        degrees={d["code"]: d["name"] for d in matrix["degrees"]},
        matrix_provisional=bool(matrix.get("provisional", True)),
    )


@cache
def shipped() -> Spec:
    return parse(yaml.safe_load((RULES / "grading.yaml").read_text(encoding="utf-8")))


def suggest(spec: Spec, ticked: set[str] | frozenset[str], impacts: dict[str, str] | None = None) -> Suggestion:
    """The highest level any ticked criterion or impact (object → degree) reaches; 一般 when nothing is ticked."""
    unknown = set(ticked) - {c.code for c in spec.criteria}
    if unknown:
        raise ValueError(f"未知的判定条件：{'、'.join(sorted(unknown))}")
    best, reasons, provisional = "general", [], False
    candidates: list[tuple[str, str, bool]] = [(c.level, c.text, False) for c in spec.criteria if c.code in ticked]
    for obj, degree in (impacts or {}).items():
        if obj not in spec.matrix or degree not in spec.degrees:
            raise ValueError(f"未知的影响对象或程度：{obj} / {degree}")
        level = spec.matrix[obj][degree]
        candidates.append((level, f"{spec.objects[obj]}：{spec.degrees[degree]}", spec.matrix_provisional))
    for level, _, _ in candidates:
        if ORDER[level] > ORDER[best]:
            best = level
    for level, text, prov in candidates:
        if level == best:
            reasons.append(text)
            provisional = provisional or prov
    return Suggestion(best, tuple(reasons), provisional)


@dataclass(frozen=True)
class IncidentLevel:
    code: str
    name: str
    provisional: bool
    thresholds: dict


@cache
def incident_spec() -> tuple[dict[str, str], dict[str, bool], tuple[IncidentLevel, ...]]:
    data = yaml.safe_load((RULES / "incidents.yaml").read_text(encoding="utf-8"))
    kinds = {k["code"]: k["name"] for k in data["kinds"]}
    kinds_provisional = {k["code"]: bool(k.get("provisional")) for k in data["kinds"]}
    levels = tuple(IncidentLevel(lv["code"], lv["name"], bool(lv.get("provisional")), lv.get("thresholds") or {})
                   for lv in data["levels"])  # fmt: skip
    return kinds, kinds_provisional, levels


INCIDENT_ORDER = {"minor": 0, "major": 1, "serious": 2, "extreme": 3}
STOPPAGE_ORDER = {"": 0, "partial": 1, "wide": 2}


def suggest_incident_level(*, data_level: str = "", loss_yuan: float = 0, people: int = 0, sensitive_people: int = 0,
                           outage_hours: float = 0, stoppage: str = "") -> IncidentLevel:  # fmt: skip
    """The highest level whose any threshold the evidence reaches (一般 otherwise)."""
    facts = {"loss_yuan": loss_yuan, "people": people, "sensitive_people": sensitive_people,
             "outage_hours": outage_hours}  # fmt: skip
    *_, levels = incident_spec()
    for level in levels:
        t = level.thresholds
        if any(key in t and facts[key] >= t[key] for key in facts):
            return level
        if "data_level" in t and data_level and ORDER.get(data_level, 0) >= ORDER[t["data_level"]]:
            return level
        if "stoppage" in t and STOPPAGE_ORDER.get(stoppage, 0) >= STOPPAGE_ORDER[t["stoppage"]]:
            return level
    return levels[-1]
