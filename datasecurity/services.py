"""Writes: data assets and their grading, the catalogue filing and its review, incidents and their clocks.

Each service takes keyword arguments, checks who may act (datasecurity.access: PermissionDenied, a 403) and what the
state allows (ValidationError with a Chinese message), runs in one transaction, stores the next deadline as a
timestamp computed with the working-day calendar, and writes an Event. `now` is a parameter so that tests and the
demo can place an act in the past; pages and the API pass nothing (the present)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import OFFICER_ROLES, Membership
from notifications.services import enterprise_users, in_site_language, notify

from . import access, calendar, clocks, events, grading
from .models import DataAsset, Filing, FilingVersion, Incident, IncidentLevel, IncidentUpdate

ENTRY_FIELDS = (
    "source",
    "category",
    "level",
    "carrier",
    "purpose",
    "scope_of_use",
    "responsible",
    "sharing",
    "cross_border",
    "protection",
)  # fmt: skip  (plus the scale: records or storage)
NOTIFY_ESCALATION = "datasec_escalation"
NOTIFY_RETURNED = "datasec_returned"


def _now(now: dt.datetime | None) -> dt.datetime:
    return timezone.localtime(now or timezone.now())


# --- assets -------------------------------------------------------------------------------------------------------


@transaction.atomic
def asset_save(*, actor, asset: DataAsset, now: dt.datetime | None = None) -> DataAsset:
    """Create or change an asset (its fields already set on `asset`); a change to data in an accepted catalogue
    (scale by 30 % or more, any other filed field, retirement) makes the filing due for re-filing in 3 months."""
    access.require_own(actor, asset.enterprise_id)
    now = _now(now)
    creating = asset.pk is None
    asset.full_clean()
    asset.save()
    events.record("asset_create" if creating else "asset_update", actor=actor, asset=asset, at=now)
    _check_change(actor=actor, enterprise_id=asset.enterprise_id, now=now)
    return asset


@transaction.atomic
def asset_grade(*, actor, asset: DataAsset, ticked: set[str], impacts: dict[str, str], level: str, reason: str = "",
                now: dt.datetime | None = None) -> DataAsset:  # fmt: skip
    """Record the guided check and the level the enterprise confirms; a level other than the suggestion needs a
    reason."""
    access.require_own(actor, asset.enterprise_id)
    now = _now(now)
    try:
        suggestion = grading.suggest(grading.shipped(), set(ticked), impacts)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if level not in grading.ORDER:
        raise ValidationError(_("请选择数据级别"))
    if level != suggestion.level and not reason.strip():
        raise ValidationError(_("所定级别与建议级别不一致，请说明理由"))
    asset.suggested_level, asset.level, asset.graded_at = suggestion.level, level, now
    asset.grading = {"ticked": sorted(ticked), "impacts": impacts, "reasons": list(suggestion.reasons),
                     "provisional": suggestion.provisional, "reason": reason.strip()}  # fmt: skip
    asset.save()
    events.record("asset_grade", actor=actor, asset=asset, at=now, reason=reason.strip(),
                  data={"suggested": suggestion.level, "level": level})  # fmt: skip
    _check_change(actor=actor, enterprise_id=asset.enterprise_id, now=now)
    return asset


def _entries(enterprise_id: int) -> list[dict]:
    return [a.entry() for a in DataAsset.objects.filter(enterprise_id=enterprise_id).order_by("pk") if a.files]


def _differs(old: dict, new: dict | None, rules: clocks.Rules) -> str:
    """Why an entry's change is a major one, or ""."""
    if new is None:
        return _("“%(name)s”已不在目录中（销毁、转移或降级）") % {"name": old["name"]}
    for key in ("records", "storage_gb"):
        if clocks.scale_changed(rules, old.get(key), new.get(key)):
            return _("“%(name)s”规模变化达到 30%%") % {"name": new["name"]}
    for key in ENTRY_FIELDS:
        if old.get(key) != new.get(key):
            return _("“%(name)s”的备案事项有变化") % {"name": new["name"]}
    return ""


def _check_change(*, actor, enterprise_id: int, now: dt.datetime) -> None:
    filing = Filing.objects.select_for_update().filter(enterprise_id=enterprise_id).first()
    if filing is None or filing.status != Filing.Status.ACCEPTED:
        return
    rules = clocks.shipped()
    filed = {e["asset"]: e for e in filing.versions.get(number=filing.version).entries}
    current = {e["asset"]: e for e in _entries(enterprise_id)}
    reasons = [r for r in (_differs(old, current.get(pk), rules) for pk, old in filed.items()) if r]
    reasons += [_("新增“%(name)s”") % {"name": e["name"]} for pk, e in current.items() if pk not in filed]
    if not reasons:
        return
    filing.status, filing.due_kind = Filing.Status.CHANGE_DUE, Filing.Due.REFILE
    filing.due_at = clocks.refile_due(rules, now)
    filing.change_reason = "；".join(reasons)[:300]
    filing.save()
    events.record("change", actor=actor, filing=filing, at=now, reason=filing.change_reason,
                  data={"due_at": filing.due_at.isoformat()})  # fmt: skip


# --- the catalogue filing -----------------------------------------------------------------------------------------


def _missing(entries: list[dict]) -> list[str]:
    problems = []
    for e in entries:
        empty = [k for k in ENTRY_FIELDS if not e.get(k)]
        if not e.get("records") and not e.get("storage_gb"):
            empty.append("scale")
        if empty:
            problems.append(e["name"])
    return problems


@transaction.atomic
def filing_submit(*, actor, enterprise, note: str = "", now: dt.datetime | None = None) -> Filing:
    """Submit (or resubmit, or re-file after a change) the catalogue of important and core data as a new version."""
    access.require_own(actor, enterprise.pk)
    now = _now(now)
    filing, _created = Filing.objects.select_for_update().get_or_create(
        enterprise=enterprise, defaults={"region_code": enterprise.county_id}
    )
    if filing.status == Filing.Status.SUBMITTED:
        raise ValidationError(_("备案正在审核中，不能重复提交"))
    if filing.status == Filing.Status.ACCEPTED:
        raise ValidationError(_("备案内容没有重大变更，无需重新提交；如需确认请办理年度确认"))
    entries = _entries(enterprise.pk)
    if not entries:
        raise ValidationError(_("没有需要备案的重要数据或核心数据"))
    missing = _missing(entries)
    if missing:
        raise ValidationError(_("以下数据的备案事项未填写完整：%(names)s") % {"names": "、".join(missing)})
    action = {Filing.Status.RETURNED: "resubmit"}.get(filing.status, "submit")
    due = clocks.review_due(calendar.current(), clocks.shipped(), now)
    filing.version += 1
    FilingVersion.objects.create(filing=filing, number=filing.version, entries=entries, note=note[:500],
                                 submitted_at=now, submitted_by=actor, review_due_at=due)  # fmt: skip
    filing.status, filing.due_at, filing.due_kind = Filing.Status.SUBMITTED, due, Filing.Due.REVIEW
    filing.region_code = enterprise.county_id
    filing.first_submitted_at = filing.first_submitted_at or now
    filing.change_reason = ""
    filing.save()
    events.record(action, actor=actor, filing=filing, at=now, reason=note,
                  data={"version": filing.version, "due_at": due.isoformat()})  # fmt: skip
    return filing


@transaction.atomic
def filing_review(*, actor, filing: Filing, decision: str, reasons: str = "", now: dt.datetime | None = None) -> Filing:
    """The regulator accepts the submitted version, or returns it with reasons (resubmit within 15 working days)."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    access.require_regulator(actor, filing.region_code)
    now = _now(now)
    if filing.status != Filing.Status.SUBMITTED:
        raise ValidationError(_("只有审核中的备案可以审核"))
    if decision not in ("accept", "return"):
        raise ValidationError(_("请选择审核结果"))
    reasons = reasons.strip()
    if decision == "return" and not reasons:
        raise ValidationError(_("退回补正须说明理由"))
    rules = clocks.shipped()
    version = filing.versions.get(number=filing.version)
    version.decided_at, version.decided_by, version.reasons = now, actor, reasons
    if decision == "accept":
        version.decision = FilingVersion.Decision.ACCEPTED
        filing.status, filing.accepted_at, filing.attested_at = Filing.Status.ACCEPTED, now, now
        filing.due_at, filing.due_kind = clocks.attestation_due(rules, now), Filing.Due.ATTEST
    else:
        version.decision = FilingVersion.Decision.RETURNED
        filing.status = Filing.Status.RETURNED
        filing.due_at = clocks.resubmit_due(calendar.current(), rules, now)
        filing.due_kind = Filing.Due.RESUBMIT
    version.save()
    filing.save()
    events.record(decision, actor=actor, filing=filing, at=now, reason=reasons,
                  data={"version": filing.version, "due_at": filing.due_at.isoformat()})  # fmt: skip
    if decision == "return":
        with in_site_language():
            title = _("数据目录备案被退回补正，请在 %(date)s 前重新提交") % {
                "date": timezone.localtime(filing.due_at).strftime("%Y-%m-%d")
            }
        notify(recipients=enterprise_users(filing.enterprise_id), kind=NOTIFY_RETURNED, title=title, body=reasons,
               link=f"/data-security/filings/{filing.pk}/")  # fmt: skip
    return filing


@transaction.atomic
def filing_attest(*, actor, filing: Filing, now: dt.datetime | None = None) -> Filing:
    """The yearly confirmation that the accepted catalogue still holds; the next one is due a year later."""
    filing = Filing.objects.select_for_update().get(pk=filing.pk)
    access.require_own(actor, filing.enterprise_id)
    now = _now(now)
    if filing.status != Filing.Status.ACCEPTED:
        raise ValidationError(_("只有已备案且没有待办变更的目录可以年度确认"))
    filing.attested_at = now
    filing.due_at, filing.due_kind = clocks.attestation_due(clocks.shipped(), now), Filing.Due.ATTEST
    filing.save()
    events.record("attest", actor=actor, filing=filing, at=now, data={"due_at": filing.due_at.isoformat()})
    return filing


# --- incidents ----------------------------------------------------------------------------------------------------


def _regulators(region_code: str) -> list:
    """The officers whose regions cover the enterprise (county, city and province) — who hears of an escalation."""
    paths = [region_code[:n] for n in (2, 4, 6)]
    memberships = Membership.objects.filter(role__in=list(OFFICER_ROLES), region__path__in=paths, is_active=True,
                                            user__is_active=True).select_related("user")  # fmt: skip
    return [m.user for m in memberships]


@transaction.atomic
def incident_record(*, actor, enterprise, title: str, kind: str, level: str, cii: bool, discovered_at: dt.datetime,
                    description: str = "", now: dt.datetime | None = None) -> Incident:  # fmt: skip
    """Record an incident as discovered and self-graded. 较大 and above start both report clocks at discovery; a
    clock already run out escalates at once."""
    access.require_own(actor, enterprise.pk)
    now = _now(now)
    kinds, *_rest = grading.incident_spec()
    if kind not in kinds:
        raise ValidationError(_("请选择事件类型"))
    if level not in IncidentLevel.values:
        raise ValidationError(_("请选择事件级别"))
    if discovered_at > now:
        raise ValidationError(_("发现时间不能晚于现在"))
    incident = Incident(enterprise=enterprise, region_code=enterprise.county_id, title=title[:200], kind=kind,
                        level=level, self_level=level, cii=cii, description=description, discovered_at=discovered_at,
                        recorded_at=now, created_by=actor)  # fmt: skip
    if incident.immediate:
        _start_clocks(incident)
    incident.save()
    events.record("record", actor=actor, incident=incident, at=now, data={"level": level, "cii": cii})
    _escalate(incident, now)
    return incident


def _start_clocks(incident: Incident) -> None:
    """Both report clocks from the discovery; already met or late when the incident was reported before."""
    due = clocks.incident_clocks(clocks.shipped(), timezone.localtime(incident.discovered_at), cii=incident.cii)
    reported = incident.reported_at
    incident.clocks = [{"code": c.code, "name": c.name, "hours": c.hours, "due_at": c.due_at.isoformat(),
                        "provisional": c.provisional, "escalated": False,
                        "met": None if reported is None else reported <= c.due_at} for c in due]  # fmt: skip
    if reported is None:
        incident.due_at = incident.escalate_at = min(c.due_at for c in due)
        incident.due_kind = Incident.Due.REPORT


def _load(incident: Incident) -> Incident:
    return Incident.objects.select_for_update().get(pk=incident.pk)


@transaction.atomic
def incident_report(*, actor, incident: Incident, now: dt.datetime | None = None) -> Incident:
    """The formal report to the regulator: each clock is met or late from here on."""
    incident = _load(incident)
    access.require_own(actor, incident.enterprise_id)
    now = _now(now)
    if incident.status != Incident.Status.RECORDED:
        raise ValidationError(_("事件已上报"))
    incident.status, incident.reported_at = Incident.Status.REPORTED, now
    for clock in incident.clocks:
        clock["met"] = now <= dt.datetime.fromisoformat(clock["due_at"])
    incident.due_at = incident.escalate_at = None
    incident.due_kind = ""
    incident.save()
    events.record("report", actor=actor, incident=incident, at=now,
                  data={c["code"]: c["met"] for c in incident.clocks})  # fmt: skip
    return incident


@transaction.atomic
def incident_update(*, actor, incident: Incident, text: str, now: dt.datetime | None = None) -> IncidentUpdate:
    incident = _load(incident)
    access.require_own(actor, incident.enterprise_id)
    now = _now(now)
    if incident.status in (Incident.Status.RECORDED, Incident.Status.CLOSED):
        raise ValidationError(_("上报后、结案前才能报送进展"))
    if not text.strip():
        raise ValidationError(_("请填写进展"))
    update = IncidentUpdate.objects.create(incident=incident, text=text.strip(), at=now, author=actor)
    events.record("update", actor=actor, incident=incident, at=now)
    return update


@transaction.atomic
def incident_contain(*, actor, incident: Incident, now: dt.datetime | None = None) -> Incident:
    """Handling is over; after 重大 and above the summary report is due within the (provisional) period."""
    incident = _load(incident)
    access.require_own(actor, incident.enterprise_id)
    now = _now(now)
    if incident.status != Incident.Status.REPORTED:
        raise ValidationError(_("只有已上报、处置中的事件可以标记处置完毕"))
    incident.status, incident.contained_at = Incident.Status.CONTAINED, now
    if incident.needs_summary:
        incident.due_at = incident.escalate_at = clocks.summary_due(calendar.current(), clocks.shipped(), now)
        incident.due_kind = Incident.Due.SUMMARY
    incident.save()
    events.record("contain", actor=actor, incident=incident, at=now)
    return incident


@transaction.atomic
def incident_summarise(*, actor, incident: Incident, summary: str, now: dt.datetime | None = None) -> Incident:
    incident = _load(incident)
    access.require_own(actor, incident.enterprise_id)
    now = _now(now)
    if incident.status != Incident.Status.CONTAINED or not incident.needs_summary:
        raise ValidationError(_("重大及以上事件处置完毕后提交总结报告"))
    if not summary.strip():
        raise ValidationError(_("请填写总结报告（原因、经过、责任、损失和改进措施）"))
    incident.status, incident.summary, incident.summarised_at = Incident.Status.SUMMARISED, summary.strip(), now
    incident.due_at = incident.escalate_at = None
    incident.due_kind = ""
    incident.save()
    events.record("summarise", actor=actor, incident=incident, at=now)
    return incident


@transaction.atomic
def incident_close(*, actor, incident: Incident, reason: str = "", now: dt.datetime | None = None) -> Incident:
    """The regulator closes an incident once handled (and, for 重大 and above, summarised)."""
    incident = _load(incident)
    access.require_regulator(actor, incident.region_code)
    now = _now(now)
    ready = Incident.Status.SUMMARISED if incident.needs_summary else Incident.Status.CONTAINED
    if incident.status != ready:
        if incident.needs_summary:
            raise ValidationError(_("重大及以上事件须在企业提交总结报告后结案"))
        raise ValidationError(_("事件处置完毕后才能结案"))
    incident.status, incident.closed_at = Incident.Status.CLOSED, now
    incident.save()
    events.record("close", actor=actor, incident=incident, at=now, reason=reason.strip())
    return incident


NOTIFY_REGRADED = "datasec_regraded"


@transaction.atomic
def incident_regrade(*, actor, incident: Incident, level: str, reason: str,
                     now: dt.datetime | None = None) -> Incident:  # fmt: skip
    """The regulator re-grades an incident, with a reason. The clocks follow the new grade as the rules say: raised
    to 较大 or above, both report clocks run from the discovery (an incident not yet reported escalates at once for
    each clock already run out; one already reported is marked met or late against them); lowered to 一般, no report
    clock applies. After containment the summary report follows the grade (needed from 重大, due from containment)."""
    incident = _load(incident)
    access.require_regulator(actor, incident.region_code)
    now = _now(now)
    if incident.status == Incident.Status.CLOSED:
        raise ValidationError(_("已结案的事件不能调整级别"))
    if level not in IncidentLevel.values:
        raise ValidationError(_("请选择事件级别"))
    if level == incident.level:
        raise ValidationError(_("级别没有变化"))
    if not reason.strip():
        raise ValidationError(_("调整事件级别须说明理由"))
    old, was_immediate = incident.level, incident.immediate
    incident.level, incident.regraded_at, incident.regrade_reason = level, now, reason.strip()[:1000]
    if not incident.immediate:
        incident.clocks = []
        if incident.due_kind == Incident.Due.REPORT:
            incident.due_at = incident.escalate_at = None
            incident.due_kind = ""
    elif not was_immediate:
        _start_clocks(incident)
    if incident.status == Incident.Status.CONTAINED:
        if incident.needs_summary and incident.due_kind != Incident.Due.SUMMARY:
            due = clocks.summary_due(calendar.current(), clocks.shipped(), timezone.localtime(incident.contained_at))
            incident.due_at = incident.escalate_at = due
            incident.due_kind = Incident.Due.SUMMARY
        elif not incident.needs_summary and incident.due_kind == Incident.Due.SUMMARY:
            incident.due_at = incident.escalate_at = None
            incident.due_kind = ""
    incident.save()
    events.record("regrade", actor=actor, incident=incident, at=now, reason=incident.regrade_reason,
                  data={"from": old, "to": level,
                        "due_at": incident.due_at.isoformat() if incident.due_at else None})  # fmt: skip
    with in_site_language():
        title = _("数据安全事件“%(title)s”的级别已由主管部门调整为%(level)s") % {
            "title": incident.title, "level": incident.get_level_display()}  # fmt: skip
    notify(recipients=enterprise_users(incident.enterprise_id), kind=NOTIFY_REGRADED, title=title,
           body=incident.regrade_reason, link=f"/data-security/incidents/{incident.pk}/")  # fmt: skip
    _escalate(incident, now)
    return incident


def _escalate(incident: Incident, now: dt.datetime) -> int:
    """Escalate every clock of `incident` that has run out and not been escalated; set the next one to watch."""
    if incident.escalate_at is None or incident.escalate_at > now:
        return 0
    run_out: list[str] = []
    if incident.status == Incident.Status.RECORDED:
        for clock in incident.clocks:
            if not clock["escalated"] and dt.datetime.fromisoformat(clock["due_at"]) <= now:
                clock["escalated"] = True
                run_out.append(
                    _("%(name)s %(hours)s 小时上报时限") % {"name": clock["name"], "hours": f"{clock['hours']:g}"}
                )
        pending = [dt.datetime.fromisoformat(c["due_at"]) for c in incident.clocks if not c["escalated"]]
        incident.escalate_at = min(pending) if pending else None
    else:  # the summary report
        run_out.append(_("总结报告期限"))
        incident.escalate_at = None
    incident.escalations += len(run_out)
    incident.save()
    with in_site_language():
        title = _("数据安全事件“%(title)s”已超过%(what)s") % {"title": incident.title, "what": "、".join(run_out)}
    for what in run_out:
        events.record("escalate", actor=None, incident=incident, at=now, reason=what)
    notify(recipients=_regulators(incident.region_code) + enterprise_users(incident.enterprise_id),
           kind=NOTIFY_ESCALATION, title=title, link=f"/data-security/incidents/{incident.pk}/")  # fmt: skip
    return len(run_out)


def incidents_escalate(*, now: dt.datetime | None = None) -> int:
    """The sweep (a periodic task): escalate every clock that has run out. Returns how many escalated."""
    now = _now(now)
    count = 0
    for pk in list(Incident.objects.to_escalate(now).values_list("pk", flat=True)):
        with transaction.atomic():
            count += _escalate(Incident.objects.select_for_update().get(pk=pk), now)
    return count
