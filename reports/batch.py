"""Batch generation of diagnosis reports: for the enterprises an officer's filters choose (a campaign's: a matching
event's invitees, or the enterprise list's filters), one report each, by background tasks that can stop and resume
at any point, ending with a ZIP of the PDFs and a manifest.

How it runs: the batch's pending items are split into chunks, each queued as its own task (reports.tasks), so every
db_worker process takes chunks from the queue and a deployment uses as many cores as it runs workers. Each item is
settled (report issued and item marked, or marked skipped/failed) in one transaction that first takes the item
still pending, so a chunk run twice, a chunk re-queued by 继续 after a crash, or two workers on the same item never
issue a second report. Whichever chunk settles the last pending item writes the archive."""

from __future__ import annotations

import logging
import re
import tempfile
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from catalog.models import MeetingParticipant
from core.exports import csv_lines
from enterprises.forms import EnterpriseFilterForm
from enterprises.models import Enterprise

from . import access, services
from .compose import NothingToReport, compose
from .forms import CampaignForm, TargetForm
from .models import ReportBatch, ReportBatchItem

logger = logging.getLogger(__name__)

MAX_ITEMS = 5000
# Ten reports are ~15-25 s of work: small enough that two workers finish within one chunk of each other and a
# cancel takes effect quickly, large enough that the queue holds at most 500 rows for the largest batch.
CHUNK_SIZE = 10
FILTER_FIELDS = tuple(name for name in EnterpriseFilterForm.base_fields if name != "sort")
TARGET_FIELDS = ("target_level", "target_tier")
CAMPAIGN_FIELDS = ("meeting",)
MANIFEST_NAME = "清单.csv"
ACTIVE = (ReportBatch.Status.QUEUED, ReportBatch.Status.RUNNING)
Item = ReportBatchItem.Status
COUNTERS = {Item.DONE: "done_count", Item.FAILED: "failed_count", Item.SKIPPED: "skipped_count"}


class BatchError(ValueError):
    """The batch cannot be created or changed as asked; the message says why, in Chinese."""


# --- who sees which batch -----------------------------------------------------------------------------------------


def batches_for_user(user):
    """A batch is its creator's work (it holds PDFs of the creator's whole scope); admins see every batch."""
    batches = ReportBatch.objects.select_related("created_by")
    return batches if scope_of(user).is_admin else batches.filter(created_by=user)


def get_batch_for_user(user, pk) -> ReportBatch:
    batch = batches_for_user(user).filter(pk=pk).first()
    if batch is None:
        raise Http404(_("批次不存在或不是您创建的"))
    return batch


# --- creating a batch ---------------------------------------------------------------------------------------------


def batch_scope(params) -> dict[str, str]:
    """The filters and target as the user gave them (non-empty values only): what the batch stores as its scope."""
    fields = FILTER_FIELDS + CAMPAIGN_FIELDS + TARGET_FIELDS
    return {name: str(params.get(name)).strip() for name in fields if params.get(name)}


def filter_form(*, actor, scope: dict) -> EnterpriseFilterForm:
    return EnterpriseFilterForm({k: v for k, v in scope.items() if k in FILTER_FIELDS}, user=actor)


def campaign_form(*, actor, scope: dict) -> CampaignForm:
    return CampaignForm({k: v for k, v in scope.items() if k in CAMPAIGN_FIELDS}, user=actor)


def enterprises_in_scope(*, actor, form: EnterpriseFilterForm, campaign: CampaignForm | None = None):
    """The enterprise list's own filters, narrowed to a campaign's invitees when one is chosen, always inside what
    the actor sees."""
    enterprises = form.apply(Enterprise.objects.visible_to(actor))
    meeting = _chosen_meeting(campaign)
    if meeting is not None:
        invited = MeetingParticipant.objects.filter(meeting=meeting, enterprise__isnull=False)
        enterprises = enterprises.filter(pk__in=invited.values("enterprise_id"))
    return enterprises.order_by("county_id", "name", "id")


def _chosen_meeting(campaign: CampaignForm | None):
    return campaign.cleaned_data.get("meeting") if campaign is not None else None


def describe(form: EnterpriseFilterForm, campaign: CampaignForm | None = None) -> str:
    """The campaign and filters in words, for the batch's default description."""
    parts = []
    meeting = _chosen_meeting(campaign)
    if meeting is not None:
        parts.append(_("活动：%(title)s 的受邀企业") % {"title": meeting.title})
    for name in FILTER_FIELDS:
        value = form.cleaned_data.get(name)
        if not value:
            continue
        field = form.fields[name]
        shown = dict(field.choices).get(value, value) if hasattr(field, "choices") and isinstance(value, str) else value
        parts.append(f"{field.label}：{str(shown).strip()}")
    return "；".join(parts) or _("全部可见企业")


def batch_create(*, actor, scope: dict, description: str = "", enterprise_ids: list[int] | None = None) -> ReportBatch:
    """Store the scope, one pending item per enterprise it chooses, and queue the work. `enterprise_ids` is a
    population another app chose (a monitoring campaign's enterprises): the batch takes those the actor sees."""
    if not access.can_batch(actor):
        raise PermissionDenied(_("只有主管部门和平台管理员可以批量生成诊断报告"))
    form = filter_form(actor=actor, scope=scope)
    if not form.is_valid():
        raise BatchError(_("筛选条件无效：%(errors)s") % {"errors": _errors(form)})
    campaign = campaign_form(actor=actor, scope=scope)
    if not campaign.is_valid():
        raise BatchError(_("活动无效：%(errors)s") % {"errors": _errors(campaign)})
    target = TargetForm({k: v for k, v in scope.items() if k in TARGET_FIELDS})
    if not target.is_valid():
        raise BatchError(_("报告目标无效：%(errors)s") % {"errors": _errors(target)})
    chosen = enterprises_in_scope(actor=actor, form=form, campaign=campaign)
    if enterprise_ids is not None:
        chosen = chosen.filter(pk__in=enterprise_ids)
    enterprise_ids = list(chosen.values_list("pk", flat=True)[: MAX_ITEMS + 1])
    if not enterprise_ids:
        raise BatchError(_("筛选结果中没有企业。"))
    if len(enterprise_ids) > MAX_ITEMS:
        raise BatchError(
            _("筛选结果超过单个批次 %(max)s 家企业的上限，请缩小筛选范围（例如按区县或行业）后分批生成。")
            % {"max": f"{MAX_ITEMS:,}"}
        )
    with transaction.atomic():
        batch = ReportBatch.objects.create(
            created_by=actor,
            description=(description.strip() or describe(form, campaign))[:300],
            scope=scope,
            total=len(enterprise_ids),
        )
        ReportBatchItem.objects.bulk_create(
            [ReportBatchItem(batch=batch, enterprise_id=pk) for pk in enterprise_ids], batch_size=1000
        )
    # Queued after the commit, so a worker always finds the rows.
    _enqueue_pending(batch)
    return batch


def _errors(form) -> str:
    return "；".join(str(e) for errors in form.errors.values() for e in errors)


def _enqueue_pending(batch: ReportBatch) -> int:
    from .tasks import generate_batch_chunk

    pending = list(batch.items.filter(status=Item.PENDING).order_by("id").values_list("id", flat=True))
    if not pending:  # every item settled but the archive was never written (a crash at the very end)
        generate_batch_chunk.enqueue(batch.pk, [])
        return 0
    for start in range(0, len(pending), CHUNK_SIZE):
        generate_batch_chunk.enqueue(batch.pk, pending[start : start + CHUNK_SIZE])
    return len(pending)


# --- running ------------------------------------------------------------------------------------------------------


def batch_run_items(*, batch_id: int, item_ids: list[int]) -> dict[str, int]:
    """One chunk's work, as a worker runs it. Safe to run again, or alongside another run of the same items."""
    ReportBatch.objects.filter(pk=batch_id, status=ReportBatch.Status.QUEUED).update(
        status=ReportBatch.Status.RUNNING, started_at=Coalesce(F("started_at"), timezone.now())
    )
    batch = ReportBatch.objects.select_related("created_by").get(pk=batch_id)
    outcomes = {"done": 0, "skipped": 0, "failed": 0, "not_pending": 0}
    if batch.status != ReportBatch.Status.RUNNING:
        return outcomes
    actor = batch.created_by
    targets = TargetForm({k: v for k, v in batch.scope.items() if k in TARGET_FIELDS})
    targets = targets.targets() if targets.is_valid() else {}
    # Checked again at run time: the creator's scope may have shrunk, or an enterprise left the archive.
    visible = set(
        Enterprise.objects.visible_to(actor)
        .filter(pk__in=ReportBatchItem.objects.filter(pk__in=item_ids).values("enterprise_id"))
        .values_list("pk", flat=True)
    )
    for item_id in item_ids:
        if not ReportBatch.objects.filter(pk=batch_id, status__in=ACTIVE).exists():
            break  # cancelled: the rest stay pending, so 继续 can pick them up later
        outcomes[_run_item(batch, item_id, actor, targets, visible)] += 1
    batch_finish_if_complete(batch_id)
    return outcomes


def _run_item(batch: ReportBatch, item_id: int, actor, targets: dict, visible: set[int]) -> str:
    item = ReportBatchItem.objects.select_related("enterprise").filter(pk=item_id, status=Item.PENDING).first()
    if item is None:
        return "not_pending"
    if item.enterprise_id not in visible:
        return _settle_apart(item_id, Item.SKIPPED, _("该企业已不在创建人的管辖范围内，或已移出档案。"))
    try:
        # Composed and rendered before the transaction, which then only writes: on SQLite a write transaction
        # holds the database's one write lock, and the second worker (and every page) must not wait a whole PDF.
        content = compose(item.enterprise, actor, **targets)
        for attempt in range(3):
            try:
                return _store_into(item_id, batch, services.prepare(actor, item.enterprise, content))
            except IntegrityError:  # someone issued this enterprise a report meanwhile: take the next version
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
    except NothingToReport as exc:
        return _settle_apart(item_id, Item.SKIPPED, str(exc))
    except Exception as exc:
        logger.exception("report batch %s: item %s failed", batch.pk, item_id)
        return _settle_apart(item_id, Item.FAILED, failure_reason(exc))


def _store_into(item_id: int, batch: ReportBatch, prepared: services.Prepared) -> str:
    """The report and the item's status in one transaction, taken only if the item is still pending."""
    stored = None
    try:
        with transaction.atomic():
            item = _take_pending(item_id)
            if item is None:
                return "not_pending"  # another run settled it while this one rendered: nothing is stored
            stored = services.store(prepared, actor=batch.created_by, batch=batch)
            _settle(item, Item.DONE, report=stored)
        return "done"
    except Exception:
        if stored is not None:  # the row rolled back with the transaction; its file did not
            stored.pdf.delete(save=False)
        raise


def failure_reason(exc: Exception) -> str:
    """Domain errors (ValueError) carry a Chinese message meant for users; anything else is the platform's fault."""
    if isinstance(exc, ValueError) and str(exc):
        return (_("生成失败：%(why)s") % {"why": exc})[:300]
    return _("生成失败：系统错误（%(kind)s），请联系平台管理员。") % {"kind": type(exc).__name__}


def _take_pending(item_id: int) -> ReportBatchItem | None:
    """The item if it is still pending and nobody else holds it. On PostgreSQL a second worker skips a row the
    first is working on; on SQLite the write transaction itself serialises them. Either way the status is read
    inside the transaction that will change it."""
    return (
        ReportBatchItem.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("enterprise")
        .filter(pk=item_id, status=Item.PENDING)
        .first()
    )


def _settle(item: ReportBatchItem, status: str, *, report=None, error: str = "") -> None:
    item.status, item.report, item.error = status, report, error[:300]
    item.save(update_fields=["status", "report", "error"])
    counter = COUNTERS[status]
    ReportBatch.objects.filter(pk=item.batch_id).update(**{counter: F(counter) + 1})


def _settle_apart(item_id: int, status: str, error: str) -> str:
    with transaction.atomic():
        item = _take_pending(item_id)
        if item is None:
            return "not_pending"
        _settle(item, status, error=error)
    return str(status)


# --- finishing: the archive -----------------------------------------------------------------------------------------

_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')


def zip_name(credit_code: str, name: str, version: int) -> str:
    """`<credit code>-<name>-v<version>.pdf`, safe on Windows, macOS and Linux: no separators or reserved
    characters, no leading dots, bounded length."""
    clean = " ".join(_UNSAFE_IN_NAMES.sub("_", name).split()).strip(" ._")[:80] or "enterprise"
    return f"{credit_code}-{clean}-v{version}.pdf"


def _recount(batch_id: int) -> dict[str, int]:
    counts = dict(
        ReportBatchItem.objects.filter(batch_id=batch_id).values_list("status").annotate(n=Count("id")).order_by()
    )
    return {field: counts.get(status, 0) for status, field in COUNTERS.items()}


def batch_finish_if_complete(batch_id: int) -> bool:
    """Write the archive and mark the batch done, if no item is pending. Two workers may both get here; the
    archive is built outside any transaction and only the first to come back attaches it."""
    if ReportBatchItem.objects.filter(batch_id=batch_id, status=Item.PENDING).exists():
        return False
    batch = ReportBatch.objects.get(pk=batch_id)
    if batch.status != ReportBatch.Status.RUNNING or batch.archive:
        return False
    try:
        stored_name = _store_archive(batch)
    except Exception:
        logger.exception("report batch %s: archive failed", batch_id)
        ReportBatch.objects.filter(pk=batch_id, status=ReportBatch.Status.RUNNING).update(
            status=ReportBatch.Status.FAILED,
            finished_at=timezone.now(),
            message=_("报告已生成，但打包 ZIP 失败；请点击“继续”重试打包。"),
        )
        return False
    with transaction.atomic():
        locked = ReportBatch.objects.select_for_update().get(pk=batch_id)
        if locked.status != ReportBatch.Status.RUNNING or locked.archive:
            transaction.on_commit(lambda: locked.archive.storage.delete(stored_name))
            return False
        counts = _recount(batch_id)
        for field, value in counts.items():
            setattr(locked, field, value)
        locked.archive.name = stored_name
        locked.status = ReportBatch.Status.DONE
        locked.finished_at = timezone.now()
        locked.message = _("已生成 %(done)s 份，跳过 %(skipped)s 家，失败 %(failed)s 家。") % {
            "done": counts["done_count"],
            "skipped": counts["skipped_count"],
            "failed": counts["failed_count"],
        }
        locked.save()
    return True


def _store_archive(batch: ReportBatch) -> str:
    # PDFs are already compressed: storing them costs no space and keeps the ZIP fast to write and to open.
    with tempfile.TemporaryFile(suffix=".zip") as handle:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr(_entry(MANIFEST_NAME, timezone.now()), manifest(batch).encode("utf-8"))
            done = (
                batch.items.filter(status=Item.DONE, report__isnull=False)
                .select_related("enterprise", "report")
                .order_by("id")
            )
            for item in done.iterator(chunk_size=200):
                report = item.report
                with report.pdf.open("rb") as pdf:
                    data = pdf.read()
                name = zip_name(item.enterprise.credit_code, item.enterprise.name, report.version)
                archive.writestr(_entry(name, report.issued_at), data)
        handle.seek(0)
        return batch.archive.storage.save(f"report-batches/batch-{batch.pk}.zip", File(handle, name="archive.zip"))


def _entry(name: str, moment) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime(moment).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED
    return info


MANIFEST_HEADERS = (
    gettext_lazy("企业名称"),
    gettext_lazy("统一社会信用代码"),
    gettext_lazy("状态"),
    gettext_lazy("报告版本"),
    gettext_lazy("验证码"),
    gettext_lazy("文件名"),
    gettext_lazy("说明"),
)


def manifest(batch: ReportBatch) -> str:
    """Every item, done or not: UTF-8 with a BOM so Excel reads it, cells a spreadsheet would run neutralised."""
    labels = dict(Item.choices)
    rows = (
        (
            item.enterprise.name,
            item.enterprise.credit_code,
            str(labels[item.status]),
            item.report.version if item.report else "",
            item.report.code if item.report else "",
            zip_name(item.enterprise.credit_code, item.enterprise.name, item.report.version) if item.report else "",
            item.error,
        )
        for item in batch.items.select_related("enterprise", "report").order_by("id").iterator(chunk_size=500)
    )
    return "".join(csv_lines([str(h) for h in MANIFEST_HEADERS], rows))


# --- resuming, cancelling, progress -------------------------------------------------------------------------------


def batch_resume(*, actor, batch: ReportBatch) -> ReportBatch:
    """继续: queue the pending items again (after a worker died, a cancel, or a failed archive). Items already
    settled are never redone; a chunk of the old run that is still alive only finds fewer pending items."""
    with transaction.atomic():
        locked = ReportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status == ReportBatch.Status.DONE:
            raise BatchError(_("该批次已完成，无需继续。"))
        for field, value in _recount(batch.pk).items():
            setattr(locked, field, value)
        if locked.status != ReportBatch.Status.RUNNING:
            locked.status = ReportBatch.Status.QUEUED
        locked.finished_at = None
        locked.message = _("已由 %(who)s 继续。") % {"who": _who(actor)}
        locked.save()
    _enqueue_pending(locked)
    return locked


def batch_cancel(*, actor, batch: ReportBatch) -> ReportBatch:
    """Stops after the item each worker is on; what is done stays done, the rest stays pending for 继续."""
    stopped = ReportBatch.objects.filter(pk=batch.pk, status__in=ACTIVE).update(
        status=ReportBatch.Status.CANCELLED,
        finished_at=timezone.now(),
        message=_("已由 %(who)s 取消。") % {"who": _who(actor)},
    )
    if not stopped:
        raise BatchError(_("该批次已结束，无法取消。"))
    batch.refresh_from_db()
    return batch


def _who(user) -> str:
    return (user.display_name or user.username) if user is not None else ""


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    skipped: int

    @property
    def settled(self) -> int:
        return self.done + self.failed + self.skipped

    @property
    def pending(self) -> int:
        return max(0, self.total - self.settled)

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, (100 * self.settled) // self.total)


def progress(batch: ReportBatch) -> Progress:
    """From the counters each item's transaction keeps, so a page polling every two seconds reads one row."""
    return Progress(batch.total, batch.done_count, batch.failed_count, batch.skipped_count)


def can_resume(batch: ReportBatch) -> bool:
    return batch.status != ReportBatch.Status.DONE


def can_cancel(batch: ReportBatch) -> bool:
    return batch.status in ACTIVE
