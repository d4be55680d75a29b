"""python manage.py funding_outcomes — record the re-assessment results of accepted grants that were waiting for
one (the level change on the grant, and in the provider's scorecard). `tidu worker` runs it every night
(core.maintenance.NIGHTLY)."""

from django.core.management.base import BaseCommand

from incentives.services import record_outcomes


class Command(BaseCommand):
    help = "记录已验收资助项目的复评结果（每晚由后台任务进程运行）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已记录 {record_outcomes()} 个资助项目的复评结果")
