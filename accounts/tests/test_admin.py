"""The platform admin assigns roles in Django's admin; enterprises there are read-only (no unaudited edits)."""

import pytest

pytestmark = pytest.mark.django_db


def test_admin_can_open_users_and_assign_roles(world, login):
    client = login(world["admin"])
    assert client.get(f"/admin/accounts/user/{world['county'].pk}/change/").status_code == 200
    assert client.get("/admin/regions/region/?q=东湖").status_code == 200


def test_enterprises_are_read_only_in_admin(world, login):
    client = login(world["admin"])
    pk = world["home"].pk
    assert client.get(f"/admin/enterprises/enterprise/{pk}/change/").status_code == 200  # view only
    response = client.post(f"/admin/enterprises/enterprise/{pk}/change/", {"name": "x"})
    assert response.status_code == 403
    world["home"].refresh_from_db()
    assert world["home"].name == "东湖精密机械有限公司"


def test_officers_cannot_reach_admin(world, login):
    assert login(world["province"]).get("/admin/").status_code == 302
