"""python manage.py seed_demo_targets [--province 36] [--replace]"""

from django.core.management.base import BaseCommand

from monitoring.demo import seed_example_plan


class Command(BaseCommand):
    help = "为演示省份生成示例目标计划（分解到市、县），已有示例计划时跳过，除非 --replace。"

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36")
        parser.add_argument("--replace", action="store_true", help="删除已有的示例计划后重新生成")

    def handle(self, *args, province, replace, **options):
        n = seed_example_plan(province, replace=replace)
        self.stdout.write(f"示例目标计划：新增 {n} 个目标" if n else "已有示例目标计划，未重复生成")
