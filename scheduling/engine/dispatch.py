"""Dispatch rule: a fast constructive plan used as the CP-SAT hint, as the horizon and as a baseline.

Giffler–Thompson style: among the jobs' next operations, find the one that can finish earliest (on its best
eligible machine, inserted in the first gap that respects calendars, downtime, frozen work and changeovers); the
conflict set is every ready operation that could start before that finish; pick by priority: with due dates,
least slack (due − remaining work) weighted; otherwise most work remaining (MWKR). Returns None when an operation
fits no window (e.g. longer than every shift)."""

from __future__ import annotations

from bisect import bisect_right

from .model import Assignment, Plan, Problem, unavailable

FAR = 10**9


def _slot(problem: Problem, machine: str, items: list, blocks: list, family, dur: int, est: int) -> int | None:
    t = est
    for _ in range(100000):
        if t >= FAR:
            return None
        pushed = None
        k = bisect_right(blocks, t, key=lambda b: b[1])  # first block ending after t (blocks sorted, merged)
        if k < len(blocks) and blocks[k][0] < t + max(dur, 1):
            pushed = blocks[k][1]
        if pushed is None:
            before = None
            i = max(0, bisect_right(items, t, key=lambda x: x[0]) - 2)
            if i > 0:
                before = items[i - 1]
            for s, e, f in items[i:]:  # items sorted by start (and by end: they never overlap)
                if t < e and s < t + dur:
                    pushed = e + problem.setup(machine, f, family)
                    break
                if e <= t and (s < t or dur > 0):
                    before = (s, e, f)
                elif s >= t + dur:
                    if before is not None and t < before[1] + problem.setup(machine, before[2], family):
                        pushed = before[1] + problem.setup(machine, before[2], family)
                    elif s < t + dur + problem.setup(machine, family, f):
                        pushed = e + problem.setup(machine, f, family)
                    break
            else:
                if before is not None and t < before[1] + problem.setup(machine, before[2], family):
                    pushed = before[1] + problem.setup(machine, before[2], family)
        if pushed is None:
            return t
        t = max(pushed, t + 1) if pushed <= t else pushed
    return None


def _initial_state(problem: Problem, items: dict[str, list]) -> None:
    """A machine's setup state at the plan's start as a zero-length item at 0: the first operation needs the
    changeover from it (unless a frozen operation already runs at 0)."""
    for m in problem.machines:
        if m.initial_family is not None and not any(s <= 0 for s, _e, _f in items[m.id]):
            items[m.id].insert(0, (0, 0, m.initial_family))


def dispatch(problem: Problem) -> Plan | None:
    blocks = {m.id: unavailable(m, FAR) for m in problem.machines}
    items: dict[str, list] = {m.id: [] for m in problem.machines}
    plan: Plan = {}
    for op_id, (mach, start) in problem.frozen.items():
        d = problem.op_by_id[op_id].duration_on(mach)
        plan[op_id] = Assignment(mach, start, start + d)
        items[mach].append((start, start + d, problem.op_by_id[op_id].family))
    for v in items.values():
        v.sort()
    _initial_state(problem, items)
    remaining = {}
    for j in problem.jobs:
        remaining[j.id] = sum(min(o.duration for o in op.options) for op in j.operations)
    nxt = {j.id: 0 for j in problem.jobs}
    ready = {j.id: j.release for j in problem.jobs}
    jobs = {j.id: j for j in problem.jobs}
    cache: dict[str, tuple] = {}

    def advance(jid):
        j = jobs[jid]
        while nxt[jid] < len(j.operations) and j.operations[nxt[jid]].id in problem.frozen:
            op = j.operations[nxt[jid]]
            ready[jid] = max(ready[jid], plan[op.id].end)
            remaining[jid] -= min(o.duration for o in op.options)
            nxt[jid] += 1

    for jid in jobs:
        advance(jid)
    open_jobs = {jid for jid in jobs if nxt[jid] < len(jobs[jid].operations)}
    order = list(jobs)  # ties broken in the problem's order, not a set's (string hashing differs per process)
    while open_jobs:
        best_end, best = FAR, None
        ready_jobs = [jid for jid in order if jid in open_jobs]
        for jid in ready_jobs:
            if jid not in cache:
                op = jobs[jid].operations[nxt[jid]]
                est = max(ready[jid], op.release)
                cand = None
                for o in op.options:
                    s = _slot(problem, o.machine, items[o.machine], blocks[o.machine], op.family, o.duration, est)
                    if s is not None and (cand is None or s + o.duration < cand[0]):
                        cand = (s + o.duration, s, o.machine, o.duration)
                if cand is None:
                    return None
                cache[jid] = cand
            if cache[jid][0] < best_end:
                best_end, best = cache[jid][0], jid
        # the earliest-finishing operation itself always competes (a zero-length one starts at its own end)
        conflict = [jid for jid in ready_jobs if cache[jid][1] < best_end or jid == best]
        if any(jobs[j].due is not None for j in conflict):
            pick = min(conflict, key=lambda j: ((jobs[j].due or FAR) - remaining[j]) / max(jobs[j].weight, 1))
        else:
            pick = max(conflict, key=lambda j: (remaining[j], -cache[j][0]))
        end, start, mach, dur = cache.pop(pick)
        op = jobs[pick].operations[nxt[pick]]
        plan[op.id] = Assignment(mach, start, end)
        items[mach].append((start, end, op.family))
        items[mach].sort()
        remaining[pick] -= min(o.duration for o in op.options)
        ready[pick] = end
        nxt[pick] += 1
        advance(pick)
        if nxt[pick] >= len(jobs[pick].operations):
            open_jobs.discard(pick)
        for jid in list(cache):
            op2 = jobs[jid].operations[nxt[jid]]
            if any(o.machine == mach for o in op2.options):
                del cache[jid]
    return plan


def right_shift(problem: Problem, reference: Plan) -> Plan | None:
    """Repair a plan after an event: keep every operation on its machine and in its order, pushing each one to
    the earliest feasible time not before its old start (frozen work stays). Operations missing from the
    reference (a new order) are then appended by the dispatch logic's slot search on their fastest machine."""
    blocks = {m.id: unavailable(m, FAR) for m in problem.machines}
    items: dict[str, list] = {m.id: [] for m in problem.machines}
    plan: Plan = {}
    for op_id, (mach, start) in problem.frozen.items():
        d = problem.op_by_id[op_id].duration_on(mach)
        plan[op_id] = Assignment(mach, start, start + d)
        items[mach].append((start, start + d, problem.op_by_id[op_id].family))
    for v in items.values():
        v.sort()
    _initial_state(problem, items)
    prev = {}
    for job in problem.jobs:
        for a, b in zip(job.operations, job.operations[1:], strict=False):
            prev[b.id] = a.id
    todo = [o for o in problem.op_by_id if o not in problem.frozen]
    todo.sort(key=lambda o: (reference[o].start if o in reference else FAR, o))
    pending = list(todo)
    for _ in range(len(todo) + 1):
        if not pending:
            break
        later = []
        for op_id in pending:
            p = prev.get(op_id)
            if p is not None and p not in plan:
                later.append(op_id)
                continue
            op = problem.op_by_id[op_id]
            est = max(problem.earliest(op_id), plan[p].end if p is not None else 0)
            ref = reference.get(op_id)
            if ref is not None and op.duration_on(ref.machine) is not None:
                choices = [(ref.machine, op.duration_on(ref.machine))]
                est = max(est, ref.start)
            else:
                choices = [(o.machine, o.duration) for o in op.options]
            best = None
            for mach, d in choices:
                s = _slot(problem, mach, items[mach], blocks[mach], op.family, d, est)
                if s is not None and (best is None or s + d < best[0] + best[2]):
                    best = (s, mach, d)
            if best is None:
                return None
            s, mach, d = best
            plan[op_id] = Assignment(mach, s, s + d)
            items[mach].append((s, s + d, op.family))
            items[mach].sort()
        pending = later
    return plan if not pending else None
