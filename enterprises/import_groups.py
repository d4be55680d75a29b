"""Clusters and chains named in an enterprise import: which existing grouping each name is, which names would be new
groupings (created only once the importer confirms them), the memberships to add, and their writing.

The plan calls `plan_groupings` once its actions are built (check and commit alike); the commit calls `write` once
the enterprises are saved. Actions are enterprises.imports.Action (row, enterprise, is_new, changes), read by
attribute so this module need not import the pipeline. Never a grouping outside the importer's scope: names
resolve only to groupings whose region the importer manages, and new ones are made only in a region it manages."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.policy import Scope
from regions.models import Region, code_prefix, prefix_range

from . import events, import_values
from .import_names import grouping_keys
from .import_rows import HEADERS, Row, RowError
from .models import Chain, ChainMembership, Cluster, ClusterMembership

KINDS = {"clusters": Cluster, "chains": Chain}
KIND_NAMES = {"clusters": gettext_noop("产业集群"), "chains": gettext_noop("产业链")}
BATCH = 2000

Grouping = Cluster | Chain


@dataclass
class GroupingPlan:
    """What an import does to clusters and chains. `new` are unsaved groupings, `cluster_links`/`chain_links`
    unsaved memberships (their enterprise may be unsaved too), `chain_moves` existing memberships whose position
    the file changes."""

    new: list[Grouping] = field(default_factory=list)
    cluster_links: list[ClusterMembership] = field(default_factory=list)
    chain_links: list[ChainMembership] = field(default_factory=list)
    chain_moves: list[ChainMembership] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    confirmed: bool = False
    rows_naming: dict[int, int] = field(default_factory=dict)  # id() of a new grouping → how many rows name it
    region_names: dict[str, str] = field(default_factory=dict)

    @property
    def needs_confirmation(self) -> bool:
        """New names the importer has not confirmed: the check is not ready (a question, not an error), and a
        commit must not write."""
        return bool(self.new) and not self.confirmed

    @property
    def question(self) -> dict | None:
        """plan.questions["new_groupings"]: {"clusters": [{"name", "region", "region_name", "rows"}], "chains": …},
        asked until the answer `confirm_groupings: true` is given (and kept after, for the page to show)."""
        if not self.new:
            return None
        asked: dict[str, list[dict]] = {"clusters": [], "chains": []}
        for grouping in self.new:
            asked[_kind_of(grouping)].append(
                {
                    "name": grouping.name,
                    "region": grouping.region_id,
                    "region_name": self.region_names.get(grouping.region_id, grouping.region_id),
                    "rows": self.rows_naming.get(id(grouping), 0),
                }
            )
        return asked


def _kind_of(grouping: Grouping) -> str:
    return "clusters" if isinstance(grouping, Cluster) else "chains"


def _contains(region_code: str, county: str) -> bool:
    return county.startswith(code_prefix(region_code))


# ------------------------------------------------------------------------------------------------ (a) resolve


@dataclass
class _Known:
    """The groupings of one kind an importer may link to (managed), and those above its regions it may see but not
    change (a provincial cluster seen by a city officer), by exact name and by stem (import_names.grouping_keys)."""

    exact: dict[str, list[Grouping]] = field(default_factory=lambda: defaultdict(list))
    stem: dict[str, list[Grouping]] = field(default_factory=lambda: defaultdict(list))
    above_exact: dict[str, list[Grouping]] = field(default_factory=lambda: defaultdict(list))
    above_stem: dict[str, list[Grouping]] = field(default_factory=lambda: defaultdict(list))

    def add(self, grouping: Grouping, *, managed: bool) -> None:
        exact, stem = grouping_keys(grouping.name)
        (self.exact if managed else self.above_exact)[exact].append(grouping)
        (self.stem if managed else self.above_stem)[stem].append(grouping)

    def candidates(self, name: str, *, managed: bool = True) -> list[Grouping]:
        exact, stem = grouping_keys(name)
        by_exact, by_stem = (self.exact, self.stem) if managed else (self.above_exact, self.above_stem)
        return by_exact.get(exact) or by_stem.get(stem) or []


def known_groupings(kind: str, scope: Scope) -> _Known:
    """Every grouping of `kind` in the importer's scope (its region within a managed region), and those of the
    regions above its managed ones (for a clear refusal instead of a same-named duplicate)."""
    model = KINDS[kind]
    known = _Known()
    if scope.is_admin:
        for grouping in model.objects.select_related("region"):
            known.add(grouping, managed=True)
        return known
    for path in scope.officer_paths:
        for grouping in model.objects.filter(**prefix_range("region_id", path)).select_related("region"):
            known.add(grouping, managed=True)
    above = {
        code
        for path in scope.officer_paths
        for code in (path[:2] + "0000", path[:4] + "00")
        if len(path) > len(code_prefix(code)) and not scope.manages_code(code)
    }
    for grouping in model.objects.filter(region_id__in=above).select_related("region"):
        known.add(grouping, managed=False)
    return known


class Unresolved(ValueError):
    """A name that cannot be linked to a grouping without guessing; the message says why."""


def resolve(known: _Known, kind: str, name: str, county: str) -> Grouping | None:
    """The existing grouping `name` means for an enterprise in `county`, or None when there is none (a new name).

    Among same-named groupings in scope, the narrowest whose region holds the enterprise (a county's own
    电子信息产业集群 before its city's); if none holds it, the only one there is. Several that do not hold it, or a
    grouping the importer may see but not manage, are refused: never a guess, never a same-named duplicate."""
    candidates = known.candidates(name)
    holding = [g for g in candidates if _contains(g.region_id, county)]
    if holding:
        return max(holding, key=lambda g: len(code_prefix(g.region_id)))
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        regions = _("、").join(sorted(str(g.region) for g in candidates))
        raise Unresolved(
            _("%(kind)s“%(name)s”在%(regions)s都有，都不含该企业所在区县，无法判断是哪一个")
            % {"kind": _(KIND_NAMES[kind]), "name": name, "regions": regions}
        )
    above = [g for g in known.candidates(name, managed=False) if _contains(g.region_id, county)]
    if above:
        raise Unresolved(
            _("%(kind)s“%(name)s”由%(region)s管理，不在您的管理范围内，请联系该级主管部门添加成员")
            % {"kind": _(KIND_NAMES[kind]), "name": name, "region": above[0].region}
        )
    return None


# ------------------------------------------------------------------------------------------------ (b) new names


def new_grouping_region(scope: Scope, counties: Iterable[str]) -> str | None:
    """The region a new grouping named by rows in `counties` is created in, or None when none fits.

    What an officer expects: a county officer's new 产业集群 is the county's own; a city officer's list names the
    city's clusters and chains (先进制造业集群 and 重点产业链 are designated by cities and provinces), and one
    grouping per county would split it into same-named pieces the city could not see as one. So a new name is made
    in the importer's own managed region that holds the rows' enterprises — the county for a county officer, the
    city for a city officer, the province for a province officer. Rows of one name under two of an officer's
    regions (a county officer of two counties) give one grouping in each: the caller groups rows by region first.
    The admin, who has no region, gets the narrowest region every row naming it shares (county, city, province);
    rows in two provinces fit none."""
    counties = set(counties)
    if not scope.is_admin:
        paths = {next((p for p in scope.officer_paths if c.startswith(p)), None) for c in counties}
        if len(paths) != 1 or None in paths:
            return None
        path = paths.pop()
        return path.ljust(6, "0")
    for width in (6, 4, 2):
        prefixes = {c[:width] for c in counties}
        if len(prefixes) == 1:
            return prefixes.pop().ljust(6, "0")
    return None


def _officer_path(scope: Scope, county: str) -> str:
    """Which of the importer's regions a row's county falls in: new names are grouped by it."""
    if scope.is_admin:
        return ""
    return max((p for p in scope.officer_paths if county.startswith(p)), key=len, default="")


# ------------------------------------------------------------------------------------------------ (c) memberships


def _cell_error(row: Row, key: str, value: str, reason: str, mapping: dict[str, int] | None) -> RowError:
    if mapping and key in mapping:
        cell = import_values.cell_name(mapping[key], row.number)
        reason = _("单元格 %(cell)s：%(reason)s") % {"cell": cell, "reason": reason}
    return RowError(row.number, HEADERS[key], value, reason)


def plan_groupings(
    actions: list, *, scope: Scope, mapping: dict[str, int] | None = None, confirmed: bool = False
) -> GroupingPlan:
    """Resolve every cluster and chain the actions' rows name, decide the new ones, and the memberships to add or
    move; each change is also appended to its action's `changes`, so the preview, the counts and the import's
    timeline entry name it like any other imported change. `mapping` (column key → index) lets errors name
    their cell. Reads the database; writes nothing."""
    plan = GroupingPlan(confirmed=confirmed)
    with_groupings = [a for a in actions if a.row.values.get("clusters") or a.row.values.get("chains")]
    if not with_groupings:
        return plan
    known = {kind: known_groupings(kind, scope) for kind in KINDS}
    # Each row's names → grouping (existing or new); new ones first gathered by (kind, importer's region, stem).
    resolved: dict[int, dict[str, list[tuple[str, Grouping | tuple, str | None]]]] = {}
    pending: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)  # → [(name, county)]
    for action in with_groupings:
        county = action.row.values["county"]
        found: dict[str, list] = {"clusters": [], "chains": []}
        for kind in KINDS:
            entries = action.row.values.get(kind) or {}
            items = entries.items() if isinstance(entries, dict) else ((name, None) for name in entries)
            for name, position in items:
                try:
                    grouping = resolve(known[kind], kind, name, county)
                except Unresolved as exc:
                    plan.errors.append(_cell_error(action.row, kind, name, str(exc), mapping))
                    continue
                if grouping is None:
                    slot = (kind, _officer_path(scope, county), grouping_keys(name)[1])
                    pending[slot].append((name, county))
                    grouping = slot
                found[kind].append((name, grouping, position))
        resolved[id(action)] = found
    new = _new_groupings(pending, scope, plan, with_groupings, resolved, mapping)
    _memberships(plan, with_groupings, resolved, new, mapping)
    return plan


def _new_groupings(pending, scope: Scope, plan: GroupingPlan, actions, resolved, mapping) -> dict[tuple, Grouping]:
    """One unsaved grouping per (kind, importer's region, stem), named as its longest spelling in the file."""
    new: dict[tuple, Grouping] = {}
    refused: set[tuple] = set()
    for slot, named in pending.items():
        kind = slot[0]
        region = new_grouping_region(scope, (county for _name, county in named))
        if region is None:
            refused.add(slot)
            continue
        name = max((n for n, _county in named), key=len)
        grouping = KINDS[kind](name=name, region_id=region)
        plan.rows_naming[id(grouping)] = len(named)
        new[slot] = grouping
    plan.new = list(new.values())
    codes = {g.region_id for g in plan.new}
    plan.region_names = dict(Region.objects.filter(code__in=codes).values_list("code", "full_name"))
    missing = [g for g in plan.new if g.region_id not in plan.region_names]
    for grouping in missing:  # an officer's region always exists; an admin's common city may not (直辖市)
        plan.new.remove(grouping)
        refused.update(slot for slot, g in new.items() if g is grouping)
    if refused:
        for action in actions:
            for kind, entries in resolved[id(action)].items():
                for name, grouping, _position in entries:
                    if isinstance(grouping, tuple) and grouping in refused:
                        reason = _("新的%(kind)s“%(name)s”跨越多个省或无法确定所属区域，请先在%(kind)s页面创建")
                        plan.errors.append(
                            _cell_error(
                                action.row, kind, name, reason % {"kind": _(KIND_NAMES[kind]), "name": name}, mapping
                            )
                        )
    return {slot: g for slot, g in new.items() if slot not in refused}


def _existing_links(actions, resolved) -> tuple[set[tuple[int, int]], dict[tuple[int, int], ChainMembership]]:
    """The memberships the file's existing enterprises already hold in the groupings it names."""
    ids = sorted({a.enterprise.pk for a in actions if not a.is_new})
    clusters = {g.pk for found in resolved.values() for _n, g, _p in found["clusters"] if not isinstance(g, tuple)}
    chains = {g.pk for found in resolved.values() for _n, g, _p in found["chains"] if not isinstance(g, tuple)}
    in_clusters: set[tuple[int, int]] = set()
    in_chains: dict[tuple[int, int], ChainMembership] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        if clusters:
            links = ClusterMembership.objects.filter(enterprise_id__in=chunk, cluster_id__in=clusters)
            in_clusters.update(links.values_list("enterprise_id", "cluster_id"))
        if chains:
            for link in ChainMembership.objects.filter(enterprise_id__in=chunk, chain_id__in=chains):
                in_chains[(link.enterprise_id, link.chain_id)] = link
    return in_clusters, in_chains


def _memberships(plan: GroupingPlan, actions, resolved, new: dict[tuple, Grouping], mapping) -> None:
    in_clusters, in_chains = _existing_links(actions, resolved)
    position_names = dict(ChainMembership.Position.choices)
    for action in actions:
        found = resolved[id(action)]
        enterprise = action.enterprise
        seen: dict[int, str | None] = {}
        for _name, grouping, _position in found["clusters"]:
            grouping = new.get(grouping) if isinstance(grouping, tuple) else grouping
            if grouping is None or id(grouping) in seen:
                continue
            seen[id(grouping)] = None
            if action.is_new or grouping.pk is None or (enterprise.pk, grouping.pk) not in in_clusters:
                plan.cluster_links.append(ClusterMembership(cluster=grouping, enterprise=enterprise))
                action.changes.append(
                    events.change(f"cluster.{grouping.name}", f"产业集群“{grouping.name}”", "", "加入")
                )
        for name, grouping, position in found["chains"]:
            grouping = new.get(grouping) if isinstance(grouping, tuple) else grouping
            if grouping is None:
                continue
            if id(grouping) in seen:
                if position and seen[id(grouping)] not in (None, position):
                    reason = _("产业链“%(name)s”填写了两个不同的位置") % {"name": grouping.name}
                    plan.errors.append(_cell_error(action.row, "chains", name, reason, mapping))
                continue
            seen[id(grouping)] = position
            link = None if action.is_new or grouping.pk is None else in_chains.get((enterprise.pk, grouping.pk))
            label = f"产业链“{grouping.name}”"
            if link is not None:
                if position and link.position != position:
                    action.changes.append(
                        events.change(
                            f"chain.{grouping.name}",
                            label,
                            position_names.get(link.position, ""),
                            position_names[position],
                        )
                    )
                    link.position = position
                    plan.chain_moves.append(link)
                continue
            # A list that names the chain but not the position (most do) joins it with the position left unstated
            # (""), for an officer to set on the chain's page: never a position the file did not give.
            plan.chain_links.append(ChainMembership(chain=grouping, enterprise=enterprise, position=position or ""))
            joined = position_names[position] if position else "加入（未注明位置）"
            action.changes.append(events.change(f"chain.{grouping.name}", label, "", joined))


# ------------------------------------------------------------------------------------------------ (d) write


def write(plan: GroupingPlan | None, *, source: str = "") -> None:
    """Create the confirmed new groupings, then the memberships, in bulk; call inside the commit's transaction once
    the enterprises are saved (new ones have their pk). The timeline entries are the import's own: every change here
    was appended to its action's `changes` by plan_groupings. Refuses to create unconfirmed names. None (a file
    without cluster or chain columns) writes nothing."""
    if plan is None:
        return
    if plan.needs_confirmation:
        raise ValueError("new groupings were not confirmed")
    description = _("由企业名单导入创建：%(source)s") % {"source": source} if source else ""
    for model in (Cluster, Chain):
        created = [g for g in plan.new if isinstance(g, model)]
        for grouping in created:
            grouping.description = description
        model.objects.bulk_create(created, batch_size=BATCH)
    for link in plan.cluster_links:
        link.cluster_id, link.enterprise_id = link.cluster.pk, link.enterprise.pk
    for link in plan.chain_links:
        link.chain_id, link.enterprise_id = link.chain.pk, link.enterprise.pk
    ClusterMembership.objects.bulk_create(plan.cluster_links, batch_size=BATCH)
    ChainMembership.objects.bulk_create(plan.chain_links, batch_size=BATCH)
    ChainMembership.objects.bulk_update(plan.chain_moves, ["position"], batch_size=BATCH)
