"""Serve the platform with a background worker: `tidu serve`. For production use a WSGI server and
`tidu worker` as separate processes (see README).

Stopping: Ctrl-C, SIGTERM (`kill`, systemd, `make run` being stopped) and SIGHUP (the terminal closing) all stop the
server and then its worker, which finishes the task in hand first; a second signal stops the worker at once."""

import contextlib
import os
import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

WORKER_GRACE_SECONDS = 60  # the longest task in hand is a chunk of 10 report PDFs


def interrupt(signum, frame):
    # Python dies on SIGTERM or SIGHUP without running `finally`, which left the worker running as an orphan: every
    # stop must unwind like Ctrl-C does (runserver exits cleanly on KeyboardInterrupt).
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "启动网页服务和后台任务进程（开发与演示用）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, host, port, no_worker, **options):
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, interrupt)
        # Started from a parent that ignores Ctrl-C (a shell's background job, a test runner's worker), Python keeps
        # SIGINT ignored and Ctrl-C would never stop the server: take it back.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        worker = None
        try:
            if settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db") and not no_worker:
                worker = start_worker()
                self.stdout.write("后台任务进程已启动（导入等长任务在此运行）")
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        except KeyboardInterrupt:  # a signal that came before the server was up
            pass
        finally:
            if worker is not None:
                stop_worker(worker)


def start_worker() -> subprocess.Popen:
    command = [sys.executable, "-m", "tidu.cli", "worker", "--interval", "0.5", "--parent-pid", str(os.getpid())]
    # Its own process group: a terminal's Ctrl-C reaches only this process, which then stops the worker once and in
    # order (stop_worker), and the whole group (supervisor and db_worker) can be killed together if it hangs.
    # --parent-pid: should this process be killed outright (SIGKILL, a crash), the worker notices and stops.
    return subprocess.Popen(command, process_group=0)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()  # the supervisor asks its db_worker to finish the task in hand and exit
    try:
        worker.wait(timeout=WORKER_GRACE_SECONDS)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):  # too slow, or asked again (a second Ctrl-C): now
        with contextlib.suppress(ProcessLookupError):  # the whole group: the supervisor and its db_worker
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
