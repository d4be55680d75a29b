"""Re-review (复核) and what a recognition feeds: recognitions coming due, a round opened by the officer who runs the
re-review programme (a draft per due recognition, an event, the enterprise notified), the existing chain applying,
a failed re-review revoking the original with the reason and a passed one replacing it; the monitoring tier figure
following recognition and revocation after the tallies are rebuilt."""

import copy
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from assessments.tiers import recognised_at_or_above
from enterprises.models import Enterprise
from monitoring import cube
from monitoring.models import Tally
from notifications.models import Notification
from recognition import chain, library, prerequisites, rereview, results, services
from recognition.models import Application, Programme, Recognition
from regions.models import Region

pytestmark = pytest.mark.django_db

SHORT_CHAIN = [
    {"code": "county_check", "name": "区县审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city"},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city"},
]


def programme(world, code, year, open_=True):
    data = copy.deepcopy(library.shipped()["sf-basic-2026"])
    data.update(code=code, year=year, name=f"{year}年度智能工厂（基础级）认定", prerequisites={}, chain=SHORT_CHAIN)
    loaded = services.programme_load(actor=world["city"], region=Region.objects.get(code="360100"), data=data)
    if open_:
        services.programme_set_status(actor=world["city"], programme=loaded, status=Programme.Status.OPEN)
    return loaded


def submit(world, application, attach):
    attach(application)
    check = prerequisites.check(application.programme.rules, application.enterprise, {})
    services.application_submit(actor=world["enterprise"], application=application, check=check)


def through_the_chain(world, application):
    for who in ("county", "city"):
        services.application_decide(actor=world[who], application=application, decision="pass", reason="同意")
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    for _ in range(2):
        services.application_decide(actor=world["city"], application=application, decision="pass", reason="公示无异议")
    return Recognition.objects.get(application=application)


@pytest.fixture
def recognised(world, attach):
    first = programme(world, "sf-basic-2023", 2023)
    application = services.application_start(actor=world["enterprise"], programme=first, enterprise=world["home"])
    submit(world, application, attach)
    return through_the_chain(world, application)


def make_due(recognition, days=30):
    today = timezone.localdate()
    Recognition.objects.filter(pk=recognition.pk).update(recognised_on=today.replace(year=today.year - 3),
                                                         valid_until=today + dt.timedelta(days=days))  # fmt: skip
    recognition.refresh_from_db()


def tier_figure(level=1) -> int:
    return Tally.objects.filter(measure="tier", level=level, grouping="").aggregate(n=Sum("n"))["n"] or 0


def test_a_recognition_and_its_revocation_move_the_monitoring_tier_figure(world, recognised):
    cube.rebuild()
    assert tier_figure() == 1
    assert list(Enterprise.objects.filter(recognised_at_or_above("basic"))) == [world["home"]]
    results.revoke(actor=world["city"], recognition=recognised, reason="发现材料造假")
    cube.rebuild()
    assert tier_figure() == 0 and not Enterprise.objects.filter(recognised_at_or_above("basic")).exists()


def test_due_recognitions_by_expiry_or_rereview_period(world, recognised):
    renewal = programme(world, "sf-basic-2026r", 2026)
    assert rereview.due(renewal) == []  # recognised today, valid three years
    today = timezone.localdate()
    Recognition.objects.filter(pk=recognised.pk).update(valid_until=today + dt.timedelta(days=200))
    assert rereview.due(renewal) == [] and len(rereview.due(renewal, within_days=365)) == 1  # by expiry
    Recognition.objects.filter(pk=recognised.pk).update(valid_until=None,
                                                        recognised_on=today.replace(year=today.year - 3))  # fmt: skip
    assert [r for r, _ in rereview.due(renewal)] == [recognised]  # the rereview_years period has run
    other = programme(world, "sf-basic-jj", 2026, open_=False)
    Programme.objects.filter(pk=other.pk).update(region_id="360400")
    other.refresh_from_db()
    assert rereview.due(other) == []  # another city's programme sees another city's recognitions


def test_only_the_programmes_officer_opens_a_round_on_an_open_programme(world, recognised):
    make_due(recognised)
    renewal = programme(world, "sf-basic-2026r", 2026)
    for who in ("county", "other_city", "enterprise", "expert", "nobody"):
        with pytest.raises(PermissionDenied):
            rereview.rereview_open(actor=world[who], programme=renewal)
    closed = programme(world, "sf-basic-closed", 2026, open_=False)
    with pytest.raises(ValidationError, match="申报期内"):
        rereview.rereview_open(actor=world["city"], programme=closed)
    assert not Application.objects.filter(rereview_of=recognised).exists()

    opened = rereview.rereview_open(actor=world["city"], programme=renewal)
    (application,) = opened.opened
    assert (application.status, application.rereview_of, application.programme) == (chain.DRAFT, recognised, renewal)
    event = application.events.get()
    assert (event.action, event.actor, event.data["rereview_of"]) == ("draft", world["city"], recognised.pk)
    note = Notification.objects.get(recipient=world["enterprise"], kind=Notification.Kind.RECOGNITION_REREVIEW)
    assert recognised.certificate_code in note.body and note.link == f"/recognition/applications/{application.pk}/"
    assert rereview.rereview_open(actor=world["city"], programme=renewal).opened == []  # already open: not again


def test_a_rejected_rereview_revokes_the_original_with_the_reason(world, recognised, attach):
    make_due(recognised)
    renewal = programme(world, "sf-basic-2026r", 2026)
    (application,) = rereview.rereview_open(actor=world["city"], programme=renewal).opened
    submit(world, application, attach)
    services.application_decide(actor=world["county"], application=application, decision="reject",
                                reason="已不满足基础级要素条件")  # fmt: skip
    recognised.refresh_from_db()
    assert not recognised.in_force and recognised.revoked_reason == "复核未通过：已不满足基础级要素条件"
    assert recognised.application.status == chain.REVOKED
    assert not world["home"].label_links.filter(label_id="tier-basic").exists()


def test_a_passed_rereview_replaces_the_original_and_keeps_the_tier(world, recognised, attach):
    make_due(recognised)
    renewal = programme(world, "sf-basic-2026r", 2026)
    (application,) = rereview.rereview_open(actor=world["city"], programme=renewal).opened
    submit(world, application, attach)
    renewed = through_the_chain(world, application)
    recognised.refresh_from_db()
    assert renewed.in_force and renewed.certificate_sha256 and renewed.certificate_code != recognised.certificate_code
    assert not recognised.in_force and renewed.certificate_code in recognised.revoked_reason
    assert world["home"].label_links.filter(label_id="tier-basic").exists()
    cube.rebuild()
    assert tier_figure() == 1


def test_the_rereview_page_by_persona(world, recognised, login, client):
    make_due(recognised)
    renewal = programme(world, "sf-basic-2026r", 2026)
    url = f"{reverse('recognition:rereview')}?programme={renewal.pk}"
    assert client.get(url).status_code == 302 and client.post(url).status_code == 302
    for who in ("enterprise", "provider", "expert", "nobody"):
        assert login(world[who]).post(url).status_code == 403, who
    page = login(world["other_city"]).get(url).content.decode()
    assert 'data-testid="due-row"' not in page  # not a programme they run
    login(world["other_city"]).post(url)
    assert not Application.objects.filter(rereview_of=recognised).exists()
    city = login(world["city"])
    assert city.get(url).content.decode().count('data-testid="due-row"') == 1
    assert city.post(url, {"within_days": "90"}).status_code == 302
    assert Application.objects.filter(rereview_of=recognised, programme=renewal).count() == 1


def test_an_expired_recognition_loses_its_tier_label_and_the_monitoring_figure_once(world, recognised):
    from enterprises.models import EnterpriseEvent

    today = timezone.localdate()
    assert results.expire(today) == 0  # valid for three years
    Recognition.objects.filter(pk=recognised.pk).update(valid_until=today - dt.timedelta(days=1))
    assert results.expire(today) == 1
    assert not world["home"].label_links.filter(label_id="tier-basic").exists()
    cube.rebuild()
    assert tier_figure() == 0
    assert results.expire(today) == 0  # nothing more to take off: no second timeline entry
    lapsed = EnterpriseEvent.objects.filter(enterprise=world["home"], summary__contains="有效期已于")
    assert lapsed.count() == 1


def test_an_expired_recognition_keeps_the_label_while_another_is_in_force(world, recognised, attach):
    today = timezone.localdate()
    second = programme(world, "sf-basic-2026b", 2026)
    application = services.application_start(actor=world["enterprise"], programme=second, enterprise=world["home"])
    submit(world, application, attach)
    through_the_chain(world, application)
    Recognition.objects.filter(pk=recognised.pk).update(valid_until=today - dt.timedelta(days=1))
    assert results.expire(today) == 0
    assert world["home"].label_links.filter(label_id="tier-basic").exists()
