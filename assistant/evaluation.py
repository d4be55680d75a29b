"""The shipped example corpus and its labelled questions, and the evaluation of BM25, dense and hybrid retrieval on
them. Pure: no Django. `run()` is what the test and `benchmarks/bench_assistant.py` call.

The questions carry a fixed split (`s: dev | held`, alternating in file order): the hybrid's fusion weight is chosen
on the dev half only (`choose_fusion`), and every figure is reported on dev, on the held-out half and on all."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import yaml

from . import retrieval

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class ExamplePassage:
    key: str  # the stable id the questions cite, e.g. "voucher-03"
    document_key: str
    document_title: str
    kind: str
    section: str
    text: str


@cache
def example_corpus() -> tuple[ExamplePassage, ...]:
    data = yaml.safe_load((DATA / "example_corpus.yaml").read_text(encoding="utf-8"))
    passages = []
    for doc in data["documents"]:
        for section in doc["sections"]:
            for p in section["passages"]:
                passages.append(ExamplePassage(p["id"], doc["key"], doc["title"], doc["kind"], section["heading"],
                                               p["text"].strip()))  # fmt: skip
    keys = [p.key for p in passages]
    if len(set(keys)) != len(keys):
        raise ValueError("example corpus: passage ids must be unique")
    return tuple(passages)


def example_documents() -> dict[str, list[ExamplePassage]]:
    """The example corpus grouped by document, in file order."""
    grouped: dict[str, list[ExamplePassage]] = {}
    for p in example_corpus():
        grouped.setdefault(p.document_key, []).append(p)
    return grouped


SPLITS = ("dev", "held")


@cache
def _question_rows() -> tuple[tuple[str, frozenset[str], str], ...]:
    data = yaml.safe_load((DATA / "eval_questions.yaml").read_text(encoding="utf-8"))
    known = {p.key for p in example_corpus()}
    out = []
    for row in data["questions"]:
        answers = frozenset(row["a"])
        if not answers or not answers <= known:
            raise ValueError(f"question {row['q']!r} cites unknown passages {sorted(answers - known)}")
        if row.get("s") not in SPLITS:
            raise ValueError(f"question {row['q']!r}: s must be one of {SPLITS}")
        out.append((row["q"], answers, row["s"]))
    return tuple(out)


def questions(split: str | None = None) -> tuple[tuple[str, frozenset[str]], ...]:
    """The labelled questions (text, answering passage keys), all or one split's."""
    return tuple((q, a) for q, a, s in _question_rows() if split is None or s == split)


def passage_text(p: ExamplePassage) -> str:
    """What is indexed for a passage: its section heading with its text, as for loaded documents."""
    return f"{p.section}\n{p.text}"


@dataclass(frozen=True)
class Evaluation:
    results: dict[str, retrieval.Metrics]  # on all questions
    dev: dict[str, retrieval.Metrics]
    held: dict[str, retrieval.Metrics]
    weight: float  # the fusion weight chosen on dev
    grid: dict[float, retrieval.Metrics]  # the hybrid on dev for every weight tried
    passages: int
    questions: int


def choose_fusion(grid: dict[float, retrieval.Metrics]) -> float:
    """The weight with the best dev MRR, then the best dev recall, then the smallest weight (a fixed rule, so the
    choice is reproducible from the grid alone)."""
    return min(grid, key=lambda w: (-round(grid[w].mrr, 9), -round(grid[w].recall_at_k, 9), w))


def run(*, embedder: retrieval.Embedder | None = None, k: int = 5) -> Evaluation:
    """BM25, dense, hybrid and RRF on the example corpus, each question against the whole corpus; the hybrid's
    weight chosen on the dev questions from `retrieval.FUSION_GRID`."""
    embedder = embedder or retrieval.embedder()
    corpus = example_corpus()
    texts = [passage_text(p) for p in corpus]
    index = retrieval.HybridIndex([retrieval.query_tokens(t) for t in texts], embedder.passages(texts))
    keys = [p.key for p in corpus]
    rows = _question_rows()
    vectors = embedder.queries([q for q, _a, _s in rows]) if rows else np.zeros((0, retrieval.DIM), np.float32)
    split_of = [s for _q, _a, s in rows]

    def part(split: str | None) -> tuple[list[tuple[str, set[str]]], np.ndarray]:
        picked = [i for i, s in enumerate(split_of) if split is None or s == split]
        return [(rows[i][0], set(rows[i][1])) for i in picked], vectors[picked]

    dev_qs, dev_vectors = part("dev")
    grid = {
        w: retrieval.evaluate(index, keys, dev_qs, dev_vectors, k=k, weight=w)["hybrid"] for w in retrieval.FUSION_GRID
    }
    weight = choose_fusion(grid)
    return Evaluation(
        results=retrieval.evaluate(index, keys, *part(None), k=k, weight=weight),
        dev=retrieval.evaluate(index, keys, dev_qs, dev_vectors, k=k, weight=weight),
        held=retrieval.evaluate(index, keys, *part("held"), k=k, weight=weight),
        weight=weight, grid=grid, passages=len(corpus), questions=len(rows),
    )  # fmt: skip
