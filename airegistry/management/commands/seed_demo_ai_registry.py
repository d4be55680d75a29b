"""python manage.py seed_demo_ai_registry [--province 36] [--replace | --clear]"""

from django.core.management.base import BaseCommand

from airegistry import demo


class Command(BaseCommand):
    help = (
        "为演示省份载入示例工业模型与智能体（演示，合成数据）：两项已发布、一项待审核、一项草稿，"
        "各含场景模型、部署应用与合成的第三方评测记录；已有时跳过，除非 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36")
        parser.add_argument("--replace", action="store_true", help="删除已有的演示登记后重新生成")
        parser.add_argument("--clear", action="store_true", help="只删除演示登记")

    def handle(self, *args, province, replace, clear, **options):
        if clear:
            self.stdout.write(f"已删除演示工业模型与智能体 {demo.clear()['entries']} 项")
            return
        try:
            counts = demo.seed(province, replace=replace)
        except demo.DemoError as error:  # no demo province, accounts or provider: `make run` goes on
            self.stdout.write(self.style.WARNING(f"未生成演示工业模型与智能体：{error}"))
            return
        if counts is None:
            self.stdout.write("已有演示工业模型与智能体，未重复生成")
            return
        self.stdout.write(
            f"演示工业模型与智能体 {counts['entries']} 项（已发布 {counts['published']}，"
            f"待审核 {counts['submitted']}，草稿 {counts['draft']}）"
        )
