"""Independent plan validator: written against the problem definition only (no code shared with the solver or
the dispatch rule). Every plan the engine returns goes through `validate`; an empty list means the plan is valid.

Checks: every operation planned exactly once on an eligible machine with that machine's duration; routing
precedence; release dates; no overlap per machine and the changeover gap between consecutive operations, and from
the machine's setup state at the plan's start to its first operation; calendars (inside one working window) and
downtime (no overlap); frozen operations at their pinned machine and start. Frozen operations are facts: they are
exempt from release, calendar, downtime and initial-changeover checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Plan, Problem


@dataclass(frozen=True)
class Violation:
    kind: (
        str  # missing, unknown, eligibility, duration, precedence, release, overlap, setup, calendar, downtime, frozen
    )
    operations: tuple[str, ...]
    message: str


def validate(problem: Problem, plan: Plan) -> list[Violation]:
    out: list[Violation] = []

    def bad(kind, ops, message):
        out.append(Violation(kind, tuple(ops), message))

    for op_id in plan:
        if op_id not in problem.op_by_id:
            bad("unknown", [op_id], f"计划中的工序 {op_id} 不在问题中")
    for job in problem.jobs:
        for op in job.operations:
            a = plan.get(op.id)
            if a is None:
                bad("missing", [op.id], f"工序 {op.id} 未排产")
                continue
            frozen = problem.frozen.get(op.id)
            if frozen is not None and (a.machine, a.start) != tuple(frozen):
                bad(
                    "frozen",
                    [op.id],
                    f"冻结工序 {op.id} 被移动：应在 {frozen[0]}@{frozen[1]}，实为 {a.machine}@{a.start}",
                )
            durations = {o.machine: o.duration for o in op.options}
            if a.machine not in durations:
                bad("eligibility", [op.id], f"工序 {op.id} 不能在设备 {a.machine} 上加工")
            elif a.end - a.start != durations[a.machine]:
                bad(
                    "duration",
                    [op.id],
                    f"工序 {op.id} 在 {a.machine} 上应加工 {durations[a.machine]}，计划为 {a.end - a.start}",
                )
            if frozen is None:
                earliest = max(job.release, op.release)
                if a.start < earliest:
                    bad("release", [op.id], f"工序 {op.id} 开始于 {a.start}，早于可开工时间 {earliest}")
                machine = problem.machine_by_id.get(a.machine)
                if machine is not None:
                    if machine.available is not None and not any(
                        s <= a.start and a.end <= e for s, e in machine.available
                    ):
                        bad("calendar", [op.id], f"工序 {op.id}（{a.start}–{a.end}）不在设备 {a.machine} 的工作时段内")
                    for s, e in machine.downtime:
                        if a.start < e and s < a.end:
                            bad(
                                "downtime",
                                [op.id],
                                f"工序 {op.id}（{a.start}–{a.end}）与设备 {a.machine} 停机 {s}–{e} 重叠",
                            )
        for prev, nxt in zip(job.operations, job.operations[1:], strict=False):
            a, b = plan.get(prev.id), plan.get(nxt.id)
            if a is not None and b is not None and b.start < a.end:
                bad(
                    "precedence",
                    [prev.id, nxt.id],
                    f"工序 {nxt.id} 开始于 {b.start}，早于前道工序 {prev.id} 结束 {a.end}",
                )

    by_machine: dict[str, list[tuple[int, int, str]]] = {}
    for op_id, a in plan.items():
        if op_id in problem.op_by_id:
            by_machine.setdefault(a.machine, []).append((a.start, a.end, op_id))
    for machine, items in by_machine.items():
        items.sort()
        m = problem.machine_by_id.get(machine)
        if m is not None and m.initial_family is not None and items and items[0][2] not in problem.frozen:
            s1, _e1, o1 = items[0]
            need = problem.setup(machine, m.initial_family, problem.op_by_id[o1].family)
            if s1 < need:
                bad(
                    "setup",
                    [o1],
                    f"设备 {machine} 开工时为换型族 {m.initial_family}，首道工序 {o1} 需先换型 {need}，实际开始于 {s1}",
                )
        for (s1, e1, o1), (s2, e2, o2) in zip(items, items[1:], strict=False):
            if s2 < e1:
                bad("overlap", [o1, o2], f"设备 {machine} 上工序 {o1}（{s1}–{e1}）与 {o2}（{s2}–{e2}）重叠")
                continue
            need = problem.setup(machine, problem.op_by_id[o1].family, problem.op_by_id[o2].family)
            if s2 - e1 < need:
                bad("setup", [o1, o2], f"设备 {machine} 上 {o1} 与 {o2} 之间需换型 {need}，实际间隔 {s2 - e1}")
    return out
