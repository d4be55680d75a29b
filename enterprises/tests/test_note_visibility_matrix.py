"""Internal notes never reach the enterprise: every place a note, finding or timeline entry can appear, for every
persona (conftest `world`), with one internal and one shared note and finding on each of two enterprises.

home (东湖区): the county officer writes; the enterprise persona speaks for it.
neighbour (青山湖区): the commissioner assigned to it writes.
A persona sees an internal entry of an enterprise only when it sees the enterprise at all and does not speak for it;
it sees a shared one whenever it sees the enterprise. Reports (preview, issued page, API, PDF) hold shared findings
only, whoever reads them, and never timeline notes."""

import json

import pytest
from django.urls import reverse

from accounts.tests.test_persona_matrix import SEES
from enterprises import services
from enterprises.models import Visibility
from reports import services as report_services
from reports.tests.test_reports import level_one_only, pdf_text, submit_cmmm

pytestmark = pytest.mark.django_db

WRITERS = {"home": "county", "neighbour": "commissioner"}
SPEAKS_FOR = {"enterprise": {"home"}}


def texts(target: str) -> dict[tuple[str, str], str]:
    """(what, visibility) → a text that appears nowhere else."""
    return {
        (what, vis): f"{what}-{vis}-{target}-标记"
        for what in ("note", "finding")
        for vis in (Visibility.INTERNAL, Visibility.SHARED)
    }


@pytest.fixture
def written(world):
    """An internal and a shared note and finding on each enterprise."""
    for target, writer in WRITERS.items():
        for (what, vis), text in texts(target).items():
            if what == "note":
                services.enterprise_add_note(actor=world[writer], enterprise=world[target], text=text, visibility=vis)
            else:
                report_services.add_finding(
                    actor=world[writer], enterprise=world[target], kind="finding", text=text, visibility=vis
                )


@pytest.fixture
def issued(world, written):
    """A report issued for home by its officer after the notes were written (home has a submitted assessment)."""
    submit_cmmm(world, world["home"], level_one_only)
    return report_services.issue_report(actor=world["county"], enterprise=world["home"])


def may_read(persona: str, target: str, visibility: str) -> bool:
    if target not in SEES.get(persona, set()):
        return False
    return visibility == Visibility.SHARED or target not in SPEAKS_FOR.get(persona, set())


def body(response) -> str | None:
    """The page or JSON as text, or None when the user may not open it (404, 403, 401 or sent to log in)."""
    if response.status_code in {302, 401, 403, 404}:
        return None
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig", errors="replace")
    if response["Content-Type"].startswith("application/json"):  # JSON escapes Chinese: compare the decoded text
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


# What each place shows: the timeline records notes and, as entries, findings; the findings panel only findings.
SHOWS = {"detail page": {"note", "finding"}, "events API": {"note", "finding"}, "findings panel": {"finding"}}


def timeline_places(client, pk: int) -> dict[str, str | None]:
    """Every place that shows an enterprise's timeline or findings, as the logged-in user gets it."""
    return {
        "detail page": body(client.get(f"/enterprises/{pk}/")),
        "events API": body(client.get(f"/api/v1/enterprises/{pk}/events?limit=100")),
        "findings panel": body(client.get(reverse("reports:enterprise", args=[pk]))),
    }


@pytest.mark.parametrize("persona", [*SEES, "anonymous"])
def test_each_persona_reads_exactly_the_entries_meant_for_it_everywhere(world, written, login, client, persona):
    if persona != "anonymous":
        client = login(world[persona])
    sees = SEES.get(persona, set())
    for target in WRITERS:
        places = timeline_places(client, world[target].pk)
        for place, text in places.items():
            assert (text is not None) == (target in sees), (place, target)
        for (what, vis), marker in texts(target).items():
            expected = may_read(persona, target, vis)
            for place, text in places.items():
                shown = text is not None and marker in text
                assert shown == (expected and what in SHOWS[place]), (persona, place, what, vis, target)


@pytest.mark.parametrize("persona", [*SEES, "anonymous"])
def test_reports_hold_shared_findings_only_for_every_reader(world, issued, login, client, persona):
    if persona != "anonymous":
        client = login(world[persona])
    home = world["home"]
    places = {
        "preview": body(client.get(reverse("reports:preview", args=[home.pk]))),
        "issued page": body(client.get(reverse("reports:detail", args=[issued.pk]))),
        "report API": body(client.get(f"/api/v1/reports/{issued.pk}")),
        "report list API": body(client.get(f"/api/v1/reports?enterprise_id={home.pk}")),
    }
    for place in ("preview", "issued page", "report API"):
        assert (places[place] is not None) == ("home" in SEES.get(persona, set())), place
    marks = texts("home")
    for place, text in places.items():
        if text is None:
            continue
        assert marks[("finding", Visibility.INTERNAL)] not in text, place
        assert marks[("note", Visibility.INTERNAL)] not in text, place
        assert marks[("note", Visibility.SHARED)] not in text, place  # timeline notes are not report content
        if place != "report list API":
            assert marks[("finding", Visibility.SHARED)] in text, place
    pdf = client.get(reverse("reports:pdf", args=[issued.pk]))
    assert pdf.status_code == (200 if "home" in SEES.get(persona, set()) else 302 if persona == "anonymous" else 404)


def test_the_issued_pdf_prints_the_shared_finding_and_not_the_internal_one(world, issued, tmp_path):
    flat = "".join(pdf_text(issued.pdf.read(), tmp_path).split())
    marks = texts("home")
    assert marks[("finding", Visibility.SHARED)] in flat
    assert marks[("finding", Visibility.INTERNAL)] not in flat
    assert marks[("note", Visibility.INTERNAL)] not in flat


@pytest.mark.parametrize("persona", [*SEES, "anonymous"])
def test_no_start_page_recent_activity_or_export_leaks_an_internal_entry(world, written, login, client, persona):
    """Whatever the start page or workbench lists, it never shows an entry the persona may not read."""
    if persona != "anonymous":
        client = login(world[persona])
    pages = {
        "start page": body(client.get("/", follow=True)),
        "list export": body(client.get("/enterprises/?format=csv")),
    }
    for target in WRITERS:
        for (what, vis), marker in texts(target).items():
            for place, text in pages.items():
                if text is not None and marker in text:
                    assert may_read(persona, target, vis), (persona, place, what, vis, target)


def test_the_enterprise_sees_a_shared_note_of_an_officer_and_a_badge_marks_internal_ones_for_officers(
    world, written, login
):
    page = login(world["county"]).get(f"/enterprises/{world['home'].pk}/").content.decode()
    assert page.count('data-testid="internal-badge"') == 2  # the internal note and the internal finding's entry
    assert 'data-testid="internal-legend"' in page
    page = login(world["enterprise"]).get(f"/enterprises/{world['home'].pk}/").content.decode()
    assert 'data-testid="internal-badge"' not in page and 'data-testid="note-visibility"' not in page
    assert 'data-testid="internal-legend"' not in page
