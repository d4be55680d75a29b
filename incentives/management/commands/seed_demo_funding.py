"""python manage.py seed_demo_funding [--province 36] [--replace | --clear]"""

from django.core.management.base import BaseCommand

from incentives import funding_demo as demo


class Command(BaseCommand):
    help = (
        "为演示省份载入示例扶持项目（演示，合成数据）、省级预算及向两个市的分解，以及处于各环节的演示申请"
        "（审核中、已批准发券、已拨付首笔），已有时跳过，除非 --replace。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36")
        parser.add_argument("--replace", action="store_true", help="删除已有的演示扶持资金数据后重新生成")
        parser.add_argument("--clear", action="store_true", help="只删除演示扶持资金数据（重建演示企业之前运行）")

    def handle(self, *args, province, replace, clear, **options):
        if clear:
            counts = demo.clear()
            self.stdout.write(
                f"已删除演示扶持资金数据：项目 {counts['programmes']} 个，申请 {counts['applications']} 份"
            )
            return
        try:
            counts = demo.seed(province, replace=replace)
        except demo.DemoError as error:  # no demo province, accounts or providers: `make run` goes on
            self.stdout.write(self.style.WARNING(f"未生成演示扶持资金数据：{error}"))
            return
        if counts is None:
            self.stdout.write("已有演示扶持资金数据，未重复生成")
            return
        self.stdout.write(
            f"演示扶持资金数据：项目 {counts['programmes']} 个，预算 {counts['budgets']} 条，"
            f"申请 {counts['applications']} 份"
            f"（审核中 {counts['submitted']}，已批准 {counts['approved']}，已拨付首笔 {counts['released']}）"
        )
