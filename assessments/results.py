"""Reading results: what the result page, the review before submit and the history show. No writes."""

from __future__ import annotations

from django.utils.translation import gettext as _

import maturity
from maturity.answers import applies
from maturity.numbers import rounded
from maturity.spec import NA

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


def percent(score: float | None) -> float | None:
    """A 0–1 node score as the 0–100 figure charts and reports print (one decimal, half-up)."""
    return None if score is None else float(rounded(100 * score, 1))


def chart(snapshot: dict, spec) -> dict:
    """Radar and bars over the parts that take part in the score only: a part outside it (SME 2024's scenes) has no
    score, and drawing it as 0 would say the enterprise did nothing there. `unscored` lists those parts instead."""
    nodes = in_tree_order(snapshot, spec)
    counting = spec.counting_codes()
    scored = [n for n in nodes.values() if n["code"] in counting]
    depth1 = [n for n in scored if n["depth"] == 1]
    radar_nodes = depth1 if len(depth1) >= 3 else [n for n in scored if n["depth"] == 0]
    holders = []

    def walk(node):
        if node.items and node.code in nodes and node.code in counting:
            holders.append(nodes[node.code])
        for c in node.children:
            walk(c)

    for top in spec.nodes:
        walk(top)
    return {
        "radar": {"names": [n["name"] for n in radar_nodes], "values": [percent(n["score"]) for n in radar_nodes]},
        "bars": {"names": [n["name"] for n in holders], "values": [percent(n["score"]) for n in holders]},
    }


def in_tree_order(snapshot: dict, spec) -> dict[str, dict]:
    """The snapshot's nodes in the model's order: PostgreSQL's jsonb does not keep the order keys were written in."""
    nodes = snapshot["nodes"]
    order: list[str] = []

    def walk(node):
        order.append(node.code)
        for c in node.children:
            walk(c)

    for top in spec.nodes:
        walk(top)
    return {code: nodes[code] for code in order if code in nodes}


def unscored(spec, answers: dict, context: dict | None) -> list[dict]:
    """The answered items outside the score, grouped by the node that holds them, each with what its answer means
    (a scene's grade and that grade's description). Empty when every answered item counts."""
    counting = spec.counting_codes()
    groups: dict[str, dict] = {}
    for ref in spec.iter_items():
        item = ref.item
        if item.code in counting or item.kind in ("evidence_file", "evidence_text", "prerequisite"):
            continue
        value = answers.get(item.code)
        if value is None or value == NA or not applies(ref, context):
            continue
        top, holder = ref.path[0], ref.path[-1]
        part = groups.setdefault(top.code, {"code": top.code, "name": top.name, "groups": {}, "count": 0})
        rows = part["groups"].setdefault(holder.code, {"code": holder.code, "name": holder.name, "rows": []})
        row = {"code": item.code, "name": item.name, "answer": questionnaire.display(item, value)}
        if item.kind == "scene":
            row.update(grade=value, max_grade=item.max_grade, meaning=item.grade_label(value))
        rows["rows"].append(row)
        part["count"] += 1
    out = []
    for part in groups.values():
        grades = [r["grade"] for g in part["groups"].values() for r in g["rows"] if "grade" in r]
        part["groups"] = list(part["groups"].values())
        part["grade_counts"] = [
            {"grade": g, "label": _("%(g)d 级") % {"g": g}, "count": sum(1 for x in grades if x == g)}
            for g in sorted({int(x) for x in grades if float(x).is_integer()}, reverse=True)
        ]
        out.append(part)
    return out


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
                # The change between the two figures as printed, so "58.78 → 60.00" reads "+1.22", never "+1.23".
                "delta": None if previous is None else float(rounded(r.score) - rounded(previous.score)),
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
        "trace": trace_blocks(readable_trace(snapshot["trace"])),
        "spec": spec,
        "ladder": ladder(spec, snapshot),
        "chart": chart(snapshot, spec),
        "history": history(assessment, user),
        "diffs": diffs,
        "verifications": verifications,
        "all_results": assessment.results.select_related("model_version").order_by("computed_at", "id"),
        "answers": answers_by_group(assessment),
        "unscored": unscored(spec, assessment.answers, assessment.context),
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


# Snapshots written before provenance moved out of user text carry the model's development notes in their first
# line ("注意：该模型或其评分规则为暂定版本，结果仅供参考（[U] …）"); readers get today's plain sentence instead.
_LEGACY_PROVISIONAL = "注意：该模型或其评分规则为暂定版本"


def readable_trace(lines: list[str]) -> list[str]:
    """A stored trace as users may read it, whatever its age (every reader of a trace goes through this)."""
    sentence = _("注意：%(s)s。") % {"s": _("本模型部分内容尚待官方文本核实，结果仅供参考")}
    return [sentence if line.startswith(_LEGACY_PROVISIONAL) else line for line in lines]


def trace_blocks(lines: list[str]) -> list[dict]:
    """The engine's trace as a list of statements, each with its "· " detail lines nested under it."""
    blocks: list[dict] = []
    for line in lines:
        if line.startswith("· ") and blocks:
            blocks[-1]["details"].append(line[2:])
        else:
            blocks.append({"text": line, "details": []})
    return blocks
