"""Per-address limits hold under parallel requests: counting is one atomic step, on SQLite and PostgreSQL.

Real threads, each with its own database connection, all released at once; transactional, because the threads must
see each other's commits. All data is synthetic (generated credit codes, invented names)."""

import http.cookiejar
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from catalog.models import Provider
from conftest import make_code
from core import throttle
from core.models import ThrottleCount

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 15
ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
IN_PROCESS_RACE = pytest.mark.skipif(
    ON_SQLITE,
    reason="the suite's in-memory SQLite fails a second concurrent writer at once ('table is locked'); on SQLite the "
    "race is run against a served file database (test_fifteen_parallel_sign_ups_to_a_served_sqlite_database_...)",
)


def _reload_reference_data():
    """A transactional test ends with a flush that also empties the reference tables the migrations loaded."""
    from regions.models import IndustryDivision, Region
    from regions.services import industries_load, regions_load

    if not Region.objects.exists():
        regions_load()
    if not IndustryDivision.objects.exists():
        industries_load()


@pytest.fixture
def reference_data(transactional_db):
    _reload_reference_data()
    yield
    connection.close()  # the flush after the test must not wait on a thread's connection


@pytest.fixture(scope="module", autouse=True)
def reference_data_after(django_db_setup, django_db_blocker):  # django_db_setup: the test database, never the real one
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


def run_together(calls, close_connection=True):
    """Start every call at once (a barrier), each in its own thread with its own connection; their results."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # an error is a result too: the test shows it instead of hanging
            results[i] = exc
        finally:
            if close_connection:
                connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def application(i: int) -> dict:
    return {
        "name": f"合成并发服务商{i}有限公司",
        "credit_code": make_code("360102"),
        "region": "360100",
        "types": ["consulting"],
        "description": "合成演示：并发申请",
        "username": f"parallel{i}",
        "email": f"parallel{i}@example.com",
        "password": "Gan-jiang-2026!",
    }


APPLICATIONS = [application(i) for i in range(PARALLEL)]


@IN_PROCESS_RACE
def test_fifteen_parallel_sign_ups_from_one_address_let_exactly_five_through(reference_data):
    url = reverse("catalog:register")
    responses = run_together([lambda data=data: Client().post(url, data) for data in APPLICATIONS])
    statuses = [getattr(r, "status_code", r) for r in responses]
    pages = [r.content.decode() for r in responses if getattr(r, "status_code", None) == 429]
    exactly_five_signed_up(statuses, pages, Provider.objects.filter(name__startswith="合成并发服务商").count())


@pytest.mark.skipif(not ON_SQLITE, reason="the in-process race above runs on PostgreSQL")
def test_fifteen_parallel_sign_ups_to_a_served_sqlite_database_let_exactly_five_through(tmp_path, fresh_sqlite):
    exactly_five_signed_up(*served_sign_ups(tmp_path, fresh_sqlite))


def exactly_five_signed_up(statuses: list, pages: list[str], created: int) -> None:
    assert sorted(statuses, key=str) == [302] * 5 + [429] * 10, statuses
    assert len(pages) == 10 and all("申请过于频繁，请一小时后再试" in page for page in pages)
    assert created == 5


def served_sign_ups(tmp_path, fresh_sqlite) -> tuple[list[int], list[str], int]:
    """The same race against `tidu serve` on a file SQLite database, as `make run` serves it (WAL, a busy timeout):
    the suite's own SQLite database lives in memory with a shared cache, where a second writer fails with "table
    is locked" at once instead of waiting its turn. Each caller is a browser of its own with its CSRF token."""
    from core.tests.test_serve import answers_http, free_port

    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "TIDU_VAR_DIR": str(tmp_path),
        "TIDU_DATABASE_URL": f"sqlite:///{tmp_path / 'tidu.sqlite3'}",
        "PYTHONWARNINGS": "ignore",
    }
    fresh_sqlite(tmp_path / "tidu.sqlite3")  # migrated, with the cache table
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tidu.cli", "serve", "--no-worker", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while not answers_http(port):
            assert time.monotonic() < deadline and server.poll() is None, "the server did not start"
            time.sleep(0.3)
        url = f"http://127.0.0.1:{port}/catalog/register/"
        browsers = []
        for data in APPLICATIONS:
            cookies = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(cookies), NoRedirect, urllib.request.HTTPErrorProcessor
            )
            page = opener.open(url, timeout=30).read().decode()
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
            browsers.append((opener, body))

        def post(opener, body):
            try:
                response = opener.open(urllib.request.Request(url, data=body, headers={"Referer": url}), timeout=60)
                return response.status, response.read().decode()
            except urllib.error.HTTPError as error:
                return error.code, error.read().decode()

        results = run_together([lambda b=b: post(*b) for b in browsers], close_connection=False)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    statuses = [r[0] if isinstance(r, tuple) else r for r in results]
    pages = [r[1] for r in results if isinstance(r, tuple) and r[0] == 429]
    with sqlite3.connect(tmp_path / "tidu.sqlite3") as db:
        created = db.execute("select count(*) from catalog_provider where name like '合成并发服务商%'").fetchone()[0]
    return statuses, pages, created


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 302 after a sign-up is the answer itself


@IN_PROCESS_RACE
def test_parallel_report_verifications_stop_exactly_at_the_limit(reference_data, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "VERIFICATIONS_PER_HOUR", 4)  # the real limit is 60; the race is the same
    url = reverse("report_verify", args=["0000-0000-0000-0000"])

    def verify():
        return Client().post(url, {"pdf": SimpleUploadedFile("r.pdf", b"%PDF-1.7 x", "application/pdf")})

    responses = run_together([verify] * 10)
    statuses = [getattr(r, "status_code", r) for r in responses]
    assert statuses.count(429) == 6 and all(s in {200, 400, 429} for s in statuses), statuses
    assert all("核验过于频繁" in r.content.decode() for r in responses if r.status_code == 429)


@IN_PROCESS_RACE
def test_parallel_takes_of_one_key_grant_exactly_the_limit(reference_data):
    granted = run_together([lambda: throttle.take("test:parallel", 5)] * PARALLEL)
    assert granted.count(True) == 5 and granted.count(False) == 10, granted
    assert ThrottleCount.objects.get(key="test:parallel").count == 5


@pytest.mark.django_db
def test_a_take_over_the_limit_counts_nothing_and_other_keys_are_apart():
    assert [throttle.take("test:a", 2) for _ in range(4)] == [True, True, False, False]
    assert ThrottleCount.objects.get(key="test:a").count == 2
    assert throttle.take("test:b", 2)


@pytest.mark.django_db
def test_a_closed_window_opens_a_new_one():
    assert [throttle.take("test:window", 1) for _ in range(2)] == [True, False]
    ThrottleCount.objects.filter(key="test:window").update(window_ends=1)  # as if the hour had passed
    assert throttle.take("test:window", 1)
    assert ThrottleCount.objects.get(key="test:window").count == 1


@pytest.mark.django_db
def test_a_place_given_back_can_be_taken_again():
    assert throttle.take("test:back", 1) and not throttle.take("test:back", 1)
    throttle.give_back("test:back")
    assert throttle.take("test:back", 1)


@pytest.mark.django_db
def test_counters_of_closed_windows_are_dropped_when_a_new_window_opens():
    throttle.take("test:old", 1)
    ThrottleCount.objects.filter(key="test:old").update(window_ends=1)
    throttle.take("test:new", 1)
    assert list(ThrottleCount.objects.values_list("key", flat=True)) == ["test:new"]
