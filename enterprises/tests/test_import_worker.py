"""The production path: an upload queues a task row, and a separate worker (django-tasks-db) runs it."""

import pytest
from asgiref.local import Local
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.tasks import task_backends

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
