"""Background work of the assessment import: its two phases, queued like the enterprise import's."""

from django.tasks import task

from .imports import import_check, import_commit
from .models import AssessmentImportJob


@task
def check_assessment_import(job_id: str) -> str:
    job = AssessmentImportJob.objects.select_related("created_by", "model_version").get(pk=job_id)
    return import_check(job).status


@task
def commit_assessment_import(job_id: str) -> str:
    job = AssessmentImportJob.objects.select_related("created_by", "model_version").get(pk=job_id)
    return import_commit(job).status
