"""CP-SAT solver for the flexible job shop (OR-Tools).

Model:
* one start variable per operation; per eligible machine an optional fixed-size interval with a presence literal
  (exactly one present); a single-machine operation has a mandatory interval;
* per machine one NoOverlap over its intervals plus fixed intervals for its unavailable time (outside the
  calendar's working windows, and downtime), minus the time of frozen operations: operations never span a break;
* sequence-dependent changeovers: on a machine where a non-zero changeover can occur, an AddCircuit over its
  operations whose arc i→j forces start_j ≥ end_i + setup(family_i, family_j) (a changeover is a gap, it may fall
  in a break), and whose arc from the depot to the first operation forces the changeover from the machine's setup
  state at the plan's start (`Machine.initial_family`); the arcs also give the total setup;
* routing precedence, release dates; frozen operations fixed on their machine and start;
* objectives lexicographic, each stage solved in turn with the previous value as a bound and the previous plan as
  a hint: [least disturbance when re-planning: operations moved, total start shift] → weighted tardiness (or
  number of late orders) when due dates exist → makespan → total setup when changeovers exist.
The dispatch rule's plan (validated) is the first hint and gives the horizon. Every plan returned has been
through the independent validator; `SolveResult.violations` is empty for a valid plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from .dispatch import dispatch
from .model import Assignment, Plan, Problem, subtract, unavailable
from .validate import Violation, validate


@dataclass
class SolveResult:
    status: str  # optimal (every stage proven), feasible, infeasible, unknown, invalid_problem
    plan: Plan | None
    objectives: dict[str, int] = field(default_factory=dict)
    bounds: dict[str, int] = field(default_factory=dict)
    proven: dict[str, bool] = field(default_factory=dict)
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    dispatch_plan: Plan | None = None
    dispatch_seconds: float = 0.0
    violations: list[Violation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def gap(self) -> float | None:
        """Relative gap of the first (main) objective stage."""
        for k, v in self.objectives.items():
            b = self.bounds.get(k, v)
            return 0.0 if v == 0 else (v - b) / v
        return None


def makespan(plan: Plan) -> int:
    return max((a.end for a in plan.values()), default=0)


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, stage, callback, started, result):
        super().__init__()
        self.stage, self.callback, self.started, self.result = stage, callback, started, result

    def on_solution_callback(self):
        elapsed = time.monotonic() - self.started
        if self.result.first_solution_seconds is None:
            self.result.first_solution_seconds = elapsed
        if self.callback is not None:
            v, b = self.ObjectiveValue(), self.BestObjectiveBound()
            self.callback(
                {
                    "stage": self.stage,
                    "value": v,
                    "bound": b,
                    "gap": 0.0 if v == 0 else abs(v - b) / abs(v),
                    "seconds": round(elapsed, 2),
                }
            )


def solve(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    num_workers: int = 8,  # CP-SAT portfolio: on 2 cores 8 diverse workers find and prove more than 2
    seed: int = 0,
    objective: str = "tardiness",
    reference: Plan | None = None,
    moved_scope: set[str] | None = None,
    progress: Callable[[dict], None] | None = None,
    use_hint: bool = True,
    log: bool = False,
    hint_plan: Plan | None = None,
    parameters: dict | None = None,
) -> SolveResult:
    """`objective`: "tardiness" (weighted) or "late_count". `reference`: the current plan when re-planning (the
    disturbance stages count operations of `moved_scope`, default all non-frozen ones, whose machine or start
    differs from it). `hint_plan`: a plan to start from when it is valid (re-planning: the repaired plan).
    `parameters`: extra CP-SAT parameters by name (e.g. {"num_full_subsolvers": 4}), for experiments."""
    started = time.monotonic()
    result = SolveResult("unknown", None)
    result.errors = problem.check()
    if result.errors:
        result.status = "invalid_problem"
        return result
    t0 = time.monotonic()
    hint = dispatch(problem)
    result.dispatch_seconds = time.monotonic() - t0
    if hint is not None and validate(problem, hint):
        hint = None  # e.g. a pinned operation in the middle of a routing the rule could not honour
    result.dispatch_plan = hint

    # Horizon: the dispatch plan's end, else a safe serial bound past every calendar window.
    serial = sum(max(o.duration for o in op.options) for op in problem.op_by_id.values())
    serial += len(problem.op_by_id) * max(problem.setups.values(), default=0)
    ends = [e for m in problem.machines for _, e in list(m.available or ()) + list(m.downtime)]
    releases = [problem.earliest(o) for o in problem.op_by_id] + [s for _, s in problem.frozen.values()]
    horizon = max(releases + ends + [0]) + serial + 1
    if hint is not None and reference is None and not any(j.due is not None for j in problem.jobs):
        horizon = min(horizon, makespan(hint))  # makespan only: the optimum is no later than the dispatch plan
    for extra in (reference, hint_plan):
        if extra:
            horizon = max(horizon, makespan(extra))

    m = cp_model.CpModel()
    start, end, present = {}, {}, {}
    per_machine: dict[str, list] = {mc.id: [] for mc in problem.machines}
    for op_id, op in problem.op_by_id.items():
        lo = problem.earliest(op_id)
        dmin = min(o.duration for o in op.options)
        dmax = max(o.duration for o in op.options)
        frozen = problem.frozen.get(op_id)
        if frozen is not None:
            mach, s0 = frozen
            d = op.duration_on(mach)
            start[op_id] = m.new_constant(s0)
            end[op_id] = m.new_constant(s0 + d)
            lit = m.new_constant(1)
            present[op_id, mach] = lit
            per_machine[mach].append((op_id, m.new_fixed_size_interval_var(s0, d, f"i{op_id}"), lit, end[op_id]))
            continue
        s = m.new_int_var(lo, max(lo, horizon - dmin), f"s{op_id}")
        e = m.new_int_var(lo + dmin, max(lo, horizon - dmin) + dmax, f"e{op_id}")
        start[op_id], end[op_id] = s, e
        if len(op.options) == 1:
            o = op.options[0]
            m.add(e == s + o.duration)
            lit = m.new_constant(1)
            present[op_id, o.machine] = lit
            per_machine[o.machine].append((op_id, m.new_interval_var(s, o.duration, e, f"i{op_id}"), lit, e))
        else:
            lits = []
            for o in op.options:
                lit = m.new_bool_var(f"p{op_id}@{o.machine}")
                lits.append(lit)
                present[op_id, o.machine] = lit
                iv = m.new_optional_fixed_size_interval_var(s, o.duration, lit, f"i{op_id}@{o.machine}")
                m.add(e == s + o.duration).only_enforce_if(lit)
                per_machine[o.machine].append((op_id, iv, lit, s + o.duration))
            m.add_exactly_one(lits)
    for job in problem.jobs:
        for a, b in zip(job.operations, job.operations[1:], strict=False):
            m.add(start[b.id] >= end[a.id])

    setup_terms = []
    hinters: list[Callable[[Plan], list]] = []  # a complete hint lets CP-SAT take the plan as its first solution
    for mc in problem.machines:
        ivs = per_machine[mc.id]
        frozen_here = [
            (problem.frozen[o][1], problem.frozen[o][1] + problem.op_by_id[o].duration_on(mc.id))
            for o, *_ in ivs
            if o in problem.frozen
        ]
        blocks = subtract(unavailable(mc, horizon + 1), frozen_here)
        fixed = [m.new_fixed_size_interval_var(s, e - s, f"b{mc.id}_{s}") for s, e in blocks if e > s]
        m.add_no_overlap([iv for _, iv, _, _ in ivs] + fixed)
        fams = {problem.op_by_id[o].family for o, *_ in ivs}
        init = mc.initial_family
        froms = fams | {init} if init is not None else fams
        if not ivs or (len(ivs) < 2 and init is None):
            continue
        if not any(problem.setup(mc.id, a, b) for a in froms for b in fams):
            continue
        arcs = []
        zero_empty = m.new_bool_var(f"empty{mc.id}")
        arcs.append((0, 0, zero_empty))
        arc_lit = {}
        for i, (oi, _, pi, ei) in enumerate(ivs, start=1):
            arcs.append((i, i, ~pi))
            first, last = m.new_bool_var(""), m.new_bool_var("")
            arcs += [(0, i, first), (i, 0, last)]
            arc_lit[0, oi], arc_lit[oi, 0] = first, last
            fi = problem.op_by_id[oi].family
            st0 = problem.setup(mc.id, init, fi) if init is not None and oi not in problem.frozen else 0
            if st0:  # the changeover from the machine's state at the plan's start
                m.add(start[oi] >= st0).only_enforce_if(first)
                setup_terms.append(st0 * first)
            for j, (oj, _, _, _) in enumerate(ivs, start=1):
                if i == j:
                    continue
                lit = m.new_bool_var("")
                arcs.append((i, j, lit))
                arc_lit[oi, oj] = lit
                st = problem.setup(mc.id, fi, problem.op_by_id[oj].family)
                m.add(start[oj] >= ei + st).only_enforce_if(lit)
                if st:
                    setup_terms.append(st * lit)
        m.add_circuit(arcs)

        def circuit_hint(plan, mid=mc.id, arc_lit=arc_lit, zero_empty=zero_empty):
            seq = [0] + sorted((o for o in plan if plan[o].machine == mid), key=lambda o: plan[o].start) + [0]
            on = set(zip(seq, seq[1:], strict=False))
            return [(zero_empty, len(seq) == 2)] + [(lit, key in on) for key, lit in arc_lit.items()]

        hinters.append(circuit_hint)

    stages: list[tuple[str, object]] = []
    if reference is not None:
        scope = moved_scope if moved_scope is not None else {o for o in reference if o not in problem.frozen}
        moved_terms, shift_terms = [], []
        for op_id in scope:
            if op_id in problem.frozen or op_id not in start or op_id not in reference:
                continue
            old = reference[op_id]
            mv = m.new_bool_var(f"mv{op_id}")
            m.add(start[op_id] == old.start).only_enforce_if(~mv)
            if (op_id, old.machine) in present:
                m.add_implication(~mv, present[op_id, old.machine])
            else:
                m.add(mv == 1)
            moved_terms.append(mv)
            sh = m.new_int_var(0, horizon + abs(old.start), f"sh{op_id}")
            m.add_abs_equality(sh, start[op_id] - old.start)
            shift_terms.append(sh)
            hinters.append(
                lambda plan, o=op_id, old=old, mv=mv, sh=sh: [
                    (mv, (plan[o].machine, plan[o].start) != (old.machine, old.start)),
                    (sh, abs(plan[o].start - old.start)),
                ]
            )
        stages += [("moved", sum(moved_terms)), ("shift", sum(shift_terms))]
    if any(j.due is not None for j in problem.jobs):
        terms = []
        for j in problem.jobs:
            if j.due is None:
                continue
            c = end[j.operations[-1].id]
            if objective == "late_count":
                late = m.new_bool_var(f"late{j.id}")
                m.add(c <= j.due).only_enforce_if(~late)
                terms.append(j.weight * late)
                last_op = j.operations[-1].id
                hinters.append(lambda plan, v=late, o=last_op, d=j.due: [(v, plan[o].end > d)])
            else:
                t = m.new_int_var(0, max(0, horizon * 4), f"t{j.id}")
                m.add(t >= c - j.due)
                terms.append(j.weight * t)
                last_op = j.operations[-1].id
                hinters.append(lambda plan, v=t, o=last_op, d=j.due: [(v, max(0, plan[o].end - d))])
        stages.append(("late_count" if objective == "late_count" else "tardiness", sum(terms)))
    cmax = m.new_int_var(0, horizon * 4, "makespan")
    m.add_max_equality(cmax, [end[j.operations[-1].id] for j in problem.jobs])
    stages.append(("makespan", cmax))
    hinters.append(lambda plan: [(cmax, makespan(plan))])
    if setup_terms:
        stages.append(("setup", sum(setup_terms)))

    current = hint
    if hint_plan is not None and not validate(problem, hint_plan):
        current = hint_plan  # e.g. the current plan right-shifted after an event: least disturbance
    deadline = started + time_limit
    for k, (name, expr) in enumerate(stages):
        m.clear_hints()
        if current is not None and use_hint:
            for op_id, a in current.items():
                if op_id in problem.frozen:
                    continue
                m.add_hint(start[op_id], a.start)
                m.add_hint(end[op_id], a.end)
                options = problem.op_by_id[op_id].options
                if len(options) > 1:
                    for o in options:
                        m.add_hint(present[op_id, o.machine], o.machine == a.machine)
            for hinter in hinters:
                for var, value in hinter(current):
                    m.add_hint(var, int(value))
        m.minimize(expr)
        remaining = deadline - time.monotonic()
        left = len(stages) - k
        budget = remaining if left == 1 else remaining * (0.7 if k == 0 else 1 / left)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, budget)
        solver.parameters.num_workers = num_workers
        solver.parameters.random_seed = seed
        solver.parameters.log_search_progress = log
        for key, value in (parameters or {}).items():
            setattr(solver.parameters, key, value)
        status = solver.solve(m, _Progress(name, progress, started, result))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if current is None or k == 0:
                result.status = "infeasible" if status == cp_model.INFEASIBLE else "unknown"
                result.seconds = time.monotonic() - started
                return result
            break  # keep the previous stage's plan
        value = int(round(solver.objective_value))
        result.objectives[name] = value
        result.bounds[name] = int(round(solver.best_objective_bound))
        result.proven[name] = status == cp_model.OPTIMAL
        plan = {}
        for op_id, op in problem.op_by_id.items():
            s = solver.value(start[op_id])
            mach = next(
                o.machine
                for o in op.options
                if (op_id, o.machine) in present and solver.boolean_value(present[op_id, o.machine])
            )
            plan[op_id] = Assignment(mach, s, s + op.duration_on(mach))
        current = plan
        if k < len(stages) - 1:
            m.add(expr <= value)
    result.plan = current
    result.violations = validate(problem, current)
    result.status = "optimal" if all(result.proven.values()) and len(result.proven) == len(stages) else "feasible"
    if result.violations:
        result.status = "invalid_plan"
    result.seconds = time.monotonic() - started
    return result
