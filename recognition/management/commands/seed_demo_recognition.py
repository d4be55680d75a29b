"""python manage.py seed_demo_recognition [--province 36] [--replace | --clear]"""

from django.core.management.base import BaseCommand

from recognition import demo


class Command(BaseCommand):
    help = (
        "为演示省份载入示例认定项目（演示）、专家库和处于各环节的演示申请（含一份已认定的证书、一份公示中），"
        "已有时跳过，除非 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36")
        parser.add_argument("--replace", action="store_true", help="删除已有的演示认定数据后重新生成")
        parser.add_argument("--clear", action="store_true", help="只删除演示认定数据（重建演示企业之前运行）")

    def handle(self, *args, province, replace, clear, **options):
        if clear:
            counts = demo.clear()
            self.stdout.write(f"已删除演示认定数据：项目 {counts['programmes']} 个，申请 {counts['applications']} 份")
            return
        try:
            counts = demo.seed(province, replace=replace)
        except demo.DemoError as error:  # no demo province or accounts: nothing to show, and `make run` goes on
            self.stdout.write(self.style.WARNING(f"未生成演示认定数据：{error}"))
            return
        if counts is None:
            self.stdout.write("已有演示认定数据，未重复生成")
            return
        self.stdout.write(
            f"演示认定数据：项目 {counts['programmes']} 个，专家 {counts['experts']} 位，"
            f"申请 {counts['applications']} 份（已认定 {counts['recognised']}，公示中 {counts['on_notice']}）"
        )
