"""python manage.py recognition_expire — take the tier label off enterprises whose tier recognitions have run out.
`tidu worker` runs it every night (core.maintenance.NIGHTLY)."""

from django.core.management.base import BaseCommand

from recognition.results import expire


class Command(BaseCommand):
    help = "撤下认定有效期已届满的企业的智能工厂梯度标签（每晚由后台任务进程运行）。"

    def handle(self, *args, **options):
        self.stdout.write(f"已撤下 {expire()} 家企业的到期梯度标签")
