"""The scheduling XLSX template: a valid workbook becomes a problem the solver plans validly; each error is
reported with sheet, row and column."""

import datetime as dt

import openpyxl

from scheduling.engine.solver import solve
from scheduling.xlsx_import import SHEETS, read_template

START = dt.date(2026, 12, 7)


def workbook(path, data):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in data.items():
        ws = wb.create_sheet(name)
        ws.append(SHEETS[name])
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


VALID = {
    "订单": [["O1", "P1", 10, "2026-12-07 08:00", "2026-12-08 16:00", 2], ["O2", "P2", 5, None, "2026-12-07 18:00", 1]],
    "工艺路线": [
        ["P1", 10, "车", "CNC", "A", 30, 3],
        ["P1", 20, "铣", "MILL", "A", 10, 2],
        ["P2", 10, "车", "CNC", "B", 20, 4],
    ],
    "设备": [["C1", "CNC", "白班"], ["C2", "CNC", None], ["M1", "MILL", "白班"]],
    "日历": [["白班", "08:00", "16:00", None], ["白班", None, None, "2026-12-12"]],
    "停机": [["C1", "2026-12-07 08:00", "2026-12-07 10:00", "保养"]],
    "换型": [["CNC", "A", "B", 15], ["CNC", "B", "A", 15]],
}


def test_valid_template_read_and_planned(tmp_path):
    problem, issues = read_template(workbook(tmp_path / "t.xlsx", VALID), "t.xlsx", START, days=14)
    assert issues == []
    o1, o2 = problem.jobs
    assert (o1.release, o1.due, o1.weight) == (480, 1440 + 960, 2)  # minutes from 2026-12-07 00:00
    assert (o2.release, o2.due) == (0, 1080)
    # duration = setup + run × quantity, on every machine of the group
    assert [(o.machine, o.duration) for o in o1.operations[0].options] == [("C1", 60), ("C2", 60)]
    assert [(o.machine, o.duration) for o in o1.operations[1].options] == [("M1", 30)]
    c1 = problem.machine_by_id["C1"]
    assert c1.available[:2] == ((480, 960), (1440 + 480, 1440 + 960))
    assert all(s // 1440 != 5 for s, _ in c1.available)  # 2026-12-12 is a holiday
    assert c1.downtime == ((480, 600),)
    assert problem.setup("C1", "A", "B") == 15 and problem.setup("M1", "A", "B") == 0
    r = solve(problem, time_limit=10)
    assert r.status == "optimal" and r.violations == []
    assert r.objectives["tardiness"] == 0


def test_errors_located_by_sheet_row_and_column(tmp_path):
    data = {
        "订单": [
            ["O1", "P1", "十", None, None, 1],
            ["O2", "PX", 1, None, None, 1],
            ["O3", "P1", 200, None, None, 1],
            ["O4", "P1", 1, "2026-12-08 08:00", "2026-12-07 08:00", 1],
        ],
        "工艺路线": [
            ["P1", 10, "磨", "GRINDER", None, 0, 1],
            ["P1", 20, "车", "CNC", None, 0, 3],
            ["P1", 20, "铣", "CNC", None, 0, 1],
        ],
        "设备": [["C1", "CNC", "白班"], ["C2", "CNC2", "夜班"]],
        "日历": [["白班", "08:00", "16:00", None]],
        "停机": [
            ["C1", "2026-12-07 12:00", "2026-12-07 10:00", None],
            ["C9", "2026-12-07 08:00", "2026-12-07 09:00", None],
        ],
    }
    problem, issues = read_template(workbook(tmp_path / "bad.xlsx", data), "bad.xlsx", START)
    assert problem is None
    found = {(i.sheet, i.row, i.column) for i in issues}
    assert ("订单", 2, "C") in found  # quantity not a number
    assert ("订单", 3, "B") in found  # unknown product
    assert ("订单", 4, "C") in found  # 200 × 3 = 600 min > the 480-min shift
    assert ("订单", 5, "E") in found  # due before release
    assert ("工艺路线", 2, "D") in found  # no machine in group GRINDER
    assert ("工艺路线", 4, "B") in found  # step 20 twice
    assert ("设备", 3, "C") in found  # calendar without shifts
    assert ("停机", 2, "C") in found  # ends before it starts
    assert ("停机", 3, "A") in found  # unknown machine
    assert all(i.message for i in issues)
    assert len(found) == 9, issues


def test_missing_sheet_and_not_a_workbook(tmp_path):
    problem, issues = read_template(workbook(tmp_path / "x.xlsx", {"订单": []}), "x.xlsx", START)
    assert problem is None and {i.sheet for i in issues} == {"工艺路线", "设备"}
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"%PDF-1.4 not a workbook")
    problem, issues = read_template(junk, "junk.xlsx", START)
    assert problem is None and len(issues) == 1 and issues[0].message


def test_machine_setup_state_at_the_start_read_and_checked(tmp_path):
    data = {**VALID, "设备": [["C1", "CNC", "白班", "B"], ["C2", "CNC", None, None], ["M1", "MILL", "白班", None]]}
    problem, issues = read_template(workbook(tmp_path / "t.xlsx", data), "t.xlsx", START, days=14)
    assert issues == []
    assert [m.initial_family for m in problem.machines] == ["B", None, None]
    r = solve(problem, time_limit=10)
    assert r.violations == [] and r.status == "optimal"
    data["设备"][1] = ["C2", "CNC", None, "Z"]
    problem, issues = read_template(workbook(tmp_path / "t.xlsx", data), "t.xlsx", START, days=14)
    assert problem is None and [(i.sheet, i.row, i.column) for i in issues] == [("设备", 3, "D")]
