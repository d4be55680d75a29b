"""`tidu purge_uploads`: delete uploaded import files older than TIDU_UPLOAD_RETENTION_DAYS (default 30).

The jobs and their reports stay, marked with when their file went; `tidu worker` runs this at start-up and daily."""

from django.core.management.base import BaseCommand

from core import jobs


class Command(BaseCommand):
    help = "删除超过保留期限（TIDU_UPLOAD_RETENTION_DAYS 天）的导入上传文件，保留导入任务及其校验报告"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        removed = jobs.purge_uploads(dry_run=dry_run)
        for path in removed:
            self.stdout.write(str(path))
        verb = "将删除" if dry_run else "已删除"
        days = jobs.retention().days
        self.stdout.write(f"{verb} {len(removed)} 个超过 {days} 天的上传文件")
