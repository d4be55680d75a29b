"""`tidu sync_search_index`: bring the catalog's full-text index up to date with records written around the services
(a QuerySet.update, raw SQL, a restore). Searches never do this themselves: they only read. `tidu worker` runs it at
start-up and then daily; it writes nothing when the index is current."""

from django.core.management.base import BaseCommand

from catalog import search_index


class Command(BaseCommand):
    help = "同步资源池全文检索索引（补上绕过业务服务写入的记录）"

    def handle(self, *args, **options):
        changed = search_index.sync_all()
        summary = "，".join(f"{kind} {n}" for kind, n in changed.items())
        self.stdout.write(f"检索索引已同步，更新或删除的索引行：{summary}")
