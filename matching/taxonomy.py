"""Scenario and industry names used in explanations and for guessing scenarios from free text."""

from __future__ import annotations

from functools import cache

import yaml

from .tokenize import DATA_DIR, normalise_text, synonyms

INDUSTRY_NAMES = {
    "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业", "17": "纺织业",
    "18": "纺织服装、服饰业", "22": "造纸和纸制品业", "26": "化学原料和化学制品制造业", "27": "医药制造业",
    "28": "化学纤维制造业", "29": "橡胶和塑料制品业", "30": "非金属矿物制品业", "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业", "33": "金属制品业", "34": "通用设备制造业", "35": "专用设备制造业",
    "36": "汽车制造业", "38": "电气机械和器材制造业", "39": "计算机、通信和其他电子设备制造业", "40": "仪器仪表制造业",
}  # fmt: skip


# The one scenario taxonomy Tidu ships (also loaded into the catalog's Scenario table); read as plain data here so
# the engine stays free of Django. A province that loads its own taxonomy passes codes the catalog knows.
TAXONOMY = DATA_DIR.parent.parent / "catalog" / "data" / "scenarios-2025.yaml"


@cache
def scenarios() -> dict[str, dict]:
    """Scenario code → {"name", "keywords"}: the taxonomy's own keywords plus the engine's extra guessing words."""
    data = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    extra = yaml.safe_load((DATA_DIR / "scenario_keywords.yaml").read_text(encoding="utf-8"))["keywords"]
    return {
        s["code"]: {"name": s["name"], "keywords": [*s.get("keywords", []), *extra.get(s["code"], [])]}
        for s in data["scenarios"]
    }


def scenario_name(code: str) -> str:
    return scenarios().get(code, {}).get("name", code)


@cache
def _keyword_index() -> dict[str, tuple[str, ...]]:
    syn = synonyms()
    index: dict[str, list[str]] = {}
    for code, spec in scenarios().items():
        for word in spec.get("keywords", []):
            word = normalise_text(str(word))
            index.setdefault(syn.get(word, word), []).append(code)
    return {word: tuple(codes) for word, codes in index.items()}


def guess_scenarios(tokens: list[str]) -> dict[str, float]:
    """Scenarios a text talks about, weighted by how many of their keywords it uses (0..1)."""
    counts: dict[str, int] = {}
    index = _keyword_index()
    for token in set(tokens):
        for code in index.get(token, ()):
            counts[code] = counts.get(code, 0) + 1
    return {code: min(1.0, 0.5 * n) for code, n in sorted(counts.items())}
