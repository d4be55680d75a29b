"""Smart-factory tier self-check: the tier conditions (maturity/library/tiers) evaluated over what Tidu holds
(CMMM result, archive, recognition labels) and what the enterprise declared (TierFact), and who may do what.

Reads only; declarations are written in tier_services. Out of scope → 404; in scope but not allowed → 403."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from enterprises.models import Enterprise, EnterpriseLabel
from maturity.ai_level import AI_MODEL, AI_SCENE_FACT, SCENE_FACT, SceneShare, scene_share, tier_facts
from maturity.conditions import TierEvaluation, TierModel, evaluate, facts_in_force
from maturity.library import load_tiers
from maturity.tier_model import Fact

from .import_results import full_snapshot
from .models import Assessment, AssessmentResult, TierFact

TIER_MODEL = "smart-factory-2025"
TIER_LABELS = {"tier-basic": "基础级", "tier-advanced": "先进级", "tier-excellent": "卓越级", "tier-leading": "领航级"}
ORDER = ["无", "基础级", "先进级", "卓越级", "领航级"]
TIERS = {"basic": "基础级", "advanced": "先进级", "excellent": "卓越级", "leading": "领航级"}  # code → name, in order
# A verified evaluation outweighs a commissioner's diagnosis, which outweighs a self-assessment.
KIND_WEIGHT = {Assessment.Kind.VERIFIED: 3, Assessment.Kind.DIAGNOSIS: 2, Assessment.Kind.SELF: 1}


def recognised_at_or_above(tier: str) -> Exists:
    """Enterprises recognised at `tier` (a key of TIERS) or above, as a condition on an Enterprise queryset. The one
    place tiers are counted (monitoring's targets and dashboards read it). The tier labels it reads are kept by the
    recognition records: recognition.results sets the label when a tier programme recognises an enterprise and
    removes it when the recognition is revoked (unless another recognition in force carries it); a label set by
    hand on the archive (e.g. an earlier recognition imported) counts the same."""
    rank = ORDER.index(TIERS[tier])
    wanted = [code for code, name in TIER_LABELS.items() if ORDER.index(name) >= rank]
    return Exists(EnterpriseLabel.objects.filter(enterprise=OuterRef("pk"), label_id__in=wanted))


@cache
def tier_model() -> TierModel:
    """The shipped file, parsed once per process (it changes only with a deployment)."""
    return load_tiers(TIER_MODEL)


def cmmm_result(enterprise) -> AssessmentResult | None:
    """The CMMM result the check relies on: the latest of the most trusted kind."""
    return trusted_result(enterprise, "cmmm")


def trusted_result(enterprise, model_code: str) -> AssessmentResult | None:
    """The current result of a model the check relies on: the latest of the most trusted kind."""
    results = list(
        AssessmentResult.objects.filter(
            is_current=True, assessment__enterprise=enterprise, assessment__model_code=model_code
        ).select_related("assessment", "model_version")
    )
    if not results:
        return None
    return max(results, key=lambda r: (KIND_WEIGHT[r.assessment.kind], r.assessment.submitted_at))


@dataclass(frozen=True)
class AiScenes:
    """The scene counts an AI-level result gives the tier check, and whether the check uses them (it does not when
    the enterprise declared either count: its declaration, reviewed by an officer, takes precedence)."""

    result: AssessmentResult
    share: SceneShare
    facts: dict
    used: bool


def ai_scenes(enterprise, declared: dict | None = None) -> AiScenes | None:
    """The AI-scene counts from the enterprise's AI-level result (most trusted kind, then latest), or None."""
    result = trusted_result(enterprise, AI_MODEL)
    if result is None:
        return None
    share = scene_share(result.model_version.parsed(), full_snapshot(result)["items"])
    facts = tier_facts(share)
    if declared is None:
        declared = declarations(current_facts(enterprise), declared_keys(enterprise))
    used = bool(facts) and not ({SCENE_FACT, AI_SCENE_FACT} & set(declared))
    return AiScenes(result, share, facts, used)


def platform_facts(enterprise, result: AssessmentResult | None) -> dict:
    tiers = [TIER_LABELS[link.label_id] for link in enterprise.label_links.all() if link.label_id in TIER_LABELS]
    facts = {
        "cmmm_level": result.level if result is not None else None,
        "above_scale": enterprise.is_above_scale,
        "recognised_tier": max(tiers, key=ORDER.index) if tiers else "无",
    }
    return {k: v for k, v in facts.items() if v is not None}


def current_facts(enterprise) -> dict[str, TierFact]:
    facts = TierFact.objects.filter(enterprise=enterprise, is_current=True).select_related("declared_by", "reviewed_by")
    return {f.key: f for f in facts.prefetch_related("evidence")}


def declarations(current: dict[str, TierFact], keys: tuple[str, ...]) -> dict[str, dict]:
    """The engine's plain form of the current declarations the region's conditions read."""
    return {
        key: {"value": f.value, "status": f.status, "reason": f.reason} for key, f in current.items() if key in keys
    }


def declared_keys(enterprise) -> tuple[str, ...]:
    return facts_in_force(tier_model(), enterprise.county_id, source="declared")


def check(enterprise) -> tuple[TierEvaluation, AssessmentResult | None]:
    """The tier conditions over the platform's facts and the declarations. The scene counts come from the enterprise's
    declarations when it made any, else from its AI-level result (`ai_scenes`), as the CMMM level comes from its
    CMMM result."""
    result = cmmm_result(enterprise)
    keys = declared_keys(enterprise)
    declared = declarations(current_facts(enterprise), keys)
    facts = platform_facts(enterprise, result)
    ai = ai_scenes(enterprise, declared)
    if ai is not None and ai.used:
        facts |= ai.facts
    evaluation = evaluate(tier_model(), facts, region_code=enterprise.county_id, declarations=declared)
    return evaluation, result


@dataclass
class FactRow:
    """One declarable fact on the tier page: what it is, its current declaration and the earlier ones."""

    key: str
    fact: Fact
    current: TierFact | None
    history: list[TierFact] = field(default_factory=list)
    form: object = None  # the declaration form, for users who may declare

    def show(self, declaration: TierFact) -> str:
        return self.fact.show(declaration.value)

    @property
    def current_value(self) -> str:
        return self.show(self.current) if self.current else ""


def fact_rows(enterprise) -> list[FactRow]:
    model = tier_model()
    keys = declared_keys(enterprise)
    rows = {key: FactRow(key, model.facts[key], None) for key in keys}
    declared = (
        TierFact.objects.filter(enterprise=enterprise, key__in=keys)
        .select_related("declared_by", "reviewed_by")
        .prefetch_related("evidence")
        .order_by("-declared_at", "-id")
    )
    for f in declared:
        f.shown = model.facts[f.key].show(f.value)
        row = rows[f.key]
        if f.is_current:
            row.current = f
        else:
            row.history.append(f)
    return list(rows.values())


# ---------------------------------------------------------------------------------------------------------------
# Access


def can_declare(user, enterprise) -> bool:
    """Only the enterprise states its own facts (the platform admin may act for it in support cases)."""
    scope = scope_of(user)
    return scope.is_admin or enterprise.pk in scope.own_enterprise_ids


def can_review(user, enterprise) -> bool:
    """An officer governing the enterprise or a commissioner covering it (the caller fetched `enterprise` through
    the scoped queryset) confirms or rejects; never the enterprise's own users."""
    scope = scope_of(user)
    if enterprise.pk in scope.own_enterprise_ids:
        return False
    return scope.is_admin or scope.is_commissioner or scope.manages_code(enterprise.county_id)


def can_review_fact(user, fact: TierFact) -> bool:
    """Nobody reviews a declaration they made themselves."""
    return fact.declared_by_id != user.pk and can_review(user, fact.enterprise)


def get_fact_for_user(user, pk: int, action: str = "view") -> TierFact:
    fact = (
        TierFact.objects.filter(pk=pk, enterprise__in=Enterprise.objects.visible_to(user).values("pk"))
        .select_related("enterprise")
        .first()
    )
    if fact is None:
        raise Http404(_("申报不存在或不在您的管辖范围内"))
    if action == "review" and not can_review_fact(user, fact):
        raise PermissionDenied(_("只有主管部门或数字专员可以确认或退回企业的申报，且不能审核自己的申报"))
    return fact
