"""Composing the diagnosis report: everything it says, as one JSON-safe dict. Reads only.

The dict is what an issued report freezes (`DiagnosisReport.content`) and what both the HTML page and the PDF render,
so the two can never disagree and an old report reads the same after the data move on. Per model it takes the
enterprise's latest submitted assessment (any kind, labelled self-assessed / diagnosed / verified), its current
result, the exact least-effort roadmap (`maturity.roadmap`) to the target, the matched scenarios, solutions,
providers, cases and funding programmes for each step, the peer benchmark and the history."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

import maturity
from assessments import questionnaire
from assessments import results as result_pages
from assessments.import_results import full_snapshot
from assessments.models import Assessment
from assessments.services import current_results_for
from assessments.tiers import TIER_MODEL
from assessments.tiers import check as tier_check
from catalog.models import Case, Scenario, Solution
from catalog.recommend import engine_catalog, engine_outcomes, taxonomy
from catalog.scenarios import scenarios_for_gaps
from matching import model as m
from matching.rank import rank
from maturity.ai_level import AI_MODEL
from maturity.library import load_tiers
from maturity.numbers import score_value
from maturity.roadmap import PHASES

from .ai import ai_section
from .models import Finding
from .peers import benchmark as peer_benchmark
from .peers import scores_of

SCHEMA = 1
KIND_LABELS = {"self": "自评估", "diagnosis": "诊断评估", "verified": "核验评估"}
PHASE_LABELS = {
    "quick_wins": "近期速赢（3个月内）",
    "6_12_months": "中期推进（6–12个月）",
    "beyond": "长期建设（12个月以上）",
}
STEP_SCENARIOS = 2
STEP_SOLUTIONS = 3
STEP_CASES = 2
MAX_SCENARIOS = 8


class NothingToReport(ValueError):
    """The enterprise has no submitted assessment the user may see."""


def compose(enterprise, user, *, target_level: int | None = None, target_tier: str | None = None) -> dict:
    """The report for `enterprise` as `user` may see it. `target_level` applies to the first (primary) model;
    `target_tier` ("basic", "advanced", …) sets the CMMM target to the level that tier requires."""
    latest = _latest_per_model(enterprise, user)
    if not latest:
        raise NothingToReport(_("该企业还没有已提交的评估，无法生成诊断报告。"))
    tier_levels = cmmm_levels_for_tiers()
    if target_tier is not None and target_tier not in tier_levels:
        raise ValueError(_("未知的智能工厂梯度：%(tier)s") % {"tier": target_tier})
    models = []
    for i, (assessment, result) in enumerate(latest):
        wanted = None
        if assessment.model_code == "cmmm" and target_tier:
            wanted = tier_levels[target_tier]["level"]
        elif i == 0:
            wanted = target_level
        models.append(_model_section(enterprise, user, assessment, result, wanted))
    tier = _tier_section(enterprise) if any(s["code"] == "cmmm" for s in models) else None
    ai = None
    for (assessment, result), section in zip(latest, models, strict=True):
        if assessment.model_code == AI_MODEL:
            dcmm = next((s for s in models if s["code"] == "dcmm-2018"), None)
            ai = ai_section(enterprise, assessment, result, section, dcmm)
    return {
        "schema": SCHEMA,
        "composed_at": timezone.now().isoformat(timespec="seconds"),
        "enterprise": _enterprise_section(enterprise),
        "models": models,
        "tier": tier,
        "ai": ai,
        "target_tier": tier_levels[target_tier] if target_tier else None,
        "findings": findings_for(enterprise),
        "synthetic": enterprise.is_synthetic,
    }


# --- the pieces -----------------------------------------------------------------------------------------------------


def _latest_per_model(enterprise, user) -> list[tuple[Assessment, object]]:
    """The latest submitted assessment of each model with its current result, CMMM first, then by model code."""
    rows = (
        Assessment.objects.visible_to(user)
        .submitted()
        .filter(enterprise_id=enterprise.pk)
        .select_related("model_version")
        .order_by("model_code", "-submitted_at", "-id")
    )
    latest: dict[str, Assessment] = {}
    for a in rows:
        latest.setdefault(a.model_code, a)
    results = {r.assessment_id: r for r in current_results_for([a.pk for a in latest.values()])}
    pairs = [(a, results[a.pk]) for a in latest.values() if a.pk in results]
    return sorted(pairs, key=lambda pair: (pair[0].model_code != "cmmm", pair[0].model_code))


def _enterprise_section(enterprise) -> dict:
    return {
        "id": enterprise.pk,
        "name": enterprise.name,
        "credit_code": enterprise.credit_code,
        "region": enterprise.county.full_name,
        "region_code": enterprise.county_id,
        "industry": f"{enterprise.industry_id} {enterprise.industry.name}",
        "industry_code": enterprise.industry_id,
        "size": enterprise.get_size_class_display() or _("未知"),
        "size_class": enterprise.size_class,
    }


def _pct(score: float | None) -> float | None:
    return result_pages.percent(score)


def _model_section(enterprise, user, assessment: Assessment, result, target_level: int | None) -> dict:
    version = result.model_version
    spec = version.parsed()
    snapshot = full_snapshot(result)
    nodes = result_pages.in_tree_order(snapshot, spec)
    chart = result_pages.chart(snapshot, spec)
    counting = spec.counting_codes()  # parts outside the score (SME 2024 scenes) are listed in "unscored", not drawn
    domains = [
        {"code": n["code"], "name": n["name"], "score": _pct(n["score"])}
        for n in nodes.values()
        if n["depth"] == 0 and n["code"] in counting
    ]
    subdomains = [
        {"code": n["code"], "name": n["name"], "score": _pct(n["score"]), "parent": n["code"].split(".")[0]}
        for n in nodes.values()
        if n["depth"] == 1 and n["score"] is not None and n["code"] in counting
    ]
    ranked = sorted(
        subdomains or [d for d in domains if d["score"] is not None], key=lambda d: (-d["score"], d["code"])
    )
    top_level = max((lv.number for lv in spec.levels), default=None)
    level = result.level
    if target_level is None and top_level is not None:
        target_level = min((level or 0) + 1, top_level)
    if target_level is not None and top_level is not None and not 1 <= target_level <= top_level:
        raise ValueError(_("目标等级须在 1 到 %(top)s 之间。") % {"top": top_level})
    plan = None
    if target_level is not None and (level or 0) < target_level:
        plan = maturity.roadmap(spec, assessment.answers, assessment.context, target_level=target_level)
    return {
        "code": assessment.model_code,
        "name": spec.name,
        "version": spec.version,
        "model_status": spec.status,
        "provisional": result.provisional,
        "assessment_id": assessment.pk,
        "kind": assessment.kind,
        "kind_label": KIND_LABELS.get(assessment.kind, assessment.kind),
        "submitted_at": assessment.submitted_at.isoformat(timespec="seconds"),
        "verifies_date": assessment.verifies.submitted_at.date().isoformat()
        if assessment.verifies_id and assessment.verifies.submitted_at
        else None,
        "score": score_value(result.score),  # as every page prints it (maturity.numbers)
        "scale_max": result.scale_max,
        "level": level,
        "level_name": result.level_name,
        "top_level": top_level,
        "ladder": [
            {k: row[k] for k in ("number", "name", "reached", "current", "score", "threshold", "passed")}
            for row in result_pages.ladder(spec, snapshot)
        ],
        "radar": chart["radar"],
        "domains": domains,
        "unscored": result_pages.unscored(spec, assessment.answers, assessment.context),
        "strengths": ranked[:3],
        "weaknesses": list(reversed(ranked[-3:])) if len(ranked) > 3 else [],
        "gap": _gap_section(spec, snapshot, plan, target_level),
        "roadmap": _roadmap_section(enterprise, spec, assessment.model_code, plan) if plan is not None else None,
        "peers": _peers_section(enterprise, assessment.model_code, result),
        "history": _history(assessment, user),
    }


def _level_name(spec, number: int | None) -> str:
    for lv in spec.levels:
        if lv.number == number:
            return lv.name
    return spec.below_level_name if number == 0 else ""


def _gap_section(spec, snapshot: dict, plan, target_level: int | None) -> dict | None:
    """What holds the enterprise below the target: failing levels (cmmm), blockers, and per domain the score the
    least-effort plan has to add there."""
    if target_level is None:
        return None
    section = {
        "target_level": target_level,
        "target_name": _level_name(spec, target_level),
        "reached": (snapshot["level"] or 0) >= target_level,
        "levels": [
            {
                "number": lv["number"],
                "name": lv["name"],
                "score": lv["score"],
                "threshold": lv["threshold"],
                "shortfall": max(0.0, lv["threshold"] - (lv["score"] or 0.0)),
            }
            for lv in snapshot["levels"]
            if lv["number"] <= target_level and not lv["passed"] and lv.get("counted", True)
        ],
        "levels_scale": "unit",  # level scores 0–1 as on the result page (older reports: 0–100)
        "blockers": [
            {"kind": b["kind"], "name": b["name"], "message": b["message"], "gap": round(b["gap"], 4)}
            for b in snapshot.get("blockers", [])
            if b["level"] <= target_level
        ][:6],
        "domains": [],
    }
    if plan is not None:
        by_domain: dict[str, dict] = {}
        refs = {r.item.code: r for r in spec.iter_items()}
        for step in plan.steps:
            top = refs[step.code].path[0]
            row = by_domain.setdefault(top.code, {"code": top.code, "name": top.name, "items": 0, "effort": 0.0})
            row["items"] += 1
            row["effort"] += step.effort
        section["domains"] = sorted(by_domain.values(), key=lambda r: (-r["effort"], r["code"]))
    return section


def _roadmap_section(enterprise, spec, model_code: str, plan) -> dict:
    step_scenarios, resources = _resources(enterprise, model_code, plan)
    names = {r["code"]: r["name"] for r in resources}
    items = {r.item.code: r.item for r in spec.iter_items()}
    phases = []
    for phase in PHASES:
        steps = [
            {
                "code": s.code,
                "name": s.name,
                "level": s.level,
                "from_value": questionnaire.display(items[s.code], s.from_value),
                "to_value": questionnaire.display(items[s.code], s.to_value),
                "effort": s.effort,
                "gain": round(s.gain, 4),
                "scenarios": [{"code": c, "name": names[c]} for c in step_scenarios.get(s.code, []) if c in names],
            }
            for s in plan.phases.get(phase, ())
        ]
        phases.append({"phase": phase, "label": PHASE_LABELS[phase], "steps": steps})
    return {
        "reachable": plan.reachable,
        "reason": plan.reason,
        "total_effort": plan.total_effort,
        "step_count": len(plan.steps),
        "reached_level": plan.result.level,
        "reached_name": plan.result.level_name,
        "reached_score": score_value(plan.result.score),
        "phases": phases,
        "resources": resources,
    }


def _resources(enterprise, model_code: str, plan) -> tuple[dict[str, list[str]], list[dict]]:
    """The scenarios each roadmap step belongs to, and per scenario (heaviest first) the matched solutions with their
    providers, verified cases of similar enterprises and the programmes that may fund it. One ranking for the whole
    plan, shared out by scenario, so a resource is listed once however many steps it serves."""
    tax = taxonomy()
    step_scenarios: dict[str, list[str]] = {}
    weights: dict[str, float] = defaultdict(float)
    steps_of: dict[str, list[str]] = defaultdict(list)
    for s in plan.steps:
        ranked = scenarios_for_gaps(tax, {s.code: max(s.gain, 1e-6)}, model=model_code, industry=enterprise.industry_id)
        step_scenarios[s.code] = [code for code, _w in ranked[:STEP_SCENARIOS]]
        for code, weight in ranked[:STEP_SCENARIOS]:
            weights[code] += weight
            steps_of[code].append(s.code)
    if not weights:
        return step_scenarios, []
    chosen = sorted(weights, key=lambda code: (-weights[code], code))[:MAX_SCENARIOS]
    top = weights[chosen[0]]
    need = m.Need.from_gaps(
        [m.Gap(code, weights[code] / top) for code in chosen],
        industry=enterprise.industry_id,
        region=enterprise.county_id,
        size=enterprise.size_class or "",
    )
    recs = rank(need, engine_catalog(), k=40, outcomes=engine_outcomes())
    solutions = {
        s.pk: s
        for s in Solution.objects.filter(pk__in=[int(r.solution_id) for r in recs])
        .select_related("provider")
        .prefetch_related("scenarios")
    }
    names = dict(Scenario.objects.filter(code__in=chosen).values_list("code", "name"))
    cases = _cases_for(enterprise, chosen)
    programmes = _programmes_for(enterprise, chosen)
    resources = []
    for code in chosen:
        sols = []
        for r in recs:
            sol = solutions.get(int(r.solution_id))
            if sol is None or code not in {sc.code for sc in sol.scenarios.all()}:
                continue
            sols.append(
                {
                    "id": sol.pk,
                    "title": sol.title,
                    "provider": sol.provider.name,
                    "provider_id": sol.provider_id,
                    "provider_grade": sol.provider.grade,
                    "score": round(r.score, 3),
                }
            )
            if len(sols) == STEP_SOLUTIONS:
                break
        resources.append(
            {
                "code": code,
                "name": names.get(code, code),
                "steps": steps_of[code],
                "solutions": sols,
                "cases": [c for c in cases if code in c["scenarios"]][:STEP_CASES],
                "programmes": [p for p in programmes if not p["scenarios"] or code in p["scenarios"]],
            }
        )
    return step_scenarios, resources


def _cases_for(enterprise, scenario_codes: list[str]) -> list[dict]:
    """Verified cases touching these scenarios; the same industry division first, then the same region."""
    rows = (
        Case.objects.filter(verified=True, scenarios__code__in=scenario_codes)
        .select_related("provider", "region")
        .prefetch_related("scenarios")
        .distinct()[:200]
    )
    cases = [
        {
            "id": c.pk,
            "title": c.title,
            "provider": c.provider.name,
            "industry_code": c.industry_id or "",
            "region": c.region.full_name,
            "scenarios": [sc.code for sc in c.scenarios.all()],
            "similar": c.industry_id == enterprise.industry_id,
        }
        for c in rows
    ]
    return sorted(cases, key=lambda c: (not c["similar"], c["region"] != enterprise.county.full_name, c["id"]))


def _programmes_for(enterprise, scenario_codes: list[str]) -> list[dict]:
    from incentives.selectors import programmes_for

    return programmes_for(enterprise, scenario_codes)


def _peers_section(enterprise, model_code: str, result) -> dict:
    # The stored, unrounded scores: peers with the same answers tie exactly.
    return peer_benchmark(enterprise, model_code, scores_of(result)).to_dict()


def _history(assessment, user) -> list[dict]:
    return [
        {
            "date": row["a"].submitted_at.date().isoformat(),
            "kind_label": KIND_LABELS.get(row["a"].kind, row["a"].kind),
            "score": score_value(row["r"].score),
            "level_name": row["r"].level_name,
            "delta": row["delta"],  # already the difference of the two printed scores
        }
        for row in result_pages.history(assessment, user)
    ]


def _tier_section(enterprise) -> dict:
    evaluation, _result = tier_check(enterprise)
    return {
        "model": evaluation.model,
        "version": evaluation.version,
        "highest": evaluation.highest_name,
        "next": evaluation.next_tier_name,
        "provisional": any(t.provisional for t in evaluation.tiers),
        "blockers": [
            {"name": c.name, "actual": c.actual, "required": c.required, "reason": c.reason, "outcome": c.outcome}
            for c in evaluation.blockers
        ],
    }


def cmmm_levels_for_tiers() -> dict[str, dict]:
    """The CMMM level each smart-factory tier requires, read from the tier-condition model (national rules)."""
    model = load_tiers(TIER_MODEL)
    out = {}
    for tier in model.tiers:
        for condition in tier.conditions:
            when = condition.when
            if getattr(when, "fact", None) == "cmmm_level" and getattr(when, "op", None) == "ge":
                out[tier.code] = {
                    "code": tier.code,
                    "name": tier.name,
                    "level": int(when.value),
                    "provisional": condition.status == "provisional",
                }
    return out


def findings_for(enterprise) -> list[dict]:
    """Shared findings only, whoever composes: every issued report is the enterprise's to read (and a preview must
    show what would be issued), so an internal working note never enters one."""
    return [
        {
            "kind": f.kind,
            "kind_label": f.get_kind_display(),
            "text": f.text,
            "author": f.author_name,
            "role": f.author_role,
            "date": timezone.localtime(f.created_at).date().isoformat(),
        }
        for f in Finding.objects.shared().current().filter(enterprise_id=enterprise.pk)
    ]
