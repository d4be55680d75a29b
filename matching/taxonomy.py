"""Scenario and industry names used in explanations and for guessing scenarios from free text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property

import yaml

from .tokenize import DATA_DIR, normalise_text, synonyms

INDUSTRY_NAMES = {
    "13": "农副食品加工业", "14": "食品制造业", "15": "酒、饮料和精制茶制造业", "17": "纺织业",
    "18": "纺织服装、服饰业", "22": "造纸和纸制品业", "26": "化学原料和化学制品制造业", "27": "医药制造业",
    "28": "化学纤维制造业", "29": "橡胶和塑料制品业", "30": "非金属矿物制品业", "31": "黑色金属冶炼和压延加工业",
    "32": "有色金属冶炼和压延加工业", "33": "金属制品业", "34": "通用设备制造业", "35": "专用设备制造业",
    "36": "汽车制造业", "38": "电气机械和器材制造业", "39": "计算机、通信和其他电子设备制造业", "40": "仪器仪表制造业",
}  # fmt: skip


# The taxonomy Tidu ships (also loaded into the catalog's Scenario table); read as plain data here so the engine
# stays free of Django. A province that loads its own list passes it as a ScenarioSet built from its database.
TAXONOMY = DATA_DIR.parent.parent / "catalog" / "data" / "scenarios-2025.yaml"


@cache
def extra_keywords() -> dict[str, tuple[str, ...]]:
    """The engine's own guessing words, keyed by the shipped codes (a province's other codes get none)."""
    data = yaml.safe_load((DATA_DIR / "scenario_keywords.yaml").read_text(encoding="utf-8"))["keywords"]
    return {code: tuple(str(w) for w in words) for code, words in data.items()}


@dataclass(frozen=True)
class ScenarioSet:
    """Scenario names and the words that point at each scenario: what guessing and explanations need."""

    names: dict[str, str]
    keywords: dict[str, tuple[str, ...]]  # code → its words (the taxonomy's own plus the engine's extras)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, Iterable[str]]]) -> ScenarioSet:
        """(code, name, keywords) rows, e.g. from the Scenario table; extras are added for codes the engine knows."""
        names: dict[str, str] = {}
        keywords: dict[str, tuple[str, ...]] = {}
        extra = extra_keywords()
        for code, name, words in rows:
            names[code] = name
            keywords[code] = tuple(dict.fromkeys([*(str(w) for w in words or ()), *extra.get(code, ())]))
        return cls(names, keywords)

    def name(self, code: str) -> str:
        return self.names.get(code, code)

    @cached_property
    def word_index(self) -> dict[str, tuple[str, ...]]:
        """Canonical word → scenario codes that use it."""
        syn = synonyms()
        index: dict[str, list[str]] = {}
        for code, words in self.keywords.items():
            for word in words:
                word = normalise_text(word)
                index.setdefault(syn.get(word, word), []).append(code)
        return {word: tuple(codes) for word, codes in index.items()}

    def guess(self, tokens: Iterable[str]) -> dict[str, float]:
        """Scenarios a text talks about, weighted by how many of their keywords it uses (0..1)."""
        counts: dict[str, int] = {}
        index = self.word_index
        for token in set(tokens):
            for code in index.get(token, ()):
                counts[code] = counts.get(code, 0) + 1
        return {code: min(1.0, 0.5 * n) for code, n in sorted(counts.items())}


@cache
def shipped() -> ScenarioSet:
    data = yaml.safe_load(TAXONOMY.read_text(encoding="utf-8"))
    return ScenarioSet.from_rows((s["code"], s["name"], s.get("keywords", [])) for s in data["scenarios"])


def scenarios() -> dict[str, dict]:
    """Shipped scenario code → {"name", "keywords"} (the benchmark composes its synthetic texts from these)."""
    tax = shipped()
    return {code: {"name": tax.names[code], "keywords": list(words)} for code, words in tax.keywords.items()}


def scenario_name(code: str, taxonomy: ScenarioSet | None = None) -> str:
    return (taxonomy or shipped()).name(code)


def guess_scenarios(tokens: list[str], taxonomy: ScenarioSet | None = None) -> dict[str, float]:
    return (taxonomy or shipped()).guess(tokens)
