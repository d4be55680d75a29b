"""Re-planning from the current plan after an event (pure).

Everything that started before `now` is frozen (kept exactly), with the problem's own pinned operations. The new
plan minimises, in order: operations moved (machine or start changed, among the non-frozen operations of the
current plan), total start shift, then the original objectives (weighted tardiness, makespan, setup). The hint is
the current plan repaired by right-shifting (same machines, same order), so a plan exists from the start.

Events:
* `Breakdown(machine, start, end)`: a downtime window. An operation already running on that machine at `now` is a
  fact and stays frozen (the plant declares it finished or changes the order).
* `MaterialDelay(job, available_at, operation=None)`: the order (or one operation) cannot start before.
* `OrderChange(job=..., remove=...)`: a new or changed order (same id replaces it: due date, weight, quantity
  through new durations) or an order removed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from .dispatch import right_shift
from .model import Job, Plan, Problem
from .solver import SolveResult, solve


@dataclass(frozen=True)
class Breakdown:
    machine: str
    start: int
    end: int


@dataclass(frozen=True)
class MaterialDelay:
    job: str
    available_at: int
    operation: str | None = None


@dataclass(frozen=True)
class OrderChange:
    job: Job | None = None  # added, or replacing the order with the same id
    remove: str | None = None


def apply_event(problem: Problem, plan: Plan, event, now: int) -> Problem:
    """The problem after the event, with every operation started before `now` frozen at its place."""
    jobs = list(problem.jobs)
    machines = list(problem.machines)
    if isinstance(event, Breakdown):
        machines = [
            dataclasses.replace(m, downtime=tuple(m.downtime) + ((event.start, event.end),))
            if m.id == event.machine
            else m
            for m in machines
        ]
    elif isinstance(event, MaterialDelay):
        new = []
        for j in jobs:
            if j.id == event.job:
                if event.operation is None:
                    j = dataclasses.replace(j, release=max(j.release, event.available_at))
                else:
                    ops = tuple(
                        dataclasses.replace(o, release=max(o.release, event.available_at))
                        if o.id == event.operation
                        else o
                        for o in j.operations
                    )
                    j = dataclasses.replace(j, operations=ops)
            new.append(j)
        jobs = new
    elif isinstance(event, OrderChange):
        if event.remove is not None:
            jobs = [j for j in jobs if j.id != event.remove]
        if event.job is not None:
            jobs = [j for j in jobs if j.id != event.job.id] + [event.job]
    elif event is not None:
        raise TypeError(f"未知事件类型：{type(event).__name__}")
    frozen = dict(problem.frozen)
    ids = {o.id for j in jobs for o in j.operations}
    for op_id, a in plan.items():
        if op_id in ids and a.start < now:
            frozen[op_id] = (a.machine, a.start)
    frozen = {k: v for k, v in frozen.items() if k in ids}
    return Problem(jobs, machines, setups=dict(problem.setups), frozen=frozen)


def replan(
    problem: Problem, plan: Plan, event, now: int, disturbance_until: int | None = None, **solve_args
) -> tuple[Problem, SolveResult]:
    """Re-plan at `now`. Disturbance counts the operations planned to start in [now, disturbance_until) (e.g. the
    next shift, the work already released to the shop floor); default: every operation not started. Operations
    after that window are free to be re-sequenced for the original objectives."""
    new = apply_event(problem, plan, event, now)
    reference = {k: v for k, v in plan.items() if k in new.op_by_id}
    scope = {o for o, a in reference.items() if o not in new.frozen}
    if disturbance_until is not None:
        scope = {o for o in scope if reference[o].start < disturbance_until}
    result = solve(new, reference=reference, moved_scope=scope, hint_plan=right_shift(new, reference), **solve_args)
    return new, result


def moved(old: Plan, new: Plan, ops=None) -> list[str]:
    """Operations (of `ops`, default all of the old plan still planned) whose machine or start changed."""
    ops = old.keys() if ops is None else ops
    return [
        o for o in ops if o in new and o in old and (old[o].machine, old[o].start) != (new[o].machine, new[o].start)
    ]
