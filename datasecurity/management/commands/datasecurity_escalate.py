"""python manage.py datasecurity_escalate — escalate every incident clock that has run out (an event and a
notification each, once). Run it every few minutes: the report clocks are counted in hours."""

from django.core.management.base import BaseCommand

from datasecurity.services import incidents_escalate


class Command(BaseCommand):
    help = "对上报时限或总结报告期限已届满的数据安全事件升级提醒（每个时限一次），建议每几分钟运行一次。"

    def handle(self, *args, **options):
        self.stdout.write(f"已升级提醒 {incidents_escalate()} 个时限")
