"""Schemathesis against /api/v1/: every operation, every registered check, as a province officer and as an
enterprise user, over a small seeded dataset, on whichever database the suite runs on.

The budget is bounded and the run reproducible (derandomized, a fixed seed, few examples per operation), so it
runs in CI on SQLite and PostgreSQL. It calls the WSGI application in-process: the requests see the test's
transaction, and everything they write is rolled back with it."""

import datetime as dt
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from conftest import make_code

pytestmark = pytest.mark.django_db

OPENAPI = "/api/v1/openapi.json"
MAX_EXAMPLES = 6  # fuzzing examples per operation and persona; the coverage phase adds its boundary cases


def _config(*, coverage: bool) -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": 20260516,
            "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {
                "coverage": {"enabled": coverage},
                "stateful": {"enabled": False},  # the API declares no links between operations
            },
            "checks": {
                # Valid by the schema yet refused by a domain rule the schema cannot express (a credit code's
                # check digit, a scenario code that must exist, a range whose ends are two fields): 422, in Chinese.
                "positive_data_acceptance": {"expected-statuses": ["2xx", "401", "403", "404", "409", "422"]},
            },
        }
    )


def _load(*, coverage: bool):
    """The description the API serves, and the application to call: in-process, through WSGI."""
    from tidu.api import api
    from tidu.wsgi import application

    loaded = schemathesis.openapi.from_dict(
        api.get_openapi_schema(path_prefix="/api/v1/"), config=_config(coverage=coverage)
    )
    loaded.app = application
    return loaded


# The coverage phase (every boundary and every schema violation the description implies, plus undeclared methods)
# runs once, as the officer; the enterprise user's run is random fuzzing, where what differs is its scope.
full = _load(coverage=True)
fuzzing = _load(coverage=False)


def _seed() -> dict:
    """A little of everything the API serves, so that list and detail endpoints answer with real rows: enterprises
    in and out of the officer's province, a submitted self-assessment, a published provider with a solution and a
    case, a need with a response, a matching meeting; and a bearer token for each persona."""
    from accounts.models import Membership, Role, User
    from accounts.services import token_create
    from assessments import services as assessments
    from assessments.models import Assessment, ModelVersion
    from assessments.tests.conftest import all_answers
    from assessments.tests.test_api import pick
    from catalog import meetings, services, workflow
    from catalog.models import Case, MatchMeeting, Need, Provider, Solution
    from enterprises.models import Enterprise
    from enterprises.services import enterprise_create

    def enterprise(county, name, industry):
        return enterprise_create(
            actor=None,
            enterprise=Enterprise(credit_code=make_code(county), name=name, county_id=county, industry_id=industry),
        )

    def user(username, **membership):
        person = User.objects.create_user(username=username, password=None)
        Membership.objects.create(user=person, **membership)
        return person

    home = enterprise("360102", "东湖精密机械有限公司", "34")
    enterprise("360402", "九江濂溪化工有限公司", "26")
    officer = user("fuzz-province", role=Role.PROVINCE_OFFICER, region_id="360000")
    owner = user("fuzz-enterprise", role=Role.ENTERPRISE, enterprise=home)

    version = ModelVersion.objects.get(code="sme-2024", is_current=True)
    draft = assessments.start(actor=owner, enterprise=home, version=version, kind=Assessment.Kind.SELF)
    assessments.save_answers(actor=owner, assessment=draft, updates=all_answers(version, draft.context, pick))
    assessments.submit(actor=owner, assessment=draft)

    listed = services.provider_create(
        actor=None,
        provider=Provider(
            name="排程软件（合成）有限公司", credit_code=make_code("360100"), region_id="360100", status="published"
        ),
    )
    solution = services.solution_save(
        actor=None,
        solution=Solution(provider=listed, title="离散制造智能排产", description="插单排程", status="published"),
        scenario_codes=["S-PM-02"],
    )
    Case.objects.create(provider=listed, solution=solution, title="排产案例", industry_id="34", region_id="360102")
    need = services.need_create(
        actor=owner,
        need=Need(enterprise=home, text="我们想上一套排产系统，解决插单多的问题", visibility="public"),
        scenario_codes=["S-PM-02"],
    )
    workflow.response_create(actor=None, need=need, provider=listed, message="可以上门演示", solution=solution)
    meeting = meetings.meeting_save(
        actor=officer, meeting=MatchMeeting(title="排产对接会", region_id="360100", held_on=dt.date(2026, 6, 1))
    )
    meetings.meeting_invite(actor=officer, meeting=meeting, enterprises=[home], providers=[])
    return {
        persona: {"Authorization": f"Bearer {token_create(user=person, name='fuzz')[1]}"}
        for persona, person in (("officer", officer), ("enterprise", owner))
    }


@pytest.fixture(autouse=True)
def reference_data():
    """Overrides the browser tests' autouse fixture of this directory, which makes every test transactional (a
    flush after each): these tests roll back instead, so the seeded module data survives from one to the next."""


@pytest.fixture(scope="module")
def bearer(django_db_setup, django_db_blocker):
    """Seeded once for the module, inside a transaction that is rolled back at its end; each test's own
    transaction (the `db` fixture) nests in it as a savepoint, so what one operation writes, the next never sees."""
    # As Django's test client does: a WSGI request must not close the connection that holds the test transaction
    # (close_old_connections closes one whose autocommit differs from the settings, as it does inside a test).
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield _seed()
            transaction.set_rollback(True)
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


FUZZ_SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    max_examples=MAX_EXAMPLES,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def as_on_the_wire(case):
    """schemathesis's WSGI transport hands werkzeug an object-valued query parameter, which werkzeug sends as one
    string (a valid value for a string parameter); over HTTP it goes out as its keys, repeated, as the failure
    report shows. Send what HTTP would, so a refusal of the real request is what gets checked."""
    if isinstance(case.query, dict):
        for key, value in list(case.query.items()):
            if isinstance(value, dict) and value:
                case.query[key] = list(value)
    return case


@full.parametrize()
@FUZZ_SETTINGS
def test_api_as_province_officer(case, bearer, db):
    as_on_the_wire(case).call_and_validate(headers=bearer["officer"])


@fuzzing.parametrize()
@FUZZ_SETTINGS
def test_api_as_enterprise_user(case, bearer, db):
    as_on_the_wire(case).call_and_validate(headers=bearer["enterprise"])


def test_the_served_description_lists_every_error_status_with_the_one_problem_shape(world, login):
    served = login(world["county"]).get(OPENAPI).json()
    assert served == full.raw_schema  # what the fuzzer reads is what clients read
    problem = {"$ref": "#/components/schemas/Problem"}
    assert set(served["components"]["schemas"]["Problem"]["properties"]) == {"detail", "problems"}
    for path, item in served["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            for status, response in responses.items():
                if int(status) >= 400:
                    body = response["content"]["application/json"]["schema"]
                    assert body == problem or problem in body.get("anyOf", []), (method, path, status)
    assert json.dumps(served).count("ValidationError") == 0  # ninja's own 422 shape is nowhere


def test_the_seed_outlives_the_fuzzing_and_each_token_sees_its_own_scope(bearer, client):
    """The personas authenticate and see what they should from the seeded module data (in file order this runs after
    the fuzzing, which must not have emptied it): the operations are exercised with real credentials and rows."""
    officer = client.get("/api/v1/enterprises", headers=bearer["officer"]).json()
    own = client.get("/api/v1/enterprises", headers=bearer["enterprise"]).json()
    assert sorted(e["name"] for e in officer["items"]) == ["东湖精密机械有限公司", "九江濂溪化工有限公司"]
    assert [e["name"] for e in own["items"]] == ["东湖精密机械有限公司"]
    assert client.get("/api/v1/assessments", headers=bearer["enterprise"]).json()["count"] == 1
    assert client.get("/api/v1/needs", headers=bearer["officer"]).json()["count"] == 1
