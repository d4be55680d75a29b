"""The optional generated answer: an OpenAI-compatible chat endpoint (vLLM, Ollama, LM Studio …) writes an answer
from the retrieved passages, and only sentences that cite a retrieved passage ([1], [2] …) are kept.

Pure apart from `chat`, which speaks HTTP with the standard library (no SDK: one POST is all it needs). Nothing here
reads settings; the caller passes an `Endpoint` (assistant.services reads it from the environment)."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass

_CITATION = re.compile(r"\[(\d{1,3})\]")
# A sentence ends at Chinese or Western end punctuation or a line break; the citations that follow the punctuation
# ("…元。[2]") belong to the sentence before it.
_SENTENCE = re.compile(r"[^。！？!?\n]*(?:[。！？!?]+(?:\s*\[\d{1,3}\])*|\n|$)")


@dataclass(frozen=True)
class Sentence:
    text: str  # without its [n] markers
    citations: tuple[int, ...]  # 1-based passage numbers, in order of first mention


def sentences(answer: str) -> list[str]:
    """The sentences of an answer, each with the citations that follow its end punctuation."""
    return [m.group(0).strip() for m in _SENTENCE.finditer(answer or "") if m.group(0).strip()]


def cited_sentences(answer: str, n_passages: int) -> list[Sentence]:
    """The sentences of `answer` that cite at least one of passages 1..n_passages; any other sentence is dropped
    (an uncited claim, or one citing a passage that was never retrieved, cannot be traced to a source). A citation
    out of range is left out of a sentence that also has a valid one."""
    kept = []
    for raw in sentences(answer):
        numbers = [int(n) for n in _CITATION.findall(raw)]
        valid = tuple(dict.fromkeys(n for n in numbers if 1 <= n <= n_passages))
        if not valid:
            continue
        text = _CITATION.sub("", raw).strip()  # the page and the API put the (valid) citations back as links
        kept.append(Sentence(text=text, citations=valid))
    return kept


SYSTEM_PROMPT = (
    "你是省级数字化转型平台的政策与诊断助手。只能依据用户提供的编号资料回答，用简体中文，简洁准确。"
    "每一句话的句末都必须用方括号标注所依据的资料编号，例如 [1] 或 [2][3]。资料中没有的内容不要回答，"
    "如果资料不足以回答，就说明资料中没有相关规定并标注最接近的资料编号。"
)


def messages(question: str, passages: Sequence[tuple[str, str]]) -> list[dict]:
    """The chat messages: numbered passages (label, text) and the question."""
    numbered = "\n\n".join(f"[{i}] {label}\n{text}" for i, (label, text) in enumerate(passages, start=1))
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"资料：\n{numbered}\n\n问题：{question}"},
    ]


@dataclass(frozen=True)
class Endpoint:
    base_url: str  # up to and including /v1, e.g. a local Ollama server on port 11434 followed by /v1
    model: str
    api_key: str = ""
    timeout: float = 30.0


class GenerationError(Exception):
    """The endpoint did not give an answer (unreachable, an HTTP error, or a body that is not a chat completion)."""


def chat(endpoint: Endpoint, msgs: list[dict], *, max_tokens: int = 600) -> str:
    """One chat completion's text. Deterministic settings (temperature 0): the same passages give the same answer."""
    body = json.dumps(
        {"model": endpoint.model, "messages": msgs, "temperature": 0, "max_tokens": max_tokens, "stream": False}
    ).encode()
    if not endpoint.base_url.lower().startswith(("http://", "https://")):
        raise GenerationError("base URL must be http or https")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        endpoint.base_url.rstrip("/") + "/chat/completions",
        data=body,
        headers={"Content-Type": "application/json", "Accept": "application/json"}
        | ({"Authorization": f"Bearer {endpoint.api_key}"} if endpoint.api_key else {}),
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=endpoint.timeout) as response:  # noqa: S310 - configured URL
            payload = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise GenerationError(str(exc)) from exc
    try:
        return str(payload["choices"][0]["message"]["content"] or "")
    except (KeyError, IndexError, TypeError) as exc:
        raise GenerationError("unexpected response") from exc
