"""Public notice (公示) and objections: the public pages show what a notice publishes and nothing internal; anyone
objects during the notice period (throttled per address; refused outside it); officers of the notice step's level
resolve objections — upheld rejects the application through the chain, dismissed lets the notice run on — and the
notice step cannot be closed while an objection is open. Every persona is tried and nothing changes on a refusal."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from recognition import chain, notices, prerequisites, services
from recognition.models import Application, ApplicationEvent, Objection

pytestmark = pytest.mark.django_db

SHORT_CHAIN = [
    {"code": "county_check", "name": "区县审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city"},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city"},
]
OBJECTION = {"name": "张三", "contact": "13800000000", "text": "该企业的产线在申报时尚未投产，与申报材料不符。"}


@pytest.fixture
def on_notice(world, load_programme, attach):
    programme = load_programme(prerequisites={}, chain=SHORT_CHAIN)
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    check = prerequisites.check(programme.rules, world["home"], {})
    services.application_submit(actor=world["enterprise"], application=application, check=check)
    for who in ("county", "city"):
        services.application_decide(actor=world[who], application=application, decision="pass",
                                    reason="审核通过，综合得分 87.5")  # fmt: skip
    application.refresh_from_db()
    assert application.programme.rules.step(application.step).action == "notice"
    return application


def end_notice(application):
    Application.objects.filter(pk=application.pk).update(step_due_on=timezone.localdate() - dt.timedelta(days=1))
    application.refresh_from_db()


def test_the_public_notice_shows_what_a_notice_publishes_and_nothing_internal(world, on_notice, client):
    page = client.get(reverse("recognition:public_notices")).content.decode()
    assert page.count('data-testid="notice-row"') == 1
    assert "东湖精密机械有限公司" in page and world["home"].credit_code in page and "东湖区" in page
    period = notices.period(on_notice)
    assert str(period.starts) in page and str(period.ends) in page and "5 个工作日" in page
    detail = client.get(reverse("recognition:public_notice", args=[on_notice.pk])).content.decode()
    assert 'data-testid="objection-form"' in detail and "基础级" in detail
    for internal in ("87.5", "审核通过", "county", "city", world["enterprise"].username):
        assert internal not in detail.split("<main")[-1], internal
    # Applications not on notice are not public: another step, a draft.
    Application.objects.filter(pk=on_notice.pk).update(step=1)
    assert client.get(reverse("recognition:public_notice", args=[on_notice.pk])).status_code == 404
    assert 'data-testid="no-notices"' in client.get(reverse("recognition:public_notices")).content.decode()


def test_anyone_objects_during_the_notice_and_the_form_is_validated(world, on_notice, client):
    url = reverse("recognition:public_notice", args=[on_notice.pk])
    bad = client.post(url, {**OBJECTION, "text": "太短", "contact": ""})
    assert bad.status_code == 400 and not Objection.objects.exists()
    response = client.post(url, OBJECTION)
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.application, objection.name, objection.status) == (on_notice, "张三", Objection.Status.OPEN)
    event = ApplicationEvent.objects.get(application=on_notice, action="object")
    told = Notification.objects.filter(kind=Notification.Kind.RECOGNITION_OBJECTION)
    assert list(told.values_list("recipient__username", flat=True)) == ["city"]  # the notice step's officers
    assert told.get().link == reverse("recognition:objection", args=[objection.pk])
    assert event.actor is None and event.step_code == "notice" and event.data == {"objection": objection.pk}
    assert "异议已收到" in client.get(url).content.decode()


def test_an_objection_outside_the_notice_period_is_refused_with_a_clear_message(world, on_notice, client):
    end_notice(on_notice)
    url = reverse("recognition:public_notice", args=[on_notice.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="notice-closed"' in page and 'data-testid="objection-form"' not in page
    response = client.post(url, OBJECTION)
    assert response.status_code == 400 and "不在公示期内" in response.content.decode()
    with pytest.raises(ValidationError, match="不在公示期内"):
        notices.objection_lodge(application=on_notice, **OBJECTION)
    later = {"step_reached_at": timezone.now() + dt.timedelta(days=2),
             "step_due_on": timezone.localdate() + dt.timedelta(days=9)}  # fmt: skip
    Application.objects.filter(pk=on_notice.pk).update(**later)
    on_notice.refresh_from_db()
    with pytest.raises(ValidationError, match="不在公示期内"):  # before it starts
        notices.objection_lodge(application=on_notice, **OBJECTION)
    assert not Objection.objects.exists()


def test_objections_are_throttled_per_address(world, on_notice, client, monkeypatch):
    from recognition import public_views

    monkeypatch.setattr(public_views, "OBJECTIONS_PER_HOUR", 3)
    url = reverse("recognition:public_notice", args=[on_notice.pk])
    for _ in range(3):
        assert client.post(url, OBJECTION).status_code == 302
    refused = client.post(url, OBJECTION)
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert Objection.objects.count() == 3
    assert client.post(url, OBJECTION, REMOTE_ADDR="10.0.0.9").status_code == 302  # another address


def test_an_open_objection_blocks_closing_the_notice_and_a_dismissed_one_lets_it_close(world, on_notice):
    objection = notices.objection_lodge(application=on_notice, **OBJECTION)
    end_notice(on_notice)
    with pytest.raises(ValidationError, match="未处理的异议"):
        services.application_decide(actor=world["city"], application=on_notice, decision="pass", reason="公示期满")
    for who in ("county", "province", "other_city", "enterprise", "nobody"):  # only the notice step's level
        with pytest.raises(PermissionDenied):
            notices.objection_resolve(actor=world[who], objection=objection, upheld=True, resolution="异议成立")
    with pytest.raises(ValidationError):
        notices.objection_resolve(actor=world["city"], objection=objection, upheld=False, resolution=" ")
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    notices.objection_resolve(actor=world["city"], objection=objection, upheld=False, resolution="经核实产线已投产")
    objection.refresh_from_db()
    assert (objection.status, objection.resolved_by) == (Objection.Status.DISMISSED, world["city"])
    with pytest.raises(ValidationError, match="已处理"):
        notices.objection_resolve(actor=world["city"], objection=objection, upheld=True, resolution="改判")
    services.application_decide(actor=world["city"], application=on_notice, decision="pass", reason="公示期满")
    on_notice.refresh_from_db()
    assert (on_notice.status, on_notice.step) == (chain.IN_REVIEW, 3)


def test_an_upheld_objection_rejects_the_application_through_the_chain(world, on_notice):
    objection = notices.objection_lodge(application=on_notice, **OBJECTION)
    notices.objection_resolve(actor=world["city"], objection=objection, upheld=True, resolution="现场核实产线未投产")
    on_notice.refresh_from_db()
    assert on_notice.status == chain.REJECTED
    actions = list(on_notice.events.values_list("action", "step_code", "actor__username"))
    assert actions[-2:] == [("resolve", "notice", "city"), ("reject", "notice", "city")]
    assert on_notice.events.last().reason == "异议成立：现场核实产线未投产"
    assert not world["home"].label_links.filter(label_id="tier-basic").exists()


def test_officer_pages_list_and_resolve_objections_by_persona(world, on_notice, login, client):
    objection = notices.objection_lodge(application=on_notice, **OBJECTION)
    detail = reverse("recognition:objection", args=[objection.pk])
    listing = reverse("recognition:objections")
    assert client.get(listing).status_code == 302 and client.get(detail).status_code == 302  # anonymous: log in
    for who in ("enterprise", "provider", "expert", "nobody"):
        assert login(world[who]).get(listing).status_code == 403, who
    assert login(world["other_city"]).get(detail).status_code == 404
    page = login(world["county"]).get(detail).content.decode()  # sees it, may not resolve it (another level)
    assert "张三" in page and 'data-testid="resolve-form"' not in page
    assert login(world["county"]).post(detail, {"outcome": "upheld", "resolution": "成立"}).status_code == 403
    objection.refresh_from_db()
    assert objection.status == Objection.Status.OPEN
    city = login(world["city"])
    assert 'data-testid="objection-row"' in city.get(listing).content.decode()
    assert 'data-testid="resolve-form"' in city.get(detail).content.decode()
    assert city.post(detail, {"outcome": "dismissed", "resolution": "经核实产线已投产"}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == Objection.Status.DISMISSED
