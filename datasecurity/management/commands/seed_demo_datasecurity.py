"""python manage.py seed_demo_datasecurity [--province 36] [--replace | --clear]"""

from django.core.management.base import BaseCommand

from datasecurity import demo


class Command(BaseCommand):
    help = (
        "为演示省份生成数据安全演示数据（合成，标注“演示”）：数据资产、各状态的目录备案和安全事件；"
        "已有时跳过，除非 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36")
        parser.add_argument("--replace", action="store_true", help="删除已有的演示数据安全数据后重新生成")
        parser.add_argument("--clear", action="store_true", help="只删除演示数据安全数据")

    def handle(self, *args, province, replace, clear, **options):
        if clear:
            counts = demo.clear()
            self.stdout.write(f"已删除演示数据安全数据：{dict(counts)}")
            return
        try:
            counts = demo.seed(province, replace=replace)
        except demo.DemoError as error:
            self.stdout.write(self.style.WARNING(f"未生成演示数据安全数据：{error}"))
            return
        if counts is None:
            self.stdout.write("已有演示数据安全数据，未重复生成")
            return
        self.stdout.write(f"演示数据安全数据：{dict(counts)}")
