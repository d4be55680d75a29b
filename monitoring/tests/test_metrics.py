"""Counting what targets measure, from the records, by hand-computed cases (synthetic enterprises)."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from catalog.models import MatchMeeting, Provider
from conftest import make_code
from enterprises.models import EnterpriseLabel
from enterprises.services import enterprise_remove
from monitoring import metrics
from monitoring.metrics import Measure, Population, count_by_region, total_under
from monitoring.tests.conftest import at

pytestmark = pytest.mark.django_db


def province_figure(measure, population=None):
    return total_under(count_by_region(measure, population or Population(), "36"), "36")


def test_the_level_counted_is_the_latest_result_the_basis_accepts(world, make_enterprise, give_result):
    a, b, c, d = (make_enterprise("360102") for _ in range(4))
    give_result(a, 3)
    give_result(b, 4, when=at(2025))  # rose to 4, then fell back to 2: counted at 2, not 4
    give_result(b, 2, when=at(2026))
    give_result(c, 2, kind="verified")
    give_result(d, 4, kind="diagnosis")
    give_result(world["other"], 1, status="draft")  # a draft has no result and counts nowhere
    at_least_3 = Measure(metric=metrics.LEVEL, year=2026, model_code="cmmm", level=3)
    assert province_figure(at_least_3) == (2, 7)  # a and d, of the 3 world enterprises and 4 new ones
    assert province_figure(Measure(metric=metrics.LEVEL, year=2026, model_code="cmmm", level=2)) == (4, 7)
    verified = Measure(metric=metrics.LEVEL, year=2026, model_code="cmmm", level=2, basis="verified")
    assert province_figure(verified) == (1, 7)  # c only
    diagnosed = Measure(metric=metrics.LEVEL, year=2026, model_code="cmmm", level=2, basis="diagnosis")
    assert province_figure(diagnosed) == (2, 7)  # c (verified) and d (diagnosis)
    # a past year reads only what was submitted before it ended: b stood at 4 at the end of 2025
    assert province_figure(Measure(metric=metrics.LEVEL, year=2025, model_code="cmmm", level=3)) == (1, 7)


def test_the_population_excludes_removed_and_filtered_enterprises(world, make_enterprise, give_result):
    above = [make_enterprise("360102", is_above_scale=True) for _ in range(3)]
    below = make_enterprise("360102", is_above_scale=False)
    for e in above[:2] + [below]:
        give_result(e, 3)
    enterprise_remove(actor=world["admin"], enterprise=above[1], reason="注销")
    measure = Measure(metric=metrics.LEVEL, year=2026, model_code="cmmm", level=3)
    counts = count_by_region(measure, Population(above_scale=True), "36")
    assert counts == {"360102": (1, 2)}  # above[0] of above[0], above[2]; the removed and the small one left out


def test_assessed_this_year_counts_that_kind_in_that_year(world, make_enterprise, give_result):
    a, b, c, d = (make_enterprise("360111") for _ in range(4))
    give_result(a, 2, when=at(2026, 1, 1))
    give_result(b, 2, when=at(2025, 12, 31))  # last year
    give_result(c, 2, kind="diagnosis")  # diagnosed, not self-assessed
    give_result(d, 2, status="draft")
    self_2026 = Measure(metric=metrics.ASSESSED, year=2026, basis="self")
    assert count_by_region(self_2026, Population(), "3601") == {"360102": (0, 1), "360111": (1, 5)}
    diagnosed = Measure(metric=metrics.ASSESSED, year=2026, basis="diagnosis")
    assert total_under(count_by_region(diagnosed, Population(), "36"), "3601") == (1, 6)


def test_tiers_count_from_recognition_labels_at_or_above(world, make_enterprise):
    basic, advanced, leading = (make_enterprise("360402") for _ in range(3))
    for e, label in [(basic, "tier-basic"), (advanced, "tier-advanced"), (leading, "tier-leading")]:
        EnterpriseLabel.objects.create(enterprise=e, label_id=label, year=2025)
    figure = {t: province_figure(Measure(metric=metrics.TIER, year=2026, tier=t))[0] for t in metrics_tiers()}
    assert figure == {"basic": 3, "advanced": 2, "excellent": 1, "leading": 1}


def metrics_tiers():
    from assessments.tiers import TIERS

    return list(TIERS)


def test_resources_count_where_they_are_registered(world, make_user):
    Provider.objects.create(
        name="已发布服务商", credit_code=make_code("360402"), region_id="360402", status="published"
    )
    Provider.objects.create(name="警示服务商", credit_code=make_code("360402"), region_id="360400", status="warned")
    Provider.objects.create(name="草稿服务商", credit_code=make_code("360402"), region_id="360402", status="draft")
    providers = count_by_region(Measure(metric=metrics.PROVIDERS, year=2026), Population(), "36")
    assert providers == {"360402": (1, 1), "360400": (1, 1)}  # world's own provider is a draft
    assert total_under(providers, "3604") == (2, 2)

    make_user("c1", Role.COMMISSIONER, region="360102")
    Membership.objects.filter(user=make_user("c2", Role.COMMISSIONER, region="360102")).update(is_active=False)
    commissioners = count_by_region(Measure(metric=metrics.COMMISSIONERS, year=2026), Population(), "36")
    assert commissioners == {"360102": (1, 1)}  # world's commissioner is assigned by name, with no region

    for held_on, status in [
        (dt.date(2026, 3, 1), "held"),
        (dt.date(2025, 3, 1), "held"),
        (dt.date(2026, 4, 1), "planned"),
    ]:
        MatchMeeting.objects.create(title="对接会", region_id="360100", held_on=held_on, status=status)
    events = count_by_region(Measure(metric=metrics.EVENTS, year=2026), Population(), "36")
    assert events == {"360100": (1, 1)}


def test_reports_count_official_reports_issued_in_the_year(world):
    from reports.models import DiagnosisReport

    def issue(enterprise, series, version):
        return DiagnosisReport.objects.create(
            enterprise=enterprise, series=series, version=version, code=f"T{enterprise.pk}{series}{version}",
            title="诊断报告", content={}, pdf="reports/x.pdf", pdf_sha256="0" * 64, pdf_size=1, issuer="测试",
        )  # fmt: skip

    issue(world["home"], "official", 1)
    issue(world["home"], "official", 2)  # two reports, one enterprise
    issue(world["neighbour"], "self", 1)  # the enterprise's own report is not the authority's
    year = timezone.localdate().year
    reported = count_by_region(Measure(metric=metrics.REPORTED, year=year), Population(), "36")
    assert {code: met for code, (met, _) in reported.items()} == {"360102": 1, "360111": 0, "360402": 0}
    assert (
        total_under(count_by_region(Measure(metric=metrics.REPORTED, year=year + 1), Population(), "36"), "36")[0] == 0
    )


def test_matched_needs_count_enterprises_in_the_year(world):
    from catalog.models import Need

    Need.objects.create(enterprise=world["home"], title="排产", text="排产需求", status="shortlisted")
    Need.objects.create(enterprise=world["other"], title="质检", text="质检需求", status="open")
    year = timezone.localdate().year
    matched = count_by_region(Measure(metric=metrics.MATCHED, year=year), Population(), "36")
    assert {code: met for code, (met, _) in matched.items()} == {"360102": 1, "360111": 0, "360402": 0}
    assert count_by_region(Measure(metric=metrics.MATCHED, year=year - 1), Population(), "36")["360102"] == (0, 1)


def test_finished_data_security_drills_count_in_their_year_where_they_were_held(world):
    """The per-city yearly drill count (issue 23) as a target metric: drills finished in the year, counted in the
    region that held them (an enterprise's county, or the organising office's region)."""
    from datasecurity.models import Drill

    def drill(region, finished, status="done"):
        Drill.objects.create(
            enterprise=world["home"] if region == "360102" else None, region_code=region, title="勒索病毒应急演练",
            scenario="ransomware", planned_on=dt.date(2026, 1, 5), status=status,
            finished_at=finished,
        )  # fmt: skip

    tz = timezone.get_current_timezone()
    drill("360102", dt.datetime(2026, 5, 1, 10, tzinfo=tz))
    drill("360102", dt.datetime(2026, 12, 31, 23, 30, tzinfo=tz))  # late on 31 December still counts in 2026
    drill("360100", dt.datetime(2026, 6, 1, 10, tzinfo=tz))  # held by the city's office
    drill("360402", dt.datetime(2026, 1, 1, 0, 30, tzinfo=tz))
    drill("360402", dt.datetime(2025, 12, 31, 23, 30, tzinfo=tz))  # last year
    drill("360402", None, status="running")  # not finished
    drills = count_by_region(Measure(metric=metrics.DRILLS, year=2026), Population(), "36")
    assert drills == {"360102": (2, 2), "360100": (1, 1), "360402": (1, 1)}
    assert total_under(drills, "3601") == (3, 3) and total_under(drills, "3604") == (1, 1)
    assert metrics.DRILLS in metrics.PERIOD_METRICS  # starts again from 0 every 1 January
