"""Demo data for recognition (synthetic, labelled): the three example programmes loaded for the demo province and its
cities under demo codes ("demo-…", names ending in （演示）), an expert pool, and a few applications of the demo
city's 基础级 programme at various steps — one recognised with its certificate, one on public notice, one under
expert review, one at the county's check. Every state is reached through the services, as officers and experts
would; only the notice period of the recognised one is ended early (its deadline moved to yesterday).

Idempotent: nothing happens when the demo programmes exist, unless `replace`; `clear` removes every row it made."""

from __future__ import annotations

import copy
import datetime as dt
from collections import Counter

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from enterprises.demo_records import DEMO_EMAIL_DOMAIN, demo_users
from enterprises.models import Enterprise, EnterpriseEvent, EnterpriseLabel
from regions.models import Region, prefix_range

from . import experts, library, prerequisites, services
from .models import Application, ApplicationEvidence, Expert, Programme, Recognition, ReviewTask
from .results import TIER_LABEL

PREFIX = "demo-"
MARK = "（演示）"
USER_PREFIX = "demo_rec_"  # the demo's own accounts: experts, applicants' contacts, other counties' officers
ORGANISATIONS = ["智能制造研究院（演示）", "工业互联网创新中心（演示）", "理工大学机械工程学院（演示）",
                 "信息技术研究所（演示）", "自动化学会（演示）"]  # fmt: skip
FIELDS = [["34", "35"], ["39", "40"], ["26", "27"], ["13", "14"], ["30", "31"]]


class DemoError(Exception):
    pass


def _data(code: str, demo_code: str) -> dict:
    data = copy.deepcopy(library.shipped()[code])
    data["code"], data["name"] = demo_code, data["name"] + MARK
    data["note"] = "演示数据：" + str(data.get("note", ""))
    return data


def _users() -> dict[str, User]:
    users = {u.username: u for u in demo_users().prefetch_related("memberships")}
    missing = [name for name in ("province", "city", "county", "enterprise", "expert") if name not in users]
    if missing:
        raise DemoError(f"缺少演示账号：{'、'.join(missing)}（请先运行 seed_demo）")
    return users


def _region_of(user: User) -> str:
    membership = next(m for m in user.memberships.all() if m.region_id)
    return membership.region_id


def clear() -> Counter:
    """Remove the demo programmes and everything on them, the demo experts, and the tier labels, timeline entries
    and certificate files the demo recognitions made."""
    counts: Counter = Counter()
    with transaction.atomic():
        programmes = Programme.objects.filter(code__startswith=PREFIX)
        recognitions = list(Recognition.objects.filter(programme__in=programmes))
        for recognition in recognitions:
            labels = EnterpriseLabel.objects.filter(enterprise=recognition.enterprise_id,
                                                    label_id=TIER_LABEL.get(recognition.subject, ""))  # fmt: skip
            labels.delete()
            if recognition.certificate_pdf:
                recognition.certificate_pdf.delete(save=False)
        counts["recognitions"] = len(recognitions)
        Recognition.objects.filter(pk__in=[r.pk for r in recognitions]).delete()
        EnterpriseEvent.objects.filter(kind=EnterpriseEvent.Kind.RECOGNITION, summary__contains=MARK).delete()
        counts["applications"] = (
            Application.objects.filter(programme__in=programmes).delete()[1].get("recognition.Application", 0)
        )
        counts["programmes"] = programmes.delete()[0]
        counts["experts"] = User.objects.filter(username__startswith=USER_PREFIX,
                                                email__iendswith="@" + DEMO_EMAIL_DOMAIN).delete()[0]  # fmt: skip
        Expert.objects.filter(user__username="expert", user__email__iendswith="@" + DEMO_EMAIL_DOMAIN).delete()
    return counts


def _experts(province: Region) -> list[Expert]:
    cities = list(Region.objects.filter(parent=province).order_by("code")[:5])
    pool = []
    for i in range(9):
        username = f"{USER_PREFIX}expert{i + 1:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, display_name=f"评审专家{i + 1:02d}（演示）",
                        email=f"{username}@{DEMO_EMAIL_DOMAIN}")  # fmt: skip
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, role=Role.EXPERT)
        expert, _ = Expert.objects.get_or_create(user=user, defaults={
            "organisation": ORGANISATIONS[i % len(ORGANISATIONS)], "fields": FIELDS[i % len(FIELDS)],
            "region_id": cities[i % len(cities)].code if cities else None})  # fmt: skip
        pool.append(expert)
    demo_expert = User.objects.get(username="expert")
    Expert.objects.get_or_create(user=demo_expert, defaults={"organisation": ORGANISATIONS[0], "fields": FIELDS[0],
                                                             "region_id": province.code})  # fmt: skip
    return pool


def _eligible(programme: Programme, path: str, *, first: int | None, exclude: set[int], limit: int) -> list:
    """Synthetic enterprises of the region whose prerequisite check passes (the demo user's enterprise first)."""
    chosen = []
    candidates = Enterprise.objects.filter(is_synthetic=True, removed_at__isnull=True,
                                           **prefix_range("county_id", path)).exclude(pk__in=exclude)  # fmt: skip
    # Not an enterprise already labelled 基础级: clearing the demo removes the label its recognition set.
    candidates = candidates.exclude(label_links__label_id="tier-basic")
    ordered = list(candidates.filter(pk=first)) + list(candidates.exclude(pk=first).order_by("pk")[:200])
    for enterprise in ordered:
        check = prerequisites.check(programme.rules, enterprise, {})
        if check.ok:
            chosen.append((enterprise, check))
        if len(chosen) == limit:
            break
    return chosen


def _apply(user_for, programme: Programme, enterprise, check) -> Application:
    user = user_for(enterprise)
    application = services.application_start(actor=user, programme=programme, enterprise=enterprise)
    for evidence in programme.rules.evidence:
        if evidence.required:
            body = f"%PDF-1.4 演示材料（合成数据）：{evidence.name}".encode()
            ApplicationEvidence.objects.create(application=application, code=evidence.code, size=len(body),
                                               file=ContentFile(body, name=f"{evidence.code}.pdf"),
                                               name=f"{evidence.name}（演示）.pdf", sha256="0" * 64,
                                               uploaded_by=user)  # fmt: skip
    services.application_update(actor=user, application=application, declared={},
                                summary="演示申请：企业情况为合成数据，不代表任何真实企业。")  # fmt: skip
    return services.application_submit(actor=user, application=application, check=check)


def _review(city, application: Application, scores: tuple[float, ...]) -> None:
    experts.assign_experts(actor=city, applications=[application])
    tasks = ReviewTask.objects.filter(application=application, step=application.step).select_related("expert__user")
    for task, score in zip(tasks, scores, strict=False):
        experts.review_submit(actor=task.expert.user, task=task, score=score, comment="演示评审意见：符合基础级要求。",
                              visit_report="演示现场核查记录：产线与系统运行正常。")  # fmt: skip


@transaction.atomic
def seed(province_code: str = "36", *, replace: bool = False) -> Counter | None:
    """Load the demo; None when it is there already and `replace` is not asked."""
    if Programme.objects.filter(code__startswith=PREFIX).exists():
        if not replace:
            return None
        clear()
    province = Region.objects.filter(code=str(province_code)[:2].ljust(6, "0"), level=1).first()
    if province is None:
        raise DemoError(f"找不到省级区划“{province_code}”")
    users = _users()
    city_code, county_code = _region_of(users["city"]), _region_of(users["county"])
    counts: Counter = Counter()

    programmes = {}
    for city in Region.objects.filter(parent=province).order_by("code"):
        data = _data("sf-basic-2026", f"{PREFIX}sf-basic-2026-{city.code[:4]}")
        programmes[city.code] = services.programme_load(actor=None, region=city, data=data)
    for code in ("sf-advanced-2026", "sd-industry-model-2025"):
        programmes[code] = services.programme_load(actor=None, region=province, data=_data(code, PREFIX + code))
    Programme.objects.filter(pk__in=[p.pk for p in programmes.values()]).update(status=Programme.Status.OPEN)
    counts["programmes"] = len(programmes)
    counts["experts"] = len(_experts(province)) + 1

    basic = Programme.objects.get(pk=programmes[city_code].pk)
    own = next(m.enterprise_id for m in users["enterprise"].memberships.all() if m.enterprise_id)
    picked = _eligible(basic, county_code, first=own, exclude=set(), limit=4)
    if len(picked) < 4:
        picked += _eligible(basic, city_code[:4], first=None, exclude={e.pk for e, _ in picked}, limit=4 - len(picked))

    def user_for(enterprise):
        if enterprise.pk == own:
            return users["enterprise"]
        user = User.objects.filter(memberships__enterprise=enterprise, memberships__role=Role.ENTERPRISE).first()
        if user is None:  # the applicant's account: a synthetic contact without a password
            user = User(username=f"{USER_PREFIX}e{enterprise.pk}", display_name=f"{enterprise.name}（演示）",
                        email=f"{USER_PREFIX}e{enterprise.pk}@{DEMO_EMAIL_DOMAIN}")  # fmt: skip
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
        return user

    city, reason = users["city"], "演示：材料齐全，情况属实"
    county_of = {e.pk: e.county_id for e, _ in picked}
    for n, (enterprise, check) in enumerate(picked):
        application = _apply(user_for, basic, enterprise, check)
        counts["applications"] += 1
        if n == len(picked) - 1:
            continue  # waits at the county's check
        county = _county_officer(users, county_of[enterprise.pk])
        services.application_decide(actor=county, application=application, decision="pass", reason=reason)
        application.refresh_from_db()
        if n == 2:
            experts.assign_experts(actor=city, applications=[application])  # under expert review
            continue
        _review(city, application, (78, 85, 90))
        for _ in range(2):  # the experts' conclusion, then the city's decision: on notice
            services.application_decide(actor=city, application=application, decision="pass", reason=reason)
        if n == 0:  # recognised: the notice period ended early for the demo
            yesterday = timezone.localdate() - dt.timedelta(days=1)
            Application.objects.filter(pk=application.pk).update(step_due_on=yesterday)
            for _ in range(2):
                services.application_decide(actor=city, application=application, decision="pass", reason=reason)
            counts["recognised"] += 1
        else:
            counts["on_notice"] += 1
    return counts


def _county_officer(users: dict, county_id: str):
    """The demo county officer for their county; for an enterprise of another county, a synthetic officer of it."""
    if _region_of(users["county"]) == county_id:
        return users["county"]
    username = f"{USER_PREFIX}c{county_id}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=f"区县主管部门（演示）{county_id}",
                    email=f"{username}@{DEMO_EMAIL_DOMAIN}")  # fmt: skip
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=Role.COUNTY_OFFICER, region_id=county_id)
    return user
