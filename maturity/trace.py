"""Explaining a result in plain Chinese: why this level, and what holds the enterprise below the next one.

Blockers are structured (so a page can draw them) and each carries its own sentence (so a report can
print them). Lists are ordered by how much each entry would gain, ties by code, so the explanation does
not depend on the order of items in the model file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from maturity.answers import Evaluated
from maturity.memo import per_spec
from maturity.numbers import rounded, score_text, short_text
from maturity.results import Blocker, LevelResult
from maturity.spec import EPS, PROVISIONAL_SENTENCE, ModelSpec

if TYPE_CHECKING:
    from maturity.scoring import Cap, SubdomainAtLevel, Tree

TOP_NODES = 3
TOP_ITEMS = 5


# Scores (the total, level and sub-domain scores) print as every page prints them (maturity.numbers.score_text);
# thresholds, gaps and gains drop trailing zeros. Both round half-up on the unrounded value.
fmt = short_text
score = score_text


def shortfall(need: float, have: float) -> str:
    """"差 x" as the reader can check it: the threshold minus the score as printed (60 − 58.78 = 1.22, never the
    1.23 that rounding the unrounded gap 1.225 would give)."""
    return short_text(need - float(rounded(have)))


def band_level(bands: list, value: float) -> int:
    """The level of the band holding `value` (0 below every band); `maturity.scoring.band_level` is this one."""
    return next((b.level for b in reversed(bands) if b.contains(value)), 0)


def _next_level(spec: ModelSpec, level: int | None) -> int | None:
    if level is None:
        return None
    return next((lv.number for lv in spec.levels if lv.number > level), None)


def explain(
    spec: ModelSpec,
    *,
    evals: list[Evaluated],
    tree: Tree,
    total: float,
    level: int | None,
    levels: list[LevelResult],
    level_details: dict[int, tuple[float | None, list[SubdomainAtLevel]]],
    scene_grades: list[tuple[str, str, float]],
    failed_prereqs: list[Evaluated],
    cap: int | None,
    caps: list[Cap] | tuple[Cap, ...] = (),
) -> tuple[list[str], list[Blocker]]:
    rule = spec.rule
    trace: list[str] = []
    if spec.status == "provisional" or rule.status == "provisional":
        # Only the plain sentence: where each part comes from is provenance, for officers on the model page.
        trace.append(f"注意：{PROVISIONAL_SENTENCE}。")
    na = sum(1 for e in evals if e.state == "not_applicable")
    missing = sum(1 for e in evals if e.state == "missing" and e.normalised is not None)
    if na:
        trace.append(f"有 {na} 个条目标为不适用，其权重已在所属节点内重新分配。")
    if missing:
        trace.append(f"有 {missing} 个计分条目未作答，按 0 分计。")
    if rule.type == "cmmm_cumulative":
        parts = []
        for lr in levels:
            if not lr.counted:
                continue
            s = "无适用要求" if lr.score is None else score(lr.score)
            parts.append(f"{lr.name} {s}（{'通过' if lr.passed else f'未通过，通过线 {fmt(lr.threshold)}'}）")
        trace.append("各级得分：" + "、".join(parts) + "。")
        failed = next((lr for lr in levels if not lr.passed), None)
        if failed and failed.number != levels[-1].number:
            trace.append(f"{failed.name}未通过，更高等级的得分不计入总分。")
        trace.append(f"总分 S = {score(total)}（满分 {len(levels)}），对应等级：{spec.level_name(level or 0)}。")
    elif rule.type == "weighted_sum":
        trace.append(f"总分 {score(total)}（满分 {fmt(rule.scale_max)}）。")
    elif rule.type == "capped_bands":
        by_score = band_level(rule.bands, total)
        trace.append(f"总分 {score(total)}（满分 {fmt(rule.scale_max)}），按分数段为{spec.level_name(by_score)}。")
        for c in caps:
            if c.level < by_score:
                trace.append(
                    f"「{c.name}」为{spec.level_name(c.level)}，总体等级不高于它，故为{spec.level_name(level or 0)}。"
                )
    else:
        trace.append(f"总分 {score(total)}（满分 {fmt(rule.scale_max)}），对应等级：{spec.level_name(level or 0)}。")
    if cap is not None and level is not None:
        names = "、".join(f"「{e.ref.item.name}」" for e in failed_prereqs)
        trace.append(f"前提条件 {names} 未满足，等级最高为 {spec.level_name(cap)}。")

    target = _next_level(spec, level)
    blockers: list[Blocker] = []
    if target is None:
        if level is not None and spec.levels:
            trace.append("已达最高等级。")
        return trace, blockers
    tname = spec.level_name(target)
    for e in sorted(failed_prereqs, key=lambda e: e.ref.item.code):
        if (e.ref.item.level or 1) <= target:
            msg = f"前提条件「{e.ref.item.name}」未满足。"
            blockers.append(Blocker(target, "prerequisite", e.ref.item.code, e.ref.item.name, 0.0, 1.0, 1.0, msg))
    if rule.type == "cmmm_cumulative":
        blockers += _cmmm_blockers(spec, target, total, levels, level_details)
    elif rule.type == "score_bands":
        band = next(b for b in rule.bands if b.level == target)
        blockers += _score_blockers(spec, target, total, band.min, tree, evals, rule.scale_max)
    elif rule.type == "capped_bands":
        band = next(b for b in rule.bands if b.level == target)
        blockers += _cap_blockers(spec, target, band.min, caps)  # first: whatever the total, it holds the level
        blockers += _score_blockers(spec, target, total, band.min, tree, evals, rule.scale_max)
    elif rule.type == "score_and_scene_counts":
        for req in (r for r in rule.requirements if r.level == target):
            blockers += _score_blockers(spec, target, total, req.min_score, tree, evals, rule.scale_max)
            blockers += _scene_blockers(target, req.scene_level, req.min_scenes, scene_grades)
    if blockers:
        trace.append(f"距离{tname}还差：")
        trace += [f"· {b.message}" for b in blockers]
    return trace, blockers


def _cmmm_blockers(
    spec: ModelSpec,
    target: int,
    total: float,
    levels: list[LevelResult],
    level_details: dict[int, tuple[float | None, list[SubdomainAtLevel]]],
) -> list[Blocker]:
    out: list[Blocker] = []
    failed = next((lr for lr in levels if not lr.passed and lr.number <= target), None)
    if failed is not None:
        ls, subs = level_details[failed.number]
        cur = ls or 0.0
        den = sum(s.weight for s in subs) or 1.0
        node_gain = sorted(((s.weight / den * (1 - s.score), s) for s in subs), key=lambda t: (-t[0], t[1].code))
        item_gain = sorted(
            (
                (s.weight / den * share * (1 - (s.score_of(code))), code, s)
                for s in subs
                for code, share in s.item_weights.items()
            ),
            key=lambda t: (-t[0], t[1]),
        )
        worst = "、".join(f"{s.name}（{score(s.score)}）" for g, s in node_gain[:TOP_NODES] if g > EPS)
        gap = failed.threshold - cur
        thr = failed.threshold
        msg = f"{failed.name}得分 {score(cur)}，低于通过线 {fmt(thr)}，差 {shortfall(thr, cur)}"
        msg += f"；拉低最多的子域：{worst}。" if worst else "；该级没有适用的要求。"
        out.append(Blocker(target, "level", None, failed.name, cur, failed.threshold, gap, msg))
        for g, s in node_gain[:TOP_NODES]:
            if g > EPS:
                m = f"子域「{s.name}」在{failed.name}得分 {score(s.score)}，满足后{failed.name}得分最多可升 {fmt(g)}。"
                out.append(Blocker(target, "node", s.code, s.name, s.score, 1.0, g, m))
        names = per_spec(spec, "item_names", lambda: {ref.item.code: ref.item.name for ref in spec.iter_items()})
        for g, code, s in item_gain[:TOP_ITEMS]:
            if g > EPS:
                cur_i = fmt(s.score_of(code))
                m = f"条目「{names[code]}」（{s.name}）满足度 {cur_i}，全部满足可使{failed.name}得分升 {fmt(g)}。"
                out.append(Blocker(target, "item", code, names[code], s.score_of(code), 1.0, g, m))
    band = next((b for b in spec.rule.bands if b.level == target), None)
    if band is not None and total < band.min - EPS:
        gap = band.min - total
        msg = f"总分 {score(total)}，{spec.level_name(target)}需 ≥ {fmt(band.min)}，差 {shortfall(band.min, total)}。"
        out.append(Blocker(target, "score", None, "总分", total, band.min, gap, msg))
    return out


def _score_blockers(
    spec: ModelSpec, target: int, total: float, need: float, tree: Tree, evals: list[Evaluated], scale: float
) -> list[Blocker]:
    if total >= need - EPS:
        return []
    gap = need - total
    msg = f"总分 {score(total)}，需 ≥ {fmt(need)}，差 {shortfall(need, total)}。"
    out = [Blocker(target, "score", None, "总分", total, need, gap, msg)]
    gains = sorted(
        (
            (tree.shares.get(e.ref.item.code, 0.0) * (1 - (e.normalised or 0.0)) * scale, e)
            for e in evals
            if e.normalised is not None
        ),
        key=lambda t: (-t[0], t[1].ref.item.code),
    )
    for g, e in gains[:TOP_ITEMS]:
        if g > EPS:
            item = e.ref.item
            msg = (
                f"条目「{item.name}」得分 {fmt(e.points or 0.0)}/{fmt(e.max_points or 0.0)}，满分可使总分升 {fmt(g)}。"
            )
            out.append(Blocker(target, "item", item.code, item.name, e.normalised or 0.0, 1.0, g, msg))
    return out


def _cap_blockers(spec: ModelSpec, target: int, need: float, caps) -> list[Blocker]:
    """A capping item below the target level holds the whole level down, whatever the total."""
    out = []
    scale = spec.rule.scale_max
    for c in caps:
        if c.level < target:
            have = c.score * scale
            msg = (
                f"「{c.name}」当前为{spec.level_name(c.level)}（{fmt(have)}），总体等级不高于它："
                f"需 ≥ {fmt(need)}，差 {shortfall(need, have)}。"
            )
            out.append(Blocker(target, "cap", c.code, c.name, c.score, need / scale, need / scale - c.score, msg))
    return out


def _scene_blockers(target: int, scene_level: int, need: int, scenes: list[tuple[str, str, float]]) -> list[Blocker]:
    have = sum(1 for _, _, g in scenes if g >= scene_level)
    if have >= need:
        return []
    short = need - have
    closest = sorted(((c, n, g) for c, n, g in scenes if g < scene_level), key=lambda t: (-t[2], t[0]))[:short]
    names = "、".join(f"{n}（当前 {int(g)} 级）" for _, n, g in closest)
    msg = f"达到 {scene_level} 级的场景有 {have} 个，需 {need} 个，差 {short} 个" + (
        f"；最接近的：{names}。" if names else "。"
    )
    out = [Blocker(target, "scenes", None, "场景数", float(have), float(need), float(short), msg)]
    for code, name, g in closest:
        m = f"场景「{name}」当前 {int(g)} 级，需达到 {scene_level} 级。"
        out.append(Blocker(target, "item", code, name, g, float(scene_level), scene_level - g, m))
    return out
