"""Recommendations from the resource pools: the database turned into the matching engine's plain data, and the
gaps of an assessment turned into scenarios. Reads only.

The engine's catalog is rebuilt when a published solution, a provider or a case changes (a cheap fingerprint
query decides); in between, every recommendation in the process reuses the built text index. The outcome log
(responses to needs and the results of matching meetings) is cached the same way under its own fingerprint, so
a new rating changes the next ranking without rebuilding the text index."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from matching import model as m
from matching.learning import OutcomeModel
from matching.rank import Abstention, NearMiss, Ranking, Recommendation, rank_with_diagnostics
from matching.taxonomy import ScenarioSet
from regions.models import Region

from .models import Case, MatchMeeting, MeetingOutcome, Need, NeedResponse, PoolEvent, Provider, Scenario, Solution
from .scenarios import scenarios_for_gaps

DEPLOYMENTS = {"saas": "cloud", "on_premises": "on_premise", "hybrid": "hybrid"}  # catalog → engine vocabulary
STATUS = {"published": "active", "warned": "warned"}
_built: dict[str, object] = {}


@dataclass(frozen=True)
class LoadedScenario:
    """A Scenario row with what ``scenarios_for_gaps`` reads: the maturity codes it closes and where it is typical."""

    code: str
    closes: dict[str, list[str]]
    industries: tuple[str, ...]

    def typical_for(self, industry: str | None) -> bool:
        # As catalog.scenarios.Scenario.typical_for: typical everywhere unless the row names divisions.
        return industry is None or not self.industries or industry[:2] in self.industries


@dataclass(frozen=True)
class LoadedTaxonomy:
    scenarios: tuple[LoadedScenario, ...]


def taxonomy() -> LoadedTaxonomy:
    """The scenarios the province loaded (the Scenario table), for mapping gaps to scenarios; cached until it changes.

    Not the shipped file: a province that loads its own list gets gap scenarios, guesses and names in its codes."""
    rows = tuple(
        (code, closes or {}, tuple(str(i) for i in industries or ()))
        for code, closes, industries in Scenario.objects.order_by("order", "code").values_list(
            "code", "closes", "industries"
        )
    )
    key = repr(rows)
    if _built.get("taxonomy_key") != key:
        loaded = LoadedTaxonomy(tuple(LoadedScenario(code, dict(closes), ind) for code, closes, ind in rows))
        _built.update(taxonomy_key=key, taxonomy=loaded)
    return _built["taxonomy"]  # type: ignore[return-value]


def _scenario_rows() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    return tuple(
        (code, name, tuple(keywords or ()))
        for code, name, keywords in Scenario.objects.order_by("code").values_list("code", "name", "keywords")
    )


def _fingerprint() -> tuple:
    """Changes when a solution or provider is saved, published, withdrawn or suspended, a case added or removed,
    the province loads or edits its scenario list, or divisions are added."""
    solutions = Solution.objects.filter(status="published").aggregate(n=Count("id"), t=Max("updated_at"))
    providers = Provider.objects.listed().aggregate(n=Count("id"), t=Max("updated_at"))
    return (
        solutions["n"], solutions["t"], providers["n"], providers["t"], Case.objects.count(),
        hash(_scenario_rows()), Region.objects.count(),
    )  # fmt: skip


def engine_catalog() -> m.Catalog:
    """Published solutions of listed providers, as the engine's Catalog (cached until the pools change)."""
    key = _fingerprint()
    if _built.get("key") == key:
        return _built["catalog"]  # type: ignore[return-value]
    providers = {
        str(p.pk): m.Provider(
            id=str(p.pk),
            name=p.name,
            grade=(p.grade or "")[:1],
            status=STATUS[p.status],
            regions=tuple(p.regions_served),
        )
        for p in Provider.objects.listed().only("pk", "name", "grade", "status", "regions_served")
    }
    solutions = []
    query = Solution.objects.filter(status="published", provider_id__in=[int(k) for k in providers])
    for s in query.prefetch_related("scenarios").order_by("pk"):
        solutions.append(
            m.Solution(
                id=str(s.pk),
                provider_id=str(s.provider_id),
                title=s.title,
                description=s.description,
                scenarios=tuple(sc.code for sc in s.scenarios.all()),
                industries=tuple(s.industries),
                sizes=tuple(s.sizes),
                tiers=tuple(s.tiers),
                deployments=tuple(DEPLOYMENTS[d] for d in s.deployments if d in DEPLOYMENTS),
                price_min=float(s.price_min) if s.price_min is not None else None,
                price_max=float(s.price_max) if s.price_max is not None else None,
                ai=s.ai_capability,
                lightweight=s.lightweight,
            )
        )
    cases = [
        m.Case(str(c["solution_id"] or ""), str(c["provider_id"]), c["industry_id"], c["region_id"], c["verified"])
        for c in Case.objects.values("solution_id", "provider_id", "industry_id", "region_id", "verified")
    ]
    # Scenario guessing and names use the scenarios in the database (a province's own list gets guesses in its own
    # codes); region codes are checked against the divisions the database holds.
    catalog = m.Catalog(
        solutions=solutions,
        providers=providers,
        cases=cases,
        taxonomy=ScenarioSet.from_rows(_scenario_rows()),
        divisions=frozenset(Region.objects.values_list("code", flat=True)),
    )
    _built.update(key=key, catalog=catalog)
    return catalog


# Engine vocabulary for what happened after a match. A meeting's "talked" and "intention" both mean the two sides
# got in touch; "none" records nothing (the pair met, which says little about the solution).
RESPONSE_EVENTS = {NeedResponse.Status.CONTACTED: "contacted", NeedResponse.Status.CONTRACTED: "contracted"}
MEETING_EVENTS = {
    MeetingOutcome.Result.TALKED: "contacted",
    MeetingOutcome.Result.INTENTION: "contacted",
    MeetingOutcome.Result.CONTRACTED: "contracted",
}


def _outcomes_fingerprint() -> tuple:
    """Changes when a response is decided or rated, a meeting outcome recorded (or re-recorded), or the scenarios of
    a need or meeting are edited."""
    responses = NeedResponse.objects.aggregate(n=Count("id"), t=Max("updated_at"))
    meetings = MeetingOutcome.objects.aggregate(n=Count("id"), i=Max("id"))
    # Re-recording a meeting outcome updates the row in place (it has no updated_at); its event row is new.
    recorded = PoolEvent.objects.filter(kind="meeting_outcome").aggregate(i=Max("id"))
    return (
        responses["n"], responses["t"], meetings["n"], meetings["i"], recorded["i"],
        Need.objects.aggregate(t=Max("updated_at"))["t"], MatchMeeting.objects.aggregate(t=Max("updated_at"))["t"],
    )  # fmt: skip


def outcome_log() -> list[m.Outcome]:
    """Every recorded outcome as the engine's Outcome rows, in a stable order (so the learned model is reproducible).

    A response counts under its need's scenarios; a meeting outcome under the meeting's scenarios, one "need" per
    meeting × enterprise. Responses and outcomes without a solution say nothing about a solution and are skipped.
    """
    need_scenarios: dict[int, tuple[str, ...]] = {}
    for need_id, code in Need.scenarios.through.objects.order_by("need_id", "scenario_id").values_list(
        "need_id", "scenario_id"
    ):
        need_scenarios[need_id] = (*need_scenarios.get(need_id, ()), code)
    log: list[m.Outcome] = []
    responses = (
        NeedResponse.objects.filter(solution__isnull=False)
        .filter(Q(status__in=list(RESPONSE_EVENTS)) | Q(rating__isnull=False))
        .values_list("need_id", "solution_id", "status", "rating", "need__enterprise__industry_id")
        .order_by("id")
    )
    for need_id, solution_id, status, rating, industry in responses:
        base = {"need_id": f"need-{need_id}", "scenarios": need_scenarios.get(need_id, ()), "industry": industry or ""}
        if status in RESPONSE_EVENTS:
            log.append(m.Outcome(str(solution_id), RESPONSE_EVENTS[status], **base))
        if rating is not None:
            log.append(m.Outcome(str(solution_id), "rated", stars=rating, **base))
    meeting_scenarios: dict[int, tuple[str, ...]] = {}
    for meeting_id, code in MatchMeeting.scenarios.through.objects.order_by(
        "matchmeeting_id", "scenario_id"
    ).values_list("matchmeeting_id", "scenario_id"):
        meeting_scenarios[meeting_id] = (*meeting_scenarios.get(meeting_id, ()), code)
    outcomes = (
        MeetingOutcome.objects.filter(solution__isnull=False, result__in=list(MEETING_EVENTS))
        .values_list("meeting_id", "enterprise_id", "solution_id", "result", "enterprise__industry_id")
        .order_by("id")
    )
    for meeting_id, enterprise_id, solution_id, result, industry in outcomes:
        log.append(
            m.Outcome(
                str(solution_id),
                MEETING_EVENTS[result],
                need_id=f"meeting-{meeting_id}-{enterprise_id}",
                scenarios=meeting_scenarios.get(meeting_id, ()),
                industry=industry or "",
            )
        )
    return log


def engine_outcomes() -> OutcomeModel:
    """The outcome model learned from the log (cached until an outcome changes)."""
    key = _outcomes_fingerprint()
    if _built.get("outcomes_key") != key:
        _built.update(outcomes_key=key, outcomes=OutcomeModel.from_log(outcome_log()))
    return _built["outcomes"]  # type: ignore[return-value]


def gap_sizes(snapshot: dict) -> dict[str, float]:
    """Item and node gaps of a result snapshot: 1 − normalised score for everything that counted and fell short."""
    gaps = {
        code: 1.0 - item["normalised"] for code, item in snapshot["items"].items() if item.get("normalised") is not None
    }
    gaps.update(
        {code: 1.0 - node["score"] for code, node in snapshot["nodes"].items() if node.get("score") is not None}
    )
    return {code: size for code, size in gaps.items() if size > 1e-9}


@dataclass(frozen=True)
class GapRecommendations:
    scenarios: list[tuple[str, float]]  # scenario code, weight (1 = the heaviest)
    recommendations: list[Recommendation]
    abstention: Abstention | None = None  # nothing in the pool clears the relevance bar
    near_misses: list[NearMiss] = field(default_factory=list)  # only when asked for


def for_assessment(assessment, snapshot: dict, *, k: int = 10, near_misses: int = 0) -> GapRecommendations:
    """Solutions for the gaps of an assessment: gaps → scenarios (taxonomy links) → the ranked pool."""
    enterprise = assessment.enterprise
    ranked = scenarios_for_gaps(
        taxonomy(), gap_sizes(snapshot), model=assessment.model_code, industry=enterprise.industry_id
    )[:8]
    if not ranked:
        return GapRecommendations([], [])
    top = ranked[0][1]
    scenarios = [(code, weight / top) for code, weight in ranked]
    need = m.Need.from_gaps(
        [m.Gap(code, weight) for code, weight in scenarios],
        industry=enterprise.industry_id,
        region=enterprise.county_id,
        size=enterprise.size_class or "",
    )
    found = rank_with_diagnostics(need, engine_catalog(), k=k, outcomes=engine_outcomes(), near_misses=near_misses)
    return GapRecommendations(scenarios, found.recommendations, found.abstention, found.near_misses)


def need_query(need) -> m.Need:
    enterprise = need.enterprise
    return m.Need(
        text=f"{need.title} {need.text}",
        id=str(need.pk),
        scenarios=tuple(need.scenarios.values_list("code", flat=True)),
        industry=enterprise.industry_id,
        region=enterprise.county_id,
        size=enterprise.size_class or "",
        budget_max=float(need.budget_max) if need.budget_max is not None else None,
        deployments=tuple(DEPLOYMENTS[d] for d in need.deployments if d in DEPLOYMENTS),
    )


def for_need_ranking(need, *, k: int = 10, near_misses: int = 0) -> Ranking:
    """The ranking with what was left out: exclusions, an abstention when nothing fits, near misses on request."""
    return rank_with_diagnostics(
        need_query(need), engine_catalog(), k=k, outcomes=engine_outcomes(), near_misses=near_misses
    )


_CODE = re.compile(r"\b\d{6}\b")


def readable(texts: Iterable[str]) -> list[str]:
    """Engine sentences with division codes replaced by their names (near misses name the regions served)."""
    texts = list(texts)
    codes = {code for text in texts for code in _CODE.findall(text)}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    return [_CODE.sub(lambda m: names.get(m[0], m[0]), text) for text in texts]


def for_need(need, *, k: int = 10) -> list[Recommendation]:
    return for_need_ranking(need, k=k).recommendations
