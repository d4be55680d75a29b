"""`tidu worker` runs its upkeep (`tidu upkeep`: sweep_jobs, purge_uploads, sync_search_index) at start-up and then on a
period."""

import io
import sys
import threading
import time

from django.core.management import call_command

from core import maintenance


def test_upkeep_runs_at_start_and_again_every_period(tmp_path):
    marks = tmp_path / "runs.txt"
    command = [sys.executable, "-c", f"open({str(marks)!r}, 'a').write('x'); print('已运行')"]
    lines: list[str] = []
    stop = threading.Event()
    thread = maintenance.start(lines.append, commands=[command], every=0.2, stop=stop)
    deadline = time.monotonic() + 30
    while (not marks.exists() or len(marks.read_text()) < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    thread.join(timeout=30)
    assert len(marks.read_text()) >= 2 and not thread.is_alive()
    assert lines[0].endswith("已运行")


def test_the_worker_runs_every_upkeep_step_in_one_process_and_each_reports(db):
    assert ((sys.executable, "-m", "tidu.cli", "upkeep"),) == maintenance.COMMANDS
    out = io.StringIO()
    call_command("upkeep", stdout=out)
    lines = out.getvalue().splitlines()
    assert any("中断的导入任务" in line for line in lines)  # sweep_jobs
    assert any("上传文件" in line for line in lines)  # purge_uploads
    assert any("检索索引" in line for line in lines)  # sync_search_index
