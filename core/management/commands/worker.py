"""Run the background task worker, recycled every --max-tasks tasks: `tidu worker`.

Each worker process is Django's `db_worker --max-tasks N`; when it has run N tasks it exits and a fresh one starts
(core.supervise says why: report PDFs leave native memory behind). Run one `tidu worker` per core."""

import os
import sys
import uuid

from django.core.management.base import BaseCommand, CommandError

from core.supervise import Supervisor

# A report chunk is 10 PDFs, so 20 tasks is 200 reports per process: at ~0.25 MB left behind per PDF, a worker
# grows by at most ~50 MB before it is replaced, and one start-up (~1 s) is spread over ~3 minutes of work.
DEFAULT_MAX_TASKS = 20


def worker_command(max_tasks: int, interval: float, worker_id: str) -> list[str]:
    return [
        sys.executable, "-m", "tidu.cli", "db_worker", "--no-reload",
        "--interval", str(interval), "--max-tasks", str(max_tasks), "--worker-id", worker_id,
    ]  # fmt: skip


class Command(BaseCommand):
    help = "启动后台任务进程：每运行 --max-tasks 个任务后换一个新进程，内存不随任务数增长"

    def add_arguments(self, parser):
        parser.add_argument("--max-tasks", type=int, default=DEFAULT_MAX_TASKS, help="每个进程运行的任务数")
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒）")

    def handle(self, *args, max_tasks, interval, **options):
        if max_tasks < 1:
            raise CommandError("--max-tasks 须为正整数")
        if interval <= 0:
            raise CommandError("--interval 须大于 0")
        # One id per process, readable in the task table: which supervisor, which start.
        prefix = f"{os.uname().nodename[:24]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        supervisor = Supervisor(
            command=lambda n: worker_command(max_tasks, interval, f"{prefix}-{n}"),
            log=lambda text: self.stderr.write(text),
        )
        supervisor.install_signal_handlers()
        supervisor.run()
