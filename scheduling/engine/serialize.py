"""Problems, plans and events as JSON-ready dicts (stored on a scheduling job, sent by the API)."""

from __future__ import annotations

from .model import Assignment, Job, Machine, Operation, Option, Plan, Problem
from .replan import Breakdown, MaterialDelay, OrderChange


def _pairs(windows):
    return [list(w) for w in windows]


def _setups_out(table):
    return [[a, b, v] for (a, b), v in table.items()]


def _setups_in(rows):
    return {(a, b): int(v) for a, b, v in rows}


def job_to_dict(j: Job) -> dict:
    return {
        "id": j.id, "release": j.release, "due": j.due, "weight": j.weight,
        "operations": [
            {"id": o.id, "family": o.family, "release": o.release,
             "options": [[opt.machine, opt.duration] for opt in o.options]}
            for o in j.operations
        ],
    }  # fmt: skip


def job_from_dict(d: dict) -> Job:
    ops = tuple(
        Operation(o["id"], tuple(Option(m, int(t)) for m, t in o["options"]), o.get("family"), int(o.get("release", 0)))
        for o in d["operations"]
    )
    return Job(d["id"], ops, int(d.get("release", 0)), d.get("due"), int(d.get("weight", 1)))


def problem_to_dict(p: Problem) -> dict:
    return {
        "jobs": [job_to_dict(j) for j in p.jobs],
        "machines": [
            {"id": m.id, "available": None if m.available is None else _pairs(m.available),
             "downtime": _pairs(m.downtime), "setups": None if m.setups is None else _setups_out(m.setups),
             "initial_family": m.initial_family}
            for m in p.machines
        ],
        "setups": _setups_out(p.setups),
        "frozen": {k: list(v) for k, v in p.frozen.items()},
    }  # fmt: skip


def problem_from_dict(d: dict) -> Problem:
    machines = [
        Machine(
            m["id"],
            None if m.get("available") is None else tuple(tuple(w) for w in m["available"]),
            tuple(tuple(w) for w in m.get("downtime", ())),
            None if m.get("setups") is None else _setups_in(m["setups"]),
            m.get("initial_family"),
        )
        for m in d["machines"]
    ]
    frozen = {k: (v[0], int(v[1])) for k, v in d.get("frozen", {}).items()}
    return Problem([job_from_dict(j) for j in d["jobs"]], machines, _setups_in(d.get("setups", [])), frozen)


def plan_to_dict(plan: Plan) -> dict:
    return {k: [a.machine, a.start, a.end] for k, a in plan.items()}


def plan_from_dict(d: dict) -> Plan:
    return {k: Assignment(m, int(s), int(e)) for k, (m, s, e) in d.items()}


def event_from_dict(d: dict):
    kind = d.get("type")
    if kind == "breakdown":
        return Breakdown(d["machine"], int(d["start"]), int(d["end"]))
    if kind == "material_delay":
        return MaterialDelay(d["job"], int(d["available_at"]), d.get("operation"))
    if kind == "order_change":
        return OrderChange(job_from_dict(d["job"]) if d.get("job") else None, d.get("remove"))
    raise ValueError(f"未知事件类型：{kind}")


def kpis(problem: Problem, plan: Plan) -> dict:
    """On-time rate, late orders, weighted tardiness, makespan, utilisation (busy ÷ makespan per machine), setup."""
    late, tardiness = [], 0
    for j in problem.jobs:
        end = plan[j.operations[-1].id].end
        if j.due is not None and end > j.due:
            late.append(j.id)
            tardiness += j.weight * (end - j.due)
    with_due = sum(1 for j in problem.jobs if j.due is not None)
    makespan = max((a.end for a in plan.values()), default=0)
    busy: dict[str, int] = {m.id: 0 for m in problem.machines}
    setup = 0
    by_machine: dict[str, list] = {}
    for op_id, a in plan.items():
        busy[a.machine] = busy.get(a.machine, 0) + a.end - a.start
        by_machine.setdefault(a.machine, []).append((a.start, op_id))
    for mach, items in by_machine.items():
        items.sort()
        m = problem.machine_by_id.get(mach)
        if m is not None and m.initial_family is not None and items[0][1] not in problem.frozen:
            setup += problem.setup(mach, m.initial_family, problem.op_by_id[items[0][1]].family)
        for (_, o1), (_, o2) in zip(items, items[1:], strict=False):
            setup += problem.setup(mach, problem.op_by_id[o1].family, problem.op_by_id[o2].family)
    return {
        "on_time_rate": None if not with_due else round(1 - len(late) / with_due, 4),
        "late_orders": late,
        "weighted_tardiness": tardiness,
        "makespan": makespan,
        "utilisation": {m: round(b / makespan, 4) if makespan else 0 for m, b in busy.items()},
        "setup_minutes": setup,
    }
