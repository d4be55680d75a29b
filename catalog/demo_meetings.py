"""SYNTHETIC matching events (对接会) for the demo province, built from existing demo enterprises and providers."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import Enterprise
from regions.models import Region, code_prefix, prefix_range

from .events import record
from .meetings import AMOUNT_RESULTS
from .models import MatchMeeting, MeetingOutcome, MeetingParticipant, Provider, Solution

DEMO_TITLES = ("%(city)s智能制造供需对接会", "%(city)s中小企业数字化转型对接会", "%(city)s“小快轻准”产品进园区活动")


@transaction.atomic
def seed_demo_meetings(*, province_code: str, seed: int) -> int:
    """A few SYNTHETIC meetings in the province's cities, from existing demo enterprises and listed demo providers:
    two held ones with attendance and outcomes, one upcoming with invitations. Returns how many were created (none
    when the province already has synthetic meetings, so re-running changes nothing)."""
    prefix = code_prefix(province_code) if len(province_code) == 6 else province_code
    if MatchMeeting.objects.filter(is_synthetic=True, **prefix_range("region_id", prefix)).exists():
        return 0
    rng = random.Random(seed)
    demo = Enterprise.objects.active().filter(is_synthetic=True)
    cities = [
        city
        for city in Region.objects.filter(level=2, **prefix_range("code", prefix)).order_by("code")
        if demo.filter(**prefix_range("county_id", city.path))[1:2].exists()  # at least two to invite
    ][:3]
    providers = list(Provider.objects.listed().filter(is_synthetic=True).order_by("pk"))
    if not cities or not providers:
        return 0
    today = timezone.localdate()
    plans = [(today - dt.timedelta(days=60), True), (today - dt.timedelta(days=20), True)]
    plans.append((today + dt.timedelta(days=14), False))
    P, R = MeetingParticipant.Status, MeetingOutcome.Result
    created = 0
    for index, (held_on, held) in enumerate(plans):
        city = cities[index % len(cities)]
        enterprises = list(
            demo.filter(**prefix_range("county_id", city.path)).order_by("pk").values_list("pk", "industry_id")[:200]
        )
        chosen = rng.sample(enterprises, min(len(enterprises), rng.randint(6, 10)))
        invited = rng.sample(providers, min(len(providers), rng.randint(3, 5)))
        solutions = {
            p.pk: list(p.solutions.filter(status=Solution.Status.PUBLISHED).prefetch_related("scenarios")[:3])
            for p in invited
        }
        codes = sorted({sc.code for ss in solutions.values() for s in ss for sc in s.scenarios.all()})[:4]
        meeting = MatchMeeting.objects.create(
            title=DEMO_TITLES[index % len(DEMO_TITLES)] % {"city": city.name},
            region=city,
            held_on=held_on,
            place=_("%(city)s工业和信息化局会议中心（合成演示）") % {"city": city.name},
            description=_("合成演示数据：企业与服务商面对面对接智能制造场景需求。"),
            industries=sorted({industry for _pk, industry in chosen})[:5],
            status=MatchMeeting.Status.HELD if held else MatchMeeting.Status.PLANNED,
            is_synthetic=True,
        )
        meeting.scenarios.set(codes)
        rows = []
        for pk, _industry in chosen:
            status = rng.choice([P.ATTENDED, P.ATTENDED, P.DECLINED]) if held else rng.choice([P.INVITED, P.ACCEPTED])
            rows.append(MeetingParticipant(meeting=meeting, enterprise_id=pk, status=status))
        for p in invited:
            rows.append(MeetingParticipant(meeting=meeting, provider=p, status=P.ATTENDED if held else P.ACCEPTED))
        MeetingParticipant.objects.bulk_create(rows)
        outcomes = []
        came = [r.enterprise_id for r in rows if r.enterprise_id and r.status == P.ATTENDED]
        for enterprise_id in came:
            p = rng.choice(invited)
            result = rng.choice([R.TALKED, R.INTENTION, R.INTENTION, R.CONTRACTED, R.NONE])
            offered = solutions[p.pk]
            amount = Decimal(rng.randrange(500, 30000)) / 100 if result in AMOUNT_RESULTS else None
            outcomes.append(
                MeetingOutcome(
                    meeting=meeting,
                    enterprise_id=enterprise_id,
                    provider=p,
                    solution=rng.choice(offered) if offered and result != R.NONE else None,
                    result=result,
                    amount=amount,
                    note=_("合成演示数据"),
                )
            )
        MeetingOutcome.objects.bulk_create(outcomes)
        record(
            "meeting_created",
            meeting=meeting,
            summary=_("合成演示对接会：%(title)s") % {"title": meeting.title},
            data={"synthetic": True, "participants": len(rows), "outcomes": len(outcomes)},
        )
        created += 1
    return created
