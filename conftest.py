"""Shared fixtures: the fixed set of personas every authorisation test uses, and a few enterprises.

All data made here is synthetic (credit codes are generated, names invented)."""

import itertools
import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop in-thread

PASSWORD = "Test-pass-2026!"  # noqa: S105 - a test fixture's password
_serial = itertools.count(1)


def pytest_configure(config):
    from django.conf import settings

    # Tasks run inline in tests, so an import's check and commit finish before the request returns.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = True
    # Real hashing costs ~0.3 s per user; the hasher is Django's concern, not what these tests check.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _install_fast_transactional_teardown()


def make_code(county: str) -> str:
    from enterprises.creditcode import make, org_code

    return make(f"91{county}" + org_code(f"{next(_serial):08d}"))


@pytest.fixture
def make_enterprise(db):
    from enterprises.models import Enterprise
    from enterprises.services import enterprise_create

    def build(county="360102", name=None, industry="34", **fields):
        enterprise = Enterprise(
            credit_code=fields.pop("credit_code", None) or make_code(county),
            name=name or f"测试企业{next(_serial)}有限公司",
            county_id=county,
            industry_id=industry,
            **fields,
        )
        return enterprise_create(actor=None, enterprise=enterprise)

    return build


@pytest.fixture
def make_user(db):
    from accounts.models import Membership, User

    def build(username, role=None, region=None, enterprise=None, provider=None, assigned=(), superuser=False):
        user = User.objects.create_user(
            username=username, password=PASSWORD, is_superuser=superuser, is_staff=superuser
        )
        if role:
            m = Membership.objects.create(
                user=user, role=role, region_id=region, enterprise=enterprise, provider=provider
            )
            if assigned:
                m.assigned_enterprises.set(assigned)
        return user

    return build


@pytest.fixture
def world(make_enterprise, make_user):
    """Two cities of one province (南昌 3601, 九江 3604), a county in each, and one persona of every role.

    home: 南昌市东湖区 360102; other: 九江市濂溪区 360402."""
    from accounts.models import Role
    from catalog.models import Provider

    home = make_enterprise("360102", name="东湖精密机械有限公司", industry="34")
    neighbour = make_enterprise("360111", name="青山湖电子科技有限公司", industry="39")
    other = make_enterprise("360402", name="九江濂溪化工有限公司", industry="26")
    provider = Provider.objects.create(name="测试服务商有限公司", credit_code=make_code("360102"), region_id="360100")
    users = {
        "admin": make_user("admin", Role.ADMIN, superuser=True),
        "province": make_user("province", Role.PROVINCE_OFFICER, region="360000"),
        "city": make_user("city", Role.CITY_OFFICER, region="360100"),
        "county": make_user("county", Role.COUNTY_OFFICER, region="360102"),
        "other_city": make_user("other_city", Role.CITY_OFFICER, region="360400"),
        "enterprise": make_user("enterprise", Role.ENTERPRISE, enterprise=home),
        "provider": make_user("provider", Role.PROVIDER, provider=provider),
        "commissioner": make_user("commissioner", Role.COMMISSIONER, assigned=[neighbour]),
        "expert": make_user("expert", Role.EXPERT),
        "nobody": make_user("nobody"),
    }
    return {"home": home, "neighbour": neighbour, "other": other, "provider": provider, **users}


@pytest.fixture
def login(client):
    def as_(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return as_


@pytest.fixture(autouse=True)
def default_language():
    """A request in English leaves English active in the thread; each test starts in the default language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


# ---------------------------------------------------------------- tests that start Tidu in a subprocess

_ROOT = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory):
    """A migrated SQLite file (with the cache table), built once for the whole run and shared by every xdist
    worker: the tests that serve Tidu or run its worker in a subprocess copy it (`fresh_sqlite`) instead of each
    migrating ~20 s."""
    import fcntl
    import subprocess
    import sys

    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # xdist: one folder for every worker
    template = shared / "migrated-template.sqlite3"
    with open(shared / "migrated-template.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            building = shared / "migrated-template.building.sqlite3"
            building.unlink(missing_ok=True)
            env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
            env |= {"TIDU_VAR_DIR": str(shared / "template-var"), "TIDU_DATABASE_URL": f"sqlite:///{building}",
                    "PYTHONWARNINGS": "ignore"}  # fmt: skip
            prepare = "from django.core.management import call_command; call_command('migrate', verbosity=0); "
            prepare += "call_command('createcachetable')"
            subprocess.run([sys.executable, "manage.py", "shell", "-c", prepare], cwd=_ROOT, env=env, check=True)
            building.rename(template)
    return template


@pytest.fixture
def fresh_sqlite(migrated_sqlite_template):
    """Copy the migrated template to `path` (a file SQLite database of the test's own)."""
    import shutil

    def copy(path):
        shutil.copyfile(migrated_sqlite_template, path)
        return path

    return copy


# ---------------------------------------------------------------- the second engine's run

# `make test` runs the suite on SQLite, then again on PostgreSQL. Tests that touch no database (pure engines, file
# parsing, the chain rules …) cannot behave differently on the second engine, so that run leaves them out
# (TIDU_TEST_DATABASE_ONLY=1, set by the Makefile); `make test-postgres` alone runs everything.
_DATABASE_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences",
                      "django_db_serialized_rollback"}  # fmt: skip


def pytest_collection_modifyitems(config, items):
    if os.environ.get("TIDU_TEST_DATABASE_ONLY") != "1":
        return
    keep, skip = [], []
    for item in items:
        uses_database = _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker(
            "django_db"
        )
        (keep if uses_database else skip).append(item)
    if skip:
        config.hook.pytest_deselected(items=skip)
        items[:] = keep


# ---------------------------------------------------------------- transactional tests end without a flush

# A transactional test (the browser tests, the worker and concurrency tests) ends, in Django, with `flush`: TRUNCATE
# of every table, then the post_migrate signal re-creating content types and permissions, then our reload of the
# regions, industries and labels the migrations loaded. That cost 5–20 s per test on PostgreSQL (TRUNCATE makes new
# files for ~120 tables and their indexes) and several seconds on SQLite, for ~45 tests in each run. Instead, the
# database is put back to its freshly migrated state directly: every table the migrations left empty is emptied with
# DELETE (again while triggers refill one, e.g. the per-county counts), and every table they filled is compared with
# a copy taken before the first transactional test and restored only if a test changed it.

_migrated_rows: dict[str, dict[str, tuple[list[str], list[tuple]]]] = {}  # database alias → table → (columns, rows)


def _table_rows(cursor, quote, table: str) -> tuple[list[str], list[tuple]]:
    cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 - table names from the database's own catalogue
    columns = [c[0] for c in cursor.description]
    return columns, sorted(cursor.fetchall(), key=repr)


def _remember_migrated_state(connection) -> None:
    if connection.alias in _migrated_rows:
        return
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    kept = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                kept[table] = _table_rows(cursor, quote, table)
    _migrated_rows[connection.alias] = kept


def _restore_migrated_state(connection) -> None:
    from django.db import transaction

    kept = _migrated_rows[connection.alias]
    quote = connection.ops.quote_name
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        emptied = [t for t in tables if t not in kept]
        for _pass in range(4):  # a delete trigger may write into a table emptied before it
            for table in emptied:
                cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            left = []
            for table in emptied:
                cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    left.append(table)
            if not left:
                break
            emptied = left
        else:
            raise RuntimeError(f"tables still hold rows after the test: {left}")
        for table, (columns, rows) in kept.items():
            if _table_rows(cursor, quote, table) == (columns, rows):
                continue
            cursor.execute(f"DELETE FROM {quote(table)}")  # noqa: S608
            marks = ", ".join(["%s"] * len(columns))
            names = ", ".join(quote(c) for c in columns)
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)  # noqa: S608


def _install_fast_transactional_teardown() -> None:
    from django.db import connections
    from django.test import TransactionTestCase

    original_setup = TransactionTestCase._fixture_setup.__func__  # a classmethod in Django 6

    def _fixture_setup(cls):
        for alias in cls._databases_names(include_mirrors=False):
            _remember_migrated_state(connections[alias])
        return original_setup(cls)

    def _fixture_teardown(self):
        for alias in self._databases_names(include_mirrors=False):
            _restore_migrated_state(connections[alias])

    TransactionTestCase._fixture_setup = classmethod(_fixture_setup)
    TransactionTestCase._fixture_teardown = _fixture_teardown
