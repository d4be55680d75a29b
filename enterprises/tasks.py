"""Background work for the archive: the two phases of an import."""

from django.tasks import task

from .imports import import_check, import_commit
from .models import ImportJob


@task
def check_import(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    return import_check(job).status


@task
def commit_import(job_id: str) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    return import_commit(job).status
