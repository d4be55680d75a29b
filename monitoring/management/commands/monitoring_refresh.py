"""python manage.py monitoring_refresh — recompute every target's progress and rebuild the dashboards' tallies.
Run it from the scheduler (e.g. nightly); officers can also start it from a region's page."""

from django.core.management.base import BaseCommand

from monitoring.cube import rebuild
from monitoring.services import targets_recompute


class Command(BaseCommand):
    help = "重新计算全部目标进度，并重建统计分析所用的汇总数据。"

    def handle(self, *args, **options):
        targets = targets_recompute()
        refresh = rebuild()
        self.stdout.write(f"已重新计算 {targets} 个目标；统计汇总重建用时 {refresh.seconds:.1f} 秒")
