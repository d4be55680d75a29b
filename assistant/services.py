"""Writes of the assistant: loading documents (upload, the model library, diagnosis reports, the example corpus) as
passages, and the index run that embeds them in the background with progress."""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterable
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import uploads

from . import docx, retrieval
from .evaluation import example_documents
from .models import Document, IndexRun, Passage

MAX_UPLOAD_MB = 20
TEXT_TYPES = (".txt", ".md")
UPLOAD_TYPES = (*TEXT_TYPES, ".pdf", ".docx")
EMBED_BATCH = 64


class AssistantError(ValidationError):
    """A refused load; the message says why in Chinese."""


def may_manage(user) -> bool:
    """Who loads the corpus and starts the index: the admin and province-level officers."""
    scope = scope_of(user)
    return scope.is_admin or any(len(path) <= 2 for path in scope.officer_paths)


# --- text extraction -------------------------------------------------------------------------------------------------


def extract_text(name: str, data: bytes) -> tuple[str, bool]:
    """(text, paged) of an uploaded file: UTF-8 (or GB18030) text and Markdown as they are; a PDF through poppler's
    pdftotext (pages separated by form feeds); a Word document's paragraphs and tables, its headings as Markdown
    headings (`assistant.docx`). Refuses other types, oversized, disguised or empty files, and scanned PDFs (no text
    layer: no OCR here)."""
    ext = PurePath(name).suffix.lower()
    if ext not in UPLOAD_TYPES:
        raise AssistantError(_("仅支持 .txt、.md、.docx 和 .pdf 文件"))
    if len(data) > MAX_UPLOAD_MB * uploads.MB:
        raise AssistantError(_("文件超过 %(n)s MB 的上限") % {"n": MAX_UPLOAD_MB})
    if ext == ".pdf":
        if problem := uploads.content_problem(".pdf", data):
            raise AssistantError(problem)
        try:
            done = subprocess.run(
                ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=120, check=True
            )
        except (subprocess.SubprocessError, OSError) as exc:
            raise AssistantError(_("无法读取该 PDF 的文字（文件可能已损坏或为扫描图片）")) from exc
        text, paged = done.stdout.decode("utf-8", errors="replace"), True
        if not text.replace("\f", "").strip():
            raise AssistantError(
                _("该 PDF 没有文字层（可能是扫描件），本系统不做文字识别（OCR），请上传带文字的 PDF 或 Word 文件")
            )
    elif ext == ".docx":
        # The shared checks first: a ZIP ending at its end record, caps on the expanded sizes, Word's own parts,
        # no macros, ActiveX or scripts, no markup in stored bytes.
        if problem := uploads.content_problem(".docx", data):
            raise AssistantError(problem)
        try:
            text = docx.docx_text(data)
        except docx.DocxError as exc:
            raise AssistantError(_("无法读取该 Word 文件的内容（文件可能已损坏）")) from exc
        paged = False
    else:
        if uploads.MARKUP.search(data[: uploads.SNIFF_WINDOW]):
            raise AssistantError(_("文件内容与扩展名 %(ext)s 不符") % {"ext": ext})
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise AssistantError(_("无法识别文件的文字编码，请另存为 UTF-8 后再上传")) from exc
        paged = False
    if not text.replace("\f", "").strip():
        raise AssistantError(_("文件中没有可检索的文字（扫描版 PDF 需先做文字识别）"))
    return text.replace("\r\n", "\n"), paged


# --- storing passages ------------------------------------------------------------------------------------------------


def _store(document: Document, pieces: Iterable[tuple[str, int | None, str, str]]) -> int:
    """Replace a document's passages with (section, page, text, key) rows; tokens are cut now, vectors later."""
    Passage.objects.filter(document=document).delete()
    rows = []
    for ordinal, (section, page, text, key) in enumerate(pieces):
        tokens = retrieval.query_tokens(f"{section}\n{text}")
        rows.append(Passage(document=document, ordinal=ordinal, section=section[:300], page=page, text=text,
                            key=key, tokens=" ".join(tokens)))  # fmt: skip
    Passage.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _without_title(section: str, title: str) -> str:
    """The heading path below the document's own title (which every citation already names)."""
    if section == title:
        return ""
    return section.removeprefix(f"{title} › ")


def _first_heading(text: str) -> str:
    """A Markdown document's title: its first level-one heading in the first lines."""
    for line in text.splitlines()[:5]:
        if line.startswith("# "):
            return line[2:].strip()
    return ""


@transaction.atomic
def document_add(*, actor, title: str, kind: str, upload) -> Document:
    """Load one uploaded policy or rules document as passages; the next index run embeds them."""
    if not may_manage(actor):
        raise PermissionDenied(_("只有省级主管部门可以维护助手的资料库"))
    if kind not in (Document.Kind.POLICY, Document.Kind.RULES):
        raise AssistantError(_("请选择文档类型"))
    if upload is None:
        raise AssistantError(_("请选择要上传的文件"))
    data = upload.read()
    name = PurePath(upload.name or "").name[:200]
    text, paged = extract_text(name, data)
    chunks = retrieval.split_document(text, paged=paged)
    if not chunks:
        raise AssistantError(_("文件中没有可检索的文字（扫描版 PDF 需先做文字识别）"))
    title = (title or "").strip() or _first_heading(text) or PurePath(name).stem
    document = Document.objects.create(title=title[:200], kind=kind, original_name=name, paged=paged,
                                       sha256=hashlib.sha256(data).hexdigest(), uploaded_by=actor)  # fmt: skip
    _store(document, ((_without_title(c.section, title), c.page, c.text, "") for c in chunks))
    return document


@transaction.atomic
def document_remove(*, actor, document: Document) -> None:
    if not may_manage(actor) or document.kind == Document.Kind.REPORT:
        raise PermissionDenied(_("只有省级主管部门可以维护助手的资料库"))
    document.delete()


def example_load() -> int:
    """Load (or reload) the shipped example corpus: synthetic documents marked 示例. Returns the passage count."""
    count = 0
    with transaction.atomic():
        for key, passages in example_documents().items():
            first = passages[0]
            document, _created = Document.objects.update_or_create(
                source_key=f"example:{key}",
                defaults={"title": first.document_title, "kind": first.kind, "example": True},
            )
            count += _store(document, ((p.section, None, p.text, p.key) for p in passages))
    return count


def library_sync() -> int:
    """The shipped maturity models, one passage per requirement item (its path, name and help text)."""
    from maturity.library import LIBRARY, load

    count = 0
    for path in sorted(LIBRARY.glob("*.yaml")):
        spec = load(path.stem)
        pieces = []
        for ref in spec.iter_items():
            item = ref.item
            section = " › ".join(node.name for node in ref.path)
            level = getattr(item, "level", None)
            head = f"{item.name}（{level}级）" if level else item.name
            help_text = (getattr(item, "help", "") or "").strip()
            pieces.append((section, None, f"{head}：{help_text}" if help_text else head, ""))
        with transaction.atomic():
            document, _created = Document.objects.update_or_create(
                source_key=f"library:{spec.code}", defaults={"title": spec.name, "kind": Document.Kind.LIBRARY}
            )
            stored = list(document.passages.order_by("ordinal").values_list("section", "text"))
            if stored != [(section[:300], text) for section, _page, text, _key in pieces]:
                count += _store(document, pieces)
    return count


def report_pieces(content: dict) -> list[tuple[str, int | None, str, str]]:
    """Passages of an issued diagnosis report's frozen content: standing, strengths and weaknesses, gaps and the
    roadmap of each model, and the shared findings."""
    pieces = []
    for m in content.get("models", []):
        name = m.get("name", "")
        standing = _("%(name)s：当前等级 %(level)s，总分 %(score)s / %(max)s（%(kind)s）。") % {
            "name": name, "level": m.get("level_name") or "—", "score": m.get("score"),
            "max": m.get("scale_max"), "kind": m.get("kind_label", ""),
        }  # fmt: skip
        strong = "、".join(d["name"] for d in m.get("strengths") or [])
        weak = "、".join(d["name"] for d in m.get("weaknesses") or [])
        if strong:
            standing += _("优势：%(s)s。") % {"s": strong}
        if weak:
            standing += _("短板：%(s)s。") % {"s": weak}
        pieces.append((f"{name} › {_('现状')}", None, standing, ""))
        gap = m.get("gap") or {}
        if gap and not gap.get("reached"):
            domains = "、".join(f"{d['name']}（{d['items']} 项）" for d in gap.get("domains") or [])
            blockers = "；".join(b["message"] for b in gap.get("blockers") or [])
            text = _("目标等级：%(t)s。") % {"t": gap.get("target_name", "")}
            if domains:
                text += _("需提升的能力域：%(d)s。") % {"d": domains}
            if blockers:
                text += _("主要障碍：%(b)s。") % {"b": blockers}
            pieces.append((f"{name} › {_('差距分析')}", None, text, ""))
        for phase in (m.get("roadmap") or {}).get("phases") or []:
            steps = "；".join(f"{s['name']}（{s['from_value']} → {s['to_value']}）" for s in phase.get("steps") or [])
            if steps:
                pieces.append((f"{name} › {_('改进路线图')} › {phase['label']}", None, steps, ""))
    for f in content.get("findings") or []:
        pieces.append((_("诊断意见"), None, f"{f.get('kind_label', '')}：{f.get('text', '')}", ""))
    return pieces


def report_sync() -> int:
    """A document for every issued diagnosis report that has none yet (an issued report never changes)."""
    from reports.models import DiagnosisReport

    count = 0
    for report in (
        DiagnosisReport.objects.filter(enterprise__isnull=False)
        .exclude(pk__in=Document.objects.filter(report__isnull=False).values("report_id"))
        .select_related("enterprise")
    ):
        with transaction.atomic():
            title = _("%(enterprise)s · %(title)s（第 %(v)s 版）") % {
                "enterprise": report.enterprise.name, "title": report.document_title, "v": report.version,
            }  # fmt: skip
            document = Document.objects.create(title=title[:200], kind=Document.Kind.REPORT, report=report,
                                               enterprise=report.enterprise)  # fmt: skip
            count += _store(document, report_pieces(report.content))
    return count


# --- the index run ---------------------------------------------------------------------------------------------------


def index_start(*, actor) -> IndexRun:
    """Queue an index run (tasks.build_index)."""
    from .tasks import build_index

    if not may_manage(actor):
        raise PermissionDenied(_("只有省级主管部门可以更新助手的索引"))
    run = IndexRun.objects.create(started_by=actor)
    transaction.on_commit(lambda: build_index.enqueue(run.pk))
    return run


def _write_vectors(ids: list[int], vectors) -> None:
    """One UPDATE statement run for a whole batch (executemany), in one transaction: no model instances, no CASE
    expression over the batch as bulk_update builds."""
    table = connection.ops.quote_name(Passage._meta.db_table)
    rows = [(retrieval.to_bytes(v), pk) for pk, v in zip(ids, vectors, strict=True)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET vector = %s WHERE id = %s", rows)  # noqa: S608 - the table name is ours


def index_run(run_id: int, *, sync: bool = True, embedder: retrieval.Embedder | None = None,
              batch: int = EMBED_BATCH) -> IndexRun:  # fmt: skip
    """Bring the corpus up to date (documents for newly issued diagnosis reports) and embed every passage without a
    vector, writing vectors and progress batch by batch; a failure marks the run failed and is raised again.

    The pending passages' ids are read once; each batch reads its texts by id, is embedded in one engine call (the
    engine packs the batch's tokens, no padding) and written in one executemany. A passage whose section and text are
    those of a passage already embedded (a re-uploaded or re-synced document: its passages are stored anew) gets that
    vector copied instead of embedded again. Passages removed meanwhile are skipped; passages added meanwhile wait for
    the next run."""
    started = time.perf_counter()
    IndexRun.objects.filter(pk=run_id).update(status=IndexRun.Status.RUNNING, done=0, error="", finished_at=None)
    try:
        if sync:
            report_sync()
        pending = list(Passage.objects.filter(vector__isnull=True).order_by("id").values_list("id", flat=True))
        total = len(pending)
        IndexRun.objects.filter(pk=run_id).update(total=total)
        embed = embedder or retrieval.embedder()
        # What is embedded for a passage → the id of a passage holding that vector (read once, texts only).
        known = {
            f"{section}\n{text}": pk
            for pk, section, text in Passage.objects.filter(vector__isnull=False).values_list("id", "section", "text")
        }
        done = 0
        for at in range(0, total, batch):
            rows = list(Passage.objects.filter(id__in=pending[at : at + batch], vector__isnull=True)
                        .order_by("id").values_list("id", "section", "text"))  # fmt: skip
            texts = {pk: f"{section}\n{text}" for pk, section, text in rows}
            wanted = {known[t] for t in texts.values() if t in known}
            source = (
                dict(Passage.objects.filter(id__in=wanted, vector__isnull=False).values_list("id", "vector"))
                if wanted
                else {}
            )  # a source removed meanwhile is simply not found: its copies are embedded
            reused = [pk for pk in texts if known.get(texts[pk]) in source]
            fresh = [pk for pk in texts if known.get(texts[pk]) not in source]
            if reused:
                _write_vectors(reused, retrieval.from_bytes([bytes(source[known[texts[pk]]]) for pk in reused]))
            if fresh:
                # Identical new passages in one batch are embedded once.
                unique = list(dict.fromkeys(texts[pk] for pk in fresh))
                by_text = dict(zip(unique, embed.passages(unique), strict=True))
                _write_vectors(fresh, [by_text[texts[pk]] for pk in fresh])
                known.update({texts[pk]: pk for pk in fresh})
            done = min(total, at + batch)
            IndexRun.objects.filter(pk=run_id).update(done=done)
    except Exception as error:
        IndexRun.objects.filter(pk=run_id).update(
            status=IndexRun.Status.FAILED, error=(str(error) or type(error).__name__)[:500],
            finished_at=timezone.now(), seconds=round(time.perf_counter() - started, 2),
        )  # fmt: skip
        raise
    IndexRun.objects.filter(pk=run_id).update(status=IndexRun.Status.DONE, finished_at=timezone.now(),
                                              seconds=round(time.perf_counter() - started, 2))  # fmt: skip
    return IndexRun.objects.get(pk=run_id)
