"""The clusters-and-chains figure and the top-gaps figure by hand-computed cases, and their scope in the page, the
XLSX export and the JSON table (synthetic data)."""

import io
import json
from decimal import Decimal as D

import pytest
from openpyxl import load_workbook

from assessments.models import DomainScore, ModelVersion
from assessments.specs import parsed_spec
from enterprises.models import Chain, ChainMembership, Cluster, ClusterMembership, EnterpriseLabel
from monitoring import cube, figures, gaps
from monitoring.figures import View
from monitoring.tests.conftest import at
from regions.models import Region

pytestmark = pytest.mark.django_db


def rows_by_label(figure):
    return {row[0]: row[1:] for row in figure.rows}


def group(model, name: str, region: str, members):
    grouping = model.objects.create(name=name, region_id=region)
    for enterprise in members:
        if model is Cluster:
            ClusterMembership.objects.create(cluster=grouping, enterprise=enterprise)
        else:
            ChainMembership.objects.create(chain=grouping, enterprise=enterprise, position="upstream")
    return grouping


@pytest.fixture
def groups(world, make_enterprise, give_result):
    """东湖区 (360102): ten above-scale firms; 青山湖区 (360111): two. A city cluster over all ten and one of
    青山湖's, a chain of 东湖区 over three, another city's cluster and 青山湖区's chain each reaching into 东湖区."""
    east = [make_enterprise("360102", is_above_scale=True) for _ in range(10)]
    lake = [make_enterprise("360111", is_above_scale=True) for _ in range(2)]
    give_result(east[0], 2)
    give_result(east[1], 3)
    give_result(east[2], 1).results.update(level=None)  # scored below the first level
    give_result(lake[0], 1)
    give_result(east[3], 4, kind="verified")
    EnterpriseLabel.objects.create(enterprise=east[0], label_id="tier-basic", year=2025)
    EnterpriseLabel.objects.create(enterprise=east[1], label_id="tier-advanced", year=2025)
    group(Cluster, "南昌VR产业集群", "360100", [*east, lake[0]])
    group(Chain, "东湖精密机械链", "360102", east[:3])
    group(Cluster, "九江石化集群", "360400", [east[9]])
    group(Chain, "青山湖电子链", "360111", [east[5], lake[1]])
    cube.rebuild()
    return east, lake


def test_clusters_and_chains_count_members_in_the_region_by_level_and_tier(groups):
    city = View(region=Region.objects.get(code="360100"), year=2026, min_group=10)
    figure = figures.clusters_and_chains(city)
    assert figure.headers[:4] == ["集群/产业链", "企业数", "未评估", "一级以下"] and len(figure.headers) == 15
    rows = rows_by_label(figure)
    # members, unassessed, below level 1, levels 1–5, tiers 基础 先进 卓越 领航, level 2+ %, 基础级+ %
    assert rows["集群·南昌VR产业集群"] == [11, 6, 1, 1, 1, 1, 1, 0, 1, 1, 0, 0, D("27.27"), D("18.18")]
    assert rows["链·东湖精密机械链"] == [3, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, None, None]  # under 10: no shares
    assert rows["链·青山湖电子链"] == [2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None]  # a county of the city
    assert "集群·九江石化集群" not in rows  # another city's cluster, though one member sits in 东湖区
    assert figure.covers == 16


def test_a_county_sees_its_members_of_the_clusters_above_it_and_not_another_countys(groups):
    county = View(region=Region.objects.get(code="360102"), year=2026, min_group=10)
    rows = rows_by_label(figures.clusters_and_chains(county))
    assert set(rows) == {"集群·南昌VR产业集群", "链·东湖精密机械链"}
    assert rows["集群·南昌VR产业集群"][:2] == [10, 6]  # 青山湖区's member is not 东湖区's
    assert rows["集群·南昌VR产业集群"][-2:] == [D("30.00"), D("20.00")]
    lake = View(region=Region.objects.get(code="360111"), year=2026, min_group=1)
    assert set(rows_by_label(figures.clusters_and_chains(lake))) == {"集群·南昌VR产业集群", "链·青山湖电子链"}


def test_the_group_figure_follows_the_basis_and_the_population(groups, make_enterprise):
    city = Region.objects.get(code="360100")
    verified = rows_by_label(figures.clusters_and_chains(View(region=city, year=2026, basis="verified")))
    assert verified["集群·南昌VR产业集群"][:8] == [11, 10, 0, 0, 0, 0, 1, 0]  # only the verified level 4 counts
    small = make_enterprise("360102", is_above_scale=False)
    ClusterMembership.objects.create(cluster=Cluster.objects.get(name="南昌VR产业集群"), enterprise=small)
    cube.rebuild()
    everyone = View(region=city, year=2026, above_scale_only=False)
    assert rows_by_label(figures.clusters_and_chains(everyone))["集群·南昌VR产业集群"][0] == 12


def score(enterprise, assessment, node: str, value: float, *, current: bool = True):
    result = assessment.results.get()
    depth = node.count(".") + (1 if any(ch.isdigit() for ch in node) else 0)
    DomainScore.objects.create(result=result, enterprise=enterprise, model_code="cmmm", node_code=node, depth=depth,
                               score=value, is_current=current)  # fmt: skip


@pytest.fixture
def gapped(world, make_enterprise, give_result):
    """CMMM's marks for the next level (`gaps.node_marks`; P1 has two items at each of levels 1–5, so its mark for
    level k is 0.8 × 2k / 10): P1 0.16 / 0.32 / 0.48 … from levels 0, 1, 2; P 0.169 / 0.338 / 0.507 …;
    T 0.087 / 0.283 / 0.479 … (more of its items sit at the higher levels)."""
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(5)]
    one = give_result(firms[0], 1)
    score(firms[0], one, "P", 0.30), score(firms[0], one, "P1", 0.35), score(firms[0], one, "T", 0.20)
    two = give_result(firms[1], 2)
    score(firms[1], two, "P", 0.55), score(firms[1], two, "P1", 0.40), score(firms[1], two, "T", 0.45)
    top = give_result(firms[2], 5)
    score(firms[2], top, "P", 0.1)  # at the top level: no next level, no gap
    old = give_result(firms[3], 2, when=at(2025))
    score(firms[3], old, "P", 0.1)  # superseded by the later result
    new = give_result(firms[3], 2, when=at(2026))
    score(firms[3], new, "P", 0.9)
    below = give_result(firms[4], 1)
    below.results.update(level=None)
    score(firms[4], below, "T", 0.05)
    score(firms[4], below, "P", 0.01, current=False)  # replaced by a rescoring: not read
    far = make_enterprise("360402", is_above_scale=True)
    score(far, give_result(far, 3), "P", 0.2)
    cube.rebuild()
    return firms


def test_top_gaps_count_nodes_below_the_next_levels_mark_most_first(gapped):
    city = View(region=Region.objects.get(code="360100"), min_group=4)
    figure = figures.top_gaps(city)
    # T: the firms at levels 1, 2 and 0; P: the level-1 firm (0.30 < 0.338); P1: the level-2 firm (0.40 < 0.48).
    # Four have a next level (not the one at level 5).
    assert figure.rows == [["技术", 3, D("75.00")], ["人员", 1, D("25.00")], ["组织战略（人员）", 1, D("25.00")]]
    assert figure.covers == 4
    assert "下一等级" in figure.note and "含企业自评估" in figure.note
    province = rows_by_label(figures.top_gaps(View(region=Region.objects.get(code="360000"), min_group=4)))
    assert province["人员"] == [2, D("40.00")]  # 九江's level-3 firm at 0.2 too
    assert figures.top_gaps(View(region=city.region, min_group=5)).rows[0] == ["技术", 3, None]
    assert figures.top_gaps(View(region=city.region, basis="verified")).rows == []


def test_the_next_levels_mark_comes_from_each_models_rule():
    versions = {v.code: parsed_spec(v) for v in ModelVersion.objects.filter(is_current=True)}
    assert gaps.next_level_marks(versions["cmmm"]) == {0: 0.8, 1: 0.8, 2: 0.8, 3: 0.8, 4: 0.8}
    cmmm = gaps.node_marks(versions["cmmm"])
    assert [cmmm[("P1", level)] for level in range(5)] == pytest.approx([0.16, 0.32, 0.48, 0.64, 0.8])
    assert ("P1", 5) not in cmmm  # no level above the fifth
    assert gaps.node_marks(versions["sme-2024"])[(None, 1)] == pytest.approx(0.4)
    assert gaps.next_level_marks(versions["sme-2024"]) == {0: 0.2, 1: 0.4, 2: 0.6, 3: 0.8}


def test_the_page_draws_both_figures_and_exports_them(groups, login, world):
    client = login(world["city"])
    page = client.get("/monitoring/r/360100/figures/?year=2026").content.decode()
    for key in ["groups", "gaps"]:
        assert f'data-testid="figure-{key}"' in page and f'data-testid="export-{key}"' in page
    assert "南昌VR产业集群" in page and "九江石化集群" not in page
    response = client.get("/monitoring/r/360100/figures/?year=2026&export=groups")
    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert values[0][0].startswith("江西省 南昌市 · 产业集群与产业链")
    assert ("链·东湖精密机械链", 3, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 0, None, None) in values


def test_a_county_officer_never_sees_another_countys_clusters(groups, login, world):
    client = login(world["county"])  # 东湖区
    page = client.get("/monitoring/r/360102/figures/?year=2026").content.decode()
    assert "东湖精密机械链" in page and "青山湖电子链" not in page and "九江石化集群" not in page
    exported = client.get("/monitoring/r/360102/figures/?year=2026&export=groups").content
    names = [row[0] for row in load_workbook(io.BytesIO(exported)).active.values]
    assert "链·青山湖电子链" not in names and "集群·南昌VR产业集群" in names
    table = json.loads(client.get("/monitoring/r/360102/figures/?year=2026&export=groups&format=json").content)
    assert [row[0] for row in table["rows"]] == ["集群·南昌VR产业集群", "链·东湖精密机械链"]
    for path in [
        "/monitoring/r/360111/figures/",
        "/monitoring/r/360111/figures/?export=groups",
        "/monitoring/r/360111/figures/?export=gaps&format=json",
        "/monitoring/r/360100/figures/?export=gaps",
    ]:
        assert client.get(path).status_code == 404, path  # fmt: skip
    assert login(world["other_city"]).get("/monitoring/r/360100/figures/?export=groups&format=json").status_code == 404


def test_a_county_officers_gaps_are_its_own(gapped, login, world):
    table = json.loads(login(world["county"]).get("/monitoring/r/360102/figures/?export=gaps&format=json").content)
    assert table["rows"][0][:2] == ["技术", 3]
    assert ["人员", 1] in [row[:2] for row in table["rows"]]  # not 九江's firm: 2 for the province
