"""Periodic recomputation of the providers' tiered evaluation (e.g. each quarter, from cron or a scheduled task)."""

from django.core.management.base import BaseCommand

from catalog import evaluation
from catalog.models import Provider


class Command(BaseCommand):
    help = "Recompute the tiered evaluation of every listed provider (officer reviews carry over)."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="period label, e.g. 2026Q4 (default: today's date)")
        parser.add_argument("--region", default="", help="only providers registered under this region code prefix")

    def handle(self, *args, period: str, region: str, **options):
        providers = Provider.objects.listed()
        if region:
            providers = providers.filter(region_id__startswith=region.rstrip("0") or region)
        count = evaluation.recompute_all(period=period, providers=providers)
        self.stdout.write(f"recomputed {count} providers")
