"""Background work for scheduling: one solve per task."""

from django.tasks import task


@task
def run_plan_job(job_id: int) -> str:
    from .services import plan_job_run

    return plan_job_run(job_id).status
