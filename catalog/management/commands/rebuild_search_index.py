"""Rebuild the catalog's full-text index from scratch (after a restore, a bulk load that bypassed the ORM's
updated_at, or a change of the tokenizer's dictionary). Otherwise the services index what they write and
`sync_search_index` (run by `tidu worker`) picks up writes made around them; searches only read."""

import time

from django.core.management.base import BaseCommand

from catalog import search


class Command(BaseCommand):
    help = "重建资源池（服务商、解决方案、标杆案例、需求）的全文检索索引"

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=search.KINDS, action="append", help="only this kind (repeatable)")

    def handle(self, *args, kind=None, **options):
        started = time.monotonic()
        counts = search.rebuild(kind or search.KINDS)
        summary = ", ".join(f"{k} {n}" for k, n in counts.items())
        self.stdout.write(f"search index rebuilt: {summary} ({time.monotonic() - started:.1f} s)")
