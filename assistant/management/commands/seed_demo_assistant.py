"""python manage.py seed_demo_assistant [--if-empty] [--no-index]"""

from django.core.management.base import BaseCommand

from assistant import services
from assistant.models import Document, IndexRun


class Command(BaseCommand):
    help = (
        "为政策与诊断助手载入示例资料（虚构的示例政策段落，标注为示例）和评估模型库，并建立索引"
        "（离线计算向量，同时载入已出具的诊断报告）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--if-empty", action="store_true", help="已有助手文档时跳过")
        parser.add_argument("--no-index", action="store_true", help="只载入资料，不计算向量")

    def handle(self, *args, if_empty, no_index, **options):
        if if_empty and Document.objects.exists():
            self.stdout.write("助手已有资料，未重复载入")
            return
        example = services.example_load()
        library = services.library_sync()
        self.stdout.write(f"助手资料：示例段落 {example} 个，评估模型库段落 {library} 个")
        if no_index:
            return
        run = services.index_run(IndexRun.objects.create().pk)
        self.stdout.write(f"助手索引：{run.done} 个段落，用时 {run.seconds} 秒")
