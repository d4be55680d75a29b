"""Re-planning: frozen work never moves, least disturbance first, then the original objectives."""

from scheduling.engine.model import Job, Operation, Option
from scheduling.engine.replan import Breakdown, MaterialDelay, OrderChange, moved, replan
from scheduling.engine.solver import solve
from scheduling.engine.validate import validate
from scheduling.tests.test_engine_solver import flex

# The optimal plan of flex() (see test_engine_solver): a1 M1 0–30, a2 M2 30–50, b1 M1 40–90, b2 M2 90–110.


def current():
    problem = flex()
    r = solve(problem, time_limit=10)
    assert r.status == "optimal"
    return problem, r.plan


def test_breakdown_moves_only_the_hit_operation():
    problem, plan = current()
    # M2 breaks 30–40 at t=5: a1 (started at 0) is frozen; a2 cannot run 40–60 (downtime 50–60), so it goes to
    # 60–80; b2 keeps 90–110 (changeover X→Y from 80 ends at 90). One operation moved, by 30.
    new, r = replan(problem, plan, Breakdown("M2", 30, 40), now=5, time_limit=10)
    assert new.frozen == {"a1": ("M1", 0)}
    assert r.violations == [] and validate(new, r.plan) == []
    assert moved(plan, r.plan) == ["a2"]
    assert (r.plan["a2"].machine, r.plan["a2"].start) == ("M2", 60)
    assert r.objectives["moved"] == 1 and r.objectives["shift"] == 30


def test_material_delay_shifts_the_order():
    problem, plan = current()
    # B's material arrives at 45: b1 45–95 on M1 (its only machine), b2 95–115 on M2 (M1's break at 100).
    new, r = replan(problem, plan, MaterialDelay("B", 45), now=0, time_limit=10)
    assert r.violations == []
    assert sorted(moved(plan, r.plan)) == ["b1", "b2"]
    assert r.objectives["moved"] == 2 and r.objectives["shift"] == 10
    assert r.objectives["tardiness"] == 15


def test_urgent_order_inserted_without_moving_started_work():
    problem, plan = current()
    urgent = Job("U", (Operation("u1", (Option("M1", 10), Option("M2", 10)), "X"),), release=0, due=70, weight=5)
    new, r = replan(problem, plan, OrderChange(job=urgent), now=35, time_limit=10)
    assert r.violations == []
    for op in ("a1", "a2"):  # started before 35
        assert r.plan[op] == plan[op]
    assert r.plan["u1"].end <= 70 or r.objectives["moved"] > 0
    assert "u1" in r.plan


def test_problem_plan_event_round_trip_as_json():
    import json

    from scheduling.engine import serialize

    problem, plan = current()
    problem.frozen = {"a1": ("M1", 0)}
    again = serialize.problem_from_dict(json.loads(json.dumps(serialize.problem_to_dict(problem))))
    assert serialize.problem_to_dict(again) == serialize.problem_to_dict(problem)
    assert serialize.plan_from_dict(json.loads(json.dumps(serialize.plan_to_dict(plan)))) == plan
    event = serialize.event_from_dict({"type": "breakdown", "machine": "M2", "start": 30, "end": 40})
    assert event == Breakdown("M2", 30, 40)
    k = serialize.kpis(problem, plan)  # B ends at 110, due 100, weight 1; A on time
    assert k["late_orders"] == ["B"] and k["on_time_rate"] == 0.5 and k["weighted_tardiness"] == 10
    assert k["makespan"] == 110 and k["setup_minutes"] == 20
    assert k["utilisation"] == {"M1": round(80 / 110, 4), "M2": round(40 / 110, 4)}
