"""The development index: indicators from the tallies by hand-computed cases, a run frozen with its inputs and
outputs, publishing by role, the public page and downloads that rebuild the same scores (synthetic enterprises)."""

import io
import math

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring import cube, devindex, indexruns
from monitoring.models import IndexRun
from monitoring.tests.conftest import at
from regions.models import Region

pytestmark = pytest.mark.django_db
SPEC = devindex.definitions()["example"]


@pytest.fixture
def province(world):
    return Region.objects.get(code="360000")


@pytest.fixture
def records(world, make_enterprise, give_result):
    """东湖区: 4 above-scale enterprises, two self-assessed this year at levels 2 and 3 (one was 1 last year);
    青山湖区: 2, none assessed."""
    east = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    for _ in range(2):
        make_enterprise("360111", is_above_scale=True)
    give_result(east[0], 1, when=at(2025))
    give_result(east[0], 2, when=at(2026))
    give_result(east[1], 3, when=at(2026))
    give_result(east[2], 2, kind="diagnosis", when=at(2026))
    cube.rebuild()
    return east


def test_indicators_come_from_the_tallies(province, records):
    units, values = devindex.indicator_values(SPEC, province, 2026)
    assert "360102" in {u.code for u in units} and len(units) > 90  # every county of the province
    assert values["share_level2"]["360102"] == 75.0  # 3 of 4 at level 2+ (the diagnosis counts on basis self)
    assert values["mean_level"]["360102"] == pytest.approx(7 / 3)
    assert values["self_coverage"]["360102"] == 50.0 and values["diag_coverage"]["360102"] == 25.0
    assert values["yoy_level2"]["360102"] == 75.0  # 0 % at the end of 2025 (its only result was level 1)
    assert values["share_level2"]["360111"] == 0.0 and math.isnan(values["mean_level"]["360111"])
    assert math.isnan(values["share_level2"]["360402"])  # no enterprises at all


def test_a_run_is_frozen_ranked_with_intervals_and_versioned(world, province, records):
    run = indexruns.run_start(actor=world["province"], code="example", region=province, year=2026)
    run = indexruns.compute(run)
    assert run.status == "done", run.error
    units = {u["code"]: u for u in run.outputs["units"]}
    assert units["360102"]["rank"] == 1 and units["360102"]["score"] > units["360111"]["score"]
    for unit in units.values():
        if unit["rank_low"] is not None:
            assert 1 <= unit["rank_low"] <= unit["rank_high"] <= len(units)
    again = indexruns.run_start(actor=world["province"], code="example", region=province, year=2026)
    assert (run.version, again.version) == (1, 2)  # a new version, the first one untouched
    with pytest.raises(ValidationError):
        indexruns.run_start(actor=world["province"], code="nope", region=province, year=2026)
    with pytest.raises(PermissionDenied):
        indexruns.run_start(actor=world["city"], code="example", region=province, year=2026)


def test_publishing_by_role_and_the_public_page(world, province, records, client, login):
    run = indexruns.compute(indexruns.run_start(actor=world["province"], code="example", region=province, year=2026))
    assert client.get(f"/index/{run.pk}/").status_code == 404  # not published yet
    assert login(world["city"]).post(f"/monitoring/index/runs/{run.pk}/publish/").status_code == 403
    run.refresh_from_db()
    assert run.published_at is None  # a city officer follows the province's index, does not publish it
    login(world["province"]).post(f"/monitoring/index/runs/{run.pk}/publish/")
    run.refresh_from_db()
    assert run.published_by == world["province"]
    client.logout()
    page = client.get(f"/index/{run.pk}/").content.decode()
    assert "东湖区" in page and "示例定义（provisional）" in page and 'data-testid="index-downloads"' in page
    assert client.get(f"/index/{run.pk}/secret.txt").status_code == 404


def test_the_downloads_rebuild_the_published_scores(world, province, records, client):
    from compositeindex import build
    from compositeindex.inputs import load, read_table

    run = indexruns.compute(indexruns.run_start(actor=world["province"], code="example", region=province, year=2026))
    indexruns.run_publish(actor=world["province"], run=run)
    files = {name: client.get(f"/index/{run.pk}/{name}").content for name in ("iData.csv", "iMeta.csv", "config.yaml")}
    idata, imeta = load(read_table(files["iData.csv"], name="iData"), read_table(files["iMeta.csv"], name="iMeta"))
    coin = build(idata, imeta, yaml.safe_load(io.BytesIO(files["config.yaml"])))
    rebuilt = dict(zip(coin.scores.units, coin.scores.col("INDEX"), strict=True))
    for unit in run.outputs["units"]:
        if unit["score"] is not None:
            assert rebuilt[unit["code"]] == pytest.approx(unit["score"], abs=1e-4)
    assert b"tidu index build" in client.get(f"/index/{run.pk}/methodology.md").content


def test_the_change_on_the_previous_published_year(world, province, records):
    last_year = indexruns.compute(indexruns.run_start(actor=world["province"], code="example", region=province,
                                                      year=2025))  # fmt: skip
    indexruns.run_publish(actor=world["province"], run=last_year)
    this_year = indexruns.compute(indexruns.run_start(actor=world["province"], code="example", region=province,
                                                      year=2026))  # fmt: skip
    rows = {r["code"]: r for r in indexruns.with_change(this_year)}
    before = {u["code"]: u for u in last_year.outputs["units"]}
    expected = round(rows["360102"]["score"] - before["360102"]["score"], 2)
    assert rows["360102"]["change"] == expected and expected > 0
    assert IndexRun.objects.count() == 2


@pytest.fixture
def sized(world, make_enterprise, give_result):
    """Industry 34 in 东湖区: a large firm at level 2 (人员 0.6) and a micro one at level 1 (人员 0.9); industry 39 in
    青山湖区: a small one, unassessed; a large firm at level 5 that is not above scale does not count."""
    from assessments.models import DomainScore

    def firm(county, industry, size, level=None, people=None):
        enterprise = make_enterprise(county, industry=industry, size_class=size, is_above_scale=True)
        if level is not None:
            assessment = give_result(enterprise, level, when=at(2026))
            if people is not None:
                DomainScore.objects.create(result=assessment.results.get(), enterprise=enterprise, model_code="cmmm",
                                           node_code="P", depth=0, score=people)  # fmt: skip
        return enterprise

    large = firm("360102", "34", "large", 2, 0.6)
    micro = firm("360102", "34", "micro", 1, 0.9)
    small = firm("360111", "39", "small")
    outside = make_enterprise("360102", industry="34", size_class="large", is_above_scale=False)
    give_result(outside, 5, when=at(2026))
    return {"large": large, "micro": micro, "small": small}


def spec_for(unit: str, **extra) -> dict:
    return {**SPEC, "unit": unit, **extra, "indicators": [
        *SPEC["indicators"], {"code": "DP", "name": "人员", "source": "domain_mean", "node": "P", "parent": "MAT"},
    ]}  # fmt: skip


def test_industries_as_units_with_mean_domain_scores(province, sized):
    cube.rebuild()
    units, values = devindex.indicator_values(spec_for("industry"), province, 2026)
    assert [(u.code, u.name) for u in units] == [("34", "通用设备制造业"), ("39", "计算机、通信和其他电子设备制造业")]
    assert values["share_level2"]["34"] == 50.0 and values["mean_level"]["34"] == 1.5
    assert values["domain_mean:P"]["34"] == pytest.approx(75.0)  # (0.6 + 0.9) / 2 × 100
    assert values["share_level2"]["39"] == 0.0 and math.isnan(values["domain_mean:P"]["39"])


def test_weighting_by_size_counts_each_enterprise_with_its_class_weight(province, sized):
    cube.rebuild()
    weighted = spec_for("industry", weight_by="size", size_weights={"large": 3, "micro": 1})
    _units, values = devindex.indicator_values(weighted, province, 2026)
    assert values["share_level2"]["34"] == pytest.approx(75.0)  # 3 of 3 + 1
    assert values["mean_level"]["34"] == pytest.approx(1.75)  # (2 × 3 + 1 × 1) / 4
    assert values["domain_mean:P"]["34"] == pytest.approx(67.5)  # (0.6 × 3 + 0.9 × 1) / 4 × 100
    assert values["self_coverage"]["34"] == pytest.approx(100.0)
    assert values["share_level2"]["39"] == 0.0  # small is not listed: weight 1
    by_county = devindex.indicator_values({**weighted, "unit": "county"}, province, 2026)[1]
    assert by_county["share_level2"]["360102"] == pytest.approx(75.0)


def test_clusters_and_chains_as_units_count_their_members_in_the_province(province, sized):
    from enterprises.models import Chain, ChainMembership, Cluster, ClusterMembership

    vr = Cluster.objects.create(name="南昌VR产业集群", region_id="360100")
    petro = Cluster.objects.create(name="九江石化集群", region_id="360400")
    elsewhere = Cluster.objects.create(name="北京集群", region_id="110000")
    for cluster, firm in [(vr, "large"), (vr, "small"), (petro, "micro"), (elsewhere, "large")]:
        ClusterMembership.objects.create(cluster=cluster, enterprise=sized[firm])
    chain = Chain.objects.create(name="东湖精密机械链", region_id="360102")
    ChainMembership.objects.create(chain=chain, enterprise=sized["micro"], position="leader")
    cube.rebuild()
    spec = spec_for("cluster", weight_by="size", size_weights={"large": 3})
    units, values = devindex.indicator_values(spec, province, 2026)
    assert [u.name for u in units] == ["南昌VR产业集群", "九江石化集群"]  # by region, then name; not Beijing's
    assert values["share_level2"][f"C{vr.pk}"] == pytest.approx(75.0)  # large (3) at level 2 of 3 + 1
    assert values["domain_mean:P"][f"C{vr.pk}"] == pytest.approx(60.0)
    assert values["share_level2"][f"C{petro.pk}"] == 0.0 and values["domain_mean:P"][f"C{petro.pk}"] == 90.0
    chains = devindex.indicator_values(spec_for("chain"), province, 2026)[1]
    assert chains["mean_level"][f"K{chain.pk}"] == 1.0


def test_the_industry_example_definition_runs(world, province, sized):
    cube.rebuild()
    spec = devindex.definitions()["example-industry"]
    assert spec["provisional"] and spec["unit"] == "industry" and spec["weight_by"] == "size"
    notes = "".join(str(note) for note in devindex.method_notes(spec))
    assert "大型 × 4、中型 × 2、小型 × 1、微型 × 1" in notes and "评价单元：行业" in notes
    run = indexruns.compute(indexruns.run_start(actor=world["province"], code="example-industry", region=province,
                                                year=2026))  # fmt: skip
    assert run.status == "done", run.error
    assert [u["code"] for u in run.outputs["units"]] == ["34", "39"]  # industry 34 leads on every indicator
    assert {row["uCode"]: row["DP"] for row in run.idata} == {"34": 66.0, "39": None}  # (0.6 × 4 + 0.9) / 5
