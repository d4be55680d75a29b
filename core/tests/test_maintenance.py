"""`tidu worker` runs its upkeep commands (sweep_jobs, purge_uploads) at start-up and then on a period."""

import sys
import threading
import time

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

