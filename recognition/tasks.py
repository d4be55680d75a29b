"""Background work for recognition."""

from django.tasks import task


@task
def recheck_prerequisites(run_id: int) -> str:
    from .models import PrerequisiteRun
    from .rechecks import run

    return run(PrerequisiteRun.objects.select_related("programme", "region").get(pk=run_id)).status
