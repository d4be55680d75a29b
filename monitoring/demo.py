"""An example plan for the demo province: the programme targets the seed documents set, as targets of the demo
province split to its cities and counties. Labelled as an example everywhere it shows (Plan.is_example).

Shares are the programmes' own figures (smart-factory tiers at or above 基础级 50 %, 先进级 10 %, 卓越级 5 %,
领航级 1 % of above-scale enterprises by 2027; at least 10 % of above-scale enterprises self-assessing each year;
a diagnosis of every above-scale enterprise). The counts (300 providers, 3,000 commissioners) are a province
programme's figures too, far above what a 5,000-enterprise demo holds: the demo shows them behind, as it is."""

from decimal import Decimal

from django.db import transaction

from regions.models import Region

from . import metrics, services
from .cube import rebuild
from .models import Plan

NAME = "智改数转目标（示例）"
DESCRIPTION = (
    "示例计划：根据公开的省级智改数转实施方案中的目标类型和数值设置，用于演示目标分解与进度监测，不是任何地区的正式目标。"
    "比例类目标按规模以上工业企业计；服务商和数字专员的数量为省级方案的量级，演示数据规模较小。"
)
TARGETS = [
    # name, metric, unit, year, value, extra fields
    ("规上企业达到基础级及以上智能工厂", metrics.TIER, "share", 2027, 50, {"tier": "basic"}),
    ("规上企业达到先进级及以上智能工厂", metrics.TIER, "share", 2027, 10, {"tier": "advanced"}),
    ("规上企业达到卓越级及以上智能工厂", metrics.TIER, "share", 2027, 5, {"tier": "excellent"}),
    ("规上企业达到领航级智能工厂", metrics.TIER, "share", 2027, 1, {"tier": "leading"}),
    ("规上企业年度自评估覆盖率", metrics.ASSESSED, "share", 2026, 10, {"basis": "self"}),
    ("规上企业年度自评估覆盖率", metrics.ASSESSED, "share", 2027, 10, {"basis": "self"}),
    ("规上企业诊断全覆盖", metrics.ASSESSED, "share", 2026, 100, {"basis": "diagnosis"}),
    ("规上企业智能制造能力成熟度二级及以上", metrics.LEVEL, "share", 2027, 30, {"model_code": "cmmm", "level": 2}),
    ("入库服务商", metrics.PROVIDERS, "count", 2027, 300, {}),
    ("在岗数字专员", metrics.COMMISSIONERS, "count", 2027, 3000, {}),
]


@transaction.atomic
def seed_example_plan(province_code: str, *, replace: bool = False) -> int:
    """The example plan for a province, split to cities and their counties; returns how many targets it holds
    (0 when one exists and `replace` is not asked)."""
    province = Region.objects.get(code=province_code.ljust(6, "0")[:6])
    existing = Plan.objects.filter(region=province, is_example=True)
    if existing.exists():
        if not replace:
            return 0
        existing.delete()
    plan = services.plan_create(
        actor=None, name=NAME, region=province, start_year=2025, end_year=2027, description=DESCRIPTION
    )
    plan.is_example = True
    plan.save(update_fields=["is_example"])
    count = 0
    for name, metric, unit, year, value, extra in TARGETS:
        population = {"above_scale": True} if metric in metrics.ENTERPRISE_METRICS else {}
        target = services.target_set(
            actor=None, plan=plan, region=province, name=name, metric=metric, unit=unit, year=year,
            value=Decimal(value), **population, **extra,
        )  # fmt: skip
        count += 1
        for city_target in services.target_split(actor=None, target=target, method="pro_rata"):
            count += 1
            if Region.objects.filter(parent=city_target.region).exists():
                count += len(services.target_split(actor=None, target=city_target, method="pro_rata"))
    transaction.on_commit(rebuild)  # the dashboards' tallies, once the plan is in
    return count
