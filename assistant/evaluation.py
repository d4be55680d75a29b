"""The shipped example corpus and its labelled questions, and the evaluation of BM25, dense and hybrid retrieval on
them. Pure: no Django. `run()` is what the test and `benchmarks/bench_assistant.py` call."""

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


@cache
def questions() -> tuple[tuple[str, frozenset[str]], ...]:
    data = yaml.safe_load((DATA / "eval_questions.yaml").read_text(encoding="utf-8"))
    known = {p.key for p in example_corpus()}
    out = []
    for row in data["questions"]:
        answers = frozenset(row["a"])
        if not answers or not answers <= known:
            raise ValueError(f"question {row['q']!r} cites unknown passages {sorted(answers - known)}")
        out.append((row["q"], answers))
    return tuple(out)


def passage_text(p: ExamplePassage) -> str:
    """What is indexed for a passage: its section heading with its text, as for loaded documents."""
    return f"{p.section}\n{p.text}"


@dataclass(frozen=True)
class Evaluation:
    results: dict[str, retrieval.Metrics]
    passages: int
    questions: int


def run(*, embedder: retrieval.Embedder | None = None, k: int = 5) -> Evaluation:
    """BM25, dense and hybrid on the example corpus, each question against the whole corpus."""
    embedder = embedder or retrieval.embedder()
    corpus = example_corpus()
    texts = [passage_text(p) for p in corpus]
    index = retrieval.HybridIndex([retrieval.query_tokens(t) for t in texts], embedder.passages(texts))
    qs = [(q, set(a)) for q, a in questions()]
    vectors = embedder.queries([q for q, _a in qs]) if qs else np.zeros((0, retrieval.DIM), np.float32)
    results = retrieval.evaluate(index, [p.key for p in corpus], qs, vectors, k=k)
    return Evaluation(results=results, passages=len(corpus), questions=len(qs))
