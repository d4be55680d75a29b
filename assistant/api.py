"""JSON API of the assistant: ask a question (scoped like the pages: a report's passages only for those who may see
the report)."""

from django.urls import reverse
from ninja import Router, Schema
from pydantic import Field

from core.links import absolute_url

from . import answers

router = Router(tags=["政策与诊断助手"])


class AssistantAskIn(Schema):
    question: str = Field(min_length=1, max_length=300)
    k: int = Field(5, ge=1, le=20, description="how many passages to return")


class AssistantSourceOut(Schema):
    number: int = Field(description="n in a generated sentence's [n]")
    passage_id: int
    document: str
    document_kind: str
    section: str
    page: int | None
    text: str
    example: bool = Field(description="from the shipped synthetic example corpus, not an official document")
    url: str = Field(description="the page showing the passage highlighted in its document")


class AssistantSentenceOut(Schema):
    text: str
    citations: list[int]


class AssistantAnswerOut(Schema):
    question: str
    mode: str = Field(description="extractive (passages only) or generated (sentences citing the passages)")
    sentences: list[AssistantSentenceOut]
    dropped_sentences: int = Field(description="generated sentences left out for citing no retrieved passage")
    sources: list[AssistantSourceOut]
    retrieval_ms: float | None


@router.post("/ask", response=AssistantAnswerOut, summary="Ask the assistant a question")
def ask(request, payload: AssistantAskIn):
    answer = answers.ask(request.user, payload.question, k=payload.k)
    return {
        "question": answer.question,
        "mode": answer.mode,
        "sentences": [{"text": s.text, "citations": list(s.citations)} for s in answer.generated],
        "dropped_sentences": answer.dropped,
        "sources": [
            {
                "number": i, "passage_id": p.pk, "document": p.document.title, "document_kind": p.document.kind,
                "section": p.section, "page": p.page, "text": p.text, "example": p.document.example,
                "url": absolute_url(reverse("assistant:passage", args=[p.pk])),
            }  # fmt: skip
            for i, p in enumerate(answer.passages, start=1)
        ],
        "retrieval_ms": answer.timings.get("retrieval_ms"),
    }
