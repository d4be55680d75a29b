"""A scheduling job's life: each state change is an event on its trail; a job left running by a dead worker is
failed with its reason by the sweep (the worker's frequent upkeep) or when its page polls; the progress box polls
with htmx and asks for a full refresh when the job is finished; the admin lists jobs read-only."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from scheduling import services
from scheduling.engine import serialize
from scheduling.models import PlanJob, PlanJobEvent
from scheduling.tests.test_engine_solver import flex


def create(user, capture, execute=True):
    with capture(execute=execute):
        return services.plan_job_create(user=user, name="周计划", start_date=dt.date(2026, 12, 7),
                                        problem=serialize.problem_to_dict(flex()), time_limit=5)  # fmt: skip


def trail(job):
    return [(e.kind, e.status_after) for e in PlanJobEvent.objects.filter(job=job)]


def test_each_state_change_is_recorded_with_its_actor(world, django_capture_on_commit_callbacks):
    job = create(world["enterprise"], django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == "done" and job.started_at is not None
    assert trail(job) == [("create", "queued"), ("start", "running"), ("done", "done")]
    create_event = job.events.first()
    assert create_event.actor == world["enterprise"] and create_event.data == {"source": "json"}
    assert job.events.last().data["solver_status"] == "optimal"

    child = services.plan_job_replan(user=world["enterprise"], job=job, now=0,
                                     event={"type": "breakdown", "machine": "M1", "start": 0, "end": 50})  # fmt: skip
    assert trail(child) == [("replan", "queued")]
    assert child.events.get().data["parent"] == job.pk


def test_invalid_problem_recorded_as_invalid(world, django_capture_on_commit_callbacks):
    bad = serialize.problem_to_dict(flex())
    bad["jobs"][0]["operations"][0]["options"] = [["MX", 5]]
    with django_capture_on_commit_callbacks(execute=True):
        job = services.plan_job_create(user=world["enterprise"], name="x", start_date=dt.date(2026, 12, 7),
                                       problem=bad)  # fmt: skip
    assert job.status == "invalid" and trail(job) == [("invalid", "invalid")]


def stuck(job, minutes_ago):
    PlanJob.objects.filter(pk=job.pk).update(status="running",
                                             started_at=timezone.now() - dt.timedelta(minutes=minutes_ago))  # fmt: skip


def test_sweep_fails_a_job_whose_worker_died_and_spares_a_live_one(world, django_capture_on_commit_callbacks):
    dead = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    live = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    stuck(dead, 6)  # time limit 5 s + 5 minutes of grace are over
    stuck(live, 4)
    call_command("scheduling_sweep", stdout=io.StringIO())  # what `tidu worker` runs every few minutes
    dead.refresh_from_db()
    live.refresh_from_db()
    assert dead.status == "failed" and "已停止响应" in dead.error and dead.finished_at is not None
    assert trail(dead)[-1] == ("stale", "failed") and dead.events.last().reason == dead.error
    assert live.status == "running" and trail(live)[-1] == ("create", "queued")
    assert services.sweep_stale() == 0  # idempotent: nothing left to fail


def test_a_swept_job_stays_failed_when_its_worker_finishes_late(world, django_capture_on_commit_callbacks, monkeypatch):
    job = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    real_solve = services.solve

    def slow_solve(*args, **kwargs):  # the sweep fails the job while its worker is still solving
        PlanJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(minutes=10))
        assert services.sweep_stale() == 1
        return real_solve(*args, **kwargs)

    monkeypatch.setattr(services, "solve", slow_solve)
    services.plan_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.plan is None and "已停止响应" in job.error
    assert trail(job) == [("create", "queued"), ("start", "running"), ("stale", "failed")]


def test_a_job_is_run_once(world, django_capture_on_commit_callbacks):
    job = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    services.plan_job_run(job.pk)
    assert services.plan_job_run(job.pk).status == "done"  # a second worker with the same task leaves it alone
    assert [k for k, _ in trail(job)].count("start") == 1


def test_progress_polls_with_htmx_and_refreshes_when_done(world, login, django_capture_on_commit_callbacks):
    job = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    client = login(world["enterprise"])
    page = client.get(f"/scheduling/{job.pk}/").content.decode()
    assert f'hx-get="/scheduling/{job.pk}/"' in page and 'hx-trigger="every 2s"' in page
    assert 'http-equiv="refresh"' not in page
    partial = client.get(f"/scheduling/{job.pk}/", headers={"HX-Request": "true"})
    assert partial.status_code == 200 and b"<html" not in partial.content and b'data-status="queued"' in partial.content

    services.plan_job_run(job.pk)
    done = client.get(f"/scheduling/{job.pk}/", headers={"HX-Request": "true"})
    assert done.status_code == 204 and done["HX-Refresh"] == "true"
    page = client.get(f"/scheduling/{job.pk}/").content.decode()
    assert "hx-trigger" not in page and 'data-testid="event-row"' in page


def test_polling_a_job_whose_worker_died_shows_the_failure(world, login, django_capture_on_commit_callbacks):
    job = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    stuck(job, 10)
    response = login(world["enterprise"]).get(f"/scheduling/{job.pk}/", headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    job.refresh_from_db()
    assert job.status == "failed" and trail(job)[-1] == ("stale", "failed")


@pytest.mark.parametrize("who, code", [("other_city", 404), ("city", 404)])
def test_others_cannot_poll_a_job(world, login, django_capture_on_commit_callbacks, who, code):
    job = create(world["enterprise"], django_capture_on_commit_callbacks, execute=False)
    stuck(job, 10)
    assert login(world[who]).get(f"/scheduling/{job.pk}/", headers={"HX-Request": "true"}).status_code == code
    job.refresh_from_db()
    assert job.status == "running"  # nothing changed for a refused request


def test_admin_lists_jobs_and_their_trail_read_only(world, login, django_capture_on_commit_callbacks):
    job = create(world["enterprise"], django_capture_on_commit_callbacks)
    client = login(world["admin"])
    assert job.name.encode() in client.get("/admin/scheduling/planjob/").content
    detail = client.get(f"/admin/scheduling/planjob/{job.pk}/change/")
    assert detail.status_code == 200 and "求解完成".encode() in detail.content
    assert client.get("/admin/scheduling/planjob/add/").status_code == 403
