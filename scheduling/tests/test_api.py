"""The scheduling API: an enterprise creates, follows, reads and re-plans its own jobs; nobody else sees them."""

import io
import json

import pytest

from scheduling.engine import serialize
from scheduling.engine.validate import validate
from scheduling.models import PlanJob
from scheduling.tests.test_engine_solver import flex
from scheduling.tests.test_xlsx_import import VALID, workbook

API = "/api/v1/scheduling"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def done_job(world, login, django_capture_on_commit_callbacks):
    client = login(world["enterprise"])
    body = {"name": "十二月第一周", "start_date": "2026-12-07", "time_limit": 10,
            "problem": serialize.problem_to_dict(flex())}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{API}/jobs", body)
    assert response.status_code == 201, response.content
    return PlanJob.objects.get(pk=response.json()["id"])


def test_enterprise_gets_a_validated_plan_with_kpis(done_job, world, login):
    client = login(world["enterprise"])
    status = client.get(f"{API}/jobs/{done_job.pk}").json()
    assert status["status"] == "done" and status["enterprise_id"] == world["home"].pk
    assert status["progress"]["gap"] == 0.0
    result = client.get(f"{API}/jobs/{done_job.pk}/result").json()
    assert result["objectives"] == {"tardiness": 10, "makespan": 110, "setup": 20}  # see test_engine_solver
    plan = serialize.plan_from_dict(result["plan"])
    assert validate(flex(), plan) == []
    assert result["kpis"]["late_orders"] == ["B"] and result["kpis"]["on_time_rate"] == 0.5
    assert [j["id"] for j in client.get(f"{API}/jobs").json()] == [done_job.pk]


@pytest.mark.parametrize("persona", ["province", "city", "other_city", "provider", "commissioner", "nobody"])
def test_others_do_not_see_the_job(done_job, world, login, persona):
    client = login(world[persona])
    assert client.get(f"{API}/jobs/{done_job.pk}").status_code == 404
    assert client.get(f"{API}/jobs/{done_job.pk}/result").status_code == 404
    assert client.get(f"{API}/jobs").json() == []
    response = post(client, f"{API}/jobs/{done_job.pk}/replan", {"event": {"type": "breakdown"}, "now": 0})
    assert response.status_code == 404
    assert PlanJob.objects.count() == 1


def test_another_enterprise_cannot_see_nor_create_for_it(done_job, world, login, make_user):
    from accounts.models import Role

    stranger = make_user("stranger", Role.ENTERPRISE, enterprise=world["other"])
    client = login(stranger)
    assert client.get(f"{API}/jobs/{done_job.pk}").status_code == 404
    body = {"name": "x", "start_date": "2026-12-07", "problem": serialize.problem_to_dict(flex()),
            "enterprise_id": world["home"].pk}  # fmt: skip
    assert post(client, f"{API}/jobs", body).status_code == 403
    assert post(login(world["province"]), f"{API}/jobs", body).status_code == 403
    assert PlanJob.objects.count() == 1


def test_replan_after_breakdown_keeps_started_work(done_job, world, login, django_capture_on_commit_callbacks):
    client = login(world["enterprise"])
    event = {"type": "breakdown", "machine": "M2", "start": 30, "end": 40}
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{API}/jobs/{done_job.pk}/replan", {"event": event, "now": 5, "time_limit": 10})
    assert response.status_code == 201, response.content
    child = client.get(f"{API}/jobs/{response.json()['id']}/result").json()
    assert child["status"] == "done" and child["parent_id"] == done_job.pk
    # as in test_engine_replan: a1 (started) kept, only a2 moves to 60–80
    assert child["plan"]["a1"] == ["M1", 0, 30] and child["plan"]["a2"] == ["M2", 60, 80]
    assert child["objectives"]["moved"] == 1
    bad = post(client, f"{API}/jobs/{done_job.pk}/replan", {"event": {"type": "flood"}, "now": 5})
    assert bad.status_code == 422 and bad.json()["detail"]


def test_xlsx_upload_reports_errors_or_plans(world, login, tmp_path, django_capture_on_commit_callbacks):
    client = login(world["enterprise"])
    bad = dict(VALID, 停机=[["C9", "2026-12-07 08:00", "2026-12-07 09:00", None]])
    for data, expected in ((bad, "invalid"), (VALID, "done")):
        path = workbook(tmp_path / f"{expected}.xlsx", data)
        upload = io.BytesIO(path.read_bytes())
        upload.name = "排产模板.xlsx"
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"{API}/jobs/xlsx", {"file": upload, "name": "周计划", "start_date": "2026-12-07",
                                                          "time_limit": 10})  # fmt: skip
        assert response.status_code == 201, response.content
        job = client.get(f"{API}/jobs/{response.json()['id']}").json()
        assert job["status"] == expected
        if expected == "invalid":
            assert [(i["sheet"], i["row"], i["column"]) for i in job["issues"]] == [("停机", 2, "A")]
