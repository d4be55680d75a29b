"""Background work for the assistant."""

from django.tasks import task


@task
def build_index(run_id: int) -> str:
    from .services import index_run

    return index_run(run_id).status
