"""Background work for assessments."""

from django.tasks import task

from .models import ModelVersion
from .services import rescore


@task
def rescore_version(version_id: int) -> dict:
    report = rescore(version=ModelVersion.objects.get(pk=version_id))
    return {"rescored": report.rescored, "failed": report.failed}
