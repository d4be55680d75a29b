"""Demo data for data security (synthetic, labelled （演示）): data assets of a few synthetic enterprises of the demo
province (the demo enterprise user's own first), their catalogue filings at every state — accepted, under review
(one past its review deadline), returned (one past its resubmission deadline), due for re-filing after a change —
incidents: one whose report clocks ran out and escalated, one reported in time and closed, one 重大 awaiting its
summary report, one self-graded 一般 and re-graded 较大 by the regulator; drills (three done with scores and
after-action items, a retest and a provincial drill planned); the key networked-enterprise list (listed, proposed,
removed); risk assessments (filed and rectified, one report overdue) and an AI safety-risk report. Every state is
reached through the services with acts placed in the past, as the people would;
enterprises other than the demo user's speak through demo accounts of their own (demo_ds_…, no password).

Idempotent: nothing happens when demo assets exist, unless `replace`; `clear` removes every row it made."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role, User
from enterprises.demo_records import DEMO_EMAIL_DOMAIN, demo_users
from enterprises.models import Enterprise
from notifications.models import Notification
from regions.models import prefix_range

from . import drills, keylist, risk, services
from .models import DataAsset, Drill, Filing, Incident, KeyEnterprise, KeyListPublication, RiskAssessment

MARK = "（演示）"
USER_PREFIX = "demo_ds_"
ASSETS = [  # name, category, level, records, carrier
    ("工艺参数库", "production", "important", 2_400_000, "车间边缘服务器"),
    ("产品设计图纸库", "rnd", "core", 180_000, "研发 PLM 系统"),
    ("设备运维日志", "operations", "general", 9_000_000, "运维平台"),
    ("客户订单数据", "service", "important", 650_000, "ERP 云服务"),
]


class DemoError(Exception):
    pass


def _fields(name: str, carrier: str) -> dict:
    return {"source": "企业内部生产经营活动产生（合成）", "carrier": carrier, "purpose": "生产经营分析，自动化处理",
            "scope_of_use": "本企业相关部门", "responsible": "企业数据安全负责人（演示）", "sharing": "无",
            "cross_border": "无", "protection": "分级授权、加密存储、异地备份、操作日志留存 6 个月以上"}  # fmt: skip


def clear() -> Counter:
    counts: Counter = Counter()
    with transaction.atomic():
        enterprises = set(DataAsset.objects.filter(name__endswith=MARK).values_list("enterprise_id", flat=True))
        counts["key_entries"] = (
            KeyEnterprise.objects.filter(enterprise_id__in=enterprises).delete()[1].get("datasecurity.KeyEnterprise", 0)
        )
        counts["key_publications"] = (
            KeyListPublication.objects.filter(note__endswith=MARK).delete()[1].get("datasecurity.KeyListPublication", 0)
        )
        counts["risks"] = (
            RiskAssessment.objects.filter(assessor__endswith=MARK).delete()[1].get("datasecurity.RiskAssessment", 0)
        )
        counts["drills"] = Drill.objects.filter(title__endswith=MARK).delete()[1].get("datasecurity.Drill", 0)
        counts["incidents"] = Incident.objects.filter(title__endswith=MARK).delete()[1].get("datasecurity.Incident", 0)
        counts["filings"] = (
            Filing.objects.filter(enterprise_id__in=enterprises).delete()[1].get("datasecurity.Filing", 0)
        )
        counts["assets"] = DataAsset.objects.filter(name__endswith=MARK).delete()[0]
        Notification.objects.filter(kind__startswith="datasec_", title__contains=MARK).delete()
        User.objects.filter(username__startswith=USER_PREFIX, email__iendswith="@" + DEMO_EMAIL_DOMAIN).delete()
    return counts


def _speaker(enterprise: Enterprise, own: dict[int, User]) -> User:
    if enterprise.pk in own:
        return own[enterprise.pk]
    username = f"{USER_PREFIX}{enterprise.pk}"
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    user = User(username=username, display_name=f"{enterprise.name}数据安全负责人{MARK}",
                email=f"{username}@{DEMO_EMAIL_DOMAIN}")  # fmt: skip
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
    return user


def seed(province: str, *, replace: bool = False, now: dt.datetime | None = None) -> Counter | None:
    path = province[:2]
    users = {u.username: u for u in demo_users()}
    if "province" not in users:
        raise DemoError("缺少演示账号 province（请先运行 seed_demo）")
    if DataAsset.objects.filter(name__endswith=MARK).exists():
        if not replace:
            return None
        clear()
    now = timezone.localtime(now or timezone.now())
    regulator = users["province"]
    own: dict[int, User] = {}
    if "enterprise" in users:
        for m in Membership.objects.filter(user=users["enterprise"], role=Role.ENTERPRISE, is_active=True):
            own[m.enterprise_id] = users["enterprise"]
    candidates = Enterprise.objects.filter(is_synthetic=True, removed_at__isnull=True,
                                           **prefix_range("county_id", path))  # fmt: skip
    chosen = list(candidates.filter(pk__in=own)) + list(candidates.exclude(pk__in=own).order_by("pk")[:6])
    if len(chosen) < 6:
        raise DemoError("演示省份的合成企业不足 6 家（请先运行 seed_demo）")
    counts: Counter = Counter()
    with transaction.atomic():
        for i, enterprise in enumerate(chosen[:7]):
            user = _speaker(enterprise, own)
            for name, category, level, records, carrier in ASSETS[: 2 + i % 3]:
                asset = DataAsset(enterprise=enterprise, name=name + MARK, category=category, level=level,
                                  records=records, **_fields(name, carrier))  # fmt: skip
                services.asset_save(actor=user, asset=asset, now=now - dt.timedelta(days=120))
                counts["assets"] += 1
            _filing_story(i, enterprise, user, regulator, now, counts)
        _incidents(chosen, own, regulator, now, counts)
        _drills(chosen, own, regulator, now, counts)
        _key_list(chosen, own, regulator, now, counts)
        _risks(chosen, own, now, counts)
    return counts


def _filing_story(i: int, enterprise, user, regulator, now, counts) -> None:
    def ago(days):
        return now - dt.timedelta(days=days)

    story = i % 6
    submitted = {0: 40, 1: 5, 2: 45, 3: 60, 4: 30, 5: 100}[story]
    filing = services.filing_submit(actor=user, enterprise=enterprise, now=ago(submitted))
    if story == 0:  # accepted
        services.filing_review(actor=regulator, filing=filing, decision="accept", now=ago(35))
    elif story == 2:  # under review past its 20 working days
        pass
    elif story == 3:  # returned, resubmission overdue
        services.filing_review(actor=regulator, filing=filing, decision="return", now=ago(50),
                               reasons="安全保护措施未写明加密方式和备份频次（演示）")  # fmt: skip
    elif story == 4:  # returned recently, still in time
        services.filing_review(actor=regulator, filing=filing, decision="return", now=ago(3),
                               reasons="规模请按条数和存储量分别填写（演示）")  # fmt: skip
    elif story == 5:  # accepted, then the scale grew by more than 30 %
        services.filing_review(actor=regulator, filing=filing, decision="accept", now=ago(90))
        asset = DataAsset.objects.filter(enterprise=enterprise, level__in=["important", "core"]).order_by("pk").first()
        asset.records = int(asset.records * 1.5)
        services.asset_save(actor=user, asset=asset, now=ago(20))
    counts[f"filing_{Filing.objects.get(pk=filing.pk).status}"] += 1


def _incidents(chosen, own, regulator, now, counts) -> None:
    first, second, third = chosen[0], chosen[1], chosen[2]
    late = services.incident_record(actor=_speaker(first, own), enterprise=first, title="MES 数据库遭勒索加密" + MARK,
                                    kind="ransomware", level="major", cii=False, now=now - dt.timedelta(hours=5),
                                    discovered_at=now - dt.timedelta(hours=5, minutes=20),
                                    description="合成示例：生产执行系统数据库被加密，部分产线停线。")  # fmt: skip
    services.incidents_escalate(now=now)
    counts["incidents"] += 1
    counts["escalations"] += Incident.objects.get(pk=late.pk).escalations
    user = _speaker(second, own)
    done = services.incident_record(actor=user, enterprise=second, title="供应商门户异常访问" + MARK, kind="access",
                                    level="major", cii=False, discovered_at=now - dt.timedelta(days=10, minutes=30),
                                    now=now - dt.timedelta(days=10))  # fmt: skip
    services.incident_report(actor=user, incident=done, now=now - dt.timedelta(days=10) + dt.timedelta(minutes=20))
    services.incident_update(actor=user, incident=done, text="已封禁异常账号并重置口令（演示）",
                             now=now - dt.timedelta(days=9))  # fmt: skip
    services.incident_contain(actor=user, incident=done, now=now - dt.timedelta(days=8))
    services.incident_close(actor=regulator, incident=done, reason="处置到位（演示）", now=now - dt.timedelta(days=7))
    user = _speaker(third, own)
    serious = services.incident_record(actor=user, enterprise=third, title="工艺数据批量外泄" + MARK, kind="leak",
                                       level="serious", cii=True, discovered_at=now - dt.timedelta(days=3, minutes=30),
                                       now=now - dt.timedelta(days=3))  # fmt: skip
    services.incident_report(actor=user, incident=serious, now=now - dt.timedelta(days=3) + dt.timedelta(minutes=20))
    services.incident_contain(actor=user, incident=serious, now=now - dt.timedelta(days=1))
    user = _speaker(chosen[3], own)
    regraded = services.incident_record(actor=user, enterprise=chosen[3], title="研发图纸异常外发" + MARK,
                                        kind="transfer", level="minor", cii=False,
                                        discovered_at=now - dt.timedelta(days=2, hours=2),
                                        now=now - dt.timedelta(days=2))  # fmt: skip
    services.incident_report(actor=user, incident=regraded, now=now - dt.timedelta(days=2) + dt.timedelta(hours=1))
    services.incident_regrade(actor=regulator, incident=regraded, level="major", now=now - dt.timedelta(days=1),
                              reason="外发图纸属重要数据，自评级别偏低（演示）")  # fmt: skip
    counts["incidents"] += 3


DRILL_INJECTS = [
    {"text": "监测发现工艺参数库被批量导出（演示）", "expected": "30 分钟内封禁账号、隔离数据库、启动应急预案",
     "deadline_minutes": 30},
    {"text": "攻击者发来勒索邮件（演示）", "expected": "60 分钟内按较大事件上报主管部门", "deadline_minutes": 60},
    {"text": "备份服务器同时告警（演示）", "expected": "120 分钟内完成离线备份恢复验证", "deadline_minutes": 120},
]  # fmt: skip


def _drills(chosen, own, regulator, now, counts) -> None:
    """Three enterprise drills done this year (scores 1, 2/3 and 1/3, after-action items, one retest planned) and
    one provincial drill planned."""
    scenarios = [("leak", "数据泄露"), ("ransomware", "勒索攻击"), ("ot_outage", "工控系统中断")]
    for i, enterprise in enumerate(chosen[:3]):
        user = _speaker(enterprise, own)
        start = now - dt.timedelta(days=30 + 10 * i)
        code, name = scenarios[i]
        drill = drills.drill_plan(actor=user, enterprise=enterprise, title=f"{name}应急演练{MARK}", scenario=code,
                                  planned_on=start.date(), injects=DRILL_INJECTS, now=start - dt.timedelta(days=14),
                                  participants="信息部、生产部、安全管理部（演示）")  # fmt: skip
        drills.drill_start(actor=user, drill=drill, now=start)
        for n, inject in enumerate(drill.injects.all()):
            drills.drill_decide(actor=user, drill=drill, inject_id=inject.pk, decision="按预案处置（演示）",
                                met=n < 3 - i, now=start + dt.timedelta(minutes=20 + 10 * n))  # fmt: skip
        drill = drills.drill_finish(actor=user, drill=drill, findings="离线备份恢复时间超出预期（演示）",
                            now=start + dt.timedelta(hours=3))  # fmt: skip
        drills.drill_action_add(actor=user, drill=drill, text="每季度做一次离线备份恢复验证（演示）",
                                owner="信息部负责人（演示）", due_on=(now + dt.timedelta(days=60)).date(),
                                now=start + dt.timedelta(hours=4))  # fmt: skip
        counts["drills"] += 1
        if i == 2:
            drills.drill_plan(actor=user, enterprise=enterprise, title=f"工控系统中断应急演练（复测）{MARK}",
                              scenario="ot_outage", planned_on=(now + dt.timedelta(days=20)).date(),
                              injects=DRILL_INJECTS, retest_of=drill, now=now - dt.timedelta(days=1))  # fmt: skip
            counts["drills"] += 1
    drills.drill_plan(actor=regulator, title=f"全省数据安全攻防演练{MARK}", scenario="algorithm",
                      planned_on=(now + dt.timedelta(days=40)).date(), injects=DRILL_INJECTS,
                      participants="省工业和信息化厅、各设区市主管部门（演示）",
                      now=now - dt.timedelta(days=2))  # fmt: skip
    counts["drills"] += 1


def _key_list(chosen, own, regulator, now, counts) -> None:
    """Three enterprises listed (levels 1–3), one proposal awaiting review, one removed with its reason; the list
    published once (第 1 期) before the removal and a level change, which the province sees as 待公布."""
    for i, enterprise in enumerate(chosen[:5]):
        user = _speaker(enterprise, own)
        if i in (0, 4):
            keylist.key_propose(actor=user, enterprise=enterprise, networked_devices=40 + 30 * i,
                                platforms="某工业互联网平台（演示）", now=now - dt.timedelta(days=60),
                                self_assessment=f"设备联网 {40 + 30 * i} 台，已开展等级保护测评（演示）")  # fmt: skip
        if i < 4:
            entry = keylist.key_list(actor=regulator, enterprise=enterprise, protection_level=str(1 + i % 3),
                                     reason="联网设备多、持有重要数据（演示）",
                                     now=now - dt.timedelta(days=50))  # fmt: skip
            counts["key_listed"] += 1
            if i == 3:
                publication = keylist.key_publish(actor=regulator, note="年度清单公布" + MARK,
                                                  now=now - dt.timedelta(days=30))  # fmt: skip
                counts["key_publications"] += 1 if publication else 0
                keylist.key_set_level(actor=regulator, entry=KeyEnterprise.objects.get(enterprise=chosen[1]),
                                      protection_level="3", reason="新增核心数据（演示）",
                                      now=now - dt.timedelta(days=4))  # fmt: skip
                keylist.key_remove(actor=regulator, entry=entry, reason="企业已停产（演示）",
                                   now=now - dt.timedelta(days=5))  # fmt: skip


def _risks(chosen, own, now, counts) -> None:
    """A yearly assessment filed on time and rectified, one whose report is past its 10 working days, and an AI
    safety-risk report (provisional form) awaiting filing."""
    year_ago = now - dt.timedelta(days=365)
    first, second = _speaker(chosen[0], own), _speaker(chosen[1], own)
    done = risk.risk_record(actor=first, enterprise=chosen[0], kind="data", period_start=year_ago.date(),
                            period_end=(now - dt.timedelta(days=40)).date(), assessor=f"第三方评估机构{MARK}",
                            findings="数据库审计日志留存不足 6 个月（演示）", completed_at=now - dt.timedelta(days=35),
                            now=now - dt.timedelta(days=35))  # fmt: skip
    risk.risk_file(actor=first, assessment=done, now=now - dt.timedelta(days=30))
    risk.risk_rectify(actor=first, assessment=done, rectification="审计日志留存延长至 12 个月（演示）",
                      now=now - dt.timedelta(days=10))  # fmt: skip
    risk.risk_record(actor=second, enterprise=chosen[1], kind="data", period_start=year_ago.date(),
                     period_end=(now - dt.timedelta(days=30)).date(), assessor=f"企业自评估{MARK}",
                     findings="外包运维账号未定期复核（演示）", completed_at=now - dt.timedelta(days=28),
                     now=now - dt.timedelta(days=28))  # fmt: skip
    risk.risk_record(actor=first, enterprise=chosen[0], kind="ai", period_start=year_ago.date(),
                     period_end=(now - dt.timedelta(days=2)).date(), assessor=f"企业自评估{MARK}",
                     system_name="质检视觉模型（演示）", risk_types=["ai_error", "leak"],
                     findings="模型误判率在新产线上升，训练样本含未脱敏图像（演示）",
                     completed_at=now - dt.timedelta(days=1),
                     now=now - dt.timedelta(days=1))  # fmt: skip
    counts["risks"] += 3
