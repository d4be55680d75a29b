"""Background work for data security."""

from django.tasks import task


@task
def escalate_incidents() -> int:
    from .services import incidents_escalate

    return incidents_escalate()
