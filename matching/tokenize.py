"""Chinese tokenizer for matching and catalog search: jieba plus a shipped domain dictionary.

One private ``jieba.Tokenizer`` (never the global one) is built once per process, so other code that
uses jieba keeps its own dictionary. jieba's cache file goes to a dedicated directory under the system
temp dir, never next to the project.
"""

from __future__ import annotations

import logging
import math
import os
import re
import tempfile
import threading
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).resolve().parent / "data"

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_lock = threading.Lock()


def _data_lines(name: str) -> list[str]:
    lines = []
    for raw in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(line)
    return lines


def normalise_text(text: str) -> str:
    """Full-width to half-width (NFKC) and ASCII lower-casing."""
    return unicodedata.normalize("NFKC", text or "").lower()


@cache
def domain_terms() -> tuple[str, ...]:
    return tuple(normalise_text(line) for line in _data_lines("domain_dict.txt"))


@cache
def synonyms() -> dict[str, str]:
    table: dict[str, str] = {}
    for line in _data_lines("synonyms.txt"):
        variant, canonical = line.split()
        table[normalise_text(variant)] = normalise_text(canonical)
    return table


@cache
def stopwords() -> frozenset[str]:
    return frozenset(word for line in _data_lines("stopwords.txt") for word in line.split())


@cache
def _jieba() -> jieba.Tokenizer:
    # jieba logs "Building prefix dict" at DEBUG on its own logger; keep the test output quiet.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _lock:
        tk = jieba.Tokenizer()
        tk.tmp_dir = os.path.join(tempfile.gettempdir(), "tidu-jieba")
        os.makedirs(tk.tmp_dir, exist_ok=True)
        tk.initialize()
        # Terms are added in file order, so the suggested frequencies (and the cuts) are reproducible.
        words = list(dict.fromkeys([*domain_terms(), *synonyms(), *synonyms().values()]))
        for word in words:
            if " " not in word:
                tk.add_word(word)
        return tk


_MIN_SUBWORD_FREQ = 60


def _cut_for_search(tk: jieba.Tokenizer, text: str, domain: set[str]) -> Iterable[str]:
    # jieba's own cut_for_search emits every 2-gram found in its dictionary, including rare junk such
    # as "业大" inside "工业大模型"; keep only domain terms and common words.
    for word in tk.cut(text, HMM=True):
        if len(word) > 2 and not word.isascii():
            for n in (2, 3):
                for i in range(len(word) - n + 1):
                    gram = word[i : i + n]
                    if gram != word and (gram in domain or tk.FREQ.get(gram, 0) >= _MIN_SUBWORD_FREQ):
                        yield gram
        yield word


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Tokens of ``text``: domain terms whole, plus the shorter dictionary words inside long words.

    Search-mode cutting emits "工业互联网" and also "互联网", which lets a need that says "互联网平台"
    meet a solution that says "工业互联网平台". Synonyms are mapped to one canonical form.
    """
    tk = _jieba()
    syn = synonyms()
    stop = stopwords()
    tokens: list[str] = []
    domain = set(domain_terms()) | set(syn)
    for raw in _cut_for_search(tk, normalise_text(text), domain):
        token = raw.strip()
        if not token or _PUNCT.match(token):
            continue
        token = syn.get(token, token)
        if not keep_stopwords and token in stop:
            continue
        if len(token) == 1 and not token.isascii():
            # Single Chinese characters are mostly noise for matching (的, 厂, 线); keep ASCII like "c".
            continue
        tokens.append(token)
    return tokens


# Numbers and counted quantities: 十几个, 三十来个, 50万, 2025年, 几台.
_QUANTITY = re.compile(
    r"^[0-9.零〇一二三四五六七八九十百千万亿几两多来余数半整]+[个家台套条人名位件批年月天日次元万种项倍成%]*$"
)
# jieba glues a wish verb to the next character when it knows neither as a word: 想建, 想上, 要做.
_WISH = re.compile(r"^[想要请][\u4e00-\u9fff]$")
# A word this common in general Chinese (jieba's dictionary: -ln of its relative frequency) says little about a
# need unless it is one of our domain terms: 出来 7.6, 这些 7.1, 问题 7.0, 系统 8.0, 管理 7.7; 设备 8.9 passes.
_MIN_RARITY = 8.2


@cache
def fillers() -> frozenset[str]:
    return frozenset(normalise_text(w) for line in _data_lines("fillers.txt") for w in line.split())


@cache
def _protected() -> frozenset[str]:
    return frozenset(domain_terms()) | frozenset(synonyms()) | frozenset(synonyms().values())


@lru_cache(maxsize=65536)
def informative(token: str, *, extra: frozenset[str] = frozenset()) -> bool:
    """Whether a token of a need's text can count for the text signal and be named back to the user.

    Domain terms, synonyms and ``extra`` (the taxonomy's scenario words) always can; fillers, quantities and words
    that are very common in general Chinese cannot; ASCII needs two characters ("mes", "5g")."""
    if token in _protected() or token in extra:
        return True
    if token in fillers() or token in stopwords() or _QUANTITY.match(token) or _WISH.match(token):
        return False
    if token.isascii():
        return len(token) >= 2
    tk = _jieba()
    return -math.log((tk.FREQ.get(token, 0) + 1) / tk.total) >= _MIN_RARITY


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(text) for text in texts]
