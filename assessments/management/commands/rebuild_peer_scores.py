"""python manage.py rebuild_peer_scores

Rebuild the peer-score table (each enterprise's latest submitted assessment per model, with its peer-group keys)
from the stored assessments, in one transaction. Every result write and every report keep it current on their
own; this repairs what they cannot see: data loaded around the services, or an archive change committed more
than a minute after its timeline event (see services.FOLLOW_MARGIN)."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from assessments.services import peer_scores_rebuild


class Command(BaseCommand):
    help = "重建同行对标得分表（每家企业每个模型最近一次提交的评估的总分和一级能力域得分）"

    def handle(self, *args, **options):
        started = time.monotonic()
        rows = peer_scores_rebuild()
        seconds = time.monotonic() - started
        self.stdout.write(_("同行对标得分已重建：%(rows)s 行，用时 %(s).1f 秒") % {"rows": rows, "s": seconds})
