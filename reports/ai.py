"""The diagnosis report's AI section, present when the enterprise has an AI-level result (model `ai-level`,
provisional): its level and the two axes, the cap by 安全与治理, the AI-scene share against the smart-factory tiers,
the gaps and the roadmap's steps (from the model's own section), and for those steps the AI-capable solutions in the
resource pool with their providers. Reads only; the dict is frozen into issued reports like the rest of `compose`.

Steps are tied to the province's scenarios through the scenarios' `closes` entries for the model (the Scenario
table, `catalog.recommend.taxonomy()`), the same link the generic gap-solutions flow uses; when the plan holds no scene
step (e.g. only 安全与治理 must rise), the enterprise's answered scenes with the most
headroom stand in, so the section still says which AI solutions fit where it is."""

from __future__ import annotations

from django.db.models import F

from assessments import questionnaire
from assessments import tiers as tier_check
from assessments.import_results import full_snapshot
from catalog.models import Provider, ProviderType, Scenario, Solution
from catalog.recommend import engine_catalog, engine_outcomes, taxonomy
from catalog.scenarios import scenarios_for_gaps
from matching import model as m
from matching.rank import rank
from maturity.ai_level import AI_MODEL, scene_share, share_thresholds
from maturity.scoring import item_caps
from maturity.trace import band_level

MAX_SCENARIOS = 6
MAX_SOLUTIONS = 6
MAX_PROVIDERS = 6


def ai_section(enterprise, assessment, result, model: dict, dcmm: dict | None = None) -> dict:
    """`model` is the AI model's own section of the report (gap and roadmap already computed); `dcmm` the DCMM
    section when the enterprise has one (the data foundation question points to it)."""
    spec = result.model_version.parsed()
    snapshot = full_snapshot(result)
    items = snapshot["items"]
    refs = {r.item.code: r for r in spec.iter_items()}
    values = {code: row.get("normalised") for code, row in items.items()}
    by_score = band_level(spec.rule.bands, result.score) if spec.rule.type == "capped_bands" else result.level
    caps = (
        [
            {"code": c.code, "name": c.name, "level_name": spec.level_name(c.level), "holds": c.level < (by_score or 0)}
            for c in item_caps(spec, values)
        ]
        if spec.rule.type == "capped_bands"
        else []
    )
    axes = [
        {"code": n.code, "name": n.name, "score": _pct(snapshot["nodes"].get(n.code, {}).get("score"))}
        for n in spec.nodes
    ]
    links = [
        {"code": n.code, "name": n.name, "score": _pct(snapshot["nodes"].get(n.code, {}).get("score"))}
        for top in spec.nodes
        for n in top.children
    ]
    foundations = [
        {
            "code": r.item.code,
            "name": r.item.name,
            "answer": questionnaire.display(r.item, assessment.answers.get(r.item.code)),
            "points": items.get(r.item.code, {}).get("points"),
        }
        for r in spec.iter_items()
        if r.item.kind != "scene"
    ]
    share = scene_share(spec, items)
    ai = tier_check.ai_scenes(enterprise)
    model_tiers = tier_check.tier_model()
    thresholds = [
        {
            "tier": t.tier_name,
            "value": t.value,
            "percent": f"{100 * t.value:g}",
            "met": t.met,
            "provisional": t.provisional,
        }
        for t in share_thresholds(model_tiers, share.share, enterprise.county_id)
    ]
    steps = [
        {**s, "phase_label": phase["label"], "scene": s["code"] in refs and refs[s["code"]].item.kind == "scene"}
        for phase in (model.get("roadmap") or {}).get("phases", [])
        for s in phase["steps"]
    ]
    weights = _scene_weights(spec, items, steps)
    # Not kept to the enterprise's industry (as the generic flow does): the enterprise has answered these scenes, so
    # they are its own whether or not the catalogue counts them typical for its division.
    tax = taxonomy()
    for s in steps:
        ranked = scenarios_for_gaps(tax, {s["code"]: 1.0}, model=AI_MODEL) if s["scene"] else []
        s["scenario"] = ranked[0][0] if ranked else None
    scenario_weights = dict(scenarios_for_gaps(tax, weights, model=AI_MODEL)[:MAX_SCENARIOS])
    solutions, providers = _ai_resources(enterprise, scenario_weights)
    return {
        "code": AI_MODEL,
        "name": spec.name,
        "version": spec.version,
        "provisional": result.provisional,
        "assessment_id": assessment.pk,
        "kind_label": model["kind_label"],
        "level": result.level,
        "level_name": result.level_name,
        "level_by_score": by_score,
        "level_by_score_name": spec.level_name(by_score or 0),
        "score": model["score"],
        "scale_max": result.scale_max,
        "axes": axes,
        "links": links,
        "foundations": foundations,
        "caps": caps,
        "scenes": {
            "scenes": share.scenes,
            "ai_scenes": share.ai_scenes,
            "unanswered": share.unanswered,
            "not_applicable": share.not_applicable,
            "share": None if share.share is None else round(100 * share.share, 1),
            "thresholds": thresholds,
            "in_tier_check": bool(ai and ai.used and ai.result.pk == result.pk),
        },
        "gap": model.get("gap"),
        "steps": steps,
        "top": result.level is not None and result.level >= max((lv.number for lv in spec.levels), default=0),
        "solutions": solutions,
        "providers": providers,
        "dcmm": {"level_name": dcmm["level_name"], "kind_label": dcmm["kind_label"]} if dcmm else None,
    }


def _pct(score: float | None) -> float | None:
    return None if score is None else round(100 * score, 1)


def _scene_weights(spec, items: dict, steps: list[dict]) -> dict[str, float]:
    """Scene item code → weight for matching: the roadmap's scene steps by their gain, else the answered scenes below
    the top grade by their headroom (grades 0–4: 4 − grade)."""
    weights: dict[str, float] = {}
    for s in steps:
        if s["scene"]:
            weights[s["code"]] = weights.get(s["code"], 0.0) + max(s["gain"], 1e-6)
    if weights:
        return dict(sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_SCENARIOS])
    rows = []
    for ref in spec.iter_items():
        item, row = ref.item, items.get(ref.item.code) or {}
        if item.kind == "scene" and row.get("state") in ("answered", "missing"):
            headroom = item.max_grade - (row.get("points") or 0.0)
            if headroom > 0:
                rows.append((headroom, item.code))
    rows.sort(key=lambda t: (-t[0], t[1]))
    return {code: float(h) for h, code in rows[:MAX_SCENARIOS]}


def _ai_resources(enterprise, weights: dict[str, float]) -> tuple[list[dict], list[dict]]:
    """AI-capable solutions for these scenarios, ranked by the matching engine, and AI providers: those of the
    solutions, then listed providers of type 人工智能 serving the enterprise's region."""
    solutions: list[dict] = []
    if weights:
        top = max(weights.values())
        need = m.Need.from_gaps(
            [m.Gap(code, w / top) for code, w in weights.items()],
            industry=enterprise.industry_id,
            region=enterprise.county_id,
            size=enterprise.size_class or "",
        )
        recs = rank(need, engine_catalog(), k=60, outcomes=engine_outcomes())
        found = {
            s.pk: s
            for s in Solution.objects.filter(pk__in=[int(r.solution_id) for r in recs], ai_capability=True)
            .select_related("provider")
            .prefetch_related("scenarios")
        }
        names = dict(Scenario.objects.filter(code__in=list(weights)).values_list("code", "name"))
        for r in recs:
            sol = found.get(int(r.solution_id))
            if sol is None:
                continue
            covered = [names[sc.code] for sc in sol.scenarios.all() if sc.code in weights]
            if not covered:
                continue
            solutions.append(
                {
                    "id": sol.pk,
                    "title": sol.title,
                    "provider": sol.provider.name,
                    "provider_id": sol.provider_id,
                    "provider_grade": sol.provider.grade,
                    "scenarios": covered,
                    "score": round(r.score, 3),
                }
            )
            if len(solutions) == MAX_SOLUTIONS:
                break
    providers: dict[int, dict] = {}
    for s in solutions:
        providers.setdefault(
            s["provider_id"], {"id": s["provider_id"], "name": s["provider"], "grade": s["provider_grade"], "via": True}
        )
    if len(providers) < MAX_PROVIDERS:
        listed = (
            Provider.objects.listed()
            .only("id", "name", "grade", "types", "regions_served")
            .order_by(F("score").desc(nulls_last=True), "name")
        )
        for p in listed:
            if len(providers) >= MAX_PROVIDERS:
                break
            if ProviderType.AI in (p.types or []) and p.pk not in providers and _serves(p, enterprise.county_id):
                providers[p.pk] = {"id": p.pk, "name": p.name, "grade": p.grade, "via": False}
    return solutions, list(providers.values())


def _serves(provider, county: str) -> bool:
    """Nationwide (no region listed) or a listed region covering the county (370000 covers 37xxxx)."""
    regions = [str(r) for r in provider.regions_served or []]
    if not regions:
        return True
    for code in regions:
        prefix = code
        while len(prefix) > 2 and prefix.endswith("00"):
            prefix = prefix[:-2]
        if county.startswith(prefix):
            return True
    return False
