"""HTML of one questionnaire item, built in Python.

A page may hold 200 items; rendering each through a Django template include cost ~1 ms per item, which broke the
150 ms budget for the page. The markup is the same as a template would produce and everything is escaped."""

from dataclasses import dataclass
from html import escape  # the stdlib one: Django's lazy-aware wrapper costs 4× as much and escapes the same 5 chars

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .questionnaire import Question

ACCEPT = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.pptx"


def _choices(q: Question) -> str:
    if q.kind in ("graded", "single_choice", "scene", "prerequisite"):
        kind, checked_ok = "radio", not q.is_na
    elif q.kind == "multi_select":
        kind, checked_ok = "checkbox", True
    else:
        return ""
    name = escape(f"a:{q.code}")
    parts = []
    for c in q.choices:
        checked = " checked" if c.checked and checked_ok else ""
        shown = c.points and q.kind != "scene"
        points = f'<small class="text-secondary">（{escape(c.points)}）</small>' if shown else ""
        parts.append(
            f'<label class="q-choice"><input class="form-check-input" type="{kind}" name="{name}" '
            f'value="{escape(c.value)}"{checked}{" data-exclusive" if c.exclusive else ""}> '
            f"<span>{escape(c.label)}</span>{points}</label>"
        )
    role = ' role="radiogroup"' if kind == "radio" else ""
    return f'<div class="q-choices"{role}>{"".join(parts)}</div>'


def _input(q: Question) -> str:
    name = escape(f"a:{q.code}")
    if q.kind == "numeric_bands":
        invalid = ' aria-invalid="true"' if q.error else ""
        unit = f'<span class="input-group-text">{escape(q.unit)}</span>' if q.unit else ""
        return (
            f'<div class="input-group q-number"><input class="form-control" type="text" inputmode="decimal" '
            f'name="{name}" value="{escape(q.text)}" aria-label="{escape(q.name)}"{invalid}>{unit}</div>'
        )
    if q.kind == "evidence_text":
        return (
            f'<textarea class="form-control" name="{name}" rows="3" maxlength="2000" '
            f'aria-label="{escape(q.name)}">{escape(q.text)}</textarea>'
        )
    return _choices(q)


@dataclass(frozen=True)
class PageText:
    """Translated words and URLs shared by every item of a page, computed once per page."""

    assessment_pk: int
    verifying: bool
    upload_url: str
    delete: str
    attach: str
    attach_file: str
    upload: str
    allowed: str
    not_applicable: str
    provisional: str
    provisional_title: str
    before: str
    reason: str
    level: str  # "%(n)d 级要求"

    @classmethod
    def for_page(cls, assessment_pk: int, verifying: bool) -> "PageText":
        return cls(
            assessment_pk,
            verifying,
            reverse("assessments:evidence_upload", args=[assessment_pk]),
            _("删除"),
            _("附佐证材料（可选）"),
            _("上传材料"),
            _("上传"),
            _("PDF、图片、Word、Excel、PowerPoint，不超过 20 MB"),
            _("不适用"),
            _("暂定"),
            _("本模型部分内容尚待官方文本核实，结果仅供参考"),
            _("原评估答案："),
            _("与原评估不一致的理由"),
            _("%(n)d 级要求"),
        )


def _evidence(q: Question, t: PageText) -> str:
    files = []
    for ev in q.evidence:
        download = reverse("assessments:evidence_download", args=[t.assessment_pk, ev.pk])
        delete = reverse("assessments:evidence_delete", args=[t.assessment_pk, ev.pk])
        files.append(
            f'<span class="evidence-file"><a href="{escape(download)}">{escape(ev.original_name)}</a>'
            f'<button class="btn btn-link btn-sm text-danger p-0 ms-1" type="submit" formaction="{escape(delete)}" '
            f'formnovalidate aria-label="{escape(t.delete)} {escape(ev.original_name)}">×</button></span>'
        )
    opened = " open" if q.kind == "evidence_file" or q.error else ""
    summary = t.attach_file if q.kind == "evidence_file" else t.attach
    code = escape(q.code)
    upload = (
        f'<details{opened}><summary class="small">{escape(summary)}</summary><div class="d-flex gap-2 mt-1 flex-wrap">'
        f'<input class="form-control form-control-sm w-auto" type="file" name="f:{code}" accept="{ACCEPT}" '
        f'aria-label="{escape(summary)} {code}">'
        f'<button class="btn btn-sm btn-outline-secondary" type="submit" name="upload" value="{code}" '
        f'formaction="{escape(t.upload_url)}" formenctype="multipart/form-data" formnovalidate>{escape(t.upload)}'
        f'</button><span class="form-text">{escape(t.allowed)}</span></div></details>'
    )
    return f'<div class="q-evidence">{"".join(files)}{upload}</div>'


def render_question(q: Question, t: PageText) -> SafeString:
    classes = "q-item" + (" has-error" if q.error else "") + (" changed" if q.changed else "")
    code = escape(q.code)
    level = f' <span class="badge text-bg-light border">{escape(t.level % {"n": q.level})}</span>' if q.level else ""
    provisional = (
        f' <span class="badge provisional-badge" title="{escape(t.provisional_title)}">{escape(t.provisional)}</span>'
        if q.provisional
        else ""
    )
    out = [
        f'<fieldset class="{classes}" id="item-{code}" data-testid="item-{code}">',
        f'<input type="hidden" name="m:{code}" value="1">',
        f'<legend class="q-title"><span class="q-code">{code}</span> {escape(q.name)}{level}{provisional}</legend>',
    ]
    if q.help:
        out.append(f'<div class="q-help">{escape(q.help)}</div>')
    out.append(_input(q))
    if q.na_allowed:
        checked = " checked" if q.is_na else ""
        out.append(
            f'<label class="q-choice q-na"><input class="form-check-input" type="checkbox" name="na:{code}" value="1"'
            f"{checked}> <span>{escape(t.not_applicable)}</span></label>"
        )
        if q.is_na and q.kind == "evidence_file":
            out.append(f'<input type="hidden" name="was_na:{code}" value="1">')
    out.append(_evidence(q, t))
    if t.verifying:
        star = ' <span class="text-danger">*</span>' if q.changed else ""
        out.append(
            f'<div class="q-verify{" show" if q.changed else ""}"><div class="small">{escape(t.before)}'
            f"<strong>{escape(q.before_display)}</strong></div>"
            f'<label class="form-label small mb-0" for="r-{code}">{escape(t.reason)}{star}</label>'
            f'<input class="form-control form-control-sm" id="r-{code}" name="r:{code}" value="{escape(q.reason)}" '
            f'maxlength="500"></div>'
        )
    if q.error:
        out.append(f'<div class="invalid-feedback d-block" role="alert">{escape(q.error)}</div>')
    out.append("</fieldset>")
    return mark_safe("".join(out))  # noqa: S308 -- every value above is escaped
