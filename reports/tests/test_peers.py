"""The peer benchmark: mid-rank percentiles among the peers of the narrowest group with at least ten of them.

Everything here is synthetic: invented enterprises answering a two-question toy model, so that every score, and
so every percentile, can be worked out by hand. In the toy model each domain is one question worth 0–10 points:
domain A scores a/10, domain B scores b/10, and the total is 100 × (a/10 + b/10) / 2 = 5 × (a + b)."""

import statistics

import pytest

import maturity
from assessments import services
from assessments.models import AssessmentResult, PeerScore
from enterprises.services import enterprise_remove
from reports.peers import TOTAL, benchmark, scores_of

pytestmark = pytest.mark.django_db

POINTS = ", ".join(f'{{code: "{n}", points: {n}}}' for n in range(11))
TOY = f"""
code: peer-toy
name: 同行对标测试模型
version: "1"
status: provisional
note: 合成测试模型
levels:
  - {{number: 1, name: 一级}}
nodes:
  - code: A
    name: 甲域
    items:
      - {{code: a, name: 甲, kind: single_choice, options: [{POINTS}]}}
  - code: B
    name: 乙域
    items:
      - {{code: b, name: 乙, kind: single_choice, not_applicable_allowed: true, options: [{POINTS}]}}
rule:
  type: score_bands
  scale_max: 100
  bands:
    - {{min: 50, level: 1}}
"""
# Version 2 of the toy model adds a third domain, C.
TOY_V2 = TOY.replace('version: "1"', 'version: "2"').replace(
    "rule:",
    f"""  - code: C
    name: 丙域
    items:
      - {{code: c, name: 丙, kind: single_choice, options: [{POINTS}]}}
rule:""",
)
NANCHANG, JINGDEZHEN = "360102", "360203"  # 南昌市东湖区, 景德镇市珠山区


@pytest.fixture
def toy(db):
    return services.publish_version(maturity.load_yaml(TOY))


@pytest.fixture
def firm(make_enterprise, toy):
    """An enterprise that has answered the toy model (a, b); b may be maturity.NA."""

    def build(a, b, county=NANCHANG, industry="34", size_class="small"):
        enterprise = make_enterprise(county=county, industry=industry, size_class=size_class)
        answer(enterprise, toy, a, b)
        return enterprise

    return build


def answer(enterprise, version, a, b, c=None):
    assessment = services.start(actor=None, enterprise=enterprise, version=version, kind="self")
    updates = {"a": str(a), "b": b if b == maturity.NA else str(b)}
    if c is not None:
        updates["c"] = str(c)
    services.save_answers(actor=None, assessment=assessment, updates=updates)
    return services.submit(actor=None, assessment=assessment)


def standing_of(result, code):
    return result.total if code == TOTAL else next(d for d in result.domains if d.code == code)


def test_percentiles_quartiles_and_ties_worked_out_by_hand(firm):
    # Twelve peers (a, b) in the subject's own group: same city, division and size.
    answers = [(1, 1), (2, 2), (2, 2), (3, 3), (4, 4), (5, 5), (5, 5), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9)]
    for a, b in answers:
        firm(a, b)
    me = firm(5, 2)  # total 35, A 0.5, B 0.2
    result = benchmark(me, "peer-toy", {TOTAL: 35.0, "A": 0.5, "B": 0.2})
    assert result.group.scope == "industry_size_city" and not result.widened and result.peer_count == 12
    assert result.group.label == "南昌市同行业同规模企业（C34 通用设备制造业，小型）"
    # Totals 10 20 20 30 40 50 50 50 60 70 80 90: 4 below 35, none equal → 100 × 4 / 12.
    assert (result.total.below, result.total.equal, result.total.peers) == (4, 0, 12)
    assert result.total.percentile == pytest.approx(100 * 4 / 12)
    # A: 0.1 0.2 0.2 0.3 0.4 0.5 0.5 0.5 …: 5 below 0.5, 3 equal (a tie counts half) → 100 × (5 + 1.5) / 12.
    a = standing_of(result, "A")
    assert (a.name, a.below, a.equal) == ("甲域", 5, 3) and a.percentile == pytest.approx(100 * 6.5 / 12)
    # B: 0.1 below 0.2, and two peers tie at 0.2 → 100 × (1 + 1) / 12.
    b = standing_of(result, "B")
    assert (b.below, b.equal) == (1, 2) and b.percentile == pytest.approx(100 * 2 / 12)
    # Quartiles of the peers' totals, interpolated: Q1 = 20 + 0.75 × 10, median 50, Q3 = 60 + 0.25 × 10.
    assert (result.q1, result.median, result.q3) == pytest.approx((27.5, 50.0, 62.5))
    totals = [5 * (a + b) for a, b in answers]
    assert [result.q1, result.median, result.q3] == pytest.approx(statistics.quantiles(totals, n=4, method="inclusive"))


def test_an_upper_half_standing_is_counted_from_the_top_with_the_same_result(firm):
    answers = [(1, 1), (2, 2), (2, 2), (3, 3), (4, 4), (5, 5), (5, 5), (5, 5), (6, 6), (7, 7), (8, 8), (9, 9)]
    for a, b in answers:
        firm(a, b)
    me = firm(8, 7)  # total 75, A 0.8, B 0.7: above the peers' median, so ranks are counted from the top
    result = benchmark(me, "peer-toy", {TOTAL: 75.0, "A": 0.8, "B": 0.7})
    # Totals: ten of 10 … 70 below 75, none equal.
    assert (result.total.below, result.total.equal) == (10, 0)
    assert result.total.percentile == pytest.approx(100 * 10 / 12)
    # A: ten below 0.8, one peer equal; B: nine below 0.7, one equal.
    assert (standing_of(result, "A").below, standing_of(result, "A").equal) == (10, 1)
    assert (standing_of(result, "B").below, standing_of(result, "B").equal) == (9, 1)
    totals = [5 * (a + b) for a, b in answers]
    assert [result.q1, result.median, result.q3] == pytest.approx(statistics.quantiles(totals, n=4, method="inclusive"))


def test_quartiles_leave_out_the_enterprise_wherever_it_sits(firm, make_enterprise, toy):
    for n in range(11):
        firm(n, 0)  # peers' totals 0, 5, … 50
    expected = statistics.quantiles([5 * n for n in range(11)], n=4, method="inclusive")  # 12.5, 25, 37.5
    me = make_enterprise(size_class="small")
    for a in (0, 3, 5, 8, 10):  # its own stored total at the bottom, in each quarter, at the top
        answer(me, toy, a, 0)
        result = benchmark(me, "peer-toy", {TOTAL: 5.0 * a})
        assert result.peer_count == 11
        assert [result.q1, result.median, result.q3] == pytest.approx(expected), a


def test_a_domain_that_only_a_later_version_has_is_counted_among_the_peers_that_have_it(firm, make_enterprise):
    for n in range(10):
        firm(n, n)  # version 1: domains A and B
    v2 = services.publish_version(maturity.load_yaml(TOY_V2))
    for n in range(10):
        answer(make_enterprise(size_class="small"), v2, n, n, c=n)
    me = make_enterprise(size_class="small")
    answer(me, v2, 5, 5, c=5)
    result = benchmark(me, "peer-toy", {TOTAL: 50.0, "A": 0.5, "C": 0.5})
    # Version 2's total is 100 × (a + b + c) / 30, so both versions' peers total 0, 10, … 90.
    assert result.peer_count == 20 and (result.total.below, result.total.equal) == (10, 2)
    a, c = standing_of(result, "A"), standing_of(result, "C")
    assert (a.peers, a.below, a.equal) == (20, 10, 2)
    assert (c.name, c.peers, c.below, c.equal) == ("丙域", 10, 5, 1)
    assert c.percentile == pytest.approx(100 * 5.5 / 10)


def test_the_enterprise_itself_is_never_its_own_peer(firm):
    for n in range(10):
        firm(n, n)
    me = firm(10, 10)  # its stored row sits at the top of its own group
    result = benchmark(me, "peer-toy", {TOTAL: 100.0})
    assert result.peer_count == 10 and result.total.below == 10 and result.total.percentile == 100.0
    peers = [10 * n for n in range(10)]
    assert [result.q1, result.median, result.q3] == pytest.approx(statistics.quantiles(peers, n=4, method="inclusive"))
    # Scored 40 (say, a report on an older assessment) it is still compared with the ten others only: 0 … 30
    # below, one 40 equal; its own stored 100 is not among them.
    again = benchmark(me, "peer-toy", {TOTAL: 40.0})
    assert again.total.peers == 10 and again.total.percentile == pytest.approx(100 * (4 + 0.5) / 10)


def test_nine_peers_give_no_percentile_for_that_group_and_the_benchmark_widens(firm):
    for n in range(9):
        firm(n, n)
    firm(9, 9, county=JINGDEZHEN)  # the tenth peer: same division and size, another city of the province
    me = firm(5, 5)
    result = benchmark(me, "peer-toy", {TOTAL: 50.0})
    assert result.group.scope == "industry_size_province" and result.peer_count == 10
    assert result.widened and result.passed_over == ("南昌市同行业同规模企业（C34 通用设备制造业，小型）不足 10 家",)
    assert result.widened_reason == (
        "南昌市同行业同规模企业（C34 通用设备制造业，小型）不足 10 家，"
        "改为与江西省同行业同规模企业（C34 通用设备制造业，小型）对比。"
    )
    assert "9" not in result.widened_reason  # the narrower group's size is never told
    assert result.total.percentile == pytest.approx(100 * (5 + 0.5) / 10)


def test_ten_peers_in_the_narrowest_group_are_enough(firm):
    for n in range(10):
        firm(n, n)
    result = benchmark(firm(5, 5), "peer-toy", {TOTAL: 50.0})
    assert result.group.scope == "industry_size_city" and result.peer_count == 10 and not result.widened
    assert result.total.percentile == pytest.approx(100 * (5 + 0.5) / 10)


def test_the_ladder_goes_on_to_the_division_and_then_the_whole_province(firm):
    for n in range(6):
        firm(n, n, size_class="micro")  # same city and division, another size: totals 0 … 50
    for n in range(6, 10):
        firm(n, n, county=JINGDEZHEN)  # same division and size, another city: totals 60 … 90
    for n in range(6):
        firm(n, n, industry="39", county=JINGDEZHEN)  # another division: totals 0 … 50
    me = firm(5, 5)
    by_division = benchmark(me, "peer-toy", {TOTAL: 50.0})
    assert by_division.group.scope == "industry_province" and by_division.peer_count == 10
    assert by_division.group.label == "江西省同行业企业（C34 通用设备制造业）"
    assert len(by_division.passed_over) == 2
    # 0 10 20 30 40 below 50, one 50 equal.
    assert by_division.total.percentile == pytest.approx(100 * (5 + 0.5) / 10)
    province = benchmark(me, "peer-toy", {TOTAL: 50.0}, min_group=12)
    assert province.group.scope == "province" and province.group.label == "江西省全部制造业企业"
    assert province.peer_count == 16 and len(province.passed_over) == 3
    assert province.passed_over[2] == "江西省同行业企业（C34 通用设备制造业）不足 12 家"
    # 0 … 40 twice below 50 (10), 50 twice equal (2), 60 … 90 above.
    assert province.total.percentile == pytest.approx(100 * (10 + 1) / 16)


def test_when_no_group_qualifies_there_is_no_percentile_at_all(firm):
    for n in range(9):
        firm(n, n, county=JINGDEZHEN, industry="39", size_class="micro")
    result = benchmark(firm(5, 5), "peer-toy", {TOTAL: 50.0, "A": 0.5})
    assert result.group is None and result.peer_count is None and not result.widened
    assert result.total.percentile is None and result.total.peers is None and result.median is None
    assert [d.percentile for d in result.domains] == [None]
    assert result.note.startswith("即使扩大到全省") and "不足 10 家" in result.note
    data = result.to_dict()
    assert data["total"]["percentile"] is None and data["group"] is None and data["peer_count"] is None


def test_a_domain_needs_ten_scored_peers_of_its_own(firm):
    for n in range(10):
        firm(n, n if n < 5 else maturity.NA)  # half of the peers have B not applicable
    result = benchmark(firm(5, 5), "peer-toy", {TOTAL: 50.0, "A": 0.5, "B": 0.5})
    assert result.total.percentile is not None and standing_of(result, "A").peers == 10
    b = standing_of(result, "B")
    assert (b.percentile, b.peers, b.below, b.equal) == (None, None, None, None)


def test_only_the_latest_assessment_of_a_peer_counts(firm, toy):
    peers = [firm(n, n) for n in range(10)]
    me = firm(5, 5)
    assert benchmark(me, "peer-toy", {TOTAL: 50.0}).total.below == 5
    answer(peers[9], toy, 0, 0)  # the best peer reassesses and now scores 0
    result = benchmark(me, "peer-toy", {TOTAL: 50.0})
    assert result.peer_count == 10 and result.total.below == 6


def test_removed_enterprises_are_not_peers(firm):
    peers = [firm(n, n) for n in range(11)]
    me = firm(5, 5)
    assert benchmark(me, "peer-toy", {TOTAL: 50.0}).peer_count == 11
    enterprise_remove(actor=None, enterprise=peers[0], reason="注销（测试）")
    result = benchmark(me, "peer-toy", {TOTAL: 50.0})
    assert result.peer_count == 10 and result.total.below == 4  # the removed peer scored 0
    enterprise_remove(actor=None, enterprise=peers[1], reason="注销（测试）")
    assert benchmark(me, "peer-toy", {TOTAL: 50.0}).group is None


def test_an_enterprise_of_unknown_size_is_compared_by_division(firm):
    for n in range(10):
        firm(n, n, size_class="")
    result = benchmark(firm(5, 5, size_class=""), "peer-toy", {TOTAL: 50.0})
    assert result.group.scope == "industry_province" and result.widened
    assert result.passed_over[0] == "企业规模未知，不按规模分组"


def test_scores_of_a_result_are_its_total_and_top_level_domains(firm, toy, make_enterprise):
    stored = answer(make_enterprise(size_class="small"), toy, 3, 8)
    result = AssessmentResult.objects.get(pk=stored.pk)
    assert scores_of(result) == pytest.approx({TOTAL: 55.0, "A": 0.3, "B": 0.8})
    stored_rows = dict(PeerScore.objects.filter(assessment=result.assessment).values_list("node_code", "score"))
    assert scores_of(result) == stored_rows  # the very floats the peers are stored with, so ties are exact


def test_to_dict_is_plain_data_for_a_frozen_report(firm):
    for n in range(10):
        firm(n, n)
    data = benchmark(firm(5, 5), "peer-toy", {TOTAL: 50.0, "A": 0.5}).to_dict()
    assert data["group"] == "industry_size_city" and data["peer_count"] == 10 and data["widened"] is False
    assert data["total"]["percentile"] == pytest.approx(55.0) and data["total"]["median"] == pytest.approx(45.0)
    assert [d["code"] for d in data["domains"]] == ["A"] and data["domains"][0]["name"] == "甲域"
    assert "最近一次提交的评估" in data["basis"]
