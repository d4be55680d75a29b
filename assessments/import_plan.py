"""Planning an assessment import: reading the file a column at a time, checking every cell against the model and
the archive, and scoring the valid rows with `maturity.score_many`. Used by both phases of the import (imports.py)."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

import maturity
from accounts.models import Membership
from accounts.policy import scope_of
from core.spreadsheets import SpreadsheetError
from enterprises import creditcode
from enterprises.models import Enterprise
from maturity.answers import prepare
from maturity.encoding import AnswerMatrix

from . import services
from .import_results import is_provisional
from .import_rows import (
    KINDS,
    MISSING,
    PRODUCTION_LABELS,
    PRODUCTION_TYPES,
    HeaderError,
    ItemColumn,
    clean,
    header_known,
    map_headers,
    read_cells,
)
from .models import Assessment, AssessmentImportJob, ModelVersion

log = logging.getLogger(__name__)
MAX_REPORTED_ERRORS = 2000
PREVIEW_ROWS = 50
BATCH = 2000
Status = AssessmentImportJob.Status
NOT_FOUND = "在您可导入的范围内找不到该信用代码的企业，请核对信用代码"


@dataclass
class Plan:
    """What a file would write: valid rows (indexes into the table) with their enterprise, kind and context,
    their scores, and every problem found."""

    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the table was found: sheet, skipped rows, filled cells
    numbers: list[int] = field(default_factory=list)  # sheet row numbers of the valid rows
    enterprise_ids: list[int] = field(default_factory=list)
    credit_codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    contexts: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)  # only for the commit
    batch: maturity.BatchResult | None = None
    provisional: list[bool] = field(default_factory=list)
    level_names: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.numbers)


class _Errors:
    """Problems as (row index, column index, raw value, message); only the first ones by row are reported."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, int, list[str] | None, str | list[str]]] = []
        self.rows_bad: set[int] = set()

    def add(self, row: int, column: int, raw: str, message: str) -> None:
        self.parts.append((np.array([row]), column, [raw], message))

    def add_many(self, rows: np.ndarray, column: int, col: list[str], message: str | list[str]) -> None:
        if len(rows):
            self.parts.append((rows, column, col, message))

    def bad_rows(self, n: int) -> np.ndarray:
        bad = np.zeros(n, dtype=bool)
        for rows, *_rest in self.parts:
            bad[rows] = True
        return bad

    def report(self, headers: list[str], numbers: list[int]) -> tuple[list[dict], int]:
        total = sum(len(rows) for rows, *_ in self.parts)
        flat = []
        for part, (rows, column, _col, _message) in enumerate(self.parts):
            for pos in range(min(len(rows), MAX_REPORTED_ERRORS)):
                flat.append((int(rows[pos]), column, part, pos))
        flat.sort()
        out = []
        for row, column, part, pos in flat[:MAX_REPORTED_ERRORS]:
            rows, _c, col, message = self.parts[part]
            raw = (col[pos] if len(col) == 1 else col[row]) if col is not None else ""
            text = message if isinstance(message, str) else message[pos]
            header = headers[column] if 0 <= column < len(headers) else _("文件")
            out.append({"row": numbers[row], "column": header, "value": str(raw)[:100], "message": text})
        return out, total


def can_import(user) -> bool:
    """Officers and admins import for enterprises they govern; commissioners diagnoses for those assigned to them."""
    scope = scope_of(user)
    return scope.is_authority_or_commissioner


def _importable(actor, codes: list[str]) -> dict[str, tuple[int, str, str, str, str | None, frozenset[str]]]:
    """credit code → (pk, name, county, industry, size, kinds allowed) for the enterprises this actor may import.

    Anything else is absent, so an enterprise in another region reads exactly like an unknown code."""
    scope = scope_of(actor)
    assigned: set[int] = set()
    if scope.is_commissioner:
        through = Membership.assigned_enterprises.through.objects
        assigned = set(
            through.filter(membership_id__in=scope.commissioner_membership_ids).values_list("enterprise_id", flat=True)
        )
    out = {}
    base = Enterprise.objects.visible_to(actor)
    fields = ("credit_code", "pk", "name", "county_id", "industry_id", "size_class")
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        for code, pk, name, county, industry, size in base.filter(credit_code__in=chunk).values_list(*fields):
            if scope.is_admin or scope.manages_code(county):
                kinds = frozenset({Assessment.Kind.SELF, Assessment.Kind.DIAGNOSIS})
            elif pk in assigned:
                kinds = frozenset({Assessment.Kind.DIAGNOSIS})
            else:
                continue
            out[code] = (pk, name, county, industry, size or None, kinds)
    return out


def plan_file(
    path: Path,
    filename: str,
    actor,
    version: ModelVersion,
    progress: Callable[[int], None] = lambda _: None,
    *,
    for_commit: bool = False,
    cache: Path | None = None,
) -> Plan:
    """Read (or, for the commit, reload what the check read), validate every cell, look every enterprise up in
    the actor's scope, and score the valid rows."""
    spec = version.parsed()
    plan = Plan(level_names={0: spec.below_level_name} | {lv.number: lv.name for lv in spec.levels})
    try:
        table = read_cells(path, filename, cache, reuse=for_commit, known=header_known(spec))
        layout, warnings = map_headers(table.headers, spec)
        plan.notes, plan.warnings = table.notes, warnings
    except (SpreadsheetError, HeaderError) as exc:
        plan.errors, plan.error_count = [{"row": 1, "column": _("文件"), "value": "", "message": str(exc)}], 1
        return plan
    progress(30)
    columns, numbers = table.columns, table.numbers
    n = plan.total_rows = len(numbers)
    errors = _Errors()
    fixed = layout.fixed
    raw_codes = [clean(text) for text in columns[fixed["credit_code"]]]
    codes = [creditcode.normalise(code) for code in raw_codes]
    known = _importable(actor, sorted(set(codes)))
    progress(40)

    # Row facts: enterprise, kind, production type → context (its group index selects item applicability).
    seen: dict[int, int] = {}
    groups: dict[tuple, int] = {}
    group_contexts: list[dict] = []
    group_of = np.full(n, -1)
    enterprise_of: list[tuple | None] = [None] * n
    kind_of: list[str] = [""] * n
    ci_name, ci_kind, ci_pt = fixed.get("name"), fixed.get("kind"), fixed.get("production_type")
    for i in range(n):
        cells = _Row(columns, i)
        code = codes[i]
        found = known.get(code)
        if not code:
            errors.add(i, fixed["credit_code"], "", _("必填项不能为空"))
        elif found is None:
            errors.add(i, fixed["credit_code"], raw_codes[i], _(NOT_FOUND))
        elif (first := seen.setdefault(found[0], i)) != i:
            message = _("与第 %(row)s 行是同一家企业：每家企业只能有一行") % {"row": numbers[first]}
            errors.add(i, fixed["credit_code"], raw_codes[i], message)
            found = None
        kind = Assessment.Kind.SELF
        if ci_kind is not None and (text := clean(cells[ci_kind])):
            kind = KINDS.get(text) or KINDS.get(text.lower())
            if kind is None:
                errors.add(i, ci_kind, cells[ci_kind], _("评估类型应为“自评估”或“诊断评估”"))
        if found is not None and kind and kind not in found[5]:
            where = fixed["credit_code"] if ci_kind is None else ci_kind
            errors.add(i, where, cells[where], _("您只能为分配给您的企业导入诊断评估"))
        production = None
        if ci_pt is not None and (text := clean(cells[ci_pt])):
            production = PRODUCTION_TYPES.get(text) or PRODUCTION_TYPES.get(text.lower())
            if production is None:
                errors.add(i, ci_pt, cells[ci_pt], _("生产类型应为“离散型”或“流程型”"))
        if found is None:
            continue
        pk, name, _county, industry, size, _kinds = found
        context = {
            "production_type": production or ("process" if industry in services.PROCESS_DIVISIONS else "discrete"),
            "industry": industry,
            "size": size,
        }
        key = (context["production_type"], industry, size)
        if key not in groups:
            groups[key] = len(group_contexts)
            group_contexts.append(context)
        group_of[i] = groups[key]
        enterprise_of[i], kind_of[i] = found, kind or ""
        given = clean(cells[ci_name]) if ci_name is not None else ""
        if given and given != name and len(plan.warnings) < 50:
            plan.warnings.append(
                _("第 %(row)s 行企业名称“%(given)s”与档案中的“%(name)s”不一致，以信用代码为准")
                % {"row": numbers[i], "given": given[:60], "name": name}
            )
    progress(50)

    # Cells, a column at a time.
    items = [item for _i, item in layout.items]
    item_index = {r.item.code: k for k, r in enumerate(spec.iter_items())}
    applies = np.ones((max(len(group_contexts), 1), len(items)), dtype=bool)
    provisional_of_group = []
    for g, context in enumerate(group_contexts):
        refs = prepare(spec, context).refs
        applies[g] = [refs[item_index[item.code]][1] for item in items]
        provisional_of_group.append(is_provisional(spec, refs))
    has_context = group_of >= 0
    row_applies = applies[np.where(has_context, group_of, 0)]  # (n, items)
    values = np.full((n, len(items)), np.nan)
    answer_maps: list[dict[str, object]] = []
    for j, (column, item) in enumerate(layout.items):
        parser = ItemColumn(item, table.headers[column])
        col = columns[column]
        parsed = {text: parser.parse(text) for text in set(col)}
        numbers_of = {t: (p[1] if isinstance(p, tuple) else math.nan) for t, p in parsed.items()}
        values[:, j] = np.fromiter((numbers_of[t] for t in col), float, count=n)
        bad_texts = {t: p for t, p in parsed.items() if isinstance(p, str)}
        if bad_texts:
            bad = np.array([i for i, t in enumerate(col) if t in bad_texts], dtype=int)
            errors.add_many(bad, column, col, [bad_texts[col[i]] for i in bad])
        answer_maps.append({t: p[0] for t, p in parsed.items() if isinstance(p, tuple)})
        app = row_applies[:, j]
        cell = values[:, j]
        answered = ~np.isnan(cell)
        is_na = cell == -np.inf
        not_applicable = np.flatnonzero(has_context & ~app & answered & ~is_na)
        if len(not_applicable):
            pts = [PRODUCTION_LABELS.get(p, p) for p in item.applies_to.production_types]
            message = (
                _("该条目只适用于%(p)s企业，本企业不应作答（请留空或填“不适用”）") % {"p": "、".join(pts)}
                if pts
                else _("该条目不适用于本企业，请留空")
            )
            errors.add_many(not_applicable, column, col, message)
        if not item.not_applicable_allowed:
            errors.add_many(np.flatnonzero(has_context & app & is_na), column, col, _("该条目不允许填写“不适用”"))
        if item.required:
            empty_texts = {t for t, p in parsed.items() if isinstance(p, tuple) and p[0] is MISSING}
            empty = np.fromiter((t in empty_texts for t in col), bool, count=n)
            errors.add_many(np.flatnonzero(has_context & app & empty), column, col, _("必答条目未填写"))
        if j % 20 == 0:
            progress(50 + int(30 * j / max(len(items), 1)))
    bad_rows = errors.bad_rows(n)
    valid = np.flatnonzero(~bad_rows & has_context)
    plan.errors, plan.error_count = errors.report(table.headers, numbers)
    if plan.error_count:
        return plan
    progress(85)

    # Score every valid row at once (rows are grouped by context inside score_many).
    contexts = [group_contexts[group_of[i]] for i in valid]
    matrix = AnswerMatrix(tuple(item.code for item in items), values[valid])
    try:
        plan.batch = maturity.score_many(spec, matrix, contexts)
    except maturity.ScoringError as exc:  # our checks should have caught it; report it rather than fail
        plan.errors = [{"row": 0, "column": exc.code or "", "value": "", "message": str(exc)}]
        plan.error_count = 1
        return plan
    for i in valid:
        found = enterprise_of[i]
        plan.numbers.append(numbers[i])
        plan.enterprise_ids.append(found[0])
        plan.names.append(found[1])
        plan.credit_codes.append(codes[i])
        plan.kinds.append(kind_of[i])
        plan.provisional.append(provisional_of_group[group_of[i]])
    plan.contexts = contexts
    if for_commit:
        plan.answers = _answers(columns, valid, layout.items, answer_maps)
    progress(95)
    return plan


class _Row:
    """Row i of column-major cells, for the few fixed columns read row by row."""

    __slots__ = ("columns", "i")

    def __init__(self, columns: list[list[str]], i: int) -> None:
        self.columns, self.i = columns, i

    def __getitem__(self, column: int) -> str:
        return self.columns[column][self.i]


def _answers(columns, valid, items, answer_maps) -> list[dict]:
    out: list[dict] = [{} for _ in valid]
    for (column, item), amap in zip(items, answer_maps, strict=True):
        code, col = item.code, columns[column]
        for answers, i in zip(out, valid, strict=True):
            value = amap[col[i]]
            if value is not MISSING:
                answers[code] = value
    return out
