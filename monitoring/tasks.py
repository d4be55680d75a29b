"""Background work for monitoring: recomputing targets' progress from the records."""

from django.tasks import task

from regions.models import prefix_range


@task
def recompute_targets(region_path: str = "") -> int:
    """The targets of a region subtree (all when empty), then the dashboards' tallies (always province-wide: they
    are one bulk rebuild)."""
    from .cube import rebuild
    from .models import Target
    from .services import targets_recompute

    targets = Target.objects.filter(**prefix_range("region_id", region_path)) if region_path else None
    done = targets_recompute(targets)
    rebuild()
    return done


@task
def compute_index_run(run_id: int) -> str:
    from .indexruns import compute
    from .models import IndexRun

    return compute(IndexRun.objects.get(pk=run_id)).status
