"""The upkeep `tidu worker` runs beside its task processes: at start-up and then once a day, fail upload jobs whose
worker died (`sweep_jobs`) and delete import files past their retention (`purge_uploads`); every night at
TIDU_NIGHTLY_HOUR (default 2 o'clock, in TIDU_TIME_ZONE like the application), take the tier labels of expired
recognitions off (`recognition_expire`), record the re-assessment results of accepted grants (`funding_outcomes`),
then recompute the targets' progress and rebuild the dashboards' tallies
(`monitoring_refresh`: seconds at province scale, so not at every start-up). Every few minutes
(TIDU_FREQUENT_MINUTES, default 5) the data-security clocks are swept (`datasecurity_escalate`): an incident's
reporting clock runs in hours, so a daily sweep would escalate it a day late; so are the scheduling jobs left running
by a dead worker (`scheduling_sweep`: a solve lasts at most ten minutes, its page should not wait a day).
The search index's repair (`tidu sync_search_index`, for writes made around the catalog services) is run by hand or
by a scheduler: with it in the worker's start-up, stopping `tidu serve` sometimes hung in full-suite runs (cause
not found yet).

Django-free like the supervisor: each command is a short child process (`python -m tidu.cli …`), so the
supervisor stays small. Several workers on several machines may each run it: every command is idempotent."""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

DAY = 24 * 3600.0
COMMANDS: tuple[tuple[str, ...], ...] = ((sys.executable, "-m", "tidu.cli", "sweep_jobs"),
                                         (sys.executable, "-m", "tidu.cli", "purge_uploads"))  # fmt: skip
NIGHTLY: tuple[tuple[str, ...], ...] = ((sys.executable, "-m", "tidu.cli", "recognition_expire"),
                                        (sys.executable, "-m", "tidu.cli", "funding_outcomes"),
                                        (sys.executable, "-m", "tidu.cli", "monitoring_refresh"))  # fmt: skip
FREQUENT: tuple[tuple[str, ...], ...] = ((sys.executable, "-m", "tidu.cli", "datasecurity_escalate"),
                                         (sys.executable, "-m", "tidu.cli", "scheduling_sweep"))  # fmt: skip
TIMEOUT = 600.0


def frequent_seconds() -> float:
    text = os.environ.get("TIDU_FREQUENT_MINUTES", "5")
    return 60.0 * (int(text) if text.isdigit() and 0 < int(text) <= 60 else 5)


def nightly_hour() -> int:
    text = os.environ.get("TIDU_NIGHTLY_HOUR", "2")
    return int(text) if text.isdigit() and int(text) < 24 else 2


def seconds_until(hour: int, now: dt.datetime) -> float:
    """Seconds from `now` (aware) to the next `hour`:00 in its time zone; a whole day when it is that moment."""
    target = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= now:
        target = (target + dt.timedelta(days=1)).replace(hour=hour)
    return (target - now).total_seconds()


def local_now() -> dt.datetime:
    return dt.datetime.now(ZoneInfo(os.environ.get("TIDU_TIME_ZONE", "Asia/Shanghai")))


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the supervisor goes, so stopping `tidu worker` leaves no command behind."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG, Linux only


def run_once(commands: Sequence[Sequence[str]], log: Callable[[str], None]) -> None:
    for command in commands:
        try:
            done = subprocess.run(
                list(command),
                timeout=TIMEOUT,
                check=False,
                capture_output=True,
                text=True,
                preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            log(f"维护命令未完成：{' '.join(command[-1:])}：{exc}")
            continue
        text = (done.stdout or "").strip().splitlines()
        log(
            f"{command[-1]}：{text[-1] if text else ''}"
            if done.returncode == 0
            else f"{command[-1]} 失败：{done.stderr[-500:]}"
        )


def start(
    log: Callable[[str], None],
    *,
    commands: Sequence[Sequence[str]] = COMMANDS,
    every: float = DAY,
    first_in: float = 0.0,
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Run the commands after `first_in` seconds and then every `every` seconds in a daemon thread, until `stop`."""
    stop = stop or threading.Event()

    def loop() -> None:
        if stop.wait(first_in):
            return
        while not stop.is_set():
            run_once(commands, log)
            stop.wait(every)

    thread = threading.Thread(target=loop, name="tidu-maintenance", daemon=True)
    thread.start()
    return thread
