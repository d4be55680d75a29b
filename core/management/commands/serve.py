"""Serve the platform with a background worker: `tidu serve`. For production use a WSGI server and
`tidu worker` as separate processes (see README)."""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网页服务和后台任务进程（开发与演示用）"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")
        parser.add_argument("--no-worker", action="store_true", help="不启动后台任务进程")

    def handle(self, *args, host, port, no_worker, **options):
        worker = None
        uses_db_tasks = settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db")
        if uses_db_tasks and not no_worker:
            worker = subprocess.Popen([sys.executable, "-m", "tidu.cli", "worker", "--interval", "0.5"])
            self.stdout.write("后台任务进程已启动（导入等长任务在此运行）")
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()  # the worker finishes the task in hand (up to a chunk of reports), then exits
                try:
                    worker.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    worker.kill()
