"""Keep one child process running, starting a fresh one whenever it exits: how `tidu worker` recycles task workers.

Why: a PDF rendered by WeasyPrint leaves ~0.25 MB of native (Pango/HarfBuzz) memory behind that Python cannot free,
so a worker that lives for thousands of reports grows without bound. A worker started with `db_worker --max-tasks N`
exits cleanly after N tasks; starting a new one then keeps every process's memory bounded — flat over a batch of any
size — at the cost of one process start-up (Django and the CJK fonts, ~5 s) per N tasks.

No Django here: the supervisor only starts commands, so it is tested with real processes."""

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# A child that dies sooner than this after starting is failing (bad settings, database down), not recycling:
# wait before the next start instead of spinning.
QUICK_EXIT_SECONDS = 5.0
BACKOFF_SECONDS = 5.0


@dataclass
class Supervisor:
    command: Callable[[int], Sequence[str]]  # the n-th start's command line (n from 1), e.g. to give a new worker id
    log: Callable[[str], None] = print
    restarts_allowed: int | None = None  # None: forever; a number stops after that many restarts (tests)
    backoff_seconds: float = BACKOFF_SECONDS
    # Stop when this process is gone (`tidu serve` passes its own id): a server killed outright (SIGKILL, a crash)
    # runs no clean-up, and its worker must not live on as an orphan still taking tasks from the queue.
    parent_pid: int | None = None
    starts: int = 0
    child: subprocess.Popen | None = field(default=None, repr=False)
    _stopping: bool = False

    def stop(self, *_signal_args) -> None:
        """Stop after the current child: it is asked to finish its task and exit (SIGTERM is a graceful stop)."""
        if self._stopping:  # asked twice (say SIGINT, then SIGTERM from `tidu serve`): the child is asked once only
            return
        self._stopping = True
        if self.child is not None and self.child.poll() is None:
            self.child.terminate()

    def run(self) -> int:
        """Run until stopped (or out of restarts); returns the last child's exit code."""
        code = 0
        while not self._stopping:
            self.starts += 1
            started = time.monotonic()
            # Its own process group: a terminal's Ctrl-C (or `tidu serve`) reaches only this supervisor, which asks the
            # child once. db_worker treats a second signal as "abandon the task in hand", so it must not get two.
            self.child = subprocess.Popen(list(self.command(self.starts)), process_group=0, preexec_fn=die_with_parent)
            if self._stopping:  # a stop that came while the child was being started
                self.child.terminate()
            code = self._wait_for_child()
            if self._stopping:
                break
            lived = time.monotonic() - started
            if self.restarts_allowed is not None and self.starts > self.restarts_allowed:
                break
            if code != 0 and lived < QUICK_EXIT_SECONDS:
                self.log(f"后台任务进程启动后 {lived:.1f} 秒即退出（代码 {code}），{self.backoff_seconds:.0f} 秒后重试")
                self._pause(self.backoff_seconds)
            elif code != 0:
                self.log(f"后台任务进程异常退出（代码 {code}），正在重新启动")
        return code

    def _wait_for_child(self) -> int:
        while True:
            try:
                return self.child.wait(timeout=1)
            except subprocess.TimeoutExpired:
                if self._orphaned():
                    self.log("启动本进程的服务已退出，后台任务进程随之停止")
                    self.stop()

    def _orphaned(self) -> bool:
        # A dead parent's children are handed to init (or a subreaper): our parent id changes.
        return self.parent_pid is not None and os.getppid() != self.parent_pid

    def _pause(self, seconds: float) -> None:
        """Sleep, but wake for a stop: a signal must not wait out the whole back-off."""
        deadline = time.monotonic() + seconds
        while not self._stopping and not self._orphaned() and time.monotonic() < deadline:
            time.sleep(min(0.2, seconds))
        if self._orphaned():
            self.stop()

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In the child before it runs: have Linux kill it should the supervisor die without stopping it (SIGKILL, a
    crash), so no task worker outlives its supervisor, outside the process group that would otherwise reach it."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
