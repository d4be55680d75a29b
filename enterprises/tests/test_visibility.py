"""Timeline visibility: internal entries never reach the enterprise itself, whatever other role its user holds."""

import pytest

from enterprises import events, services
from enterprises.models import EnterpriseEvent, Visibility
from enterprises.querysets import sees_internal

pytestmark = pytest.mark.django_db


def _note(enterprise, actor, text, visibility):
    return services.enterprise_add_note(actor=actor, enterprise=enterprise, text=text, visibility=visibility)


def test_the_enterprise_sees_only_shared_entries_of_its_own_timeline(world):
    home = world["home"]
    _note(home, world["county"], "企业负责人改造意愿不强", Visibility.INTERNAL)
    _note(home, world["county"], "请于月底前完成自评估", Visibility.SHARED)
    seen = set(EnterpriseEvent.objects.visible_to(world["enterprise"]).values_list("summary", flat=True))
    assert "请于月底前完成自评估" in seen
    assert "企业负责人改造意愿不强" not in seen
    officer = set(EnterpriseEvent.objects.visible_to(world["county"]).values_list("summary", flat=True))
    assert {"请于月底前完成自评估", "企业负责人改造意愿不强"} <= officer


def test_an_officer_who_also_speaks_for_the_enterprise_does_not_see_its_internal_notes(world, make_user):
    from accounts.models import Membership, Role

    both = make_user("both", Role.COUNTY_OFFICER, region="360102")
    Membership.objects.create(user=both, role=Role.ENTERPRISE, enterprise=world["home"])
    _note(world["home"], world["county"], "内部研判", Visibility.INTERNAL)
    _note(world["neighbour"], world["city"], "邻居内部研判", Visibility.INTERNAL)
    seen = set(EnterpriseEvent.objects.visible_to(both).values_list("summary", flat=True))
    assert "内部研判" not in seen
    assert not sees_internal(both, world["home"])
    # ... while the same user still reads internal notes on the enterprises it governs and does not speak for.
    assert sees_internal(world["city"], world["neighbour"]) and "邻居内部研判" not in seen  # neighbour is out of 360102


def test_out_of_scope_users_see_no_entries_at_all(world):
    _note(world["home"], world["county"], "共享记录", Visibility.SHARED)
    for persona in ("other_city", "provider", "expert", "nobody"):
        assert not EnterpriseEvent.objects.visible_to(world[persona]).filter(enterprise=world["home"]).exists()
        assert not sees_internal(world[persona], world["home"])


def test_system_events_get_their_kind_visibility_and_notes_default_by_writer(world):
    home = world["home"]
    created = home.events.get(kind="created")
    assert created.visibility == Visibility.SHARED
    services.enterprise_update(actor=world["county"], enterprise=home, data={"address": "新地址"})
    assert home.events.get(kind="changed").visibility == Visibility.SHARED
    services.enterprise_remove(actor=world["county"], enterprise=home, reason="疑似空壳企业")
    assert home.events.get(kind="removed").visibility == Visibility.INTERNAL
    assert events.note_visibility(world["county"], home) == Visibility.INTERNAL
    assert events.note_visibility(world["commissioner"], home) == Visibility.INTERNAL
    assert events.note_visibility(world["enterprise"], home) == Visibility.SHARED


def test_an_enterprise_cannot_make_its_own_note_internal(world):
    event = _note(world["home"], world["enterprise"], "我们已完成设备联网", Visibility.INTERNAL)
    assert event.visibility == Visibility.SHARED


def test_existing_rows_are_classified_as_they_would_be_written_today(world):
    """The data migration: notes by the enterprise's own users and every system fact are shared; notes by anyone
    else and removal reasons are internal."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("enterprises.migrations.0006_event_visibility")
    home = world["home"]
    rows = {
        "officer": events.record(home, events.Kind.NOTE, actor=world["county"], summary="o"),
        "own": events.record(home, events.Kind.NOTE, actor=world["enterprise"], summary="e"),
        "nobody": events.record(home, events.Kind.NOTE, summary="n"),
        "removed": events.record(home, events.Kind.REMOVED, actor=world["county"], summary="r"),
        "changed": events.record(home, events.Kind.CHANGED, actor=world["county"], summary="c"),
    }
    EnterpriseEvent.objects.update(visibility="internal")  # what the new column holds before the migration runs
    migration.classify_existing(apps, None)
    got = {key: EnterpriseEvent.objects.get(pk=row.pk).visibility for key, row in rows.items()}
    assert got == {
        "officer": "internal",
        "own": "shared",
        "nobody": "internal",
        "removed": "internal",
        "changed": "shared",
    }
