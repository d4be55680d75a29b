"""`tidu scheduling_sweep`: fail scheduling jobs left running by a worker that died (still running five minutes
past their time limit), each with its reason and an event. `tidu worker` runs it every few minutes."""

from django.core.management.base import BaseCommand

from scheduling.services import sweep_stale


class Command(BaseCommand):
    help = "将求解进程已停止的排产任务标记为失败（附原因），建议每几分钟运行一次。"

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"已将 {sweep_stale()} 个中断的排产任务标记为失败")
