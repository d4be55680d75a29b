"""Smart-factory tier self-check: the tier conditions (maturity/library/tiers) evaluated over facts Tidu holds.

Reads only. Facts Tidu does not hold yet (accident record, abnormal-list status, scene counts) stay unknown, so a
tier that depends on them is reported as undecided, never as met."""

from maturity.conditions import TierEvaluation, evaluate
from maturity.library import load_tiers

from .models import Assessment, AssessmentResult

TIER_MODEL = "smart-factory-2025"
TIER_LABELS = {"tier-basic": "基础级", "tier-advanced": "先进级", "tier-excellent": "卓越级", "tier-leading": "领航级"}
ORDER = ["无", "基础级", "先进级", "卓越级", "领航级"]
# A verified evaluation outweighs a commissioner's diagnosis, which outweighs a self-assessment.
KIND_WEIGHT = {Assessment.Kind.VERIFIED: 3, Assessment.Kind.DIAGNOSIS: 2, Assessment.Kind.SELF: 1}


def cmmm_result(enterprise) -> AssessmentResult | None:
    """The CMMM result the check relies on: the latest of the most trusted kind."""
    results = list(
        AssessmentResult.objects.filter(
            is_current=True, assessment__enterprise=enterprise, assessment__model_code="cmmm"
        ).select_related("assessment")
    )
    if not results:
        return None
    return max(results, key=lambda r: (KIND_WEIGHT[r.assessment.kind], r.assessment.submitted_at))


def facts_for(enterprise) -> tuple[dict, AssessmentResult | None]:
    result = cmmm_result(enterprise)
    tiers = [TIER_LABELS[link.label_id] for link in enterprise.label_links.all() if link.label_id in TIER_LABELS]
    recognised = max(tiers, key=ORDER.index) if tiers else "无"
    facts = {
        "cmmm_level": result.level if result is not None else None,
        "above_scale": enterprise.is_above_scale,
        "recognised_tier": recognised,
        # A recognised tier was self-assessed first (基础级 is recognised on the enterprise's own assessment).
        "self_assessed_tier": recognised if recognised != "无" else None,
    }
    return {k: v for k, v in facts.items() if v is not None}, result


def check(enterprise) -> tuple[TierEvaluation, AssessmentResult | None]:
    facts, result = facts_for(enterprise)
    return evaluate(load_tiers(TIER_MODEL), facts, region_code=enterprise.county_id), result
