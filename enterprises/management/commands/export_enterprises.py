import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from core.exports import csv_lines, write_xlsx
from enterprises.exports import EXPORT_HEADERS, rows
from enterprises.models import Enterprise


class Command(BaseCommand):
    help = "按用户权限范围导出企业名单（CSV 或 XLSX）"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="以哪个用户的管辖范围导出")
        parser.add_argument("--out", type=Path, help="输出文件（.csv 或 .xlsx）；不填则以 CSV 输出到标准输出")

    def handle(self, *args, user: str, out: Path | None, **options):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在")
        qs = Enterprise.objects.visible_to(actor).order_by("county_id", "name", "id")
        if out is not None and out.suffix.lower() == ".xlsx":
            with out.open("wb") as handle:
                write_xlsx(handle, EXPORT_HEADERS, rows(qs), sheet_title="企业名单")
        else:
            handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
            for line in csv_lines(EXPORT_HEADERS, rows(qs)):
                handle.write(line)
            if out:
                handle.close()
        if out:
            self.stderr.write(f"已导出 {qs.count()} 家企业到 {out}")
