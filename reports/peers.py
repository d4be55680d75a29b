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

Every count is a range scan of one PeerScore index, kept short (see _GroupCounts); benchmarks/bench_peers.py has
the figures at 300,000 enterprises. `benchmark` first lets the table follow recent archive changes (one indexed
read when there are none), so it may write."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from django.db.models import QuerySet
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
    total: Standing
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
        total = {**asdict(self.total), "median": self.median, "q1": self.q1, "q3": self.q3}
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
    names, everywhere = _model_nodes(model_code)
    codes = [TOTAL, *(c for c in names if c in scores and c != TOTAL), *(c for c in scores if c not in names)]
    stored = list(PeerScore.objects.filter(enterprise=enterprise, model_code=model_code))
    chosen, passed_over = None, [_("企业规模未知，不按规模分组")] if not enterprise.size_class else []
    for group in ladder(enterprise):
        counts = _GroupCounts(model_code, group, stored, everywhere)
        if counts.at_least(min_group):
            chosen = counts
            break
        passed_over.append(_("%(group)s不足 %(n)d 家") % {"group": group.label, "n": min_group})
    if chosen is None:
        standings = [Standing(c, names.get(c, c), scores.get(c)) for c in codes]
        return PeerBenchmark(model_code, min_group, None, None, tuple(passed_over), standings[0], tuple(standings[1:]))
    n = chosen.peers(TOTAL)
    q1, median, q3 = chosen.quartiles(n)
    total_score = scores.get(TOTAL)
    total = chosen.standing(TOTAL, names[TOTAL], total_score, min_group, from_top=(total_score or 0) > median)
    # Domain scores follow the total closely enough to say from which end their ranks are nearer.
    upper = total.percentile is not None and total.percentile > 50
    domains = [chosen.standing(c, names.get(c, c), scores.get(c), min_group, from_top=upper) for c in codes[1:]]
    return PeerBenchmark(
        model_code, min_group, chosen.group, n, tuple(passed_over), total, tuple(domains), median=median, q1=q1, q3=q3
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


class _GroupCounts:
    """Counts over one group's index ranges, each scan kept as short as it can be (a province-wide group has
    every assessed enterprise of the province, and a count walks every index entry it counts):

    - the scans take in the enterprise's own rows, which are then taken back out here: leaving them out in SQL
      would add a test on every entry;
    - a domain's scored peers are the group's totals less its NULL rows when every version of the model has that
      domain (each enterprise then has one row for it), instead of a count of the whole range;
    - a rank or an order statistic in the upper half is counted from the top end of the range."""

    def __init__(self, model_code: str, group: PeerGroup, stored: list[PeerScore], everywhere: set[str]) -> None:
        self.model_code, self.group, self.everywhere = model_code, group, everywhere
        inside = [r for r in stored if all(getattr(r, key) == value for key, value in group.keys.items())]
        self.own = {r.node_code: r.score for r in inside}  # the enterprise's own rows that these scans meet
        self._scored: dict[str, int] = {}
        self._below: dict[tuple[str, float], int] = {}

    def rows(self, node: str) -> QuerySet:
        return PeerScore.objects.filter(model_code=self.model_code, node_code=node, **self.group.keys)

    def at_least(self, n: int) -> bool:
        """Whether there are n peers, reading no more than n + 1 index entries."""
        return self.rows(TOTAL).values_list("score")[: n + 1].count() - (TOTAL in self.own) >= n

    def scored(self, node: str) -> int:
        """Rows in the group with a score on this node, the enterprise's own included."""
        if node not in self._scored:
            if node == TOTAL:
                count = self.rows(TOTAL).count()
            elif node in self.everywhere:
                count = self.scored(TOTAL) - self.rows(node).filter(score__isnull=True).count()
            else:
                count = self.rows(node).filter(score__isnull=False).count()
            self._scored[node] = count
        return self._scored[node]

    def peers(self, node: str) -> int:
        return self.scored(node) - (self.own.get(node) is not None)

    def below(self, node: str, x: float, *, from_top: bool) -> int:
        """Rows scoring less than x - EPS, the enterprise's own included, counted from the end `from_top` says."""
        key = (node, x)
        if key not in self._below:
            if from_top:
                self._below[key] = self.scored(node) - self.rows(node).filter(score__gte=x - EPS).count()
            else:
                self._below[key] = self.rows(node).filter(score__lt=x - EPS).count()
        return self._below[key]

    def standing(self, code: str, name: str, score: float | None, min_group: int, *, from_top: bool) -> Standing:
        if score is None:
            return Standing(code, name, None)
        peers = self.peers(code)
        if peers < min_group:
            return Standing(code, name, score)
        below = self.below(code, score, from_top=from_top)
        equal = self.rows(code).filter(score__gte=score - EPS, score__lte=score + EPS).count()
        own = self.own.get(code)
        if own is not None and own < score - EPS:
            below -= 1
        elif own is not None and own <= score + EPS:
            equal -= 1
        percentile = 100 * (below + equal / 2) / peers
        return Standing(code, name, score, percentile, peers, below, equal)

    def quartiles(self, n: int) -> tuple[float, float, float]:
        """Q1, median and Q3 of the peers' totals, each interpolated between two order statistics.

        Ordered by score, the scan meets the enterprise's own total at position `skip`: the peers' i-th total is
        the scan's i-th before it and the scan's (i + 1)-th from there on. (`skip` is the count `standing` needs
        for the same score, so usually no scan of its own; a peer within EPS below counts as equal here too.)"""
        size = self.scored(TOTAL)
        wanted = []
        for p in (0.25, 0.5, 0.75):
            h = (n - 1) * p
            wanted.append((h, math.floor(h), self._totals_at(math.floor(h), size)))
        own = self.own.get(TOTAL)
        skip = math.inf if own is None else self.below(TOTAL, own, from_top=own > wanted[1][2][0])
        out = []
        for h, lo, scan in wanted:
            at = [scan[min(len(scan) - 1, i - lo + (i >= skip))] for i in (lo, lo + 1)]
            out.append(at[0] + (h - lo) * (at[1] - at[0]))
        return out[0], out[1], out[2]

    def _totals_at(self, i: int, size: int) -> list[float]:
        """The scan's totals at positions i, i + 1 and i + 2 (those there are), read from the nearer end."""
        if i <= size / 2:
            return list(self.rows(TOTAL).order_by("score").values_list("score", flat=True)[i : i + 3])
        descending = self.rows(TOTAL).order_by("-score").values_list("score", flat=True)
        return list(descending[max(0, size - 3 - i) : size - i])[::-1]


_top_nodes: dict[tuple[int, str], tuple[tuple[str, str], ...]] = {}  # (version pk, digest) → (code, name) pairs


def _model_nodes(model_code: str) -> tuple[dict[str, str], set[str]]:
    """Top-level node code → name in the model's order, from its current version (the total is 总分), and the
    top-level nodes that every stored version of the model has."""
    names, everywhere = {TOTAL: _("总分")}, None
    for version in ModelVersion.objects.filter(code=model_code).defer("spec"):  # specs are parsed once per process
        key = (version.pk, version.digest)
        if key not in _top_nodes:
            _top_nodes[key] = tuple((node.code, node.name) for node in version.parsed().nodes)
        if version.is_current:
            names.update(_top_nodes[key])
        codes = {code for code, _name in _top_nodes[key]}
        everywhere = codes if everywhere is None else everywhere & codes
    return names, everywhere or set()
