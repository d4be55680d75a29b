"""SYNTHETIC demo assessments for the synthetic demo province: invented answers, not anyone's real self-assessment.

`seed_demo_assessments` gives a share of the synthetic enterprises (`Enterprise.is_synthetic`) submitted CMMM and
SME-2024 self-assessments, a second CMMM round a year later for some (so history deltas show) and a few
verifications by the demo commissioner with a reason for every changed answer. The demo enterprise user's and the
commissioner's enterprises are always among them, so logging in as either shows results.

Every row is marked: the context carries `"synthetic": true`, each result's reason and each timeline event say
合成演示数据, and only synthetic enterprises are touched. Answers come from one `random.Random(seed)` over the
enterprises in id order, so the same enterprises and seed give the same answers (dates are relative to today).

The skew follows the national distribution in shared/reference/standards.md §1.4 (智能制造成熟度指数报告 2022:
63 % of enterprises at CMMM level 1 or below, 21 % at level 2, 12 % at level 3, 4 % at level 4 or above): a
target level is drawn per enterprise and the answers are generated around it; the stored level is whatever the
engine then computes from those answers, exactly as for a real submission."""

from __future__ import annotations

import datetime as dt
import random
import time
from bisect import bisect
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

from django.db import connection, transaction
from django.utils import timezone

import maturity
from enterprises import events
from enterprises.demo_records import demo_users
from enterprises.models import Enterprise, EnterpriseEvent, EnterpriseLabel
from maturity.ai_level import AI_MODEL
from maturity.answers import applies
from maturity.numbers import score_text
from maturity.spec import NA, ModelSpec

from .models import Assessment, AssessmentResult, DomainScore, ModelVersion, PeerScore
from .services import default_context, domain_rows, peer_scores_refresh, result_fields

SYNTHETIC = "合成演示数据"
BATCH = 1000
SECOND_ROUND = 0.2  # share of CMMM enterprises with an earlier round a year before
DOMAIN_FIELDS = ("result", "enterprise", "model_code", "node_code", "depth", "score", "is_current")

# Target CMMM level → share (§1.4, 2022 report; its "level 1 or below" 63 % is split 15 % below / 48 % at level 1).
CMMM_TARGETS = {0: 0.15, 1: 0.48, 2: 0.21, 3: 0.12, 4: 0.03, 5: 0.01}
# Graded answers (full, most, partial, none) for a requirement at, just above and well above the target level.
MASTERED = (0.55, 0.35, 0.08, 0.02)
EXCELLENT = (0.85, 0.15, 0.0, 0.0)  # level-5 targets: every level must average ≥ 0.96 to reach 五级 (S ≥ 4.8)
NEXT = (0.10, 0.25, 0.35, 0.30)
BEYOND = (0.0, 0.02, 0.10, 0.88)
GRADES = ("full", "most", "partial", "none")
# Labels and sizes that make a more mature enterprise likelier (two draws, the better one kept).
STRONG_LABELS = frozenset({"specialised-sme", "little-giant", "single-champion", "tier-basic", "tier-advanced"})
REASONS = (
    "现场核查：相关系统仅在部分产线使用，未覆盖全部业务",
    "查阅记录：制度已制定，但近一年的执行记录不完整",
    "现场演示：数据仍需人工导出汇总，尚未自动流转",
    "访谈确认：该项工作由外包单位承担，企业尚未掌握",
    "资料核对：提供的材料与所述情况不一致",
)
KIND_NAMES = dict(Assessment.Kind.choices)


class DemoAssessmentError(Exception):
    """The demo assessments cannot be generated as asked; the message says why, in Chinese."""


@dataclass
class Planned:
    enterprise: Enterprise
    version: ModelVersion
    context: dict
    answers: dict
    submitted_at: dt.datetime
    kind: str = Assessment.Kind.SELF
    verifies: Planned | None = None
    reasons: dict = field(default_factory=dict)
    created_by: object = None
    assessment: Assessment | None = None


def _pick(rng: random.Random, weights: tuple[float, ...], values: tuple = GRADES):
    cum = list(accumulate(weights))
    return values[min(len(values) - 1, bisect(cum, rng.random() * cum[-1]))]


def _target(rng: random.Random, u: float) -> int:
    cum = 0.0
    for level, share in CMMM_TARGETS.items():
        cum += share
        if u < cum:
            return level
    return max(CMMM_TARGETS)


_applicable: dict[tuple, list] = {}


def applicable_items(spec: ModelSpec, context: dict) -> list:
    """The items that apply, once per model and distinct context (there are a few hundred among 5,000 firms)."""
    key = (spec.code, spec.version, context.get("production_type"), context.get("industry"), context.get("size"))
    items = _applicable.get(key)
    if items is None:
        items = _applicable[key] = [ref.item for ref in spec.iter_items() if applies(ref, context)]
    return items


def cmmm_answers(rng: random.Random, spec: ModelSpec, context: dict, target: int) -> dict:
    """Graded answers around `target`: mostly satisfied up to it, mixed one level above, mostly not beyond."""
    answers = {}
    for item in applicable_items(spec, context):
        if item.not_applicable_allowed and rng.random() < 0.04:
            answers[item.code] = NA
            continue
        if item.kind != "graded" or item.level is None:
            answers[item.code] = scaled_answer(rng, item, min(1.0, target / 4))
            continue
        gap = item.level - target
        weights = (EXCELLENT if target >= 5 else MASTERED) if gap <= 0 else NEXT if gap == 1 else BEYOND
        answers[item.code] = _pick(rng, weights)
    return answers


def scaled_answer(rng: random.Random, item, capability: float):
    """An answer for any scoring kind, better the higher `capability` (0–1), with noise per item."""
    c = min(1.0, max(0.0, capability + rng.gauss(0, 0.15)))
    match item.kind:
        case "graded" | "single_choice":
            ranked = sorted(item.options, key=lambda o: o.points)
            return ranked[round(c * (len(ranked) - 1))].code
        case "multi_select":
            plain = [o.code for o in item.options if not o.exclusive]
            chosen = [code for code in plain if rng.random() < c]
            exclusive = [o.code for o in item.options if o.exclusive]
            return chosen or exclusive[:1]
        case "numeric_bands":
            lo = item.bands[0].lo if item.bands[0].lo is not None else 0.0
            hi = item.bands[-1].hi if item.bands[-1].hi is not None else lo + 100.0
            return round(lo + (hi - lo) * c**1.3, 1)
        case "scene":
            return item.min_grade + round(c * (item.max_grade - item.min_grade))
        case "prerequisite":
            return rng.random() < 0.5 + 0.5 * c
    return None


def sme_answers(rng: random.Random, spec: ModelSpec, context: dict, capability: float) -> dict:
    answers = {}
    for item in applicable_items(spec, context):
        value = scaled_answer(rng, item, capability)
        if value is not None:
            answers[item.code] = value
    return answers


def ai_plans(rng: random.Random, enterprises: list[Enterprise], version: ModelVersion, *, share: float,
             now: dt.datetime) -> list[Planned]:  # fmt: skip
    """SYNTHETIC AI-level self-assessments (the provisional `ai-level` model) for a share of the enterprises: most
    firms use little AI, so capability is skewed low; a third of the scenes are ones the firm does not have (N/A) and
    安全与治理 tends to lag the rest, as the cap it sets is what the model is about. Drawn from their own `rng`, so
    asking for them leaves the CMMM and SME answers of the same seed unchanged."""
    spec = version.parsed()
    out = []
    for e in enterprises:
        if rng.random() >= share:
            continue
        context = {**default_context(e), "synthetic": True}
        capability = 0.05 + 0.6 * rng.random() ** 2
        answers = {}
        for item in applicable_items(spec, context):
            if item.kind == "scene" and rng.random() < 0.35:
                answers[item.code] = NA
                continue
            lag = 0.15 if item.code in getattr(spec.rule, "caps", ()) else 0.0
            answers[item.code] = scaled_answer(rng, item, max(0.0, capability - lag))
        out.append(Planned(e, version, context, answers, _days_ago(now, rng, 5, 120)))
    return out


def _verify(rng: random.Random, original: Planned) -> tuple[dict, dict]:
    """The commissioner's answers: the original with two to four graded answers marked down, each with a reason."""
    graded = [c for c, v in original.answers.items() if v in GRADES[:3]]
    changed = rng.sample(graded, min(len(graded), rng.randint(2, 4)))
    answers, reasons = dict(original.answers), {}
    for code in sorted(changed):
        answers[code] = GRADES[GRADES.index(answers[code]) + 1]
        reasons[code] = rng.choice(REASONS)
    return answers, reasons


def _days_ago(now: dt.datetime, rng: random.Random, lo: int, hi: int) -> dt.datetime:
    return now - dt.timedelta(days=rng.randint(lo, hi), minutes=rng.randrange(600))


def _personas() -> tuple[set[int], object, set[int]]:
    """The demo enterprise user's enterprises, the demo commissioner and the synthetic enterprises they cover."""
    users = {u.username: u for u in demo_users().prefetch_related("memberships")}
    own = {m.enterprise_id for m in users["enterprise"].memberships.all()} if "enterprise" in users else set()
    commissioner = users.get("commissioner")
    covered = (
        set(Enterprise.objects.visible_to(commissioner).filter(is_synthetic=True).values_list("pk", flat=True))
        if commissioner
        else set()
    )
    return {pk for pk in own if pk}, commissioner, covered


def plan(rng: random.Random, enterprises: list[Enterprise], cmmm: ModelVersion, sme: ModelVersion, *,
         cmmm_share: float, sme_share: float, now: dt.datetime) -> list[Planned]:  # fmt: skip
    cmmm_spec, sme_spec = cmmm.parsed(), sme.parsed()
    strong = set(
        EnterpriseLabel.objects.filter(enterprise__in=[e.pk for e in enterprises], label_id__in=STRONG_LABELS)
        .order_by()
        .values_list("enterprise_id", flat=True)
    )
    own, commissioner, covered = _personas()
    plans: list[Planned] = []
    self_cmmm_in_scope: list[Planned] = []
    for e in enterprises:
        u = rng.random()
        if e.pk in strong or e.size_class in ("medium", "large"):
            u = max(u, rng.random())
        persona = e.pk in own
        context = {**default_context(e), "synthetic": True}
        if persona or rng.random() < cmmm_share:
            target = _target(rng, u)
            if persona or rng.random() < SECOND_ROUND:  # an earlier round, a year before, usually one level lower
                before = max(0, target - 1) if rng.random() < 0.6 else target
                answers = cmmm_answers(rng, cmmm_spec, context, before)
                plans.append(Planned(e, cmmm, context, answers, _days_ago(now, rng, 380, 440)))
            answers = cmmm_answers(rng, cmmm_spec, context, target)
            latest = Planned(e, cmmm, context, answers, _days_ago(now, rng, 20, 200))
            plans.append(latest)
            if e.pk in covered:
                self_cmmm_in_scope.append(latest)
        if persona or rng.random() < sme_share:
            capability = 0.12 + 0.6 * u**1.5  # SME levels: most at 1–2, a fifth below 1, few at 4
            answers = sme_answers(rng, sme_spec, context, capability)
            plans.append(Planned(e, sme, context, answers, _days_ago(now, rng, 10, 300)))
    if commissioner is not None and self_cmmm_in_scope:
        chosen = [p for p in self_cmmm_in_scope if p.enterprise.pk in own]
        others = [p for p in self_cmmm_in_scope if p.enterprise.pk not in own]
        chosen += rng.sample(others, min(len(others), 5))
        for original in chosen:
            answers, reasons = _verify(rng, original)
            when = min(now - dt.timedelta(hours=2), original.submitted_at + dt.timedelta(days=rng.randint(7, 30)))
            plans.append(
                Planned(
                    original.enterprise,
                    cmmm,
                    original.context,
                    answers,
                    when,
                    kind=Assessment.Kind.VERIFIED,
                    verifies=original,
                    reasons=reasons,
                    created_by=commissioner,
                )
            )
    return plans


def _write(plans: list[Planned], counts: Counter) -> None:
    """Assessments (originals before the verifications that point at them), results, domain scores, events."""
    for wave in ([p for p in plans if p.verifies is None], [p for p in plans if p.verifies is not None]):
        rows = []
        for p in wave:
            p.assessment = Assessment(
                enterprise=p.enterprise,
                model_version=p.version,
                model_code=p.version.code,
                kind=p.kind,
                status=Assessment.Status.SUBMITTED,
                verifies=p.verifies.assessment if p.verifies else None,
                context=p.context,
                answers=p.answers,
                reasons=p.reasons,
                answered_count=len(p.answers),
                created_by=p.created_by,
                submitted_by=p.created_by,
                submitted_at=p.submitted_at,
            )
            rows.append(p.assessment)
        Assessment.objects.bulk_create(rows, batch_size=BATCH)
    if plans and plans[0].assessment.pk is None:
        raise DemoAssessmentError("数据库未返回新建评估的主键，无法生成演示评估。")
    # auto_now(_add) fields take the insert time; the demo back-dates them to the (synthetic) submission time.
    _stamp(Assessment, ("created_at", "updated_at"), [(p.assessment.pk, p.submitted_at) for p in plans])

    scored = [(p, maturity.score(p.version.parsed(), p.answers, p.context)) for p in plans]
    stored = AssessmentResult.objects.bulk_create(
        [AssessmentResult(**result_fields(p.assessment, p.version, r, SYNTHETIC)) for p, r in scored],
        batch_size=BATCH,
    )
    _stamp(
        AssessmentResult, ("computed_at",), [(s.pk, p.submitted_at) for s, (p, _r) in zip(stored, scored, strict=True)]
    )
    _insert_domain_scores(
        [
            (s.pk, d.enterprise_id, d.model_code, d.node_code, d.depth, d.score, True)
            for s, (p, r) in zip(stored, scored, strict=True)
            for d in domain_rows(s, p.assessment, r)
        ]
    )
    peer_scores_refresh(enterprise_ids={p.enterprise.pk for p in plans})
    timeline = []
    for s, (p, r) in zip(stored, scored, strict=True):
        level = r.level_name or "—"
        summary = f"提交{KIND_NAMES[p.kind]}：{p.version.name}，{level}（{score_text(r.score)} 分）（{SYNTHETIC}）"
        event = events.build(
            p.enterprise.pk,
            EnterpriseEvent.Kind.ASSESSED,
            actor=p.created_by,
            summary=summary,
            data={"assessment": p.assessment.pk, "result": s.pk, "synthetic": True},
        )
        timeline.append(event)
    EnterpriseEvent.objects.bulk_create(timeline, batch_size=BATCH)
    _stamp(EnterpriseEvent, ("at",), [(e.pk, p.submitted_at) for e, p in zip(timeline, plans, strict=True)])
    counts.update(
        assessments=len(plans),
        cmmm=sum(1 for p in plans if p.version.code == "cmmm" and p.verifies is None),
        sme=sum(1 for p in plans if p.version.code == "sme-2024"),
        ai=sum(1 for p in plans if p.version.code == AI_MODEL),
        verified=sum(1 for p in plans if p.verifies is not None),
        enterprises=len({p.enterprise.pk for p in plans}),
        domain_scores=sum(len(r.nodes) for _p, r in scored),
    )


def _stamp(model, columns: tuple[str, ...], rows: list[tuple[int, dt.datetime]]) -> None:
    """Set datetime columns row by row in one executemany (bulk_update's CASE per row is ~20× slower here)."""
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(c)} = %s" for c in columns)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*[adapt(when)] * len(columns), pk) for pk, when in rows])


def _insert_domain_scores(rows: list[tuple]) -> None:
    """~30 rows per result, ~100,000 for the full demo: one executemany of plain values (ints, strings, floats,
    booleans) instead of bulk_create, whose per-value SQL compilation costs more than the scoring itself."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(DomainScore._meta.get_field(name).column) for name in DOMAIN_FIELDS)
    marks = ", ".join(["%s"] * len(DOMAIN_FIELDS))
    sql = f"INSERT INTO {qn(DomainScore._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - bound values
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[start : start + 10_000])


def existing() -> int:
    """Assessments of synthetic enterprises."""
    return Assessment.objects.filter(enterprise__is_synthetic=True).count()


def delete_demo_assessments() -> None:
    """Remove the assessments of synthetic enterprises (verifications first: they protect what they verify)."""
    ids = Assessment.objects.filter(enterprise__is_synthetic=True)
    PeerScore.objects.filter(assessment__in=ids).delete()
    DomainScore.objects.filter(result__assessment__in=ids).delete()
    AssessmentResult.objects.filter(assessment__in=ids).delete()
    EnterpriseEvent.objects.filter(enterprise__is_synthetic=True, kind=EnterpriseEvent.Kind.ASSESSED).delete()
    ids.exclude(verifies=None).delete()
    ids.delete()


def seed_demo_assessments(
    *, seed: int = 1, cmmm_share: float = 0.30, sme_share: float = 0.20, replace: bool = False, ai_share: float = 0.0
) -> dict:
    """Write the synthetic assessments; returns counts and seconds. Refuses if demo assessments already exist
    (unless `replace`) or if there are no synthetic enterprises. `ai_share` > 0 adds AI-level self-assessments."""
    started = time.monotonic()
    versions = {v.code: v for v in ModelVersion.objects.current().filter(code__in=("cmmm", "sme-2024", AI_MODEL))}
    if "cmmm" not in versions or "sme-2024" not in versions:
        raise DemoAssessmentError("缺少 CMMM 或 SME-2024 模型版本，请先执行 migrate（或 load_models）。")
    if ai_share > 0 and AI_MODEL not in versions:
        raise DemoAssessmentError("缺少人工智能水平诊断模型版本，请先执行 migrate（或 load_models）。")
    counts: Counter = Counter()
    with transaction.atomic():
        if existing():
            if not replace:
                raise DemoAssessmentError("合成企业已有评估数据。如需重新生成，请加 --replace。")
            delete_demo_assessments()
        enterprises = list(
            Enterprise.objects.filter(is_synthetic=True, removed_at__isnull=True)
            .only("pk", "industry_id", "size_class", "county_id")
            .order_by("pk")
        )
        if not enterprises:
            raise DemoAssessmentError("没有合成演示企业，请先执行 seed_demo。")
        rng = random.Random(seed)
        plans = plan(
            rng,
            enterprises,
            versions["cmmm"],
            versions["sme-2024"],
            cmmm_share=cmmm_share,
            sme_share=sme_share,
            now=timezone.now(),
        )
        if ai_share > 0:
            ai_rng = random.Random(f"{seed}-{AI_MODEL}")
            plans += ai_plans(ai_rng, enterprises, versions[AI_MODEL], share=ai_share, now=timezone.now())
        _write(plans, counts)
    return {**counts, "seconds": round(time.monotonic() - started, 2)}
