"""The peer benchmark of the diagnosis report: where an enterprise's scores sit among comparable enterprises.

    benchmark(enterprise, model_code, scores, *, min_group=10) -> PeerBenchmark
    scores_of(result) -> dict[str, float]          # the `scores` argument from an AssessmentResult

`scores` maps a node code to the enterprise's score on it: "" (PeerScore.TOTAL) is the total on the model's scale,
a top-level node code a 0–1 node score, exactly as in the result snapshot (pass them unrounded: equal scores are
ties). The peers' scores come from `assessments.PeerScore`: each other enterprise's latest submitted assessment of
the same model, of any kind (self, diagnosis or verified; the latest by submitted_at wins). Removed enterprises are
not peers, and the enterprise itself never counts among its peers.

Groups, narrowest first: same industry division + size class + city; same division + size class + province; same
division + province; the whole province (all its manufacturing enterprises). The first group with at least
`min_group` peers is used, so that no single peer can be picked out; the result names it, says whether and why it
was widened, and never says how small a narrower group was beyond "fewer than `min_group`". When no group
qualifies there is no percentile at all. A domain's percentile also needs `min_group` peers scored on it.

Percentile = 100 × (peers strictly below + half the peers equal) / peers, a mid-rank percentile from 0 to 100.
Median and quartiles of the peers' totals are given for a qualifying group only, interpolated between order
statistics like `statistics.quantiles(method="inclusive")`.

Each count is a range scan of one PeerScore index; see benchmarks/bench_peers.py for the figures at 300,000
enterprises. `benchmark` first lets the table follow recent archive changes (a cheap indexed read when there are
none), so it may write."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from assessments.models import AssessmentResult, ModelVersion, PeerScore
from assessments.services import peer_scores_follow_archive
from enterprises.models import Enterprise, SizeClass
from regions.models import IndustryDivision, Region

MIN_GROUP = 10
TOTAL = PeerScore.TOTAL
# Scores are compared as stored; the tolerance only absorbs a float that went through another representation.
EPS = 1e-9


@dataclass(frozen=True)
class PeerGroup:
    """One rung of the ladder: a name for it and the PeerScore keys that select its members."""

    scope: str  # industry_size_city | industry_size_province | industry_province | province
    label: str
    keys: dict[str, str] = field(repr=False)


@dataclass(frozen=True)
class Standing:
    """The enterprise's place on one node. `peers`, `below` and `equal` are None when withheld (a small group)."""

    code: str
    name: str
    score: float | None
    percentile: float | None = None
    peers: int | None = None
    below: int | None = None
    equal: int | None = None


@dataclass(frozen=True)
class PeerBenchmark:
    """The outcome: the group used (None if none qualified), the narrower groups passed over and why, the
    standings of the total and of each domain, and the median and quartiles of the peers' totals."""

    model_code: str
    min_group: int
    group: PeerGroup | None
    peer_count: int | None
    passed_over: tuple[str, ...]  # why each narrower rung was not used, in Chinese
    total: Standing | None
    domains: tuple[Standing, ...]
    median: float | None = None
    q1: float | None = None
    q3: float | None = None

    @property
    def widened(self) -> bool:
        return self.group is not None and bool(self.passed_over)

    @property
    def widened_reason(self) -> str:
        if not self.widened:
            return ""
        return _("%(reasons)s，改为与%(group)s对比。") % {
            "reasons": "；".join(self.passed_over),
            "group": self.group.label,
        }

    @property
    def note(self) -> str:
        """Why there is no percentile, or "" when there is one."""
        if self.group is not None:
            return ""
        return _("即使扩大到全省，有该模型评估的同行企业也不足 %(n)d 家，不给出百分位，以免暴露个别企业的情况。") % {
            "n": self.min_group
        }

    @property
    def basis(self) -> str:
        return _(
            "同行得分取每家企业该模型最近一次提交的评估（自评估、诊断评估或核验评估，以提交时间为准），"
            "已移出档案的企业和本企业不计在内。"
        )

    def to_dict(self) -> dict:
        """Plain data for a composed (and then frozen) report."""
        total = asdict(self.total) if self.total else None
        if total is not None:
            total.update(median=self.median, q1=self.q1, q3=self.q3)
        return {
            "model_code": self.model_code,
            "min_group": self.min_group,
            "group": self.group.scope if self.group else None,
            "group_label": self.group.label if self.group else "",
            "peer_count": self.peer_count,
            "widened": self.widened,
            "widened_reason": self.widened_reason,
            "passed_over": list(self.passed_over),
            "note": self.note,
            "basis": self.basis,
            "total": total,
            "domains": [asdict(d) for d in self.domains],
        }


def scores_of(result: AssessmentResult) -> dict[str, float]:
    """The total and the top-level node scores of a stored result, as `benchmark` takes them."""
    nodes = result.snapshot.get("nodes", {})
    tops = {code: n["score"] for code, n in nodes.items() if n.get("depth") == 0 and n.get("score") is not None}
    return {TOTAL: result.score, **tops}


def benchmark(
    enterprise: Enterprise, model_code: str, scores: Mapping[str, float | None], *, min_group: int = MIN_GROUP
) -> PeerBenchmark:
    """The enterprise's percentile among its peers on the total and on each domain in `scores` (module docstring)."""
    peer_scores_follow_archive()
    groups, passed_over = ladder(enterprise), []
    names = _node_names(model_code)
    chosen = None
    for group in groups:
        if _at_least(_peers(model_code, TOTAL, group, enterprise.pk), min_group):
            chosen = group
            break
        passed_over.append(_("%(group)s不足 %(n)d 家") % {"group": group.label, "n": min_group})
    if not enterprise.size_class:
        passed_over.insert(0, _("企业规模未知，不按规模分组"))
    codes = [TOTAL, *(c for c in names if c in scores and c != TOTAL), *(c for c in scores if c not in names)]
    if chosen is None:
        standings = [Standing(c, names.get(c, c), scores.get(c)) for c in codes]
        return PeerBenchmark(model_code, min_group, None, None, tuple(passed_over), standings[0], tuple(standings[1:]))
    standings = [
        _standing(_peers(model_code, c, chosen, enterprise.pk), c, names.get(c, c), scores.get(c), min_group)
        for c in codes
    ]
    total = standings[0]
    totals = _peers(model_code, TOTAL, chosen, enterprise.pk)
    n = total.peers if total.peers is not None else totals.count()
    q1, median, q3 = _quartiles(totals, n)
    return PeerBenchmark(
        model_code, min_group, chosen, n, tuple(passed_over), total, tuple(standings[1:]), median=median, q1=q1, q3=q3
    )


def ladder(enterprise: Enterprise) -> list[PeerGroup]:
    """The peer groups to try for this enterprise, narrowest first (without size rungs when its size is unknown)."""
    county = enterprise.county_id
    province, city = county[:2], county[:4]
    regions = dict(Region.objects.filter(code__in=[province + "0000", city + "00"]).values_list("code", "name"))
    division = IndustryDivision.objects.filter(code=enterprise.industry_id).first()
    words = {
        "province": regions.get(province + "0000", province),
        "city": regions.get(city + "00", city),
        "industry": str(division) if division else enterprise.industry_id,
        "size": SizeClass(enterprise.size_class).label if enterprise.size_class else "",
    }
    industry, size = enterprise.industry_id, enterprise.size_class
    groups = []
    if size:
        groups += [
            PeerGroup(
                "industry_size_city",
                _("%(city)s同行业同规模企业（%(industry)s，%(size)s）") % words,
                {"industry": industry, "size_class": size, "city": city},
            ),
            PeerGroup(
                "industry_size_province",
                _("%(province)s同行业同规模企业（%(industry)s，%(size)s）") % words,
                {"industry": industry, "size_class": size, "province": province},
            ),
        ]
    groups += [
        PeerGroup(
            "industry_province",
            _("%(province)s同行业企业（%(industry)s）") % words,
            {"industry": industry, "province": province},
        ),
        PeerGroup("province", _("%(province)s全部制造业企业") % words, {"province": province}),
    ]
    return groups


def _peers(model_code: str, node: str, group: PeerGroup, enterprise_id: int) -> QuerySet:
    return PeerScore.objects.filter(model_code=model_code, node_code=node, **group.keys).exclude(
        enterprise_id=enterprise_id
    )


def _at_least(peers: QuerySet, n: int) -> bool:
    """Whether there are n peers, reading no more than n index entries."""
    return peers.values_list("enterprise_id")[:n].count() >= n


def _standing(peers: QuerySet, code: str, name: str, score: float | None, min_group: int) -> Standing:
    if score is None:
        return Standing(code, name, None)
    counts = peers.aggregate(
        peers=Count("enterprise"),
        below=Count("enterprise", filter=Q(score__lt=score - EPS)),
        equal=Count("enterprise", filter=Q(score__gte=score - EPS, score__lte=score + EPS)),
    )
    if counts["peers"] < min_group:
        return Standing(code, name, score)
    percentile = 100 * (counts["below"] + counts["equal"] / 2) / counts["peers"]
    return Standing(code, name, score, percentile, counts["peers"], counts["below"], counts["equal"])


def _quartiles(peers: QuerySet, n: int) -> tuple[float, float, float]:
    """Q1, median and Q3 of the peers' totals: each from the one or two order statistics around it."""
    ordered = peers.order_by("score").values_list("score", flat=True)
    out = []
    for p in (0.25, 0.5, 0.75):
        h = (n - 1) * p
        lo = math.floor(h)
        pair = list(ordered[lo : lo + 2])
        upper = pair[1] if len(pair) > 1 else pair[0]
        out.append(pair[0] + (h - lo) * (upper - pair[0]))
    return out[0], out[1], out[2]


def _node_names(model_code: str) -> dict[str, str]:
    """Top-level node code → name, in the model's order, from its current version; the total is 总分."""
    version = ModelVersion.objects.current().filter(code=model_code).first()
    names = {TOTAL: _("总分")}
    if version is not None:
        names.update({node.code: node.name for node in version.parsed().nodes})
    return names
