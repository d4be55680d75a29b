"""Reading results: what the result page, the review before submit and the history show. No writes."""

from __future__ import annotations

import maturity
from maturity.answers import applies

from . import questionnaire, services
from .import_results import full_snapshot
from .models import Assessment
from .specs import item_refs


def review(assessment: Assessment) -> dict:
    """A dry run of submission: the result it would give, or the first problem, and what is still unanswered."""
    spec = assessment.model_version.parsed()
    try:
        preview, error = maturity.score(spec, assessment.answers, assessment.context), None
    except maturity.ScoringError as exc:
        preview, error = None, exc
    unanswered = [
        {"code": r.item.code, "name": r.item.name, "group": r.path[0].code, "required": r.item.required}
        for r in spec.iter_items()
        if applies(r, assessment.context) and r.item.code not in assessment.answers
    ]
    return {"preview": preview, "error": error, "unanswered": unanswered}


def chart(snapshot: dict, spec) -> dict:
    nodes = snapshot["nodes"]
    depth1 = [n for n in nodes.values() if n["depth"] == 1]
    radar_nodes = depth1 if len(depth1) >= 3 else [n for n in nodes.values() if n["depth"] == 0]
    holders = []

    def walk(node):
        if node.items and node.code in nodes:
            holders.append(nodes[node.code])
        for c in node.children:
            walk(c)

    for top in spec.nodes:
        walk(top)
    as_pct = lambda n: None if n["score"] is None else round(100 * n["score"], 1)  # noqa: E731
    return {
        "radar": {"names": [n["name"] for n in radar_nodes], "values": [as_pct(n) for n in radar_nodes]},
        "bars": {"names": [n["name"] for n in holders], "values": [as_pct(n) for n in holders]},
    }


def history(assessment: Assessment, user) -> list[dict]:
    """Submitted assessments of this model for the enterprise, oldest first, each with its change from the last."""
    earlier = list(
        Assessment.objects.visible_to(user)
        .submitted()
        .filter(enterprise_id=assessment.enterprise_id, model_code=assessment.model_code)
        .order_by("submitted_at", "id")
    )
    current = {r.assessment_id: r for r in services.current_results_for([a.pk for a in earlier])}
    rows, previous = [], None
    for a in earlier:
        r = current.get(a.pk)
        if r is None:
            continue
        rows.append(
            {
                "a": a,
                "r": r,
                "delta": None if previous is None else r.score - previous.score,
                "level_delta": None
                if previous is None or r.level is None or previous.level is None
                else r.level - previous.level,
                "this": a.pk == assessment.pk,
            }
        )
        previous = r
    return rows


def answers_by_group(assessment: Assessment) -> list[dict]:
    spec = assessment.model_version.parsed()
    before = assessment.verifies.answers if assessment.verifies_id else None
    out = []
    for top in spec.nodes:
        rows = []
        for r in spec.iter_items():
            if r.path[0] is not top or not applies(r, assessment.context):
                continue
            value = assessment.answers.get(r.item.code)
            row = {"code": r.item.code, "name": r.item.name, "answer": questionnaire.display(r.item, value)}
            if before is not None and before.get(r.item.code) != value:
                row["before"] = questionnaire.display(r.item, before.get(r.item.code))
                row["reason"] = assessment.reasons.get(r.item.code, "")
            rows.append(row)
        out.append({"node": top, "rows": rows})
    return out


def page(assessment: Assessment, user) -> dict:
    result = services.current_result(assessment)
    spec = result.model_version.parsed()
    snapshot = full_snapshot(result)
    verifications = Assessment.objects.visible_to(user).submitted().filter(verifies=assessment)
    diffs = []
    if assessment.verifies_id:
        refs = item_refs(spec)
        for d in services.differences(assessment):
            item = refs[d.code].item
            diffs.append(
                {
                    "code": d.code,
                    "name": d.name,
                    "before": questionnaire.display(item, d.before),
                    "after": questionnaire.display(item, d.after),
                    "reason": d.reason,
                }
            )
    return {
        "a": assessment,
        "result": result,
        "snapshot": snapshot,
        "trace": trace_blocks(snapshot["trace"]),
        "spec": spec,
        "ladder": ladder(spec, snapshot),
        "chart": chart(snapshot, spec),
        "history": history(assessment, user),
        "diffs": diffs,
        "verifications": verifications,
        "all_results": assessment.results.select_related("model_version").order_by("computed_at", "id"),
        "answers": answers_by_group(assessment),
    }


def ladder(spec, snapshot: dict) -> list[dict]:
    by_number = {lv["number"]: lv for lv in snapshot["levels"]}
    level = snapshot["level"] or 0
    return [
        {
            "number": lv.number,
            "name": lv.name,
            "reached": level >= lv.number,
            "current": level == lv.number,
            "score": by_number.get(lv.number, {}).get("score"),
            "threshold": by_number.get(lv.number, {}).get("threshold"),
            "passed": by_number.get(lv.number, {}).get("passed"),
        }
        for lv in reversed(spec.levels)
    ]


def trace_blocks(lines: list[str]) -> list[dict]:
    """The engine's trace as a list of statements, each with its "· " detail lines nested under it."""
    blocks: list[dict] = []
    for line in lines:
        if line.startswith("· ") and blocks:
            blocks[-1]["details"].append(line[2:])
        else:
            blocks.append({"text": line, "details": []})
    return blocks
