"""Synthetic demo programmes (合成演示数据): names, amounts and dates are invented, not any region's real policy."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from catalog.models import Scenario
from regions.models import Region

from .models import Programme

# (name, kind, level: 0 province / 1 first city, scenario link codes ([] = any), sizes, max 万元, share %)
DEMO = [
    ("【演示】中小企业数字化转型服务券", "voucher", 0, [], ["small", "micro", "medium"], 20, 50),
    ("【演示】智能化改造数字化转型项目奖补", "subsidy", 0, ["PM", "PO", "FB"], [], 500, 20),
    ("【演示】研发设计数字化专项支持", "subsidy", 1, ["RD", "PE"], [], 100, 30),
    ("【演示】供应链协同与产品服务创新奖励", "award", 1, ["SC", "PS", "OM"], [], 50, None),
    ("【演示】智能制造设备更新贷款贴息", "loan", 0, ["PO", "FB"], ["large", "medium"], 300, None),
]


@transaction.atomic
def seed_programmes(province_code: str, *, replace: bool = False) -> int:
    if replace:
        Programme.objects.filter(is_synthetic=True).delete()
    elif Programme.objects.filter(is_synthetic=True).exists():
        return 0
    province = Region.objects.get(code=f"{province_code}0000")
    city = Region.objects.filter(parent=province).order_by("code").first() or province
    today = timezone.localdate()
    for name, kind, level, links, sizes, amount, share in DEMO:
        programme = Programme.objects.create(
            name=name,
            kind=kind,
            region=city if level else province,
            summary="合成演示数据，不代表任何地区的真实政策。",
            sizes=sizes,
            max_amount=amount,
            share=share,
            opens_on=today - dt.timedelta(days=60),
            closes_on=today + dt.timedelta(days=365),
            is_synthetic=True,
        )
        if links:
            programme.scenarios.set(Scenario.objects.filter(link_code__in=links))
    return len(DEMO)
