"""Answering a question: the in-process index over the stored passages, scoped retrieval, the extractive answer and
(when an OpenAI-compatible endpoint is configured) the generated answer whose every sentence cites a passage.

The index (BM25 postings and the vector matrix) is built from the database once per process and rebuilt when the
set of embedded passages changes (one cheap aggregate per question tells). Passages without a vector yet (loaded,
not indexed) are not searched."""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from . import generate, retrieval
from .models import Document, IndexRun, Passage

TOP_K = 5


@dataclass
class _Loaded:
    stamp: tuple
    index: retrieval.HybridIndex
    passage_ids: np.ndarray
    document_ids: np.ndarray
    public: np.ndarray  # passages of documents every signed-in user may read (not a report)


_lock = threading.Lock()
_loaded: _Loaded | None = None


def _stamp() -> tuple:
    """Changes whenever a passage is embedded or removed, or a document is added or removed.

    Cheap on every question (it used to count the passages with a vector, a scan of the vector column: 61 ms of a
    question at 10,000 passages on a busy machine): vectors are written only by index runs, which record progress
    (`done`) after every batch; passages are replaced with new ids (max id) or removed (count, from an index)."""
    passages = Passage.objects.aggregate(n=Count("id"), top=Max("id"))
    run = IndexRun.objects.order_by("-id").values_list("id", "created_at", "done", "status").first()
    docs = Document.objects.aggregate(n=Count("id"), top=Max("id"), latest=Max("created_at"))
    return (passages["n"], passages["top"], run, docs["n"], docs["top"], docs["latest"])


def loaded_index() -> _Loaded:
    global _loaded
    stamp = _stamp()
    current = _loaded
    if current is not None and current.stamp == stamp:
        return current
    with _lock:
        if _loaded is not None and _loaded.stamp == stamp:
            return _loaded
        rows = list(
            Passage.objects.filter(vector__isnull=False)
            .order_by("id")
            .values_list("id", "document_id", "tokens", "vector", "document__report_id")
        )
        index = retrieval.HybridIndex([r[2].split() for r in rows], retrieval.from_bytes([bytes(r[3]) for r in rows]))
        _loaded = _Loaded(
            stamp=stamp,
            index=index,
            passage_ids=np.array([r[0] for r in rows], dtype=np.int64),
            document_ids=np.array([r[1] for r in rows], dtype=np.int64),
            public=np.array([r[4] is None for r in rows], dtype=bool),
        )
        return _loaded


def visible_report_documents(user) -> set[int] | None:
    """The ids of the report documents this user may read (Document.objects.visible_to); None for the admin, who sees
    every enterprise and so every report (no need to list them)."""
    if scope_of(user).is_admin:
        return None
    return set(Document.objects.visible_to(user).filter(report__isnull=False).values_list("id", flat=True))


def allowed_mask(loaded: _Loaded, report_docs: set[int] | None) -> np.ndarray:
    """The passages a user may see: every public document's, and those of the report documents listed
    (`visible_report_documents`; None: all)."""
    if report_docs is None:
        return np.ones(loaded.index.size, dtype=bool)
    mask = loaded.public.copy()
    if report_docs:
        mask |= np.isin(loaded.document_ids, np.fromiter(report_docs, dtype=np.int64))
    return mask


def endpoint() -> generate.Endpoint | None:
    """The OpenAI-compatible endpoint from the environment (TIDU_LLM_BASE_URL, TIDU_LLM_MODEL, TIDU_LLM_API_KEY,
    TIDU_LLM_TIMEOUT), read at call time; None (extractive answers only) unless both URL and model are set."""
    base, model = os.environ.get("TIDU_LLM_BASE_URL", "").strip(), os.environ.get("TIDU_LLM_MODEL", "").strip()
    if not base or not model:
        return None
    return generate.Endpoint(base_url=base, model=model, api_key=os.environ.get("TIDU_LLM_API_KEY", ""),
                             timeout=float(os.environ.get("TIDU_LLM_TIMEOUT") or 30))  # fmt: skip


@dataclass
class Answer:
    question: str
    passages: list[Passage]  # the sources, best first; [n] in a generated answer is passages[n - 1]
    generated: list[generate.Sentence] = field(default_factory=list)
    generation_error: str = ""
    dropped: int = 0  # generated sentences left out for citing no retrieved passage
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return "generated" if self.generated else "extractive"


def ask(user, question: str, *, k: int = TOP_K, use_endpoint: bool = True) -> Answer:
    """The best `k` passages the user may see for `question`, and a generated answer when an endpoint is set."""
    question = (question or "").strip()
    answer = Answer(question=question, passages=[])
    if not question or not user.is_authenticated:
        return answer
    started = time.perf_counter()
    loaded = loaded_index()
    report_docs = visible_report_documents(user)
    mask = allowed_mask(loaded, report_docs)
    vector = retrieval.embedder().queries([question])[0] if loaded.index.size else None
    ranked = loaded.index.rank(retrieval.query_tokens(question), vector, mask)
    ids = [int(loaded.passage_ids[i]) for i in ranked.hybrid[:k]]
    # Checked again as read: the mask already left the others out, and this makes sure that no passage of a report
    # outside the user's scope is ever shown, whatever the in-process index holds. The report documents are the
    # ones Document.objects.visible_to gave above (a subquery per read cost 10-30 ms at 10,000 passages).
    by_id = Passage.objects.select_related("document").in_bulk(ids)
    answer.passages = [
        p for i in ids if (p := by_id.get(i)) is not None
        and (p.document.report_id is None or report_docs is None or p.document_id in report_docs)
    ]  # fmt: skip
    answer.timings["retrieval_ms"] = round((time.perf_counter() - started) * 1000, 1)
    config = endpoint() if use_endpoint else None
    if config is not None and answer.passages:
        sources = [(p.citation, p.text) for p in answer.passages]
        try:
            text = generate.chat(config, generate.messages(question, sources))
        except generate.GenerationError as exc:
            answer.generation_error = _("生成式回答暂不可用（%(error)s），以下为检索到的原文段落。") % {"error": exc}
        else:
            answer.generated = generate.cited_sentences(text, len(answer.passages))
            answer.dropped = len(generate.sentences(text)) - len(answer.generated)
    return answer
