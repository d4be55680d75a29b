"""Okapi BM25 over tokenised documents; also the plain baseline of the evaluation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


class BM25:
    """An in-memory BM25 index: postings per term as NumPy arrays, scores for all documents at once.

    idf = ln(1 + (N - n + 0.5) / (n + 0.5)) (the non-negative Lucene form), and a term's contribution is
    idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl)). Repeated query terms count once per use.
    """

    def __init__(self, docs: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self.n_docs = len(docs)
        self.doc_len = np.array([len(d) for d in docs], dtype=float)
        self.avgdl = float(self.doc_len.mean()) if self.n_docs and self.doc_len.sum() else 1.0
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, doc in enumerate(docs):
            for term, tf in sorted(Counter(doc).items()):
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(i)
                tfs.append(tf)
        self._postings = {t: (np.array(ids), np.array(tfs, dtype=float)) for t, (ids, tfs) in postings.items()}
        self._norm = k1 * (1 - b + b * self.doc_len / self.avgdl)

    def knows(self, term: str) -> bool:
        """Whether any document uses ``term``."""
        return term in self._postings

    def idf(self, term: str) -> float:
        n = len(self._postings[term][0]) if term in self._postings else 0
        return float(np.log(1 + (self.n_docs - n + 0.5) / (n + 0.5)))

    def query_weight(self, query: Sequence[str], *, unknown: float = 0.5) -> float:
        """Σ idf over the query (each use counts): the BM25 score of an average-length document holding every query
        term once, which makes a score absolute (score / weight ≈ the share of the query a document matches).

        A term no document uses counts ``unknown`` times its idf: it still says the pool does not cover part of
        the need, but an incidental word (我厂, a place name) must not outweigh the words every match shares."""
        return float(sum(self.idf(t) * (1.0 if t in self._postings else unknown) for t in query))

    def scores(self, query: Sequence[str]) -> np.ndarray:
        out = np.zeros(self.n_docs)
        for term in query:
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids, tfs = posting
            out[ids] += self.idf(term) * tfs * (self.k1 + 1) / (tfs + self._norm[ids])
        return out

    def matched_terms(self, query: Sequence[str], doc: int) -> list[str]:
        """Query terms present in document ``doc``, highest idf first (for explanations)."""
        hits = set()
        for term in set(query):
            posting = self._postings.get(term)
            if posting is None:
                continue
            ids = posting[0]  # ascending: documents are indexed in order
            j = int(np.searchsorted(ids, doc))
            if j < len(ids) and ids[j] == doc:
                hits.add(term)
        return sorted(hits, key=lambda t: (-self.idf(t), t))

    def top(self, query: Sequence[str], k: int = 10) -> list[tuple[int, float]]:
        scores = self.scores(query)
        order = np.lexsort((np.arange(self.n_docs), -scores))
        return [(int(i), float(scores[i])) for i in order[:k] if scores[i] > 0]
