"""A programme's applications exported by an officer (synthetic enterprises): every application the officer may
see and only those (a county officer its county's, the city both counties'), drafts never, other regions and
non-officers refused; cells a spreadsheet would run as formulas are written as text."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from enterprises.models import Enterprise
from recognition import prerequisites, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(load_programme):
    return load_programme(prerequisites={})  # sf-basic-2026 by 南昌 (360100), the chain alone


def apply(actor, programme, enterprise, attach, *, submit=True):
    application = services.application_start(actor=actor, programme=programme, enterprise=enterprise)
    attach(application)
    if submit:
        check = prerequisites.check(programme.rules, enterprise, {})
        application = services.application_submit(actor=actor, application=application, check=check)
    return application


@pytest.fixture
def applied(world, make_user, programme, attach):
    """东湖 (360102) submitted; 青山湖 (360111) submitted under a name that starts like a formula; a third
    enterprise of 360102 only drafted."""
    Enterprise.objects.filter(pk=world["neighbour"].pk).update(name='=HYPERLINK("http://x","青山湖")')
    world["neighbour"].refresh_from_db()
    neighbour_user = make_user("neighbour_user", Role.ENTERPRISE, enterprise=world["neighbour"])
    drafter = Enterprise.objects.create(
        credit_code=world["home"].credit_code[:-4] + "0000", name="东湖草稿机械有限公司", county_id="360102",
        industry_id="34", is_synthetic=True,
    )  # fmt: skip
    drafter_user = make_user("drafter", Role.ENTERPRISE, enterprise=drafter)
    return {
        "home": apply(world["enterprise"], programme, world["home"], attach),
        "neighbour": apply(neighbour_user, programme, world["neighbour"], attach),
        "draft": apply(drafter_user, programme, drafter, attach, submit=False),
    }


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_city_exports_every_submitted_application_of_its_counties_and_no_draft(world, login, programme, applied):
    response = login(world["city"]).get(reverse("recognition:programme_export", args=[programme.pk, "csv"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(f'attachment; filename="applications-{programme.pk}-')
    header, *body = csv_rows(response)
    assert header[:6] == ["企业名称", "统一社会信用代码", "所在地区", "行业代码", "状态", "当前环节"]
    names = sorted(row[0] for row in body)
    assert names == sorted(["东湖精密机械有限公司", "'=HYPERLINK(\"http://x\",\"青山湖\")"])  # neutralised, not run
    home = next(row for row in body if row[0] == "东湖精密机械有限公司")
    assert home[1] == world["home"].credit_code and home[4] == "审核中"
    assert home[5] == applied["home"].current_step.name  # the step it waits at, by name
    assert home[6] == applied["home"].step_due_on.isoformat()


def test_a_county_officer_exports_only_its_county(world, login, programme, applied):
    response = login(world["county"]).get(reverse("recognition:programme_export", args=[programme.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "企业名称" and [r[0] for r in rows[1:]] == ["东湖精密机械有限公司"]


@pytest.mark.parametrize(("persona", "status"), [("other_city", 404), ("enterprise", 403), ("provider", 403)])
def test_others_are_refused(world, login, programme, applied, persona, status):
    url = reverse("recognition:programme_export", args=[programme.pk, "csv"])
    assert login(world[persona]).get(url).status_code == status


def test_an_unknown_format_is_not_a_page(world, login, programme, applied):
    url = reverse("recognition:programme_export", args=[programme.pk, "pdf"])
    assert login(world["city"]).get(url).status_code == 404


def test_the_queue_offers_the_export_and_says_when_the_list_is_cut(world, login, programme, applied, monkeypatch):
    from recognition import views

    url = reverse("recognition:queue", args=[programme.pk])
    page = login(world["city"]).get(url).content.decode()
    assert 'data-testid="applications-xlsx"' in page and 'data-testid="others-capped"' not in page
    monkeypatch.setattr(views, "OTHERS_SHOWN", 1)  # two applications of the city: the page lists one
    page = login(world["city"]).get(url).content.decode()
    assert 'data-testid="others-capped"' in page and "共 2 份" in page
