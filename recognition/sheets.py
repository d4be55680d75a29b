"""Scoring sheets (评审表): a programme's review form is a maturity-model file, in the maturity library's format,
scored by the same engine (`maturity.score`). The shipped sheets live in recognition/sheets/*.yaml; a programme
names its sheet in `review.scoring_model`. The score is put on 0–100 whatever the sheet's own scale."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

import maturity
from maturity import answers as engine_answers
from maturity.spec import ModelSpec

from . import chain

FOLDER = Path(__file__).parent / "sheets"
CHOICE_KINDS = frozenset({"graded", "single_choice"})
SHEET_KINDS = CHOICE_KINDS | {"multi_select"}  # what the review form renders (a sheet may use these kinds only)


@cache
def load(code: str) -> ModelSpec:
    """The sheet named `code`: recognition/sheets/<code>.yaml, else a model of the maturity library."""
    path = FOLDER / f"{code}.yaml"
    if path.exists():
        return maturity.load_yaml(path)
    from maturity import library

    return library.load(code)


def sheet_for(rules: chain.Spec) -> ModelSpec | None:
    """The programme's scoring sheet, or None when its experts give a plain score."""
    return load(rules.scoring_model) if rules.scoring_model else None


@dataclass(frozen=True)
class Question:
    """One item of the sheet as the review form shows it."""

    code: str
    name: str
    help: str
    kind: str
    options: tuple[tuple[str, str, float], ...]  # (code, label, points)
    domain: str
    required: bool

    @property
    def many(self) -> bool:
        return self.kind == "multi_select"

    @property
    def max_points(self) -> float:
        return sum(p for _, _, p in self.options) if self.many else max(p for _, _, p in self.options)


def questions(spec: ModelSpec) -> list[Question]:
    """The sheet's items in file order, each under the name of the node holding it."""
    found = []
    for ref in spec.iter_items():
        item = ref.item
        if item.kind not in SHEET_KINDS:
            continue
        options = tuple((o.code, o.label or o.code, o.points) for o in item.options)
        domain = " · ".join(node.name for node in ref.path)
        found.append(Question(item.code, item.name, item.help, item.kind, options, domain, item.required))
    return found


def _message(spec: ModelSpec, error: engine_answers.ScoringError) -> str:
    names = {ref.item.code: ref.item.name for ref in spec.iter_items()}
    name = names.get(error.code or "", error.code or "")
    if isinstance(error, engine_answers.UnknownItemError):
        return _("评审表中没有条目“%(code)s”") % {"code": error.code}
    if isinstance(error, engine_answers.MissingAnswerError):
        return _("请为“%(name)s”作出选择") % {"name": name}
    if isinstance(error, engine_answers.NotApplicableNotAllowedError):
        return _("“%(name)s”不能选择“不适用”") % {"name": name}
    if isinstance(error, engine_answers.ItemDoesNotApplyError):
        return _("“%(name)s”不适用于该申请，不应作答") % {"name": name}
    if "互斥" in str(error):
        return _("“%(name)s”中的“无”不能与其他选项同时选择") % {"name": name}
    return _("“%(name)s”的选择无效") % {"name": name}


def clean(spec: ModelSpec, answers: dict) -> dict:
    """Answers as the engine reads them: empty values dropped, a multi-select always a list of codes."""
    kinds = {ref.item.code: ref.item.kind for ref in spec.iter_items()}
    cleaned: dict = {}
    for code, value in answers.items():
        if value in (None, "", [], ()):
            continue
        if kinds.get(code) == "multi_select" and isinstance(value, str):
            value = [value]
        cleaned[code] = list(value) if isinstance(value, tuple | set | frozenset) else value
    return cleaned


def score(rules: chain.Spec, answers: dict) -> tuple[float, dict]:
    """(score on 0–100, the answers kept) for the programme's sheet; the engine's own checks refuse a bad answer,
    with the item named in Chinese."""
    spec = sheet_for(rules)
    if spec is None:
        raise ValidationError(_("本项目没有评审表，请直接给出评分"))
    if not isinstance(answers, dict):
        raise ValidationError(_("评审表的答案格式不正确"))
    kept = clean(spec, answers)
    try:
        result = maturity.score(spec, kept)
    except engine_answers.ScoringError as error:
        raise ValidationError(_message(spec, error)) from error
    return round(result.score / result.scale_max * 100, 2), kept


def points(spec: ModelSpec, answers: dict) -> dict[str, float | None]:
    """Each item's points under the answers (for showing a submitted sheet); the answers were checked already."""
    result = maturity.score(spec, answers)
    return {code: item.points for code, item in result.items.items()}
