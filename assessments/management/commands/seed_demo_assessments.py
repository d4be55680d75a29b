"""python manage.py seed_demo_assessments [--seed 1] [--cmmm-share 0.3] [--sme-share 0.2] [--ai-share 0]
[--replace|--if-empty|--clear]

Synthetic demo assessments for the synthetic demo enterprises (see assessments/demo.py)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.demo import DemoAssessmentError, delete_demo_assessments, existing, seed_demo_assessments
from assessments.models import Assessment


class Command(BaseCommand):
    help = "为合成演示企业生成合成的 CMMM 与 SME-2024 评估（已提交，含结果、历史轮次和专员核验）。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同企业与种子生成相同答案，默认 1")
        parser.add_argument("--cmmm-share", type=float, default=0.30, help="做过 CMMM 自评估的企业比例，默认 0.3")
        parser.add_argument("--sme-share", type=float, default=0.20, help="做过中小企业数字化评测的企业比例，默认 0.2")
        parser.add_argument(
            "--ai-share", type=float, default=0.0, help="做过人工智能水平诊断（暂行模型）的企业比例，默认 0"
        )
        parser.add_argument("--replace", action="store_true", help="先删除合成企业已有的评估（真实数据不受影响）")
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有任何评估时不生成（make run 用）")
        parser.add_argument(
            "--clear",
            action="store_true",
            help="只删除合成企业的评估、不生成（make demo 在 seed_demo --replace 之前用：核验评估会阻止删除企业）",
        )

    def handle(self, *args, **options):
        if options["clear"]:
            with transaction.atomic():
                count = existing()
                delete_demo_assessments()
            self.stdout.write(f"已删除合成演示评估 {count} 份。")
            return
        if options["if_empty"] and Assessment.objects.exists():
            self.stdout.write("数据库中已有评估，未生成演示评估。")
            return
        for key in ("cmmm_share", "sme_share", "ai_share"):
            if not 0 <= options[key] <= 1:
                raise CommandError("比例须在 0 到 1 之间。")
        try:
            result = seed_demo_assessments(
                seed=options["seed"],
                cmmm_share=options["cmmm_share"],
                sme_share=options["sme_share"],
                replace=options["replace"],
                ai_share=options["ai_share"],
            )
        except DemoAssessmentError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成合成演示评估 {result['assessments']} 份（{result['enterprises']} 家企业，"
                f"CMMM {result['cmmm']}、SME-2024 {result['sme']}、人工智能水平 {result['ai']}、"
                f"专员核验 {result['verified']}；"
                f"用时 {result['seconds']} 秒）"
            )
        )
