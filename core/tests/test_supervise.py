"""`tidu worker`: task workers are recycled after --max-tasks tasks so their memory stays bounded.

The supervisor is tested with real child processes; the command end to end with real db_worker processes on a
database of its own (a file SQLite database, since the worker processes cannot see the suite's test database)."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from core.supervise import Supervisor

ROOT = Path(__file__).resolve().parents[2]


def test_a_child_that_exits_after_its_work_is_replaced_by_a_fresh_one(tmp_path):
    starts = tmp_path / "starts"
    script = f"open({str(starts)!r}, 'a').write('started\\n')"
    supervisor = Supervisor(command=lambda n: [sys.executable, "-c", script], restarts_allowed=2, log=lambda _: None)
    assert supervisor.run() == 0
    assert supervisor.starts == 3
    assert starts.read_text().splitlines() == ["started"] * 3


def test_each_start_gets_its_own_command_line(tmp_path):
    seen = tmp_path / "seen"
    script = f"import sys; open({str(seen)!r}, 'a').write(sys.argv[1] + '\\n')"
    supervisor = Supervisor(command=lambda n: [sys.executable, "-c", script, f"worker-{n}"], restarts_allowed=1)
    supervisor.run()
    assert seen.read_text().splitlines() == ["worker-1", "worker-2"]


def test_stop_ends_the_running_child_and_starts_no_other():
    supervisor = Supervisor(command=lambda n: [sys.executable, "-c", "import time; time.sleep(60)"])
    threading.Timer(0.5, supervisor.stop).start()
    began = time.monotonic()
    code = supervisor.run()
    assert time.monotonic() - began < 10
    assert code == -signal.SIGTERM and supervisor.starts == 1


def test_a_child_failing_at_start_is_retried_after_a_pause_not_in_a_tight_loop():
    messages = []
    supervisor = Supervisor(
        command=lambda n: [sys.executable, "-c", "raise SystemExit(3)"],
        restarts_allowed=1,
        backoff_seconds=0.3,
        log=messages.append,
    )
    began = time.monotonic()
    assert supervisor.run() == 3
    assert time.monotonic() - began >= 0.3
    assert supervisor.starts == 2
    assert messages and "即退出（代码 3）" in messages[0]


@pytest.mark.skipif(
    "sqlite" not in settings.DATABASES["default"]["ENGINE"],
    reason="builds its own SQLite database whatever the suite runs on: once per `make test` is enough",
)
def test_tidu_worker_runs_queued_tasks_in_recycled_processes_and_stops_on_sigterm(tmp_path, fresh_sqlite):
    database = tmp_path / "worker.sqlite3"
    env = {
        **os.environ,
        "TIDU_VAR_DIR": str(tmp_path),
        "TIDU_DATABASE_URL": f"sqlite:///{database}",
        "TIDU_TASKS_BACKEND": "db",
        "PYTHONWARNINGS": "ignore",
    }
    manage = [sys.executable, "manage.py"]
    fresh_sqlite(database)  # migrated
    queue = (
        "from assessments.models import ModelVersion; from assessments.tasks import rescore_version\n"
        "version = ModelVersion.objects.first()\n"
        "for _ in range(3): rescore_version.enqueue(version.pk)\n"
    )
    subprocess.run([*manage, "shell", "-v0", "-c", queue], cwd=ROOT, env=env, check=True)

    tidu = [sys.executable, "-m", "tidu.cli"]
    worker = subprocess.Popen([*tidu, "worker", "--max-tasks", "1", "--interval", "0.1"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 90
        while True:
            with sqlite3.connect(database) as db:
                rows = db.execute("select status, worker_ids from django_tasks_database_dbtaskresult").fetchall()
            if all(status == "SUCCESSFUL" for status, _ in rows) or time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert [status for status, _ in rows] == ["SUCCESSFUL"] * 3
        # One task per process: three processes, each with its own id under the supervisor's prefix.
        ids = [json.loads(worker_ids)[0] for _, worker_ids in rows]
        assert len(set(ids)) == 3
        assert len({worker_id.rsplit("-", 1)[0] for worker_id in ids}) == 1
        assert worker.poll() is None  # still serving the queue after its children exited
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) is not None
    finally:
        if worker.poll() is None:
            worker.kill()


@pytest.mark.parametrize("option", [["--max-tasks", "0"], ["--max-tasks", "x"], ["--interval", "-1"]])
def test_tidu_worker_refuses_a_bad_option_with_a_clear_message(option):
    done = subprocess.run(
        [sys.executable, "-m", "tidu.cli", "worker", *option], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 2
    assert f"须为正数：{option[1]}" in done.stderr
