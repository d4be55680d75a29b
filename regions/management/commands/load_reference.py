from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enterprises.labels import labels_load
from enterprises.models import Label
from regions.services import ReferenceFileError, industries_load, industry_groups_load, regions_load


class Command(BaseCommand):
    help = "加载或更新参考数据：行政区划、行业大类、企业标签；可选加载行业中类"

    def add_arguments(self, parser):
        parser.add_argument("--divisions", type=Path, help="替换内置的行政区划 CSV（code,name,level,parent,lng,lat）")
        parser.add_argument("--industry-groups", type=Path, help="行业中类 CSV（code,name）")

    def handle(self, *args, divisions=None, industry_groups=None, **options):
        count = regions_load(path=divisions) if divisions else regions_load()
        self.stdout.write(f"行政区划：{count} 条")
        self.stdout.write(f"行业大类：{industries_load()} 条")
        labels_load(Label)
        self.stdout.write(f"企业标签：{Label.objects.count()} 个")
        if industry_groups:
            try:
                self.stdout.write(f"行业中类：{industry_groups_load(path=industry_groups)} 条")
            except ReferenceFileError as exc:
                raise CommandError(str(exc)) from exc
