"""Demo data for the registry (synthetic, labelled): industrial models and agents of the demo enterprise and the
demo provider (names end with （演示）, `is_synthetic`), each with scene models, a live deployment and a third-party
evaluation whose evaluator and report are invented — two published (they show in the public directory), one
waiting for the province's review, one draft. Every state is reached through the services, as the users would.

Idempotent: nothing happens when the demo entries exist, unless `replace`; `clear` removes every row it made."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from enterprises.demo_records import demo_users
from enterprises.models import Enterprise
from regions.models import Region, prefix_range

from . import services
from .models import Entry

MARK = "（演示）"
PDF = b"%PDF-1.4\n% synthetic demo evaluation report\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EVALUATOR = "示例人工智能评测中心（合成）"

ENTRIES = [
    {"kind": "model", "by": "enterprise", "state": "published",
     "fields": {"name": "精密件视觉质检大模型", "version": "v2.1", "modality": "vision", "parameters": 3_200_000_000,
                "base_model": "示例视觉基座（合成）", "base_origin": "third_party", "base_licence": "Apache-2.0",
                "links": ["quality", "production"], "deployment_forms": ["private", "edge"],
                "summary": "演示数据：机加工零件表面缺陷检测与分级。",
                "data_description": "合成：缺陷图像 12 万张，覆盖 9 类缺陷，人工复核标注。"},
     "general": ["缺陷检测通用模型", "表面分割通用模型"],
     "specific": ["轴类件划痕检测", "齿轮崩齿检测", "壳体砂眼检测"],
     "benefit": "漏检率 3.1% → 0.8%（合成）", "scores": {"performance": 88, "industry_fit": 85, "safety": 82,
                                                      "efficiency": 76, "reliability": 84}},
    {"kind": "agent", "by": "provider", "state": "published",
     "fields": {"name": "多工序排产智能体", "version": "1.3", "modality": "language", "autonomy_level": 4,
                "systems": ["APS", "MES", "ERP"], "task_success": Decimal("86.5"), "links": ["production", "supply"],
                "deployment_forms": ["cloud"], "base_model": "示例语言基座（合成）", "base_origin": "third_party",
                "summary": "演示数据：多智能体协同排产与插单重排。", "data_description": "合成：历史工单 30 万条。"},
     "general": ["订单理解"], "specific": ["插单重排"],
     "benefit": "排产时间 4 小时 → 20 分钟（合成）", "scores": {"performance": 80, "safety": 78, "reliability": 81}},
    {"kind": "model", "by": "enterprise", "state": "submitted",
     "fields": {"name": "工艺参数优化模型", "version": "v0.9", "modality": "science", "parameters": 800_000_000,
                "base_model": "自研", "base_origin": "own", "links": ["rd", "pilot"], "deployment_forms": ["private"],
                "data_description": "合成：工艺试验记录 2 万组。"},
     "general": ["工艺知识问答"], "specific": ["热处理参数推荐"], "benefit": "", "scores": {"performance": 72}},
    {"kind": "agent", "by": "enterprise", "state": "draft",
     "fields": {"name": "设备运维助手", "version": "0.1", "modality": "language", "autonomy_level": 2,
                "systems": ["EAM"], "links": ["operations"]},
     "general": [], "specific": [], "benefit": None, "scores": None},
]  # fmt: skip


class DemoError(Exception):
    pass


def clear() -> Counter:
    counts: Counter = Counter()
    with transaction.atomic():
        entries = Entry.objects.filter(is_synthetic=True, name__endswith=MARK)
        for entry in entries:
            for evaluation in entry.evaluations.all():
                evaluation.report.delete(save=False)
        counts["entries"] = entries.count()
        entries.delete()
    return counts


def seed(province_code: str = "36", *, replace: bool = False) -> Counter | None:
    province = Region.objects.filter(code=str(province_code)[:2].ljust(6, "0"), level=1).first()
    if province is None:
        raise DemoError(f"找不到省级区划“{province_code}”")
    users = {u.username: u for u in demo_users().prefetch_related("memberships__provider", "memberships__enterprise")}
    missing = [name for name in ("province", "enterprise", "provider") if name not in users]
    if missing:
        raise DemoError(f"缺少演示账号：{'、'.join(missing)}（请先运行 seed_demo）")
    enterprise = Enterprise.objects.filter(memberships__user=users["enterprise"],
                                           **prefix_range("county_id", province.path)).first()  # fmt: skip
    provider = next((m.provider for m in users["provider"].memberships.all() if m.provider_id), None)
    if enterprise is None or provider is None:
        raise DemoError("演示企业或演示服务商不在该省（请先运行 seed_demo 与 seed_demo_catalog）")
    if Entry.objects.filter(is_synthetic=True, name__endswith=MARK).exists():
        if not replace:
            return None
        clear()
    counts: Counter = Counter()
    with transaction.atomic():
        for spec in ENTRIES:
            user = users[spec["by"]]
            developer = enterprise if spec["by"] == "enterprise" else provider
            entry = _entry(spec, user, developer)
            if spec["state"] in ("submitted", "published"):
                services.entry_submit(actor=user, entry=entry)
            if spec["state"] == "published":
                services.entry_review(actor=users["province"], entry=entry, decision="accept")
                services.entry_publish(actor=users["province"], entry=entry)
            counts[spec["state"]] += 1
            counts["entries"] += 1
    return counts


def _entry(spec: dict, user, developer) -> Entry:
    fields = {**spec["fields"], "name": spec["fields"]["name"] + MARK}
    if spec["state"] != "draft":
        fields.setdefault("industries", ["34", "35"])
    entry = services.entry_create(actor=user, kind=spec["kind"], developer=developer, **fields)
    Entry.objects.filter(pk=entry.pk).update(is_synthetic=True)
    for kind in ("general", "specific"):
        for name in spec[kind]:
            services.scene_add(actor=user, entry=entry, kind=kind, name=name)
    today = timezone.localdate()
    if spec["benefit"] is not None:
        services.deployment_add(actor=user, entry=entry, client_name="示例应用企业（合成）",
                                since=today - dt.timedelta(days=240), benefit=spec["benefit"])  # fmt: skip
    if spec["scores"]:
        services.evaluation_add(actor=user, entry=entry, evaluator=EVALUATOR, standard="GB/T 45288.2",
                                standard_version="2025", evaluated_on=today - dt.timedelta(days=90),
                                report=SimpleUploadedFile("评测报告（演示）.pdf", PDF),
                                **{k: Decimal(v) for k, v in spec["scores"].items()})  # fmt: skip
    entry.refresh_from_db()
    return entry
