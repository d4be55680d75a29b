"""`tidu sweep_jobs`: fail upload jobs whose worker died (silent longer than TIDU_JOB_STALE_MINUTES, or past
TIDU_JOB_TIME_LIMIT_MINUTES with that grace). Status pages also do this when they poll; `tidu worker` runs it at
start-up, so jobs left running by a crash are failed with their reason before new work starts."""

from django.core.management.base import BaseCommand

from core import jobs


class Command(BaseCommand):
    help = "将处理进程已停止响应的导入任务标记为失败（附原因）"

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"已将 {jobs.sweep_stale()} 个中断的导入任务标记为失败")
