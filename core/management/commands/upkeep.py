"""`tidu upkeep`: the worker's upkeep in one process — fail upload jobs whose worker died (`sweep_jobs`), delete
import files past their retention (`purge_uploads`), repair the search index (`sync_search_index`). One Django
start-up instead of three: each costs seconds of CPU, and `tidu worker` runs this as it starts, when a machine is
busiest. A failing step is reported and the others still run."""

import traceback

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STEPS = ("sweep_jobs", "purge_uploads", "sync_search_index")


class Command(BaseCommand):
    help = "运行工作进程的日常维护：清理中断的导入任务、删除过期上传文件、修复检索索引"

    def handle(self, *args, **options) -> None:
        failed = []
        for step in STEPS:
            try:
                call_command(step, stdout=self.stdout, stderr=self.stderr)
            except Exception:  # one step failing must not skip the others
                failed.append(step)
                self.stderr.write(f"{step} 失败：\n{traceback.format_exc()}")
        if failed:
            raise CommandError(f"维护未全部完成：{'、'.join(failed)}")
