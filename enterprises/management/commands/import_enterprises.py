from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from enterprises.imports import import_check, import_commit, stored_path_for
from enterprises.models import ImportJob


class Command(BaseCommand):
    help = "从 XLSX/CSV 导入企业：先校验并打印问题清单；加 --yes 且校验通过时写入（全部成功或全部不写入）"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="以哪个用户的身份和管辖范围导入")
        parser.add_argument("--yes", action="store_true", help="校验通过后直接写入")
        parser.add_argument("--year", type=int, help="文件中没有数据年度列时，经营数据所属的年度（默认上一年）")
        parser.add_argument("--county-column", help="有多列都可以是所在区县时，用哪一列：列号（从 1 起）或表头文字")
        parser.add_argument(
            "--confirm-groupings",
            action="store_true",
            help="文件中的产业集群/产业链名称在管辖范围内还没有时，确认新建（先不加此项运行一次，核对列出的名称）",
        )

    def handle(
        self, *args, file: Path, user: str, yes: bool, year=None, county_column=None, confirm_groupings=False, **options
    ):
        actor = User.objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"用户“{user}”不存在")
        if not file.is_file():
            raise CommandError(f"找不到文件 {file}")
        job = ImportJob(created_by=actor, original_name=file.name, size=file.stat().st_size)
        target = stored_path_for(job.pk)
        target.write_bytes(file.read_bytes())
        job.stored_path = str(target)
        job.answers = {"year": year} if year else {}
        if confirm_groupings:
            job.answers["confirm_groupings"] = True
        job.save()
        import_check(job)
        if county_column and job.questions.get("county_column"):
            candidates = job.questions["county_column"]
            chosen = next((index for index, header in candidates if county_column in {str(index + 1), header}), None)
            if chosen is None:
                listed = "、".join(f"{index + 1}（{header}）" for index, header in candidates)
                raise CommandError(f"--county-column 应为以下列之一：{listed}")
            job.answers = {**job.answers, "county_column": chosen}
            job.save(update_fields=["answers"])
            import_check(job)
        for note in job.notes:
            self.stdout.write(f"说明：{note}")
        if job.questions.get("year"):
            self.stdout.write(f"经营数据按 {job.questions['year']} 年导入（文件中没有数据年度列；可用 --year 指定）")
        new = job.questions.get("new_groupings") or {}
        for kind, word in (("clusters", "产业集群"), ("chains", "产业链")):
            for g in new.get(kind, []):
                said = "将新建" if confirm_groupings else "新名称"
                self.stdout.write(f"{said}{word}：{g['name']}（{g['region_name']}，{g['rows']} 行）")
        for err in job.errors:
            self.stdout.write(f"第 {err['row']} 行 [{err['column']}] {err['value']!r}：{err['message']}")
        self.stdout.write(
            f"{job.get_status_display()}：{job.message}（新增 {job.created_count}，更新 {job.updated_count}，"
            f"无变化 {job.unchanged_count}）"
        )
        if job.status != ImportJob.Status.READY:
            if job.questions.get("county_column"):
                raise CommandError("校验未通过：有多列都可以是所在区县，请用 --county-column 指定")
            if new and not confirm_groupings and not job.errors:
                raise CommandError("未导入：文件中有新的产业集群/产业链名称，核对无误后加 --confirm-groupings 新建")
            raise CommandError("校验未通过，未导入任何数据")
        if yes:
            import_commit(job)
            self.stdout.write(job.message)
        else:
            self.stdout.write("未写入。确认无误后加 --yes 重新运行。")
