"""The provincial list of key networked industrial enterprises (省重点联网工业企业清单): an enterprise declares its
networking and self-assessment (a proposal), the regulator lists it — from a proposal or straight from the archive —
with a protection level and a reason, changes the level, or removes it with a reason; every step an Event. The
list's reads: filters, the archive's candidates (provisional criteria), the latest yearly risk assessment, export
rows (written through core.exports, which neutralises formulas).

Writes as datasecurity.services: keyword arguments, PermissionDenied / ValidationError (Chinese), one transaction,
`now` settable."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of, under_paths
from enterprises.models import Enterprise

from . import access, clocks, events, workdays
from .models import (
    DataAsset,
    KeyEnterprise,
    KeyListPublication,
    KeyListPublicationEntry,
    Level,
    ProtectionLevel,
    RiskAssessment,
)
from .services import _now

# Candidates from the archive (provisional: the province's own cut-offs replace them): above-scale enterprises of
# manufacturing (GB/T 4754 divisions 13–43) that hold important or core data, not yet proposed or listed.
MANUFACTURING = (13, 43)
CANDIDATE_RULE = gettext_lazy(
    "规模以上制造业企业（行业代码 13–43），且登记了重要数据或核心数据（暂定口径，由省级主管部门替换）"
)


@transaction.atomic
def key_propose(*, actor, enterprise, networked_devices: int | None, platforms: str, self_assessment: str,
                now: dt.datetime | None = None) -> KeyEnterprise:  # fmt: skip
    """The enterprise declares its networking and self-assessment for the list (again after a removal)."""
    access.require_own(actor, enterprise.pk)
    now = _now(now)
    if not self_assessment.strip():
        raise ValidationError(_("请填写企业自评（联网情况、数据处理规模、防护现状）"))
    if networked_devices is not None and networked_devices < 0:
        raise ValidationError(_("联网设备数不能为负数"))
    entry = KeyEnterprise.objects.select_for_update().filter(enterprise=enterprise).first()
    if entry is not None and entry.status == KeyEnterprise.Status.LISTED:
        raise ValidationError(_("已列入清单，无需再申报"))
    entry = entry or KeyEnterprise(enterprise=enterprise)
    entry.region_code = enterprise.county_id
    entry.status = KeyEnterprise.Status.PROPOSED
    entry.networked_devices, entry.platforms = networked_devices, platforms.strip()[:300]
    entry.self_assessment = self_assessment.strip()
    entry.save()
    events.record("key_propose", actor=actor, key_entry=entry, at=now)
    return entry


def _level(level: str) -> str:
    if level not in ProtectionLevel.values:
        raise ValidationError(_("请选择防护等级"))
    return level


def _reason(reason: str, message: str) -> str:
    if not reason.strip():
        raise ValidationError(message)
    return reason.strip()[:1000]


@transaction.atomic
def key_list(*, actor, enterprise, protection_level: str, reason: str, now: dt.datetime | None = None) -> KeyEnterprise:
    """The regulator lists an enterprise (its proposal, or one of the archive's) with a protection level."""
    access.require_regulator(actor, enterprise.county_id)
    now = _now(now)
    level = _level(protection_level)
    reason = _reason(reason, _("列入清单须说明理由"))
    entry = KeyEnterprise.objects.select_for_update().filter(enterprise=enterprise).first()
    if entry is not None and entry.status == KeyEnterprise.Status.LISTED:
        raise ValidationError(_("已在清单中"))
    entry = entry or KeyEnterprise(enterprise=enterprise)
    entry.region_code = enterprise.county_id
    entry.status, entry.protection_level, entry.reason = KeyEnterprise.Status.LISTED, level, reason
    entry.listed_at, entry.removed_at = now, None
    entry.save()
    events.record("key_list", actor=actor, key_entry=entry, at=now, reason=reason, data={"level": level})
    return entry


@transaction.atomic
def key_remove(*, actor, entry: KeyEnterprise, reason: str, now: dt.datetime | None = None) -> KeyEnterprise:
    """The regulator removes a listed enterprise, or declines a proposal, with a reason."""
    entry = KeyEnterprise.objects.select_for_update().get(pk=entry.pk)
    access.require_regulator(actor, entry.region_code)
    now = _now(now)
    if entry.status == KeyEnterprise.Status.REMOVED:
        raise ValidationError(_("已移出清单"))
    entry.reason = _reason(reason, _("移出清单或不予列入须说明理由"))
    entry.status, entry.removed_at = KeyEnterprise.Status.REMOVED, now
    entry.save()
    events.record("key_remove", actor=actor, key_entry=entry, at=now, reason=entry.reason)
    return entry


@transaction.atomic
def key_set_level(*, actor, entry: KeyEnterprise, protection_level: str, reason: str,
                  now: dt.datetime | None = None) -> KeyEnterprise:  # fmt: skip
    entry = KeyEnterprise.objects.select_for_update().get(pk=entry.pk)
    access.require_regulator(actor, entry.region_code)
    now = _now(now)
    if entry.status != KeyEnterprise.Status.LISTED:
        raise ValidationError(_("只有清单内的企业可以调整防护等级"))
    level = _level(protection_level)
    if level == entry.protection_level:
        raise ValidationError(_("防护等级没有变化"))
    reason = _reason(reason, _("调整防护等级须说明理由"))
    events.record("key_level", actor=actor, key_entry=entry, at=now, reason=reason,
                  data={"from": entry.protection_level, "to": level})  # fmt: skip
    entry.protection_level = level
    entry.save()
    return entry


# --- reads --------------------------------------------------------------------------------------------------------


def entries(user, *, status: str = "", city: str = "", level: str = "", industry: str = "", q: str = "") -> QuerySet:
    """The entries the user may see, filtered, with the latest data-security risk assessment's completion."""
    latest = (RiskAssessment.objects.filter(enterprise_id=OuterRef("enterprise_id"), kind=RiskAssessment.Kind.DATA)
              .order_by("-completed_at").values("completed_at")[:1])  # fmt: skip
    rows = (
        KeyEnterprise.objects.visible_to(user)
        .select_related("enterprise__county")
        .annotate(last_assessed=Subquery(latest))
    )
    if status:
        rows = rows.filter(status=status)
    if city:
        rows = rows.filter(region_code__startswith=city[:4])
    if level:
        rows = rows.filter(protection_level=level)
    if industry:
        rows = rows.filter(enterprise__industry_id=industry)
    if q.strip():
        rows = rows.filter(enterprise__name__icontains=q.strip())
    return rows.order_by("region_code", "enterprise__name", "pk")


def assessment_due(entry, now: dt.datetime) -> tuple[dt.datetime | None, bool]:
    """When the next yearly risk assessment is due (12 months after the last; none yet: due now) and if overdue."""
    if entry.status != KeyEnterprise.Status.LISTED:
        return None, False
    months = clocks.shipped().risk_valid_months
    if entry.last_assessed is None:
        return None, True
    due = workdays.months_deadline(timezone.localtime(entry.last_assessed), months)
    return due, due < now


def candidates(user, limit: int = 50) -> list[Enterprise]:
    """Enterprises the archive suggests (CANDIDATE_RULE) in the officer's regions, not yet proposed or listed."""
    scope = scope_of(user)
    if not scope.is_authority:
        return []
    low, high = MANUFACTURING
    holds = DataAsset.objects.filter(enterprise_id=OuterRef("pk"), level__in=[Level.IMPORTANT, Level.CORE],
                                     retired=False)  # fmt: skip
    on_list = KeyEnterprise.objects.filter(enterprise_id=OuterRef("pk")).exclude(status=KeyEnterprise.Status.REMOVED)
    rows = Enterprise.objects.filter(removed_at__isnull=True, is_above_scale=True)
    if not scope.is_admin:
        rows = rows.filter(under_paths("county_id", scope.officer_paths))
    industries = [f"{n:02d}" for n in range(low, high + 1)]
    return list(rows.filter(Q(industry_id__in=industries), Exists(holds), ~Exists(on_list))
                .select_related("county").order_by("county_id", "name")[:limit])  # fmt: skip


def export_headers() -> list[str]:
    return [_("企业名称"), _("统一社会信用代码"), _("所在地区"), _("行业代码"), _("状态"), _("防护等级"),
            _("联网设备数"), _("接入的工业互联网平台"), _("列入或移出理由"), _("列入时间"), _("最近风险评估"),
            _("风险评估已超期")]  # fmt: skip


def export_rows(rows, now: dt.datetime):
    for e in rows:
        _due, overdue = assessment_due(e, now)
        county = e.enterprise.county.full_name if e.enterprise.county else ""
        yield [e.enterprise.name, e.enterprise.credit_code, county,
               e.enterprise.industry_id or "", e.get_status_display(), e.get_protection_level_display(),
               e.networked_devices, e.platforms, e.reason,
               timezone.localtime(e.listed_at).strftime("%Y-%m-%d") if e.listed_at else "",
               timezone.localtime(e.last_assessed).strftime("%Y-%m-%d") if e.last_assessed else "",
               _("是") if overdue else _("否")]  # fmt: skip


# --- publication ("reviewed and published") -----------------------------------------------------------------------


def publishing_province(user) -> str | None:
    """The province (2-digit region path) a province officer publishes the list for; None for anyone else."""
    paths = [p for p in scope_of(user).officer_paths if len(p) == 2]
    return paths[0] if paths else None


def _listed(province: str) -> QuerySet:
    return KeyEnterprise.objects.filter(status=KeyEnterprise.Status.LISTED, region_code__startswith=province)


def latest_publication(province: str | None = None) -> KeyListPublication | None:
    rows = KeyListPublication.objects.all()
    if province:
        rows = rows.filter(province=province)
    return rows.order_by("-published_at", "-pk").first()


def pending(province: str, publication: KeyListPublication | None = None) -> dict[str, list]:
    """The differences between the list as it stands and its last publication (待公布): added, removed, and the
    protection level changed — each row (enterprise_id, name, region_code, published level, current level)."""
    publication = publication if publication is not None else latest_publication(province)
    published = {}
    if publication is not None:
        for e in publication.entries.all():
            published[e.enterprise_id] = (e.enterprise_name, e.region_code, e.protection_level)
    current = {e.enterprise_id: (e.enterprise.name, e.region_code, e.protection_level)
               for e in _listed(province).select_related("enterprise")}  # fmt: skip
    diff: dict[str, list] = {"added": [], "removed": [], "changed": []}
    for pk, (name, region, level) in current.items():
        if pk not in published:
            diff["added"].append({"enterprise_id": pk, "name": name, "region_code": region, "before": "",
                                  "after": level})  # fmt: skip
        elif published[pk][2] != level:
            diff["changed"].append({"enterprise_id": pk, "name": name, "region_code": region,
                                    "before": published[pk][2], "after": level})  # fmt: skip
    for pk, (name, region, level) in published.items():
        if pk not in current:
            diff["removed"].append({"enterprise_id": pk, "name": name, "region_code": region, "before": level,
                                    "after": ""})  # fmt: skip
    from regions.models import Region

    labels = dict(ProtectionLevel.choices)
    codes = {r["region_code"] for rows in diff.values() for r in rows}
    regions = dict(Region.objects.filter(code__in=codes).values_list("code", "full_name")) if codes else {}
    for rows in diff.values():
        rows.sort(key=lambda r: (r["region_code"], r["name"]))
        for r in rows:
            r["before_label"], r["after_label"] = labels.get(r["before"], ""), labels.get(r["after"], "")
            r["region"] = regions.get(r["region_code"], "")
    return diff


@transaction.atomic
def key_publish(*, actor, note: str = "", now: dt.datetime | None = None) -> KeyListPublication:
    """The province officer publishes the list as it stands: the next number, today's date, every listed enterprise
    with its protection level frozen; an Event. Nothing changed since the last publication: refused."""
    province = publishing_province(actor)
    if province is None:
        raise PermissionDenied(_("由省级工业和信息化主管部门公布清单"))
    now = _now(now)
    last = KeyListPublication.objects.select_for_update().filter(province=province).order_by("-number").first()
    listed = list(_listed(province).select_related("enterprise").order_by("region_code", "enterprise__name"))
    if not listed and last is None:
        raise ValidationError(_("清单中还没有企业，无法公布"))
    if last is not None and not any(pending(province, last).values()):
        raise ValidationError(_("自上次公布以来清单没有变化，无需重新公布"))
    publication = KeyListPublication.objects.create(
        province=province, number=(last.number + 1) if last else 1, published_on=timezone.localtime(now).date(),
        published_at=now, published_by=actor, published_by_name=events._who(actor), note=note.strip()[:1000],
    )  # fmt: skip
    KeyListPublicationEntry.objects.bulk_create(
        KeyListPublicationEntry(publication=publication, enterprise_id=e.enterprise_id,
                                enterprise_name=e.enterprise.name[:200], credit_code=e.enterprise.credit_code or "",
                                region_code=e.region_code, protection_level=e.protection_level)
        for e in listed
    )  # fmt: skip
    events.record("key_publish", actor=actor, at=now, reason=publication.note,
                  data={"publication": publication.pk, "number": publication.number, "entries": len(listed),
                        "province": province})  # fmt: skip
    return publication


def publications(user) -> QuerySet:
    """The publications a user may see: officers (of any level) of the province, and its enterprises' users; the
    admin all; anyone else none."""
    scope = scope_of(user)
    rows = KeyListPublication.objects.all()
    if scope.is_admin:
        return rows
    provinces = {p[:2] for p in scope.officer_paths}
    if scope.own_enterprise_ids:
        provinces |= {c[:2] for c in Enterprise.objects.filter(pk__in=scope.own_enterprise_ids)
                      .values_list("county_id", flat=True) if c}  # fmt: skip
    return rows.filter(province__in=provinces)


def published_entries(user, publication: KeyListPublication) -> QuerySet:
    """A publication's entries the user may see: an officer those of its regions, an enterprise only its own."""
    scope = scope_of(user)
    rows = publication.entries.all()
    if scope.is_admin:
        return rows
    return rows.filter(Q(enterprise_id__in=scope.own_enterprise_ids) |
                       under_paths("region_code", scope.officer_paths))  # fmt: skip


def publication_headers() -> list[str]:
    return [_("期号"), _("公布日期"), _("企业名称"), _("统一社会信用代码"), _("所在地区"), _("防护等级")]


def publication_rows(publication: KeyListPublication, rows):
    from regions.models import Region

    codes = {e.region_code for e in rows} if isinstance(rows, list) else None
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "full_name")) if codes else {}
    for e in rows:
        yield [publication.number, publication.published_on.isoformat(), e.enterprise_name, e.credit_code,
               names.get(e.region_code, e.region_code), e.get_protection_level_display()]  # fmt: skip
