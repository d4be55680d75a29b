"""Incidents by role and scope: the enterprise records and self-grades; 较大 and above run both report clocks from
discovery; a clock that runs out escalates (an event and a notification to the regulators and the enterprise);
updates; the summary report after 重大 and above; closure by the provincial regulator. Every refusal tested."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datasecurity import services
from datasecurity.models import Event, Incident
from notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db

FOUND = at(2026, 12, 7, 10, 0)
NOT_THE_ENTERPRISE = ["province", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                      "admin", "other_enterprise"]  # fmt: skip
NOT_THE_REGULATOR = ["enterprise", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                     "admin", "other_enterprise"]  # fmt: skip


def record(ds, level="major", cii=False, now=None, found=FOUND, actor="enterprise"):
    return services.incident_record(actor=ds[actor], enterprise=ds["home"], title="MES 数据库遭勒索加密",
                                    kind="ransomware", level=level, cii=cii, discovered_at=found,
                                    now=now or at(2026, 12, 7, 10, 20))  # fmt: skip


def test_a_major_incident_runs_both_clocks_from_discovery(ds):
    incident = record(ds)
    clocks = {c["code"]: c for c in incident.clocks}
    assert clocks["miit"]["due_at"] == at(2026, 12, 7, 11, 0).isoformat()
    assert clocks["cac"]["due_at"] == at(2026, 12, 7, 14, 0).isoformat()
    assert incident.due_at == at(2026, 12, 7, 11, 0) and incident.due_kind == "report" and incident.immediate


def test_critical_infrastructure_has_one_hour_on_both(ds):
    incident = record(ds, cii=True)
    assert {c["due_at"] for c in incident.clocks} == {at(2026, 12, 7, 11, 0).isoformat()}


def test_a_minor_incident_has_no_immediate_clock(ds):
    incident = record(ds, level="minor")
    assert incident.clocks == [] and incident.due_at is None and not incident.immediate


@pytest.mark.parametrize("role", NOT_THE_ENTERPRISE)
def test_only_the_enterprise_records(ds, role):
    with pytest.raises(PermissionDenied):
        record(ds, actor=role)
    assert not Incident.objects.exists()


def test_refusals_of_recording(ds):
    with pytest.raises(ValidationError, match="发现时间"):
        record(ds, found=at(2026, 12, 7, 11, 0), now=at(2026, 12, 7, 10, 0))
    with pytest.raises(ValidationError, match="事件级别"):
        record(ds, level="huge")
    assert not Incident.objects.exists()


def test_reported_in_time_on_one_clock_and_late_on_the_other(ds):
    incident = record(ds)
    incident = services.incident_report(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 12, 0))
    assert {c["code"]: c["met"] for c in incident.clocks} == {"miit": False, "cac": True}
    assert incident.due_at is None and incident.status == "reported"
    with pytest.raises(ValidationError, match="已上报"):
        services.incident_report(actor=ds["enterprise"], incident=incident)


def test_a_clock_running_out_escalates_once_each(ds):
    incident = record(ds)
    assert services.incidents_escalate(now=at(2026, 12, 7, 10, 59)) == 0
    assert services.incidents_escalate(now=at(2026, 12, 7, 11, 1)) == 1
    assert services.incidents_escalate(now=at(2026, 12, 7, 11, 30)) == 0  # the MIIT clock is escalated once
    incident.refresh_from_db()
    assert incident.escalate_at == at(2026, 12, 7, 14, 0) and incident.escalations == 1
    assert list(Incident.objects.overdue(at(2026, 12, 7, 11, 1))) == [incident]
    told = set(Notification.objects.filter(kind="datasec_escalation").values_list("recipient__username", flat=True))
    assert told == {"province", "city", "county", "enterprise"}
    assert services.incidents_escalate(now=at(2026, 12, 7, 14, 1)) == 1
    incident.refresh_from_db()
    assert incident.escalate_at is None and incident.escalations == 2
    reasons = list(Event.objects.filter(incident=incident, action="escalate").values_list("reason", flat=True))
    assert reasons == ["工信部应急预案 1 小时上报时限", "网信办报告办法 4 小时上报时限"]


def test_recorded_after_both_clocks_ran_out_escalates_at_once(ds):
    incident = record(ds, found=at(2026, 12, 7, 4, 0), now=at(2026, 12, 7, 10, 0))
    assert incident.escalations == 2 and incident.escalate_at is None
    assert Event.objects.filter(incident=incident, action="escalate").count() == 2


def test_reporting_stops_the_escalation(ds):
    incident = record(ds)
    services.incident_report(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 10, 30))
    assert services.incidents_escalate(now=at(2026, 12, 8, 0, 0)) == 0
    assert not Incident.objects.overdue(at(2026, 12, 8)).exists()


@pytest.mark.parametrize("role", NOT_THE_ENTERPRISE)
def test_only_the_enterprise_reports_updates_and_summarises(ds, role):
    incident = record(ds, level="serious")
    with pytest.raises(PermissionDenied):
        services.incident_report(actor=ds[role], incident=incident)
    services.incident_report(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 10, 30))
    with pytest.raises(PermissionDenied):
        services.incident_update(actor=ds[role], incident=incident, text="进展")
    with pytest.raises(PermissionDenied):
        services.incident_contain(actor=ds[role], incident=incident)
    incident.refresh_from_db()
    assert incident.status == "reported" and not incident.updates.exists()


def test_a_serious_incident_needs_a_summary_before_closing(ds):
    incident = record(ds, level="serious")
    with pytest.raises(ValidationError, match="上报后"):
        services.incident_update(actor=ds["enterprise"], incident=incident, text="已隔离")
    services.incident_report(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 7, 10, 30))
    services.incident_update(actor=ds["enterprise"], incident=incident, text="已隔离受感染主机",
                             now=at(2026, 12, 7, 12, 0))  # fmt: skip
    with pytest.raises(ValidationError, match="总结报告后结案"):
        services.incident_close(actor=ds["province"], incident=incident)
    with pytest.raises(ValidationError, match="处置完毕后"):
        services.incident_summarise(actor=ds["enterprise"], incident=incident, summary="原因……")
    incident = services.incident_contain(actor=ds["enterprise"], incident=incident, now=at(2026, 12, 9, 18, 0))
    # summary within 5 working days (provisional) from Wed 12-09: 12-10, 11, 14, 15, 16
    assert incident.due_kind == "summary" and incident.due_at.date().isoformat() == "2026-12-16"
    with pytest.raises(ValidationError, match="总结报告后结案"):
        services.incident_close(actor=ds["province"], incident=incident)
    with pytest.raises(ValidationError, match="请填写总结报告"):
        services.incident_summarise(actor=ds["enterprise"], incident=incident, summary=" ")
    assert services.incidents_escalate(now=at(2026, 12, 17, 0, 0)) == 1  # the summary is late
    incident = services.incident_summarise(actor=ds["enterprise"], incident=incident, summary="原因、经过、损失、改进",
                                           now=at(2026, 12, 17, 9, 0))  # fmt: skip
    assert incident.due_at is None
    for role in NOT_THE_REGULATOR:
        with pytest.raises(PermissionDenied):
            services.incident_close(actor=ds[role], incident=incident)
    incident = services.incident_close(actor=ds["province"], incident=incident, reason="处置到位")
    assert incident.status == "closed"
    with pytest.raises(ValidationError):
        services.incident_update(actor=ds["enterprise"], incident=incident, text="补充")


def test_a_major_incident_closes_once_contained(ds):
    incident = record(ds)
    services.incident_report(actor=ds["enterprise"], incident=incident)
    incident = services.incident_contain(actor=ds["enterprise"], incident=incident)
    assert incident.due_at is None
    assert services.incident_close(actor=ds["province"], incident=incident).status == "closed"


@pytest.mark.parametrize(
    "role, sees",
    [("enterprise", True), ("province", True), ("city", True), ("county", True), ("admin", True),
     ("other_city", False), ("other_enterprise", False), ("provider", False), ("commissioner", False),
     ("expert", False), ("nobody", False)],
)  # fmt: skip
def test_who_sees_an_incident(ds, role, sees):
    record(ds)
    assert Incident.objects.visible_to(ds[role]).exists() is sees
