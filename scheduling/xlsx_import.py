"""The scheduling XLSX template → a `Problem`, with a validation report before solving (issue 24).

Sheets (headers on the first row; column names as in the template, extra columns ignored):
* 订单: 订单号, 产品, 数量, 可开工时间, 交期, 优先级 (weight, default 1)
* 工艺路线: 产品, 工序号, 工序名称, 设备组, 换型族, 准备时间（分钟）, 单件工时（分钟）
* 设备: 设备编号, 设备组, 日历 (blank: always available), 当前换型族 (optional: the family the machine is set up
  for at the plan's start; its first operation needs the changeover from it)
* 日历: 日历, 班次开始, 班次结束 (HH:MM, a shift row), or 日历, 休息日 (a date: a holiday row)
* 停机: 设备编号, 开始, 结束, 原因
* 换型: 设备组 (blank: every group), 从换型族, 到换型族, 换型时间（分钟）
* 冻结 (optional): 订单号, 工序号, 设备编号, 开始
Times are datetimes ("2026-12-07 08:00") or dates; the plan counts minutes from `start` (00:00 of the plan's
first day). An operation runs on any machine of its group: duration = 准备时间 + 单件工时 × 数量.

Every problem found is an `Issue(sheet, row, column, message)` (row as in Excel); a problem is returned only when
there is none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from core.spreadsheets import Sheet, SpreadsheetError, normalise_header, read_sheets

from .engine.model import Job, Machine, Operation, Option, Problem, daily_windows

SHEETS = {
    "订单": ["订单号", "产品", "数量", "可开工时间", "交期", "优先级"],
    "工艺路线": ["产品", "工序号", "工序名称", "设备组", "换型族", "准备时间（分钟）", "单件工时（分钟）"],
    "设备": ["设备编号", "设备组", "日历", "当前换型族"],
    "日历": ["日历", "班次开始", "班次结束", "休息日"],
    "停机": ["设备编号", "开始", "结束", "原因"],
    "换型": ["设备组", "从换型族", "到换型族", "换型时间（分钟）"],
    "冻结": ["订单号", "工序号", "设备编号", "开始"],
}
REQUIRED = {"订单", "工艺路线", "设备"}
COLUMN_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int | None
    column: str | None
    message: str


class _Rows:
    """A sheet's data rows as dicts by normalised header, remembering each column's letter."""

    def __init__(self, sheet: Sheet):
        self.name = sheet.name
        header = sheet.rows[0] if sheet.rows else []
        self.columns = {normalise_header(h): i for i, h in enumerate(header) if str(h).strip()}
        self.rows = [(i + 2, r) for i, r in enumerate(sheet.rows[1:]) if any(str(c).strip() for c in r)]

    def letter(self, column: str) -> str:
        i = self.columns.get(normalise_header(column))
        return COLUMN_LETTERS[i] if i is not None and i < 26 else column

    def get(self, row: list, column: str) -> str:
        i = self.columns.get(normalise_header(column))
        return str(row[i]).strip() if i is not None and i < len(row) else ""


def _minutes(text: str, start: dt.datetime) -> int | None:
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return int((value - start).total_seconds() // 60)


def _clock(text: str) -> int | None:
    try:
        t = dt.time.fromisoformat(text if len(text) > 5 else text.zfill(5))
    except ValueError:
        return None
    return t.hour * 60 + t.minute


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def read_template(path: Path, filename: str, start: dt.date, days: int = 60) -> tuple[Problem | None, list[Issue]]:
    issues: list[Issue] = []
    try:
        _kind, sheets = read_sheets(path, filename)
    except SpreadsheetError as exc:
        return None, [Issue("", None, None, str(exc))]
    by_name = {s.name.strip(): _Rows(s) for s in sheets}
    for name in sorted(REQUIRED - by_name.keys()):
        issues.append(Issue(name, None, None, _("缺少工作表“%(sheet)s”") % {"sheet": name}))
    if issues:
        return None, issues
    origin = dt.datetime.combine(start, dt.time())

    def issue(rows: _Rows, row: int, column: str, message: str):
        issues.append(Issue(rows.name, row, rows.letter(column), message))

    def required(rows: _Rows, row_no: int, row: list, column: str) -> str:
        value = rows.get(row, column)
        if not value:
            issue(rows, row_no, column, _("“%(column)s”不能为空") % {"column": column})
        return value

    def non_negative(rows, row_no, row, column, default=None) -> float | None:
        text = rows.get(row, column)
        if not text and default is not None:
            return default
        value = _number(text)
        if value is None or value < 0:
            issue(
                rows, row_no, column, _("“%(column)s”应为非负数，实为“%(value)s”") % {"column": column, "value": text}
            )
        return value

    def moment(rows, row_no, row, column, optional=False) -> int | None:
        text = rows.get(row, column)
        if not text and optional:
            return None
        value = _minutes(text, origin)
        if value is None:
            issue(
                rows, row_no, column, _("“%(column)s”应为日期时间，实为“%(value)s”") % {"column": column, "value": text}
            )
        return value

    # 日历
    shifts: dict[str, list[tuple[int, int]]] = {}
    holidays: dict[str, set[int]] = {}
    calendar_rows = by_name.get("日历")
    if calendar_rows is not None:
        for row_no, row in calendar_rows.rows:
            name = required(calendar_rows, row_no, row, "日历")
            holiday = calendar_rows.get(row, "休息日")
            if holiday:
                when = _minutes(holiday, origin)
                if when is None:
                    issue(calendar_rows, row_no, "休息日", _("“休息日”应为日期，实为“%(value)s”") % {"value": holiday})
                else:
                    holidays.setdefault(name, set()).add(when // 1440)
                continue
            s = _clock(calendar_rows.get(row, "班次开始"))
            e = _clock(calendar_rows.get(row, "班次结束"))
            if s is None:
                issue(calendar_rows, row_no, "班次开始", _("“班次开始”应为时刻（如 08:00）"))
            if e is None:
                issue(calendar_rows, row_no, "班次结束", _("“班次结束”应为时刻（如 16:00）"))
            if s is not None and e is not None:
                shifts.setdefault(name, []).append((s, e if e > s else e + 1440))  # a night shift ends next day

    # 设备
    machine_rows = by_name["设备"]
    groups: dict[str, list[str]] = {}
    machine_calendar: dict[str, str] = {}
    machine_state: dict[str, tuple[int, str | None]] = {}
    for row_no, row in machine_rows.rows:
        mid = required(machine_rows, row_no, row, "设备编号")
        group = required(machine_rows, row_no, row, "设备组")
        if mid in machine_calendar:
            issue(machine_rows, row_no, "设备编号", _("设备编号“%(id)s”重复") % {"id": mid})
            continue
        cal = machine_rows.get(row, "日历")
        if cal and cal not in shifts:
            issue(machine_rows, row_no, "日历", _("日历“%(name)s”在“日历”表中没有班次") % {"name": cal})
        machine_calendar[mid] = cal
        machine_state[mid] = (row_no, machine_rows.get(row, "当前换型族") or None)
        groups.setdefault(group, []).append(mid)
    downtime: dict[str, list[tuple[int, int]]] = {}
    down_rows = by_name.get("停机")
    if down_rows is not None:
        for row_no, row in down_rows.rows:
            mid = required(down_rows, row_no, row, "设备编号")
            if mid and mid not in machine_calendar:
                issue(down_rows, row_no, "设备编号", _("未知设备“%(id)s”") % {"id": mid})
            s, e = moment(down_rows, row_no, row, "开始"), moment(down_rows, row_no, row, "结束")
            if s is not None and e is not None:
                if e <= s:
                    issue(down_rows, row_no, "结束", _("停机结束时间应晚于开始时间"))
                else:
                    downtime.setdefault(mid, []).append((s, e))

    # 换型
    setups: dict[tuple[str, str], int] = {}
    group_setups: dict[str, dict[tuple[str, str], int]] = {}
    setup_rows = by_name.get("换型")
    if setup_rows is not None:
        for row_no, row in setup_rows.rows:
            group = setup_rows.get(row, "设备组")
            if group and group not in groups:
                issue(setup_rows, row_no, "设备组", _("未知设备组“%(group)s”") % {"group": group})
            a = required(setup_rows, row_no, row, "从换型族")
            b = required(setup_rows, row_no, row, "到换型族")
            minutes = non_negative(setup_rows, row_no, row, "换型时间（分钟）")
            if a and b and minutes is not None and minutes >= 0:
                (group_setups.setdefault(group, {}) if group else setups)[a, b] = round(minutes)

    machines = []
    for group, ids in groups.items():
        for mid in ids:
            cal = machine_calendar[mid]
            available = None
            if cal in shifts:
                available = daily_windows(days, shifts[cal], holidays.get(cal, set()))
            table = {**setups, **group_setups[group]} if group in group_setups else None
            machines.append(Machine(mid, available, tuple(sorted(downtime.get(mid, []))), table, machine_state[mid][1]))

    # 工艺路线
    route_rows = by_name["工艺路线"]
    routings: dict[str, dict[int, tuple]] = {}
    for row_no, row in route_rows.rows:
        product = required(route_rows, row_no, row, "产品")
        seq_text = required(route_rows, row_no, row, "工序号")
        seq = _number(seq_text)
        if seq_text and (seq is None or seq != int(seq)):
            issue(route_rows, row_no, "工序号", _("“工序号”应为整数，实为“%(value)s”") % {"value": seq_text})
            continue
        group = required(route_rows, row_no, row, "设备组")
        if group and group not in groups:
            issue(route_rows, row_no, "设备组", _("设备组“%(group)s”在“设备”表中没有设备") % {"group": group})
        setup = non_negative(route_rows, row_no, row, "准备时间（分钟）", default=0.0)
        run = non_negative(route_rows, row_no, row, "单件工时（分钟）")
        if not product or seq is None:
            continue
        steps = routings.setdefault(product, {})
        if int(seq) in steps:
            issue(
                route_rows,
                row_no,
                "工序号",
                _("产品“%(product)s”的工序号 %(seq)s 重复（工序顺序不明确）") % {"product": product, "seq": int(seq)},
            )
            continue
        steps[int(seq)] = (group, route_rows.get(row, "换型族") or None, setup, run, route_rows.get(row, "工序名称"))

    known = {step[1] for steps in routings.values() for step in steps.values()}
    known |= {f for table in [setups, *group_setups.values()] for pair in table for f in pair}
    for row_no, family in machine_state.values():
        if family is not None and family not in known:
            issue(machine_rows, row_no, "当前换型族",
                  _("换型族“%(family)s”在“工艺路线”和“换型”表中都没有出现") % {"family": family})  # fmt: skip

    # 订单
    order_rows = by_name["订单"]
    jobs = []
    seen = set()
    for row_no, row in order_rows.rows:
        oid = required(order_rows, row_no, row, "订单号")
        product = required(order_rows, row_no, row, "产品")
        if oid in seen:
            issue(order_rows, row_no, "订单号", _("订单号“%(id)s”重复") % {"id": oid})
            continue
        seen.add(oid)
        if product and product not in routings:
            issue(order_rows, row_no, "产品", _("产品“%(product)s”在“工艺路线”表中没有工序") % {"product": product})
        qty = non_negative(order_rows, row_no, row, "数量")
        release = moment(order_rows, row_no, row, "可开工时间", optional=True) or 0
        due = moment(order_rows, row_no, row, "交期", optional=True)
        weight = non_negative(order_rows, row_no, row, "优先级", default=1.0)
        if due is not None and due < release:
            issue(order_rows, row_no, "交期", _("交期早于可开工时间"))
        if product not in routings or qty is None or weight is None or not oid:
            continue
        ops = []
        for seq in sorted(routings[product]):
            group, family, setup, run, _name = routings[product][seq]
            if group not in groups or setup is None or run is None:
                continue
            duration = round(setup + run * qty)
            ops.append(Operation(f"{oid}/{seq}", tuple(Option(m, duration) for m in groups[group]), family))
            longest_window = _longest_window([mm for mm in machines if mm.id in groups[group]])
            if longest_window is not None and duration > longest_window:
                issue(
                    order_rows,
                    row_no,
                    "数量",
                    _(
                        "订单“%(id)s”工序 %(seq)s 需 %(need)s 分钟，超过设备组“%(group)s”"
                        "最长的连续工作时段 %(window)s 分钟，无法排产"
                    )
                    % {"id": oid, "seq": seq, "need": duration, "group": group, "window": longest_window},
                )
        jobs.append(Job(oid, tuple(ops), release=max(0, release), due=due, weight=max(1, round(weight))))

    # 冻结
    frozen: dict[str, tuple[str, int]] = {}
    frozen_rows = by_name.get("冻结")
    if frozen_rows is not None:
        ops_by_id = {op.id: op for j in jobs for op in j.operations}
        for row_no, row in frozen_rows.rows:
            oid = required(frozen_rows, row_no, row, "订单号")
            seq = required(frozen_rows, row_no, row, "工序号")
            mid = required(frozen_rows, row_no, row, "设备编号")
            begin = moment(frozen_rows, row_no, row, "开始")
            key = f"{oid}/{seq}"
            if oid and seq and key not in ops_by_id:
                issue(frozen_rows, row_no, "工序号", _("订单“%(id)s”没有工序 %(seq)s") % {"id": oid, "seq": seq})
            elif mid and key in ops_by_id and ops_by_id[key].duration_on(mid) is None:
                issue(frozen_rows, row_no, "设备编号", _("工序不能在设备“%(id)s”上加工") % {"id": mid})
            elif begin is not None and key in ops_by_id:
                frozen[key] = (mid, begin)

    if issues:
        return None, issues
    problem = Problem(jobs, machines, setups=setups, frozen=frozen)
    for message in problem.check():
        issues.append(Issue("", None, None, message))
    return (None, issues) if issues else (problem, [])


def _longest_window(machines: list[Machine]) -> int | None:
    """The longest stretch any of these machines works without a break (None: one of them never stops)."""
    best = 0
    for m in machines:
        if m.available is None:
            return None
        best = max([best] + [e - s for s, e in m.available])
    return best
