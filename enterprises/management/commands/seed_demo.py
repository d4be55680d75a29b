"""python manage.py seed_demo [--province 36] [--enterprises 5000] [--seed 1] [--password …] [--replace]"""

import unicodedata

from django.core.management.base import BaseCommand, CommandError

from enterprises.demo import DemoError, seed_demo
from enterprises.demo_records import DEFAULT_PASSWORD, demo_logins
from enterprises.models import Enterprise


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "生成合成演示数据：在真实行政区划上虚构一个省的企业、集群、产业链和各角色演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36", help="省级区划代码或其前两位，默认 36（江西省）")
        parser.add_argument("--enterprises", type=int, default=5000, help="企业数量，默认 5000")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同参数生成相同数据，默认 1")
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="演示账号的密码")
        parser.add_argument("--replace", action="store_true", help="先删除已有的合成数据和演示账号（真实数据不受影响）")
        parser.add_argument(
            "--if-empty", action="store_true", help="数据库中已有企业时不生成，只列出演示账号（make run 用）"
        )

    def handle(self, *args, **options):
        if options["if_empty"] and Enterprise.objects.exists():
            self.stdout.write("数据库中已有企业档案，未生成演示数据。")
            self._print_logins(options["password"])
            return
        verbose = options["verbosity"] >= 1
        step = max(1, options["enterprises"] // 10)
        shown = [0]

        def progress(done: int, total: int) -> None:
            if verbose and (done - shown[0] >= step or done == total):
                shown[0] = done
                self.stdout.write(f"  企业 {done}/{total}")

        try:
            result = seed_demo(
                province=options["province"],
                enterprises=options["enterprises"],
                seed=options["seed"],
                password=options["password"],
                replace=options["replace"],
                progress=progress,
            )
        except DemoError as error:
            raise CommandError(str(error)) from error

        self.stdout.write(self.style.SUCCESS(
            f"已生成合成演示数据（{result['province']}，{result['counties']} 个区县，用时 {result['seconds']} 秒）："
        ))  # fmt: skip
        labels = {
            "enterprises": "企业", "above_scale": "其中规模以上", "figures": "年度经营数据", "labels": "企业标签",
            "contacts": "联系人", "events": "时间线事件", "clusters": "产业集群", "cluster_members": "集群成员",
            "chains": "产业链", "chain_members": "产业链成员", "providers": "服务商", "users": "演示账号",
        }  # fmt: skip
        for key, label in labels.items():
            self.stdout.write(f"  {_pad(label, 14)}{result[key]}")
        for username in result["skipped_users"]:
            self.stdout.write(
                self.style.WARNING(f"  未创建演示账号 {username}：用户名已被非演示账号占用或本省无对应区划")
            )

        self._print_logins(options["password"])

    def _print_logins(self, password: str) -> None:
        logins = demo_logins()
        if not logins:
            return
        rows = [("用户名", "密码", "角色", "范围")] + [
            (username, password, role, scope) for username, role, scope in logins
        ]
        widths = [max(_width(row[i]) for row in rows) for i in range(3)]
        self.stdout.write("")
        self.stdout.write("演示账号：")
        for number, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
            if number == 0:
                self.stdout.write("  " + "-" * (sum(widths) + 6 + max(_width(r[3]) for r in rows)))
