"""Campaigns (专项行动): drawing or choosing the enterprises, assigning commissioners, inviting and reminding, sending
an implausible submission back, closing, and completion by region. Writes check that the actor governs the
campaign's region (a commissioner may also send back a submission of an enterprise assigned to them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role
from assessments.models import Assessment, AssessmentResult
from enterprises.models import Enterprise
from notifications.models import Notification
from notifications.services import notify, notify_enterprise
from regions.models import Region, prefix_range

from .models import Campaign, CampaignMember
from .querysets import in_scope, require_governs
from .sampling import assign, sample

SUBMITTED, RETURNED, PENDING = "submitted", "returned", "pending"


def campaigns_visible_to(user):
    """Campaigns of the regions an officer governs, and those above them (whose members in their region they follow)."""
    return in_scope(Campaign.objects.all(), user, above=True)


def _require_governs(actor, region: Region) -> None:
    require_governs(actor, region, _("只有主管该地区的部门可以发起和管理专项行动"))


def population(region: Region, above_scale_only: bool):
    enterprises = Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", region.path))
    return enterprises.filter(is_above_scale=True) if above_scale_only else enterprises


def _commissioner_paths(region: Region) -> dict[int, tuple[str, ...]]:
    """Commissioners working in the region (by their membership's region), with the paths they cover."""
    rows = Membership.objects.filter(role=Role.COMMISSIONER, is_active=True, user__is_active=True,
                                     region__isnull=False).select_related("region")  # fmt: skip
    paths: dict[int, set[str]] = {}
    for m in rows:
        if m.region.path.startswith(region.path) or region.path.startswith(m.region.path):
            paths.setdefault(m.user_id, set()).add(m.region.path)
    return {user: tuple(sorted(p)) for user, p in paths.items()}


@transaction.atomic
def campaign_create(*, actor, name: str, region: Region, kind: str, model_version, starts_on: dt.date,
                    ends_on: dt.date, sample_share: Decimal | None = None, seed: int = 1, above_scale_only: bool = True,
                    chosen: list[int] | None = None) -> Campaign:  # fmt: skip
    """A campaign with its members: `sample_share` % of the population of each city drawn with `seed`, or the
    `chosen` enterprises (which must belong to the population). Commissioners are assigned by county, balanced
    by what they already carry in open campaigns."""
    _require_governs(actor, region)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("截止日期不能早于开始日期")})
    if (sample_share is None) == (chosen is None):
        raise ValidationError(_("请填写抽样比例，或选择参加的企业（二者选一）"))
    pool = population(region, above_scale_only)
    if sample_share is not None:
        groups: dict[str, list[int]] = {}
        for pk, county in pool.values_list("pk", "county_id"):
            groups.setdefault(county[:4], []).append(pk)
        try:
            ids = sample(groups, sample_share, seed)
        except ValueError as error:
            raise ValidationError({"sample_share": _("抽样比例须大于 0 且不超过 100")}) from error
    else:
        ids = sorted(set(chosen))
        inside = set(pool.filter(pk__in=ids).values_list("pk", flat=True))
        if outside := [pk for pk in ids if pk not in inside]:
            raise ValidationError(
                _("%(n)s 家企业不在本次行动的范围内（不属于本地区，或只限规模以上企业而它们不是）")
                % {"n": len(outside)}
            )
    if not ids:
        raise ValidationError(_("范围内没有企业"))
    campaign = Campaign.objects.create(
        name=name, region=region, kind=kind, model_version=model_version, starts_on=starts_on, ends_on=ends_on,
        sample_share=sample_share, seed=seed, above_scale_only=above_scale_only, created_by=actor,
    )  # fmt: skip
    counties = dict(Enterprise.objects.filter(pk__in=ids).values_list("pk", "county_id"))
    load = dict(
        CampaignMember.objects.filter(campaign__status=Campaign.Status.OPEN, commissioner__isnull=False)
        .values_list("commissioner_id").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    chosen_commissioners = assign(counties.items(), _commissioner_paths(region), load)
    CampaignMember.objects.bulk_create(
        [
            CampaignMember(campaign=campaign, enterprise_id=pk, commissioner_id=chosen_commissioners.get(pk))
            for pk in ids
        ],
        batch_size=1000,
    )
    return campaign


def members_with_status(campaign: Campaign):
    """The members annotated with `done`: submitted (a submission of the pinned version and kind within the
    dates, after any sending back), returned (sent back, nothing newer), pending."""
    start, end = _window(campaign)
    done = Assessment.objects.filter(
        enterprise=OuterRef("enterprise"), model_version=campaign.model_version, kind=campaign.kind,
        status=Assessment.Status.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end,
    )  # fmt: skip
    after_return = done.filter(submitted_at__gt=OuterRef("returned_at"))
    return campaign.members.annotate(
        done=Case(
            When(returned_at__isnull=True, then=Exists(done)),
            default=Exists(after_return),
            output_field=BooleanField(),
        )
    )


def state_of(member) -> str:
    if member.done:
        return SUBMITTED
    return RETURNED if member.returned_at else PENDING


def completion(campaign: Campaign, rows: list[Region], members=None) -> list[dict]:
    """Per region: members, submitted, sent back and pending, and the completion rate."""
    members = members if members is not None else members_with_status(campaign)
    was_returned = ExpressionWrapper(Q(returned_at__isnull=False), output_field=BooleanField())
    counts = (
        members.annotate(was_returned=was_returned)
        .values("enterprise__county_id", "done", "was_returned")
        .annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    table = []
    for region in rows:
        row = {"region": region, "members": 0, SUBMITTED: 0, RETURNED: 0, PENDING: 0}
        for c in counts:
            if (c["enterprise__county_id"] or "").startswith(region.path):
                row["members"] += c["n"]
                key = SUBMITTED if c["done"] else (RETURNED if c["was_returned"] else PENDING)
                row[key] += c["n"]
        row["rate"] = round(row[SUBMITTED] * 100 / row["members"], 1) if row["members"] else None
        table.append(row)
    return table


def _link(campaign: Campaign) -> str:
    return reverse("monitoring:campaign", kwargs={"pk": campaign.pk})


@transaction.atomic
def campaign_invite(*, actor, campaign: Campaign) -> int:
    """Invite every member not invited yet (in-app and by e-mail to the enterprise's users), and tell each
    commissioner which enterprises are theirs. Returns how many enterprises were invited."""
    _require_governs(actor, campaign.region)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("专项行动已结束"))
    members = list(campaign.members.filter(invited_at__isnull=True).select_related("enterprise"))
    title = _("请参加“%(name)s”（%(end)s 前完成）") % {"name": campaign.name, "end": campaign.ends_on}
    body = _("请使用“%(model)s”完成%(kind)s。") % {"model": campaign.model_version.name, "kind": _kind_text(campaign)}
    start = reverse("assessments:list")
    for member in members:
        notify_enterprise(member.enterprise_id, kind=Notification.Kind.CAMPAIGN_INVITED, title=title, body=body,
                          link=start)  # fmt: skip
    by_commissioner: dict[int, int] = {}
    for member in members:
        if member.commissioner_id:
            by_commissioner[member.commissioner_id] = by_commissioner.get(member.commissioner_id, 0) + 1
    from accounts.models import User

    for user in User.objects.filter(pk__in=by_commissioner):
        notify(recipients=[user], kind=Notification.Kind.CAMPAIGN_INVITED,
               title=_("“%(name)s”为您分配了 %(n)s 家企业") % {"name": campaign.name, "n": by_commissioner[user.pk]},
               link=_link(campaign))  # fmt: skip
    CampaignMember.objects.filter(pk__in=[m.pk for m in members]).update(invited_at=timezone.now())
    return len(members)


def _kind_text(campaign: Campaign) -> str:
    return _("企业自评估") if campaign.kind == Campaign.Kind.SELF else _("诊断评估（由数字专员上门诊断）")


@transaction.atomic
def campaign_remind(*, actor, campaign: Campaign) -> int:
    """Remind the invited members that have not submitted (or were sent back). Returns how many."""
    _require_governs(actor, campaign.region)
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("专项行动已结束"))
    waiting = [m for m in members_with_status(campaign).filter(invited_at__isnull=False) if not m.done]
    title = _("提醒：“%(name)s”将于 %(end)s 截止") % {"name": campaign.name, "end": campaign.ends_on}
    for member in waiting:
        notify_enterprise(member.enterprise_id, kind=Notification.Kind.CAMPAIGN_REMINDED, title=title,
                          body=_("贵企业尚未完成本次评估。"), link=reverse("assessments:list"))  # fmt: skip
    CampaignMember.objects.filter(pk__in=[m.pk for m in waiting]).update(reminded_at=timezone.now())
    return len(waiting)


@transaction.atomic
def campaign_return(*, actor, member: CampaignMember, reason: str) -> CampaignMember:
    """Send an implausible submission back: the enterprise is told why and submits again."""
    campaign = member.campaign
    if not (actor is None or member.commissioner_id == actor.pk):
        _require_governs(actor, campaign.region)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写退回原因")})
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError(_("专项行动已结束"))
    current = members_with_status(campaign).get(pk=member.pk)
    if not current.done:
        raise ValidationError(_("该企业尚未提交，无需退回"))
    member.returned_at, member.returned_reason = timezone.now(), reason[:300]
    member.save(update_fields=["returned_at", "returned_reason"])
    notify_enterprise(member.enterprise_id, kind=Notification.Kind.CAMPAIGN_RETURNED,
                      title=_("“%(name)s”的评估被退回，请修改后重新提交") % {"name": campaign.name},
                      body=_("退回原因：%(reason)s") % {"reason": member.returned_reason},
                      link=reverse("assessments:list"))  # fmt: skip
    return member


@transaction.atomic
def campaign_close(*, actor, campaign: Campaign) -> Campaign:
    _require_governs(actor, campaign.region)
    campaign.status, campaign.closed_at = Campaign.Status.CLOSED, timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    return campaign


def _window(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(campaign.starts_on, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)


def level_counts(campaign: Campaign, members) -> list[tuple[str, int]]:
    """(level name, enterprises) for the members that submitted: the level of each one's latest submission of the
    campaign's version and kind within its dates (as `members_with_status` counts it), in the model's order;
    submissions without a level (below the first) are counted apart."""
    start, end = _window(campaign)
    done_ids = members.filter(done=True).values("enterprise_id")
    latest: dict[int, tuple] = {}
    rows = AssessmentResult.objects.filter(
        is_current=True, assessment__enterprise_id__in=done_ids, assessment__model_version=campaign.model_version,
        assessment__kind=campaign.kind, assessment__status=Assessment.Status.SUBMITTED,
        assessment__submitted_at__gte=start, assessment__submitted_at__lt=end,
    ).values_list("assessment__enterprise_id", "assessment__submitted_at", "assessment_id", "level",
                  "level_name")  # fmt: skip
    for enterprise, when, pk, level, name in rows:
        if enterprise not in latest or (when, pk) > latest[enterprise][:2]:
            latest[enterprise] = (when, pk, level, name)
    below = _("未达一级")
    counts: dict[tuple[int, str], int] = {}
    for _when, _pk, level, name in latest.values():
        key = (level or 0, name if level else below)
        counts[key] = counts.get(key, 0) + 1
    return [(name, n) for (_level, name), n in sorted(counts.items())]


def by_commissioner(members) -> list[dict]:
    """Per commissioner: enterprises assigned, submitted, and the share done; the unassigned last."""
    table: dict[int | None, dict] = {}
    for member in members.select_related("commissioner"):
        row = table.setdefault(member.commissioner_id, {"commissioner": member.commissioner, "assigned": 0, "done": 0})
        row["assigned"] += 1
        row["done"] += 1 if member.done else 0
    for row in table.values():
        row["rate"] = round(row["done"] * 100 / row["assigned"], 1)
    return sorted(table.values(), key=lambda r: (r["commissioner"] is None, -r["assigned"]))
