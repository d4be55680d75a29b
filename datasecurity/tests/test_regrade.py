"""The regulator re-grades an incident with a reason (an Event, the enterprise notified); the clocks follow the new
grade: raised to 较大 or above both report clocks run from the discovery (escalating at once for those run out, or
marked met or late when already reported); lowered to 一般 no clock runs; after containment the summary report
follows. Only the provincial regulator may, and not on a closed incident."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datasecurity import services
from datasecurity.models import Event, Incident
from notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db
FOUND = at(2026, 12, 7, 10, 0)
NOT_THE_REGULATOR = ["enterprise", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                     "other_enterprise"]  # fmt: skip


RECORDED = at(2026, 12, 7, 10, 20)


def record(ds, level="minor", now=RECORDED):
    return services.incident_record(actor=ds["enterprise"], enterprise=ds["home"], title="门户异常访问", kind="access",
                                    level=level, cii=False, discovered_at=FOUND, now=now)  # fmt: skip


def regrade(ds, incident, level, now, actor="province", reason="涉及重要数据，影响面大于自评"):
    return services.incident_regrade(actor=ds[actor], incident=incident, level=level, reason=reason, now=now)


def test_raised_before_reporting_starts_both_clocks_from_discovery_and_escalates_those_run_out(ds):
    incident = record(ds)
    assert incident.clocks == [] and incident.due_at is None
    incident = regrade(ds, incident, "major", now=at(2026, 12, 7, 11, 30))  # MIIT's hour has run out, CAC's 4 h not
    clocks = {c["code"]: c for c in incident.clocks}
    assert clocks["miit"]["due_at"] == at(2026, 12, 7, 11, 0).isoformat() and clocks["miit"]["escalated"]
    assert clocks["cac"]["due_at"] == at(2026, 12, 7, 14, 0).isoformat() and not clocks["cac"]["escalated"]
    assert incident.due_at == at(2026, 12, 7, 11, 0) and incident.escalate_at == at(2026, 12, 7, 14, 0)
    assert (incident.level, incident.self_level, incident.escalations) == ("major", "minor", 1)
    event = Event.objects.get(action="regrade")
    assert (
        event.reason == "涉及重要数据，影响面大于自评" and event.data["from"] == "minor" and event.data["to"] == "major"
    )
    regraded = Notification.objects.get(kind="datasec_regraded")
    assert regraded.get_kind_display() == "数据安全事件级别调整"  # a named kind, not the raw code


def test_raised_after_reporting_marks_each_clock_met_or_late(ds):
    incident = services.incident_report(actor=ds["enterprise"], incident=record(ds), now=at(2026, 12, 7, 12, 0))
    incident = regrade(ds, incident, "serious", now=at(2026, 12, 8, 9, 0))
    assert {c["code"]: c["met"] for c in incident.clocks} == {"miit": False, "cac": True}
    assert incident.due_at is None and incident.escalations == 0


def test_lowered_to_minor_stops_the_report_clocks(ds):
    incident = regrade(ds, record(ds, level="major"), "minor", now=at(2026, 12, 7, 10, 30))
    assert incident.clocks == [] and incident.due_at is None and incident.escalate_at is None
    assert services.incidents_escalate(now=at(2026, 12, 7, 18, 0)) == 0


def test_after_containment_the_summary_follows_the_grade(ds):
    incident = services.incident_report(actor=ds["enterprise"], incident=record(ds, "major"),
                                        now=at(2026, 12, 7, 10, 30))  # fmt: skip
    incident = services.incident_contain(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 8, 9, 0))
    assert incident.due_at is None  # 较大 needs no summary
    incident = regrade(ds, incident, "serious", now=at(2026, 12, 9, 9, 0))
    # Tuesday 8 Dec + 5 working days → Tuesday 15 Dec, end of day (from containment, not from the regrade)
    assert incident.due_kind == "summary" and incident.due_at == at(2026, 12, 15, 23, 59, 59, 999999)
    incident = regrade(ds, incident, "major", now=at(2026, 12, 9, 10, 0), reason="核实后影响有限")
    assert incident.due_at is None and incident.due_kind == ""
    services.incident_close(actor=ds["province"], incident=incident)  # closable again without a summary


def test_refusals(ds):
    incident = record(ds)
    with pytest.raises(ValidationError, match="说明理由"):
        regrade(ds, incident, "major", now=at(2026, 12, 7, 11, 0), reason=" ")
    with pytest.raises(ValidationError, match="没有变化"):
        regrade(ds, incident, "minor", now=at(2026, 12, 7, 11, 0))
    with pytest.raises(ValidationError, match="事件级别"):
        regrade(ds, incident, "huge", now=at(2026, 12, 7, 11, 0))
    incident = services.incident_report(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 11, 0))
    incident = services.incident_contain(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 12, 0))
    incident = services.incident_close(actor=ds["province"], incident=incident, now=at(2026, 12, 7, 13, 0))
    with pytest.raises(ValidationError, match="已结案"):
        regrade(ds, incident, "major", now=at(2026, 12, 7, 14, 0))


@pytest.mark.parametrize("role", NOT_THE_REGULATOR)
def test_only_the_provincial_regulator_regrades(ds, role):
    incident = record(ds)
    with pytest.raises(PermissionDenied):
        regrade(ds, incident, "major", now=at(2026, 12, 7, 11, 0), actor=role)
    assert Incident.objects.get().level == "minor"


def test_page_and_api(ds, login):
    incident = services.incident_record(actor=ds["enterprise"], enterprise=ds["home"], title="t", kind="leak",
                                        level="minor", cii=False, discovered_at=FOUND)  # fmt: skip
    url = f"/data-security/incidents/{incident.pk}/"
    assert 'data-testid="regrade-form"' not in login(ds["enterprise"]).get(url).content.decode()
    assert 'data-testid="regrade-form"' in login(ds["province"]).get(url).content.decode()
    assert login(ds["city"]).post(url + "regrade/", {"level": "major", "reason": "x"}).status_code == 403
    login(ds["province"]).post(url + "regrade/", {"level": "major", "reason": "影响面大"})
    page = login(ds["enterprise"]).get(url).content.decode()
    assert 'data-testid="regraded"' in page and "影响面大" in page and 'data-testid="clock-cac"' in page
    api = "/api/v1/data-security/incidents"
    response = login(ds["province"]).post(f"{api}/{incident.pk}/regrade", {"level": "major", "reason": "x"},
                                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and "没有变化" in response.json()["detail"]
    body = login(ds["province"]).post(f"{api}/{incident.pk}/regrade", {"level": "minor", "reason": "核实"},
                                      content_type="application/json").json()  # fmt: skip
    assert body["level"] == "minor" and body["self_level"] == "minor" and body["clocks"] == []
    assert login(ds["other_city"]).post(f"{api}/{incident.pk}/regrade", {"level": "major", "reason": "x"},
                                        content_type="application/json").status_code == 404  # fmt: skip
