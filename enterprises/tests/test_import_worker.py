"""The production path: an upload queues a task row, and a separate worker (django-tasks-db) runs it."""

import datetime as dt

import pytest
from asgiref.local import Local
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks import TaskResultStatus, task_backends
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import make_code
from enterprises.imports import import_confirm, import_start
from enterprises.models import Enterprise, ImportJob
from tidu.tests.conftest import _reload_reference_data

# A transactional test: the worker must see committed rows. Its final flush empties the reference tables the
# migrations loaded (regions, industries, labels); they are loaded again before it and after the module, as the
# browser tests do. (serialized_rollback clashes with the content types that another transactional test's flush
# re-creates, so it is not used.)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def reference_data_after(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    _reload_reference_data()


def _use_tasks(settings, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend}}
    # Django builds task backends once from settings; make it read the new setting.
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def database_tasks(settings):
    _use_tasks(settings, "django_tasks_db.DatabaseBackend")
    yield
    _use_tasks(settings, "django.tasks.backends.immediate.ImmediateBackend")


def test_an_import_waits_in_the_queue_until_a_worker_runs_it(world, database_tasks):
    code = make_code("360102")
    upload = SimpleUploadedFile(
        "q.csv", f"统一社会信用代码,企业名称,所在区县,行业代码\n{code},队列测试有限公司,360102,34\n".encode()
    )
    job = import_start(actor=world["county"], upload=upload)
    assert ImportJob.objects.get(pk=job.pk).status == "queued"  # the request returned before the work was done
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "ready"
    import_confirm(actor=world["county"], job=job)
    assert not Enterprise.objects.filter(credit_code=code).exists()
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == "done" and Enterprise.objects.filter(credit_code=code).exists()


def test_a_job_whose_worker_died_is_failed_when_a_worker_starts_and_the_queue_moves_on(world, database_tasks):
    def upload(code: str) -> ImportJob:
        body = f"统一社会信用代码,企业名称,所在区县,行业代码\n{code},中断测试有限公司,360102,34\n"
        return import_start(actor=world["county"], upload=SimpleUploadedFile("q.csv", body.encode()))

    dead = upload(make_code("360102"))
    # A worker claimed its check and was killed an hour ago: its task row says running, the job says checking.
    hour_ago = timezone.now() - dt.timedelta(hours=1)
    DBTaskResult.objects.update(status=TaskResultStatus.RUNNING, started_at=hour_ago, worker_ids=["killed-1"])
    ImportJob.objects.filter(pk=dead.pk).update(status="checking", started_at=hour_ago, heartbeat_at=hour_ago)
    following = upload(make_code("360102"))

    call_command("sweep_jobs", verbosity=0)  # what `tidu worker` runs when it starts
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    dead.refresh_from_db()
    following.refresh_from_db()
    assert dead.status == "failed" and "后台处理中断" in dead.message
    assert following.status == "ready"
