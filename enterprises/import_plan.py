"""Planning an enterprise import: read a stored file, validate every row and decide what each would write (create
or update by credit code, with its changes). Both phases of the import plan the same way (imports.py)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from accounts.policy import scope_of
from core.spreadsheets import SpreadsheetError

from . import events, import_groups
from .import_rows import (
    ENTERPRISE_FIELDS,
    HEADERS,
    AmbiguousColumn,
    HeaderError,
    Lookups,
    Row,
    RowError,
    RowValidator,
    map_headers,
)
from .import_sheet import locate
from .models import Enterprise
from .services import initials

BATCH = 2000


@dataclass
class Action:
    row: Row
    enterprise: Enterprise  # unsaved for a new one; the loaded instance with new values applied for an update
    is_new: bool
    changes: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the table was found: sheet, skipped rows, filled cells
    # What the importer is asked to answer for the whole file: {"year": 2025} when no year column holds the figures'
    # year, {"county_column": [[index, header], …]} when two columns could be the county.
    questions: dict = field(default_factory=dict)
    total_rows: int = 0
    groupings: import_groups.GroupingPlan | None = None  # clusters and chains the rows name (import_groups)

    @property
    def created(self) -> int:
        return sum(1 for a in self.actions if a.is_new)

    @property
    def updated(self) -> int:
        return sum(1 for a in self.actions if not a.is_new and a.changes)

    @property
    def unchanged(self) -> int:
        return sum(1 for a in self.actions if not a.is_new and not a.changes)


def chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


FIGURE_KEYS = ("employees", "revenue", "assets")


def default_year() -> int:
    """The year figures are taken for when the file does not say: last year, the one annual lists report."""
    return timezone.localdate().year - 1


def plan_file(
    path: Path,
    filename: str,
    actor,
    progress: Callable[[int], None] = lambda _: None,
    *,
    for_commit: bool = False,
    answers: dict | None = None,
) -> Plan:
    """Read, validate and decide each row's action. Pinyin initials (the slowest step) only for the commit.

    `answers` are what the importer said for the whole file: "year" (figures' year when no column holds it),
    "county_column" (0-based position of the county column when two could be) and "confirm_groupings" (create the
    clusters and chains the file names that do not exist yet)."""
    plan = Plan()
    answers = answers or {}
    choose = {"county": answers["county_column"]} if answers.get("county_column") is not None else {}
    try:
        table = locate(path, filename)
        plan.notes = table.notes
        mapping, plan.warnings = map_headers(table.headers, choose=choose)
    except AmbiguousColumn as exc:
        plan.questions["county_column"] = [[index, header] for index, header in exc.candidates]
        plan.errors.append(RowError(table.header_row, "文件", "", str(exc)))
        return plan
    except (SpreadsheetError, HeaderError) as exc:
        plan.errors.append(RowError(1, "文件", "", str(exc)))
        return plan
    asked_year = None
    if "year" not in mapping and any(key in mapping for key in FIGURE_KEYS):
        # No column says which year the figures are for: ask once for the whole file (default last year), and give
        # each row with figures that year as if the file had the column.
        asked_year = int(answers.get("year") or default_year())
        plan.questions["year"] = asked_year
        mapping = {**mapping, "year": len(table.headers)}
    plan.total_rows = len(table.rows)
    scope = scope_of(actor)
    validator = RowValidator(Lookups(scope), mapping)
    plan.notes.extend(validator.settle_date_orders(table.rows))  # whole-file pass: how the date columns are written
    rows: list[Row] = []
    step = max(len(table.rows) // 20, 1)
    for offset, (number, cells) in enumerate(table.rows):
        if offset % step == 0:
            progress(int(60 * offset / len(table.rows)))
        if not any(cell.strip() for cell in cells):
            continue  # blank lines in the middle of a sheet are skipped, not errors
        if asked_year is not None:
            has_figures = any(cells[mapping[key]].strip() for key in FIGURE_KEYS if key in mapping)
            cells = [*cells, str(asked_year) if has_figures else ""]
        row, errors = validator.validate(number, cells)
        plan.errors.extend(errors)
        if row is not None:
            rows.append(row)
    del table  # the file's text (~150 MB for 100,000 rows) is not needed past validation: free it now
    existing: dict[str, Enterprise] = {}
    codes = [row.values["credit_code"] for row in rows]
    for chunk in chunks(codes):
        for enterprise in Enterprise.objects.filter(credit_code__in=chunk):
            existing[enterprise.credit_code] = enterprise
    progress(75)
    for row in rows:
        current = existing.get(row.values["credit_code"])
        if current is None:
            plan.actions.append(_new_action(row, for_commit))
        elif current.removed_at is not None or not scope.manages_code(current.county_id):
            # Never reveal or touch another region's record: the importer only learns the code is taken.
            plan.errors.append(
                RowError(
                    row.number,
                    HEADERS["credit_code"],
                    row.values["credit_code"],
                    "该信用代码的企业已在其他地区建档或已移出档案，不能通过导入修改，请联系上级主管部门",
                )
            )
        else:
            plan.actions.append(_update_action(row, current, for_commit))
    _plan_groupings(plan, scope, mapping, answers)
    progress(90)
    return plan


def _plan_groupings(plan: Plan, scope, mapping: dict[str, int], answers: dict) -> None:
    """Clusters and chains: their memberships become changes on the actions; names new to the importer's scope
    are a question (plan.questions["new_groupings"]) until the answer confirm_groupings is true."""
    if "clusters" not in mapping and "chains" not in mapping:
        return
    groupings = import_groups.plan_groupings(
        plan.actions, scope=scope, mapping=mapping, confirmed=bool(answers.get("confirm_groupings"))
    )
    plan.groupings = groupings
    plan.errors.extend(groupings.errors)
    if groupings.question:
        plan.questions["new_groupings"] = groupings.question


def _new_action(row: Row, with_initials: bool) -> Action:
    values = row.values
    enterprise = Enterprise(credit_code=values["credit_code"], is_synthetic=False)
    for key, attname in ENTERPRISE_FIELDS.items():
        if key in values:
            setattr(enterprise, attname, values[key])
    if with_initials:
        enterprise.name_initials = initials(enterprise.name)
    return Action(row=row, enterprise=enterprise, is_new=True)


def _update_action(row: Row, enterprise: Enterprise, with_initials: bool) -> Action:
    values = row.values
    changes = []
    for key, attname in ENTERPRISE_FIELDS.items():
        if key not in values:
            continue  # an empty cell never clears what the archive holds
        old, new = getattr(enterprise, attname), values[key]
        if key == "former_names":
            new = list(dict.fromkeys([*old, *new]))
        if old != new:
            changes.append(events.change(attname, HEADERS[key], old, new))
            setattr(enterprise, attname, new)
    _drop_finer_codes_of_another_division(values, enterprise, changes)
    if "name" in values and any(c["field"] == "name" for c in changes):
        old_name = next(c["old"] for c in changes if c["field"] == "name")
        if old_name not in enterprise.former_names:
            enterprise.former_names = [*enterprise.former_names, old_name]
        if with_initials:
            enterprise.name_initials = initials(enterprise.name)
    action = Action(row=row, enterprise=enterprise, is_new=False, changes=changes)
    return action


def _drop_finer_codes_of_another_division(values: dict, enterprise: Enterprise, changes: list) -> None:
    """A row that moves an enterprise to another industry division clears the group and class codes it held under
    the old one (they would contradict the division); under the same division a coarser file keeps them."""
    division = values.get("industry")
    if not division:
        return
    for key, attname in (("industry_group", "industry_group_id"), ("industry_detail", "industry_detail_code")):
        held = getattr(enterprise, attname)
        if key not in values and held and not str(held).startswith(division):
            changes.append(events.change(attname, HEADERS[key], held, ""))
            setattr(enterprise, attname, None if attname.endswith("_id") else "")
