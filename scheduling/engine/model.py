"""The flexible job shop as plain data. Times are integers in one unit (minutes in the XLSX template).

* A job (an order) is a chain of operations in routing order; each operation lists its eligible machines, each with
  its own duration (`Option.of(machine, setup, run_per_unit, quantity)` = setup + run × quantity), and an optional
  setup family.
* Sequence-dependent setups: `Problem.setups[(from_family, to_family)]` (a machine may override with its own
  matrix) is the changeover gap required between two consecutive operations on a machine. Modelling choice: a
  changeover is a gap, it may fall in a break; the operations themselves may not span a break.
  `Machine.initial_family` is its setup state at the plan's start: its first operation needs the changeover from
  that family (a gap after time 0); a frozen first operation is a fact and exempt.
* Machine calendars: `Machine.available` is a list of working windows (None = always available); `downtime` is a
  list of windows when the machine is down. An operation runs inside one working window, touching no downtime
  (operations are not pre-empted by breaks). Frozen operations are facts and are exempt from calendars.
* Release dates per job (and per operation, for a material arriving late), due dates and weights per job.
* Frozen operations (started or pinned): `Problem.frozen[op_id] = (machine, start)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Option:
    machine: str
    duration: int

    @staticmethod
    def of(machine: str, setup: int, run_per_unit: int, quantity: int = 1) -> Option:
        return Option(machine, setup + run_per_unit * quantity)


@dataclass(frozen=True)
class Operation:
    id: str
    options: tuple[Option, ...]
    family: str | None = None
    release: int = 0  # earliest start (material availability), on top of the job's release

    def duration_on(self, machine: str) -> int | None:
        for o in self.options:
            if o.machine == machine:
                return o.duration
        return None


@dataclass(frozen=True)
class Job:
    id: str
    operations: tuple[Operation, ...]
    release: int = 0
    due: int | None = None
    weight: int = 1


@dataclass(frozen=True)
class Machine:
    id: str
    available: tuple[tuple[int, int], ...] | None = None  # working windows; None = always
    downtime: tuple[tuple[int, int], ...] = ()
    setups: dict[tuple[str, str], int] | None = None  # overrides Problem.setups for this machine
    initial_family: str | None = None  # the family the machine is set up for at time 0 (the plan's start)


@dataclass
class Problem:
    jobs: list[Job]
    machines: list[Machine]
    setups: dict[tuple[str, str], int] = field(default_factory=dict)
    frozen: dict[str, tuple[str, int]] = field(default_factory=dict)

    def __post_init__(self):
        self.machine_by_id = {m.id: m for m in self.machines}
        self.op_by_id: dict[str, Operation] = {}
        self.job_of: dict[str, Job] = {}
        for j in self.jobs:
            for o in j.operations:
                self.op_by_id[o.id] = o
                self.job_of[o.id] = j

    def setup(self, machine: str, a: str | None, b: str | None) -> int:
        if a is None or b is None:
            return 0
        m = self.machine_by_id.get(machine)
        table = m.setups if m is not None and m.setups is not None else self.setups
        return table.get((a, b), 0)

    def has_setups(self) -> bool:
        return any(v for v in self.setups.values()) or any(m.setups and any(m.setups.values()) for m in self.machines)

    def earliest(self, op_id: str) -> int:
        return max(self.job_of[op_id].release, self.op_by_id[op_id].release)

    def n_operations(self) -> int:
        return len(self.op_by_id)

    def check(self) -> list[str]:
        """Data errors that make the problem meaningless (before solving); Chinese messages."""
        errors = []
        seen = set()
        for j in self.jobs:
            if not j.operations:
                errors.append(f"订单 {j.id} 没有工序")
            for o in j.operations:
                if o.id in seen:
                    errors.append(f"工序编号 {o.id} 重复")
                seen.add(o.id)
                if not o.options:
                    errors.append(f"工序 {o.id} 没有可用设备")
                for opt in o.options:
                    if opt.machine not in self.machine_by_id:
                        errors.append(f"工序 {o.id} 引用了未知设备 {opt.machine}")
                    if opt.duration < 0:
                        errors.append(f"工序 {o.id} 在设备 {opt.machine} 上的工时为负数")
        for m in self.machines:
            for s, e in list(m.available or ()) + list(m.downtime):
                if e < s:
                    errors.append(f"设备 {m.id} 的时间窗 {s}–{e} 结束早于开始")
        for op_id, (mach, start) in self.frozen.items():
            op = self.op_by_id.get(op_id)
            if op is None:
                errors.append(f"冻结工序 {op_id} 不存在")
            elif op.duration_on(mach) is None:
                errors.append(f"冻结工序 {op_id} 不能在设备 {mach} 上加工")
            elif start < 0:
                errors.append(f"冻结工序 {op_id} 的开始时间为负数")
        return errors


@dataclass(frozen=True)
class Assignment:
    machine: str
    start: int
    end: int


Plan = dict[str, Assignment]  # op id -> assignment


def daily_windows(
    days: int, shifts: list[tuple[int, int]], holidays: set[int] = frozenset(), day_length: int = 1440
) -> tuple[tuple[int, int], ...]:
    """Working windows for `days` days: each shift (start, end) in minutes of the day, skipping holidays (day
    indexes from 0). Adjacent windows are merged (a night shift running into the next day's first shift)."""
    windows: list[list[int]] = []
    for d in range(days):
        if d in holidays:
            continue
        for s, e in sorted(shifts):
            a, b = d * day_length + s, d * day_length + e
            if windows and windows[-1][1] >= a:
                windows[-1][1] = max(windows[-1][1], b)
            else:
                windows.append([a, b])
    return tuple((a, b) for a, b in windows)


def unavailable(machine: Machine, horizon: int) -> list[tuple[int, int]]:
    """Sorted, merged windows in [0, horizon) when the machine may not run a (non-frozen) operation."""
    blocks: list[tuple[int, int]] = []
    if machine.available is not None:
        t = 0
        for s, e in sorted(machine.available):
            if s > t:
                blocks.append((t, min(s, horizon)))
            t = max(t, e)
        if t < horizon:
            blocks.append((t, horizon))
    blocks += [(s, min(e, horizon)) for s, e in machine.downtime if s < horizon]
    blocks = sorted((s, e) for s, e in blocks if e > s)
    merged: list[list[int]] = []
    for s, e in blocks:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def subtract(blocks: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Blocks minus holes (both lists of half-open windows)."""
    out = []
    for s, e in blocks:
        pieces = [(s, e)]
        for hs, he in holes:
            nxt = []
            for a, b in pieces:
                if he <= a or hs >= b:
                    nxt.append((a, b))
                    continue
                if a < hs:
                    nxt.append((a, hs))
                if he < b:
                    nxt.append((he, b))
            pieces = nxt
        out += pieces
    return out


def from_matrices(durations: list[list[int]], machines: list[list[int]]) -> Problem:
    """A classic job shop (one machine per operation, makespan only) from the usual matrices: job j's k-th
    operation runs `durations[j][k]` on machine `machines[j][k]` (as in job-shop-lib and Taillard's files)."""
    jobs = []
    for j, (durs, machs) in enumerate(zip(durations, machines, strict=True)):
        ops = tuple(
            Operation(f"J{j}.{k}", (Option(f"M{m}", int(t)),)) for k, (t, m) in enumerate(zip(durs, machs, strict=True))
        )
        jobs.append(Job(f"J{j}", ops))
    ids = sorted({f"M{m}" for row in machines for m in row}, key=lambda s: int(s[1:]))
    return Problem(jobs, [Machine(m) for m in ids])
