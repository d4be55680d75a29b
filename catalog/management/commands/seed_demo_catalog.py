from django.core.management.base import BaseCommand, CommandError

from catalog import demo, search
from catalog.demo_meetings import seed_demo_meetings
from catalog.models import Solution
from enterprises.models import Enterprise


class Command(BaseCommand):
    help = "Add SYNTHETIC providers, solutions, cases and needs to the demo province."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="36")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--if-empty", action="store_true", help="do nothing if any solution exists")
        parser.add_argument("--replace", action="store_true", help="remove the synthetic pools first")

    def handle(self, *args, **options):
        if options["if_empty"] and Solution.objects.exists():
            return
        if not Enterprise.objects.filter(is_synthetic=True).exists():
            raise CommandError("没有合成演示企业：请先运行 seed_demo")
        if options["replace"]:
            demo.clear()
        counts = demo.seed(province=options["province"], seed=options["seed"])
        counts["meetings"] = seed_demo_meetings(province_code=options["province"], seed=options["seed"])
        search.rebuild()  # demo.seed writes around the services, and searches only read the index
        self.stdout.write(
            "已生成合成演示资源池：服务商 {providers} 家、解决方案 {solutions} 个、案例 {cases} 个、"
            "需求 {needs} 条、对接会 {meetings} 场"
            "（用时 {seconds} 秒）".format(**counts)
        )
