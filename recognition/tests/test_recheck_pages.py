"""Prerequisite re-check pages: only officers governing the region start and see a run; the enterprises of an
outcome open in the enterprise list, scoped as everywhere (synthetic enterprises)."""

import pytest

from recognition.models import PrerequisiteRun

pytestmark = pytest.mark.django_db


def test_a_county_officer_rechecks_their_county_and_opens_the_enterprises_behind_an_outcome(
    world, load_programme, login, make_enterprise, django_capture_on_commit_callbacks
):
    programme = load_programme(region="360100")
    small = make_enterprise("360102", name="东湖小微企业", is_above_scale=False)
    county = login(world["county"])
    detail = county.get(f"/recognition/programmes/{programme.pk}/").content.decode()
    assert 'data-testid="recheck-form"' in detail and 'value="360102"' in detail and 'value="360100"' not in detail
    with django_capture_on_commit_callbacks(execute=True):
        response = county.post(f"/recognition/programmes/{programme.pk}/rechecks/", {"region": "360102"})
    run = PrerequisiteRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/recognition/rechecks/{run.pk}/"
    page = county.get(f"/recognition/rechecks/{run.pk}/").content.decode()
    assert "不满足" in page and "规模以上工业企业" in page
    listing = county.get(f"/recognition/rechecks/{run.pk}/enterprises/?outcome=not_met").content.decode()
    assert small.name in listing and world["neighbour"].name not in listing  # 青山湖区 was not checked
    assert "返回核查结果" in listing


def test_others_can_neither_start_nor_see_a_run(world, load_programme, login, django_capture_on_commit_callbacks):
    programme = load_programme(region="360100")
    for who, code in (("county", "360111"), ("other_city", "360400"), ("enterprise", "360102"),
                      ("expert", "360102")):  # fmt: skip
        assert login(world[who]).post(f"/recognition/programmes/{programme.pk}/rechecks/",
                                      {"region": code}).status_code == 403  # fmt: skip
    assert not PrerequisiteRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        login(world["city"]).post(f"/recognition/programmes/{programme.pk}/rechecks/", {"region": "360100"})
    run = PrerequisiteRun.objects.get()
    assert login(world["county"]).get(f"/recognition/rechecks/{run.pk}/").status_code == 404  # the city's run
    assert login(world["other_city"]).get(f"/recognition/rechecks/{run.pk}/").status_code == 404
    assert login(world["enterprise"]).get(f"/recognition/rechecks/{run.pk}/").status_code == 403
    assert login(world["province"]).get(f"/recognition/rechecks/{run.pk}/enterprises/").status_code == 200
