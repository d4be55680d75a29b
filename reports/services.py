"""Writes of the reports app: issuing a report version, findings, and checking a PDF against its code."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import verification
from core.db import is_contention
from core.links import absolute_url
from enterprises import events
from enterprises.models import EnterpriseEvent

from . import notices, render
from .compose import compose
from .models import DiagnosisReport, Finding, ReportSequence

# Crockford's base32 without I, L, O, U: read aloud or typed from paper without confusion. 16 symbols = 80 bits,
# so a code cannot be guessed even without the rate limit on the public page.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(text: str) -> str:
    """What a person typed, as stored: upper case, O→0, I/L→1, grouped by four; '' when it cannot be a code."""
    cleaned = text.upper().replace("O", "0").replace("I", "1").replace("L", "1")
    cleaned = "".join(ch for ch in cleaned if ch.isalnum())
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return ""
    return "-".join(cleaned[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def verify_url(code: str) -> str:
    return absolute_url(reverse("report_verify", args=[code]))


def series_for(user, enterprise) -> str:
    """Which series a report this user issues now belongs to, from the role they issue in (as issuer_for): the
    authority's (an officer of the region, a commissioner for the programme, an admin) or the enterprise's own."""
    scope = scope_of(user)
    if scope.is_admin or scope.manages_code(enterprise.county_id):
        return DiagnosisReport.Series.OFFICIAL
    if scope.is_commissioner and enterprise.pk not in scope.own_enterprise_ids:
        return DiagnosisReport.Series.OFFICIAL
    if enterprise.pk in scope.own_enterprise_ids:
        return DiagnosisReport.Series.SELF
    return DiagnosisReport.Series.OFFICIAL


def issuer_for(user, enterprise) -> str:
    """The issuing organisation printed on the cover, from the role the user issues in."""
    scope = scope_of(user)
    if scope.manages_code(enterprise.county_id) and not scope.is_admin:
        from regions.models import Region

        paths = [p for p in scope.officer_paths if enterprise.county_id.startswith(p)]
        region = Region.objects.filter(path=max(paths, key=len)).first() if paths else None
        if region is not None:
            return _("%(region)s工业和信息化主管部门") % {"region": region.full_name}
    if scope.is_commissioner and enterprise.pk not in scope.own_enterprise_ids:
        return _("%(region)s数字化转型诊断服务") % {"region": enterprise.county.full_name}
    if enterprise.pk in scope.own_enterprise_ids:
        return _("梯度平台（企业自助生成）")
    return settings.TIDU_ISSUER


class ReportBusy(Exception):
    """Other issues for the same enterprise held the database too long: answered with 409, the user tries again."""

    def __init__(self):
        super().__init__(_("该企业正有其他报告在出具，系统繁忙，请稍后再试。"))


# How long a short write waits for others before the caller gets a 409: SQLite's own lock timeout.
CONTENTION_WAIT_SECONDS = 20


def _retrying[T](write: Callable[[], T]) -> T:
    """Run a short write transaction, again after a pause when it lost a lock race: a PostgreSQL deadlock or
    serialization failure, or SQLite's SQLITE_LOCKED, which its busy timeout does not wait out (shared-cache
    connections, as in the test database). ReportBusy once CONTENTION_WAIT_SECONDS have passed, or at once inside
    a caller's transaction, which has to roll back as a whole."""
    deadline = time.monotonic() + CONTENTION_WAIT_SECONDS
    pause = 0.02
    while True:
        try:
            return write()
        except OperationalError as exc:
            if not is_contention(exc):
                raise
            if connection.in_atomic_block or time.monotonic() + pause > deadline:
                raise ReportBusy() from exc
        time.sleep(pause * random.uniform(1, 2))  # noqa: S311 - jitter, not a secret
        pause = min(pause * 2, 0.5)


def issue_report(
    *, actor, enterprise, target_level: int | None = None, target_tier: str | None = None, batch=None
) -> DiagnosisReport:
    """Compose, render and store a new immutable version in the actor's series, and put it on the timeline.

    Raises compose.NothingToReport when the enterprise has no submitted assessment the actor may see, and
    ReportBusy when concurrent issues kept the database busy past its lock timeout (never a half-stored report)."""
    content = compose(enterprise, actor, target_level=target_level, target_tier=target_tier)
    for _attempt in range(3):
        prepared = prepare(actor, enterprise, content)
        try:
            return store(prepared, actor=actor, batch=batch)
        except IntegrityError:  # the code was taken (vanishingly rare) or a row bypassed the sequence: next number
            continue
    raise ReportBusy()


def next_version(enterprise, series: str) -> int:
    """Take the next version number of the enterprise's series: one short transaction, one atomic UPDATE, so
    concurrent callers queue on the sequence row (PostgreSQL) or the write lock (SQLite) and get consecutive,
    distinct numbers. The first call for a series starts after the highest number already issued in it."""

    def take() -> int:
        with transaction.atomic():
            issued = DiagnosisReport.objects.filter(enterprise=enterprise, series=series).aggregate(v=Max("version"))
            sequence, _created = ReportSequence.objects.get_or_create(
                enterprise=enterprise, series=series, defaults={"last_version": issued["v"] or 0}
            )
            ReportSequence.objects.filter(pk=sequence.pk).update(last_version=F("last_version") + 1)
            return ReportSequence.objects.values_list("last_version", flat=True).get(pk=sequence.pk)

    return _retrying(take)


@dataclass(frozen=True)
class Prepared:
    """A rendered report not yet stored: the content stamped with its version and code, and the PDF bytes."""

    enterprise: object
    content: dict
    pdf: bytes

    @property
    def version(self) -> int:
        return self.content["issue"]["version"]

    @property
    def code(self) -> str:
        return self.content["issue"]["code"]


def prepare(actor, enterprise, content: dict) -> Prepared:
    """Take the next version number of the actor's series, stamp it and a fresh code on composed content, and render
    the PDF. The render runs outside any transaction on purpose: it takes about a second, and SQLite has one write
    lock for the whole database."""
    series = series_for(actor, enterprise)
    version = next_version(enterprise, series)
    code = new_code()
    stamped = {
        **content,
        "issue": {
            "series": series,
            "title": str(DiagnosisReport.DOCUMENT_TITLES[series]),
            "version": version,
            "code": code,
            "verify_url": verify_url(code),
            "issuer": issuer_for(actor, enterprise),
            "issued_by": (actor.display_name or actor.username) if actor is not None else "",
            "issued_on": timezone.localdate().isoformat(),
        },
    }
    return Prepared(enterprise, stamped, render.pdf(stamped))


def store(prepared: Prepared, *, actor, batch=None) -> DiagnosisReport:
    """Write a prepared report and its timeline event in one short transaction (joining the caller's, if any).
    IntegrityError when its version number or code was taken meanwhile: prepare again."""
    enterprise, content, pdf = prepared.enterprise, prepared.content, prepared.pdf
    series = content["issue"]["series"]
    if series == DiagnosisReport.Series.SELF:
        title = _("%(name)s 数字化转型自评估报告（企业自行生成，第 %(v)s 版）")
        summary = _("企业自行生成自评估报告第 %(v)s 版：%(levels)s")
    else:
        title = _("%(name)s 数字化转型诊断报告（第 %(v)s 版）")
        summary = _("出具诊断报告第 %(v)s 版：%(levels)s")
    fields = {
        "enterprise": enterprise,
        "series": series,
        "version": prepared.version,
        "code": prepared.code,
        "title": title % {"name": enterprise.name, "v": prepared.version},
        "content": content,
        "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
        "pdf_size": len(pdf),
        "issued_by": actor,
        "issuer": content["issue"]["issuer"],
        "batch": batch,
    }
    stored_file = DiagnosisReport(**fields).pdf
    stored_file.save(f"{prepared.code}.pdf", ContentFile(pdf), save=False)
    levels = "；".join(f"{m['name']} {m['level_name'] or m['score']}" for m in content["models"])

    def write() -> DiagnosisReport:
        with transaction.atomic():
            report = DiagnosisReport.objects.create(**fields, pdf=stored_file.name)  # a fresh row on each attempt
            notices.report_issued(report, actor=actor)
            events.record(
                enterprise,
                EnterpriseEvent.Kind.REPORTED,
                actor=actor,
                summary=summary % {"v": prepared.version, "levels": levels},
                data={"report_id": report.pk, "series": series, "version": prepared.version, "code": prepared.code},
            )
            return report

    try:
        return _retrying(write)
    except Exception:
        stored_file.delete(save=False)  # the row failed: leave no orphan file behind
        raise


# --- verification -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    genuine: bool
    message: str
    issued_on: str = ""
    version: int | None = None
    series: str = ""
    series_label: str = ""
    issuer: str = ""


def _issued(report: DiagnosisReport) -> dict:
    """What the cover of the report under a code says about who stands behind it: never its content."""
    return {
        "issued_on": timezone.localtime(report.issued_at).date().isoformat(),
        "version": report.version,
        "series": report.series,
        "series_label": str(report.get_series_display()),
        "issuer": report.issuer,
    }


def _by_code(code: str) -> DiagnosisReport | None:
    fields = ("code", "pdf_sha256", "issued_at", "version", "series", "issuer")
    return DiagnosisReport.objects.filter(code=normalise_code(code)).only(*fields).first()


def issued(code: str) -> verification.Issued | None:
    """The report under a code for the shared verification page (core.verification; registered in apps.py)."""
    report = _by_code(code)
    if report is None:
        return None
    details = Verification(False, "", **_issued(report))
    return verification.Issued("report", report.code, report.pdf_sha256, details.series_label, details=details)


def describe(code: str) -> Verification | None:
    """For the public page before any upload: which kind of report a code belongs to and who issued it, as printed
    on its cover (anyone holding the code holds the report). None when no report has this code."""
    report = _by_code(code)
    if report is None:
        return None
    return Verification(False, "", **_issued(report))


def verify(code: str, pdf_bytes: bytes) -> Verification:
    """Is this PDF, byte for byte, the report issued under this code? Says yes or no, when, which kind and by whom."""
    report = _by_code(code)
    if report is None:
        return Verification(False, _("验证码不存在：请核对报告页脚上的验证码。"))
    if not secrets.compare_digest(hashlib.sha256(pdf_bytes).hexdigest(), report.pdf_sha256):
        return Verification(False, _("文件与该验证码对应的报告不一致：报告可能被修改过，或不是此验证码的报告。"))
    return Verification(True, _("文件真实有效：与平台出具的原件逐字节一致。"), **_issued(report))


# --- findings -----------------------------------------------------------------------------------------------------


def author_role(user, enterprise) -> str:
    scope = scope_of(user)
    if scope.is_commissioner:
        return _("数字专员")
    if scope.manages_code(enterprise.county_id) and not scope.is_admin:
        return _("主管部门")
    return _("平台管理员") if scope.is_admin else ""


def add_finding(*, actor, enterprise, kind: str, text: str, assessment=None, visibility: str | None = None) -> Finding:
    """`visibility` as the writer chose it; internal when unsaid. Its timeline entry has the same visibility."""
    finding = Finding.objects.create(
        enterprise=enterprise,
        assessment=assessment,
        kind=kind,
        text=text.strip(),
        author=actor,
        author_name=actor.display_name or actor.username,
        author_role=author_role(actor, enterprise),
        visibility=visibility or events.note_visibility(actor, enterprise),
    )
    events.record(
        enterprise,
        EnterpriseEvent.Kind.NOTE,
        actor=actor,
        summary=_("添加%(kind)s") % {"kind": finding.get_kind_display()},
        data={"text": finding.text[:300], "finding_id": finding.pk},
        visibility=finding.visibility,
    )
    return finding


def edit_finding(*, actor, finding: Finding, text: str) -> Finding:
    finding.text = text.strip()
    finding.save(update_fields=["text", "updated_at"])
    return finding


def remove_finding(*, actor, finding: Finding) -> None:
    finding.removed_at = timezone.now()
    finding.save(update_fields=["removed_at"])
