"""Background work for funding."""

from django.tasks import task


@task
def recheck_eligibility(run_id: int) -> str:
    from .rechecks import run

    return run(run_id).status
