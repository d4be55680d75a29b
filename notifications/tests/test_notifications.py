"""The enterprise learns in-app (and by e-mail where its address is known) when a provider responds to its need, a
verification changes its result, or a report is issued to it; nobody reads anyone else's notifications."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from catalog import workflow
from catalog.models import Need
from catalog.services import need_create
from enterprises.services import enterprise_add_note
from notifications import services
from notifications.models import Notification
from reports.tests.test_reports import level_one_only, submit_cmmm

pytestmark = pytest.mark.django_db


@pytest.fixture
def addressed(world):
    world["enterprise"].email = "owner@example.cn"
    world["enterprise"].save(update_fields=["email"])
    return world


def respond(world, text="需要一套排产系统"):
    need = need_create(actor=world["enterprise"], need=Need(enterprise=world["home"], text=text, visibility="public"))
    provider = world["provider"].memberships.get().provider
    return workflow.response_create(actor=world["provider"], need=need, provider=provider, message="我们可以做")


def test_a_provider_response_notifies_the_enterprise_in_app_and_by_mail(addressed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = respond(addressed)
    (note,) = Notification.objects.all()
    assert note.recipient == addressed["enterprise"] and note.kind == "need_responded"
    assert "测试服务商有限公司" in note.title and note.link == reverse("catalog:need_detail", args=[response.need_id])
    (message,) = mail.outbox
    assert message.to == ["owner@example.cn"] and "测试服务商有限公司" in message.subject
    assert f"http://127.0.0.1:8000{note.link}" in message.body  # absolute, from TIDU_SITE_URL (core.links)


def test_the_link_in_the_mail_follows_the_configured_site_address(
    addressed, settings, django_capture_on_commit_callbacks
):
    settings.TIDU_SITE_URL = "https://tidu.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        respond(addressed)
    assert "https://tidu.example.cn/catalog/needs/" in mail.outbox[0].body


def test_a_user_without_an_address_is_told_in_app_only(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        respond(world)
    assert Notification.objects.filter(recipient=world["enterprise"]).count() == 1
    assert mail.outbox == []


def test_a_rolled_back_write_notifies_no_one(addressed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        respond(addressed)
        raise RuntimeError("the surrounding work failed")
    assert not Notification.objects.exists() and mail.outbox == []


def test_only_the_enterprises_own_users_are_notified(world, make_user):
    from accounts.models import Role

    colleague = make_user("colleague", Role.ENTERPRISE, enterprise=world["home"])
    make_user("elsewhere", Role.ENTERPRISE, enterprise=world["other"])
    respond(world)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"enterprise", colleague.username}


def test_a_report_issued_to_the_enterprise_notifies_it_but_its_own_report_does_not(addressed):
    from reports.services import issue_report

    submit_cmmm(addressed, addressed["home"], level_one_only)
    issue_report(actor=addressed["enterprise"], enterprise=addressed["home"])
    assert not Notification.objects.filter(kind="report_issued").exists()
    report = issue_report(actor=addressed["county"], enterprise=addressed["home"])
    (note,) = Notification.objects.filter(kind="report_issued")
    assert note.recipient == addressed["enterprise"] and note.link == reverse("reports:detail", args=[report.pk])


def test_an_internal_note_is_never_notified_to_the_enterprise(world):
    enterprise_add_note(actor=world["county"], enterprise=world["home"], text="改造意愿不强", visibility="internal")
    assert not Notification.objects.exists()


def test_nobody_reads_or_marks_another_users_notification(world, login):
    (note,) = services.notify(recipients=[world["enterprise"]], kind="need_responded", title="只给企业", link="/")
    for persona in ("county", "admin", "provider"):
        client = login(world[persona])
        assert client.get(reverse("notifications:open", args=[note.pk])).status_code == 404, persona
        assert client.post(reverse("notifications:read", args=[note.pk])).status_code == 404, persona
        assert "只给企业" not in client.get(reverse("notifications:list")).content.decode()
        api = client.post(f"/api/v1/notifications/{note.pk}/read")
        assert api.status_code == 404, persona
        assert client.get("/api/v1/notifications").json() == []
    note.refresh_from_db()
    assert note.read_at is None


def test_the_list_filters_unread_marks_read_on_open_and_marks_all_read(world, login):
    first, = services.notify(recipients=[world["enterprise"]], kind="need_responded", title="第一条", link="/catalog/")
    services.notify(recipients=[world["enterprise"]], kind="report_issued", title="第二条")
    client = login(world["enterprise"])
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="unread-badge">2<' in home
    assert client.get(reverse("notifications:open", args=[first.pk])).url == "/catalog/"
    unread = client.get(reverse("notifications:list") + "?show=unread").content.decode()
    assert "第二条" in unread and "第一条" not in unread
    assert "第一条" in client.get(reverse("notifications:list") + "?show=all").content.decode()
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.for_user(world["enterprise"]).unread().exists()
    assert 'data-testid="unread-badge"' not in client.get(reverse("home")).content.decode()


def test_the_api_lists_own_notifications_and_marks_them_read(world, login):
    services.notify(recipients=[world["enterprise"]], kind="need_responded", title="甲")
    services.notify(recipients=[world["county"]], kind="need_responded", title="乙")
    client = login(world["enterprise"])
    rows = client.get("/api/v1/notifications?unread=true").json()
    assert [r["title"] for r in rows] == ["甲"] and rows[0]["read_at"] is None
    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread=true").json() == []


def test_an_open_link_never_leaves_the_site(world, login):
    (note,) = services.notify(recipients=[world["enterprise"]], kind="need_responded", title="x", link="/")
    Notification.objects.filter(pk=note.pk).update(link="//evil.example/")  # the check constraint allows "/…" only
    response = login(world["enterprise"]).get(reverse("notifications:open", args=[note.pk]))
    assert response.url == reverse("notifications:list")
