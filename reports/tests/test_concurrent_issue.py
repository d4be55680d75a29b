"""Issuing reports concurrently: real threads, each with its own database connection, through the page and the API.

Every call either succeeds with the next number of its series or gets a 409 with a Chinese message; never a 500, and
never two reports with one number. Transactional (conftest), because the threads must see each other's commits."""

import threading

from django.db import connection
from django.test import Client
from django.urls import reverse

import maturity
from assessments import services as assessment_services
from assessments.tests.test_api import Api
from reports.models import DiagnosisReport
from reports.tests.test_peers import TOY, answer

CALLS = 30


def _run_together(calls):
    """Start every call at once (a barrier), each in its own thread with its own connection; their responses."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # a crash in the test client is a server error seen from outside
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    return results


def test_thirty_concurrent_issues_get_consecutive_numbers_per_series_or_a_409_never_a_500(transactional_world, world):
    home = world["home"]
    # A two-question model keeps each report to a few pages: the race is what is tested here, not the render.
    answer(home, assessment_services.publish_version(maturity.load_yaml(TOY)), 6, 7)
    # Each caller is its own browser or API client, logged in before the race starts.
    pages = []
    for user in ["county", "county", "enterprise"]:
        client = Client(raise_request_exception=False)
        client.force_login(world[user], backend="django.contrib.auth.backends.ModelBackend")
        pages.append(client)
    officer_page, officer_page_2, enterprise_page = pages
    officer_api = Api(Client(raise_request_exception=False), world["county"])
    issue_url = reverse("reports:issue", args=[home.pk])

    def by_page(client):
        return lambda: client.post(issue_url, {"target_level": "", "target_tier": ""})

    def by_api():
        return officer_api.post("/reports", {"enterprise_id": home.pk})

    # The authority's series through two pages and the API at once, the enterprise's own through its page, interleaved.
    callers = [
        ("official", by_page(officer_page)),
        ("official", by_api),
        ("self", by_page(enterprise_page)),
        ("official", by_page(officer_page_2)),
    ]
    chosen = [callers[i % len(callers)] for i in range(CALLS)]
    responses = _run_together([call for _series, call in chosen])

    crashes = [r for r in responses if isinstance(r, Exception)]
    assert not crashes, crashes
    statuses = [r.status_code for r in responses]
    assert all(s in (201, 302, 409) for s in statuses), statuses  # 302: the page redirects to the issued report
    for r in responses:
        if r.status_code == 409:
            assert "请稍后再试" in r.content.decode()
    stored = list(DiagnosisReport.objects.filter(enterprise=home).values_list("series", "version"))
    assert len(stored) == sum(s != 409 for s in statuses)
    for series in ["official", "self"]:
        versions = sorted(v for s, v in stored if s == series)
        assert versions == list(range(1, len(versions) + 1)), (series, versions)  # distinct and consecutive
    # At this load every call gets through: the sequence queues them rather than refusing them.
    assert statuses.count(409) == 0, statuses
    expected = {"official": sum(s == "official" for s, _c in chosen), "self": sum(s == "self" for s, _c in chosen)}
    assert {series: sum(s == series for s, _v in stored) for series in expected} == expected
    # Each stored report's PDF prints the number and the series it was stored under.
    for report in DiagnosisReport.objects.filter(enterprise=home):
        assert report.content["issue"]["version"] == report.version
        assert report.content["issue"]["series"] == report.series
