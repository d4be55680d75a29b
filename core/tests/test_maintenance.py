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


def test_the_nightly_upkeep_waits_for_its_hour_in_the_application_time_zone():
    import datetime as dt
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    assert maintenance.seconds_until(2, dt.datetime(2026, 12, 6, 1, 30, tzinfo=shanghai)) == 30 * 60
    assert maintenance.seconds_until(2, dt.datetime(2026, 12, 6, 2, 0, tzinfo=shanghai)) == 24 * 3600
    assert maintenance.seconds_until(2, dt.datetime(2026, 12, 6, 23, 0, tzinfo=shanghai)) == 3 * 3600
    assert any("monitoring_refresh" in command for command in maintenance.NIGHTLY)
    assert any("funding_outcomes" in command for command in maintenance.NIGHTLY)


def test_the_data_security_clocks_are_swept_every_few_minutes(monkeypatch):
    from django.core.management import get_commands

    assert [command[-1] for command in maintenance.FREQUENT] == ["datasecurity_escalate", "scheduling_sweep"]
    assert {"datasecurity_escalate", "scheduling_sweep"} <= set(get_commands())  # the commands the worker runs exist
    assert maintenance.frequent_seconds() == 300
    monkeypatch.setenv("TIDU_FREQUENT_MINUTES", "2")
    assert maintenance.frequent_seconds() == 120
    monkeypatch.setenv("TIDU_FREQUENT_MINUTES", "0")  # nonsense falls back to the default
    assert maintenance.frequent_seconds() == 300


def test_nothing_runs_before_the_first_time_and_stopping_meanwhile_runs_nothing(tmp_path):
    marks = tmp_path / "runs.txt"
    command = [sys.executable, "-c", f"open({str(marks)!r}, 'a').write('x')"]
    stop = threading.Event()
    thread = maintenance.start(lambda _text: None, commands=[command], first_in=3600, stop=stop)
    time.sleep(0.3)
    stop.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and not marks.exists()
