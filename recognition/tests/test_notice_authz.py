"""Authorisation of every page this part adds, by persona: the public pages (notice, objection form, published list,
verification) are open to anyone, anonymous included; the officers' pages (objections, recognitions, certificate,
revocation, re-review) need a login, are 403 for non-officers and 404 for another region's object; and a refused
request changes nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from recognition import notices, prerequisites, services
from recognition.models import Application, Objection, Recognition

pytestmark = pytest.mark.django_db

SHORT_CHAIN = [
    {"code": "county_check", "name": "区县审核", "action": "check", "level": "county", "deadline_days": 10},
    {"code": "city_decision", "name": "市级认定", "action": "decision", "level": "city"},
    {"code": "notice", "name": "公示", "action": "notice", "level": "city", "notice_days": 5},
    {"code": "publish", "name": "公布名单", "action": "publish", "level": "city"},
]
OBJECTION = {"name": "王五", "contact": "wang@example.cn", "text": "申报的产线规模与实际明显不符，请核实。"}


@pytest.fixture
def both(world, load_programme, attach, make_user):
    """One application of 东湖 on notice (with an objection) and one of 九江 recognised."""
    from accounts.models import Role

    made = {}
    for key, enterprise, region, city in (("notice", world["home"], "360100", "city"),
                                          ("done", world["other"], "360400", "other_city")):  # fmt: skip
        programme = load_programme(code="sf-basic-2026", region=region, actor=city, prerequisites={},
                                   chain=SHORT_CHAIN) if key == "notice" else None  # fmt: skip
        if programme is None:
            from recognition.models import Programme

            data = dict(Programme.objects.get().spec, code="sf-basic-2026-jj")
            programme = services.programme_load(actor=world[city], region=world["other"].county.parent, data=data)
            services.programme_set_status(actor=world[city], programme=programme, status="open")
        user = world["enterprise"] if key == "notice" else make_user("jj", Role.ENTERPRISE, enterprise=enterprise)
        application = services.application_start(actor=user, programme=programme, enterprise=enterprise)
        attach(application)
        check = prerequisites.check(programme.rules, enterprise, {})
        services.application_submit(actor=user, application=application, check=check)
        county = world["county"] if key == "notice" else make_user("jjcounty", Role.COUNTY_OFFICER, region="360402")
        services.application_decide(actor=county, application=application, decision="pass", reason="同意")
        services.application_decide(actor=world[city], application=application, decision="pass", reason="同意")
        if key == "done":
            yesterday = timezone.localdate() - dt.timedelta(days=1)
            Application.objects.filter(pk=application.pk).update(step_due_on=yesterday)
            for _ in range(2):
                services.application_decide(actor=world[city], application=application, decision="pass", reason="同意")
        made[key] = application
    made["objection"] = notices.objection_lodge(application=made["notice"], **OBJECTION)
    made["recognition"] = Recognition.objects.get(application=made["done"])
    return made


def test_public_pages_are_open_to_anonymous_visitors(both, client):
    for url in (reverse("recognition:public_notices"), reverse("recognition:public_recognised"),
                reverse("recognition:public_notice", args=[both["notice"].pk]),
                reverse("report_verify", args=[both["recognition"].certificate_code])):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("recognition:public_notice", args=[both["done"].pk])).status_code == 404  # not on notice


def test_officer_pages_by_persona_and_nothing_changes_on_refusal(world, both, login, client):
    recognition, objection = both["recognition"], both["objection"]
    pages = {
        "objections": reverse("recognition:objections"),
        "recognitions": reverse("recognition:recognitions"),
        "rereview": reverse("recognition:rereview"),
    }
    for url in pages.values():
        assert client.get(url).status_code == 302  # anonymous: to the login page
    for who in ("enterprise", "provider", "commissioner", "expert", "nobody"):
        for url in pages.values():
            assert login(world[who]).get(url).status_code == 403, (who, url)
    for who in ("county", "city", "province", "other_city", "admin"):
        for url in pages.values():
            assert login(world[who]).get(url).status_code == 200, (who, url)

    # Another region's object is a 404: 南昌's officers and 九江's recognition, 九江's officer and 南昌's objection.
    revoke = reverse("recognition:revoke", args=[recognition.pk])
    certificate = reverse("recognition:certificate", args=[recognition.pk])
    resolve = reverse("recognition:objection", args=[objection.pk])
    for who in ("county", "city"):
        assert login(world[who]).post(revoke, {"reason": "材料造假"}).status_code == 404
        assert login(world[who]).get(certificate).status_code == 404
    assert login(world["other_city"]).post(resolve, {"outcome": "upheld", "resolution": "成立"}).status_code == 404
    assert login(world["province"]).post(resolve, {"outcome": "upheld", "resolution": "成立"}).status_code == 403
    assert login(world["province"]).post(revoke, {"reason": "材料造假"}).status_code == 403  # not the city's level
    client.logout()
    assert client.post(revoke, {"reason": "材料造假"}).status_code == 302
    recognition.refresh_from_db()
    objection.refresh_from_db()
    assert recognition.in_force and objection.status == Objection.Status.OPEN
    page = login(world["city"]).get(pages["recognitions"]).content.decode()
    assert recognition.certificate_code not in page  # 九江's recognition is not on 南昌's list
    assert recognition.certificate_code in login(world["other_city"]).get(pages["recognitions"]).content.decode()
