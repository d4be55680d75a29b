"""`tidu worker`: the background task worker, recycled every --max-tasks tasks so its memory stays flat.

Each worker process is Django's `db_worker --max-tasks N`; when it has run N tasks it exits and a fresh one starts
(core.supervise says why: report PDFs leave native memory behind). The supervisor itself loads no Django — it only
starts processes — so it costs a few MB, not a second copy of the application. Run one `tidu worker` per core."""

import argparse
import os
import sys
import uuid

from core import maintenance
from core.supervise import Supervisor

# A report chunk is 10 PDFs, so 20 tasks is 200 reports per process: at ~0.25 MB left behind per PDF, a worker
# grows by at most ~50 MB before it is replaced, and one start-up (~5 s with the fonts) is spread over minutes of work.
DEFAULT_MAX_TASKS = 20


def worker_command(max_tasks: int, interval: float, worker_id: str) -> list[str]:
    return [
        sys.executable, "-m", "tidu.cli", "db_worker", "--no-reload",
        "--interval", str(interval), "--max-tasks", str(max_tasks), "--worker-id", worker_id,
    ]  # fmt: skip


def positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"须为正数：{text}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"须为正数：{text}")
        return value

    return parse


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="tidu worker", description="启动后台任务进程：每运行 --max-tasks 个任务后换一个新进程，内存不随任务数增长"
    )
    parser.add_argument(
        "--max-tasks", type=positive(int), default=DEFAULT_MAX_TASKS, help="每个进程运行的任务数（默认 %(default)s）"
    )
    parser.add_argument(
        "--interval", type=positive(float), default=1.0, help="队列为空时的轮询间隔，秒（默认 %(default)s）"
    )
    parser.add_argument(
        "--parent-pid", type=positive(int), default=None, help="该进程退出时随之停止（tidu serve 启动本命令时使用）"
    )
    args = parser.parse_args(argv)
    # One id per process, readable in the task table: which machine, which supervisor, which start.
    prefix = f"{os.uname().nodename[:24]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
    supervisor = Supervisor(
        command=lambda n: worker_command(args.max_tasks, args.interval, f"{prefix}-{n}"),
        log=lambda text: print(text, file=sys.stderr, flush=True),
        parent_pid=args.parent_pid,
    )
    supervisor.install_signal_handlers()
    # Fail jobs a crashed worker left running before new work starts; purge old import files; then daily. And the
    # monitoring figures every night; the data-security clocks every few minutes.
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    maintenance.start(log=log)
    first = maintenance.seconds_until(maintenance.nightly_hour(), maintenance.local_now())
    maintenance.start(log=log, commands=maintenance.NIGHTLY, first_in=first)
    maintenance.start(log=log, commands=maintenance.FREQUENT, every=maintenance.frequent_seconds())
    supervisor.run()
    return 0
