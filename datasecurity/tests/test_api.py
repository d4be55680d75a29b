"""The data-security API, scoped as the pages: filings and incidents a user may see with their deadlines, the
regulator's review, recording and reporting an incident, the overdue list. Another region's object is a 404; a
step the user may see but not take a 403; a move the state refuses a 422."""

import datetime as dt

import pytest
from django.utils import timezone

from datasecurity import services
from datasecurity.models import Filing, Incident

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/data-security"


@pytest.fixture
def filed(ds):
    return services.filing_submit(actor=ds["enterprise"], enterprise=ds["home"], now=at(2026, 9, 18, 9, 30))


def test_filings_with_their_deadline_and_overdue_flag(ds, login, filed):
    rows = login(ds["province"]).get(f"{API}/filings").json()["items"]
    assert [(r["id"], r["due_kind"], r["overdue"]) for r in rows] == [(filed.pk, "review", True)]
    assert dt.datetime.fromisoformat(rows[0]["due_at"]) == at(2026, 10, 22, 23, 59, 59, 999000)
    assert login(ds["other_city"]).get(f"{API}/filings").json()["items"] == []
    assert login(ds["other_city"]).get(f"{API}/filings/{filed.pk}").status_code == 404


def test_review_by_role(ds, login, filed):
    assert login(ds["city"]).post(f"{API}/filings/{filed.pk}/review", {"decision": "accept"},
                                  content_type="application/json").status_code == 403  # fmt: skip
    response = login(ds["province"]).post(f"{API}/filings/{filed.pk}/review", {"decision": "return"},
                                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and "理由" in response.json()["detail"]
    assert Filing.objects.get().status == "submitted"
    response = login(ds["province"]).post(f"{API}/filings/{filed.pk}/review",
                                          {"decision": "return", "reasons": "缺少安全保护措施"},
                                          content_type="application/json")  # fmt: skip
    body = response.json()
    assert response.status_code == 200 and body["status"] == "returned" and body["due_kind"] == "resubmit"
    assert body["versions"][0]["reasons"] == "缺少安全保护措施"


def test_recording_and_reporting_an_incident(ds, login):
    client = login(ds["enterprise"])
    found = timezone.now() - timezone.timedelta(hours=2)
    response = client.post(
        f"{API}/incidents",
        {"title": "数据库遭勒索", "kind": "ransomware", "level": "major", "discovered_at": found.isoformat()},
        content_type="application/json",
    )
    body = response.json()
    assert response.status_code == 201 and body["escalations"] == 1  # the MIIT hour has passed
    assert {c["code"]: c["state"] for c in body["clocks"]} == {"miit": "expired", "cac": "running"}
    assert login(ds["province"]).post(f"{API}/incidents/{body['id']}/report").status_code == 403
    overdue = login(ds["province"]).get(f"{API}/overdue").json()
    assert overdue["incidents_count"] == 1 and overdue["incidents"][0]["id"] == body["id"]
    assert login(ds["other_city"]).get(f"{API}/overdue").json()["incidents_count"] == 0
    reported = login(ds["enterprise"]).post(f"{API}/incidents/{body['id']}/report").json()
    assert {c["code"]: c["state"] for c in reported["clocks"]} == {"miit": "late", "cac": "met"}
    assert Incident.objects.get().status == "reported"
    assert login(ds["province"]).post(f"{API}/incidents", {"title": "xx", "kind": "leak", "level": "minor",
                                                           "discovered_at": found.isoformat()},
                                      content_type="application/json").status_code == 403  # fmt: skip
