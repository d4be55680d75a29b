"""Background work for reports: one chunk of a report batch per task (see reports.batch for why chunks)."""

from django.tasks import task

from .batch import batch_run_items

# Below the default: a 1,000-report batch is 25 minutes of queue; an import or a rescore queued meanwhile is
# someone waiting at a page, so workers take it first and return to the batch after.
BATCH_PRIORITY = -10


@task(priority=BATCH_PRIORITY)
def generate_batch_chunk(batch_id: int, item_ids: list[int]) -> dict:
    return batch_run_items(batch_id=batch_id, item_ids=item_ids)
