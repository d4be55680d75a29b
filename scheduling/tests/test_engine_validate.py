"""The independent validator: a hand-made valid plan passes; each constraint, violated alone, is reported."""

import ast
import dataclasses
from pathlib import Path

import pytest

from scheduling.engine.model import Assignment, Job, Machine, Operation, Option, Problem, daily_windows
from scheduling.engine.validate import validate

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def test_engine_imports_no_django():
    for path in ENGINE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n.split(".")[0] == "django" for n in names), path.name


def problem(j2_release=5):
    # M1 works 0–100 and 120–300; M2 always, but down 50–60. Changeover A↔B takes 5.
    m1 = Machine("M1", available=((0, 100), (120, 300)))
    m2 = Machine("M2", downtime=((50, 60),))
    j1 = Job(
        "J1", (Operation("o11", (Option("M1", 10), Option("M2", 15)), "A"), Operation("o12", (Option("M2", 20),), "A"))
    )
    j2 = Job(
        "J2",
        (Operation("o21", (Option("M1", 30),), "B"), Operation("o22", (Option("M2", 10),), "B")),
        release=j2_release,
        due=50,
        weight=2,
    )
    return Problem([j1, j2], [m1, m2], setups={("A", "B"): 5, ("B", "A"): 5}, frozen={"o11": ("M1", 0)})


VALID = {
    "o11": Assignment("M1", 0, 10),
    "o21": Assignment("M1", 15, 45),  # 10 + changeover 5; release 5
    "o12": Assignment("M2", 10, 30),
    "o22": Assignment("M2", 60, 70),  # after o21 (45), changeover from o12 (30+5), after the downtime 50–60
}


def test_valid_plan_passes():
    assert problem().check() == []
    assert validate(problem(), VALID) == []


@pytest.mark.parametrize(
    "kind, changes",
    [
        ("missing", {"o22": None}),
        ("unknown", {"zz": Assignment("M1", 200, 210)}),
        ("eligibility", {"o12": Assignment("M1", 200, 220)}),
        ("duration", {"o21": Assignment("M1", 15, 40)}),
        ("precedence", {"o12": Assignment("M2", 5, 25)}),
        ("overlap", {"o21": Assignment("M1", 5, 35)}),
        ("setup", {"o21": Assignment("M1", 12, 42)}),
        ("calendar", {"o21": Assignment("M1", 90, 120), "o22": Assignment("M2", 130, 140)}),
        ("downtime", {"o22": Assignment("M2", 45, 55)}),
        ("frozen", {"o11": Assignment("M2", 0, 15), "o12": Assignment("M2", 15, 35)}),
    ],
)
def test_each_violation_detected_alone(kind, changes):
    plan = dict(VALID)
    for op, a in changes.items():
        if a is None:
            del plan[op]
        else:
            plan[op] = a
    violations = validate(problem(), plan)
    assert {v.kind for v in violations} == {kind}, violations
    assert all(v.message for v in violations)


def test_release_violation():
    violations = validate(problem(j2_release=20), VALID)  # o21 starts at 15
    assert [(v.kind, v.operations) for v in violations] == [("release", ("o21",))]


def test_frozen_operation_exempt_from_calendar():
    p = problem()
    p = dataclasses.replace(p, machines=[Machine("M1", available=((5, 100), (120, 300))), p.machines[1]])
    assert validate(p, VALID) == []  # o11 started at 0, before the window: a fact, not a violation


def test_problem_check_reports_data_errors():
    p = Problem(
        [Job("J", (Operation("a", (Option("MX", 3),)), Operation("a", ())))], [Machine("M1")], frozen={"b": ("M1", 0)}
    )
    errors = p.check()
    assert any("未知设备 MX" in e for e in errors)
    assert any("重复" in e for e in errors)
    assert any("没有可用设备" in e for e in errors)
    assert any("冻结工序 b 不存在" in e for e in errors)


def test_daily_windows_skip_holidays_and_merge():
    assert daily_windows(3, [(480, 960), (960, 1440)], holidays={1}) == ((480, 1440), (3360, 4320))


def test_changeover_from_the_machines_state_at_the_start():
    # M1 is set up for family B at the plan's start: its first operation (o11, family A) needs the changeover 5
    p = problem()
    p = dataclasses.replace(p, frozen={}, machines=[dataclasses.replace(p.machines[0], initial_family="B"),
                                                    p.machines[1]])  # fmt: skip
    violations = validate(p, VALID)
    assert [(v.kind, v.operations) for v in violations] == [("setup", ("o11",))]
    shifted = {**VALID, "o11": Assignment("M1", 5, 15), "o21": Assignment("M1", 20, 50),
               "o12": Assignment("M2", 15, 35), "o22": Assignment("M2", 60, 70)}  # fmt: skip
    assert validate(p, shifted) == []
    frozen = dataclasses.replace(p, frozen={"o11": ("M1", 0)})
    assert validate(frozen, VALID) == []  # a frozen first operation is a fact: it already ran in that state
