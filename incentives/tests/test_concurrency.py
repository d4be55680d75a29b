"""The budget can never be over-committed, even under concurrent approvals (issue 21).

Ten applications of 10,000 yuan each wait at the programme's last step (the province's decision); the budget covers
six. Ten officers' approvals are released at once by a barrier, each in its own thread with its own database
connection: exactly six are approved, four are refused with the budget's message, and the ledger commits exactly
60,000 yuan — never more — with no other error (no deadlock, no "database is locked", no server error).

- PostgreSQL: in-process threads on the test database (transactional, as the threads must see each other's
  commits). `ledger.commit` takes the budget row's lock by an UPDATE before it reads the balance.
- SQLite: the suite's in-memory database fails a second concurrent writer at once ("table is locked"), so the same
  race runs in a subprocess (`manage.py shell`) against a file database as Tidu serves it (WAL, a busy timeout,
  transactions that take the write lock when they begin): the single writer makes the approvals wait their turn.

All data is synthetic (generated credit codes, invented names). `build_race`, `race` and `tally` are reused by
benchmarks/bench_funding.py (100 approvals against a budget for 60)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
AMOUNT = Decimal("10000.00")
APPLICATIONS, COVERED = 10, 6
MARK = "RACE-RESULT "


def race_programme(code: str = "race-subsidy-2026") -> dict:
    """A province subsidy paying 100 % of the cost, no eligibility rules, one decision step at the province."""
    return {
        "code": code, "name": "并发审批用奖补（合成示例）", "type": "subsidy", "year": 2026, "level": "province",
        "status": "provisional", "rate": 1, "provider_required": False, "related_party_forbidden": False,
        "chain": [{"code": "province_decision", "name": "省级审批", "action": "decision", "level": "province"}],
    }  # fmt: skip


def build_race(applications: int, covered: int, amount: Decimal = AMOUNT) -> dict:
    """The programme, its province budget covering `covered` applications, and `applications` applications (each
    from an enterprise of its own, in the counties of 南昌) submitted and waiting at the province's decision."""
    from accounts.models import Membership, Role, User
    from enterprises.creditcode import make, org_code
    from enterprises.models import Enterprise
    from enterprises.services import enterprise_create
    from incentives import services
    from regions.models import Region

    province = Region.objects.get(code="360000")
    officer = User.objects.create_user(username="race-province", password=None)
    Membership.objects.create(user=officer, role=Role.PROVINCE_OFFICER, region_id="360000")
    applicant = User.objects.create_user(username="race-applicant", password=None)
    counties = ["360102", "360103", "360104", "360111", "360112"]
    enterprises = []
    for i in range(applications):
        county = counties[i % len(counties)]
        enterprise = enterprise_create(actor=None, enterprise=Enterprise(
            credit_code=make(f"91{county}" + org_code(f"{90_000_000 + i:08d}")), name=f"并发合成企业{i + 1}有限公司",
            county_id=county, industry_id="34", size_class="small", is_synthetic=True,
        ))  # fmt: skip
        Membership.objects.create(user=applicant, role=Role.ENTERPRISE, enterprise=enterprise)
        enterprises.append(enterprise)
    programme = services.programme_load(actor=officer, region=province, data=race_programme())
    services.programme_set_status(actor=officer, programme=programme, status="open")
    budget = services.budget_set(actor=officer, programme=programme, region=province, year=2026,
                                 amount=amount * covered)  # fmt: skip
    waiting = []
    for i, enterprise in enumerate(enterprises):
        application = services.draft_save(actor=applicant, programme=programme, enterprise=enterprise,
                                          project_name=f"并发审批项目{i + 1}", project_number=f"RACE-{i + 1:04d}",
                                          cost=amount)  # fmt: skip
        waiting.append(services.submit(actor=applicant, application=application))
    return {"officer": officer, "applications": waiting, "budget": budget, "programme": programme}


def run_together(calls, sessions: int | None = None) -> list:
    """Start every call at once (a barrier), each in its own thread with its own database connection, closed when
    it is done; their results (an exception is a result too). `sessions` bounds how many hold a database
    connection at once, as a server's workers do (PostgreSQL's max_connections is 100 on this machine)."""
    barrier = threading.Barrier(len(calls))
    gate = threading.BoundedSemaphore(sessions) if sessions else None
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            if gate is None:
                results[i] = call()
            else:
                with gate:
                    results[i] = call()
        except Exception as exc:  # noqa: BLE001 - shown by the test instead of hanging
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def race(officer, applications, sessions: int | None = None) -> list:
    from incentives import services

    return run_together([lambda a=a: services.decide(actor=officer, application=a, decision="pass")
                         for a in applications], sessions)  # fmt: skip


def tally(results: list, budget) -> dict:
    """What the race did, from the calls' results and from the database."""
    from incentives import ledger
    from incentives.models import FundingApplication, LedgerEntry

    approved = [r for r in results if isinstance(r, FundingApplication)]
    refused = [r.messages[0] for r in results if isinstance(r, ValidationError)]
    other = [repr(r) for r in results if not isinstance(r, FundingApplication | ValidationError)]
    budget.refresh_from_db()
    held = ledger.balance(budget)
    return {
        "approved": len(approved),
        "approved_statuses": sorted({a.status for a in approved}),
        "refused": refused,
        "other": other,
        "committed": str(held.committed),
        "remaining": str(held.remaining),
        "budget": str(budget.amount),
        "commitments": LedgerEntry.objects.filter(budget=budget, kind="commit").count(),
        "stored_approved": FundingApplication.objects.filter(budget=budget, status="approved").count(),
        "still_waiting": FundingApplication.objects.filter(programme=budget.programme, status="in_review",
                                                           step=0).count(),  # fmt: skip
    }


def assert_never_over_committed(found: dict, applications: int, covered: int, amount: Decimal = AMOUNT) -> None:
    assert found["other"] == [], found["other"]  # no deadlock, no "database is locked", no server error
    assert found["approved"] == covered and found["approved_statuses"] == ["approved"], found
    assert len(found["refused"]) == applications - covered, found
    for message in found["refused"]:
        # Each refusal came after the last yuan was spent, and says so.
        expected = f"预算余额不足：江西省 2026 年度预算剩余 0.00 元，本申请核定 {amount:,.2f} 元，未批准"
        assert message == expected, message
    assert Decimal(found["committed"]) == amount * covered <= Decimal(found["budget"])
    assert Decimal(found["remaining"]) == 0
    assert found["commitments"] == found["stored_approved"] == covered
    assert found["still_waiting"] == applications - covered  # a refused approval leaves the application at its step


# ------------------------------------------------------------------------------------------------ PostgreSQL


def _reload_reference_data():
    """A transactional test ends with a flush that also empties the reference tables the migrations loaded."""
    from enterprises.labels import labels_load
    from enterprises.models import Label
    from regions.models import IndustryDivision, Region
    from regions.services import industries_load, regions_load

    if not Region.objects.exists():
        regions_load()
    if not IndustryDivision.objects.exists():
        industries_load()
    if not Label.objects.exists():
        labels_load(Label)


@pytest.fixture(scope="module")
def _reference_data_after_module(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


@pytest.fixture
def reference_data(transactional_db, _reference_data_after_module):
    _reload_reference_data()
    yield
    connection.close()  # the flush after the test must not wait on a connection a thread left behind


IN_PROCESS = pytest.mark.skipif(
    ON_SQLITE, reason="the suite's in-memory SQLite fails a second concurrent writer at once; on SQLite the race "
    "runs against a file database in a subprocess (test_..._on_a_file_sqlite_database)",
)  # fmt: skip


@IN_PROCESS
def test_ten_concurrent_approvals_against_a_budget_for_six_approve_exactly_six(reference_data):
    built = build_race(APPLICATIONS, COVERED)
    results = race(built["officer"], built["applications"])
    assert_never_over_committed(tally(results, built["budget"]), APPLICATIONS, COVERED)


@IN_PROCESS
def test_the_same_application_approved_ten_times_at_once_is_committed_once(reference_data):
    built = build_race(1, 3)
    results = race(built["officer"], built["applications"] * 10)
    found = tally(results, built["budget"])
    assert found["other"] == [] and found["approved"] == 1, found
    assert found["refused"] == ["申请不在审核中"] * 9, found["refused"]
    assert (found["commitments"], Decimal(found["committed"])) == (1, AMOUNT)


@IN_PROCESS
def test_two_approvals_at_once_never_pass_the_per_enterprise_cap_together(reference_data):
    """The caps read what the enterprise already has: both approvals must not read it before either writes."""
    from accounts.models import Membership, Role, User
    from enterprises.creditcode import make, org_code
    from enterprises.models import Enterprise
    from enterprises.services import enterprise_create
    from incentives import ledger, services
    from incentives.models import LedgerEntry
    from regions.models import Region

    province = Region.objects.get(code="360000")
    officer = User.objects.create_user(username="cap-province", password=None)
    Membership.objects.create(user=officer, role=Role.PROVINCE_OFFICER, region_id="360000")
    applicant = User.objects.create_user(username="cap-applicant", password=None)
    enterprise = enterprise_create(actor=None, enterprise=Enterprise(
        credit_code=make("91360102" + org_code("80000001")), name="上限并发合成企业有限公司", county_id="360102",
        industry_id="34", size_class="small", is_synthetic=True,
    ))  # fmt: skip
    Membership.objects.create(user=applicant, role=Role.ENTERPRISE, enterprise=enterprise)
    data = race_programme("cap-race-2026") | {"caps": {"per_enterprise": 15000}}
    programme = services.programme_load(actor=officer, region=province, data=data)
    services.programme_set_status(actor=officer, programme=programme, status="open")
    budget = services.budget_set(actor=officer, programme=programme, region=province, year=2026,
                                 amount=Decimal(100000))  # fmt: skip
    waiting = []
    for i in range(2):
        draft = services.draft_save(actor=applicant, programme=programme, enterprise=enterprise, cost=Decimal(10000),
                                    project_name=f"上限并发项目{i}", project_number=f"CAP-{i}")  # fmt: skip
        waiting.append(services.submit(actor=applicant, application=draft))
    found = tally(race(officer, waiting), budget)
    assert found["other"] == [], found
    # One gets its 10,000; the other only what the cap leaves (5,000) — never 10,000 each.
    assert ledger.sums(LedgerEntry.objects.filter(enterprise=enterprise))[0] == Decimal("15000.00")


# ------------------------------------------------------------------------------------------------ SQLite


def sqlite_race_main(applications: int = APPLICATIONS, covered: int = COVERED) -> None:
    """Run in a subprocess on a file SQLite database (`manage.py shell -c`): build, race, print the tally."""
    with connection.cursor() as cursor:
        journal = cursor.execute("PRAGMA journal_mode").fetchone()[0]
    built = build_race(applications, covered)
    results = race(built["officer"], built["applications"])
    print(MARK + json.dumps({**tally(results, built["budget"]), "journal_mode": journal}, ensure_ascii=False))


@pytest.mark.skipif(not ON_SQLITE, reason="the in-process race above runs on PostgreSQL")
def test_ten_concurrent_approvals_on_a_file_sqlite_database_approve_exactly_six(tmp_path, fresh_sqlite):
    database = fresh_sqlite(tmp_path / "tidu.sqlite3")  # migrated, as `tidu serve` would find it
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"},
        "TIDU_VAR_DIR": str(tmp_path), "TIDU_DATABASE_URL": f"sqlite:///{database}", "PYTHONWARNINGS": "ignore",
        "TIDU_TASKS_BACKEND": "immediate",
    }  # fmt: skip
    script = "from incentives.tests.test_concurrency import sqlite_race_main; sqlite_race_main()"
    done = subprocess.run([sys.executable, "manage.py", "shell", "-v", "0", "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARK))
    found = json.loads(line.removeprefix(MARK))
    assert found["journal_mode"] == "wal"  # the database as Tidu serves it: one writer at a time, readers alongside
    assert_never_over_committed(found, APPLICATIONS, COVERED)
