"""No menu entry leads to a page the role cannot use: every link of the navigation bar opens (200, after redirects,
never the login page) for every persona, with demo-like data in place."""

import re

import pytest
from django.urls import reverse

from .workday import populate

pytestmark = pytest.mark.django_db

PERSONAS = ("admin", "province", "city", "county", "enterprise", "provider", "commissioner", "expert", "nobody")
NAV = re.compile(r"<nav\b.*?</nav>", re.S)
HREF = re.compile(r'href="([^"#][^"]*)"')


def menu_links(html: str) -> list[str]:
    nav = NAV.search(html)
    assert nav, "the page has a navigation bar"
    return list(dict.fromkeys(HREF.findall(nav.group(0))))


def test_every_menu_link_opens_for_every_persona(world, login):
    populate(world)
    refused, checked = [], 0
    for persona in PERSONAS:
        client = login(world[persona])
        links = menu_links(client.get(reverse("home")).content.decode())
        assert reverse("notifications:list") in "".join(links), persona
        for link in links:
            response = client.get(link.replace("&amp;", "&"), follow=True)
            checked += 1
            final = response.redirect_chain[-1][0] if response.redirect_chain else link
            if response.status_code != 200 or final.startswith(reverse("accounts:login")):
                refused.append(f"{persona}: {link} → {response.status_code} {final}")
    print(f"menu scan: {checked} links over {len(PERSONAS)} personas")  # shown with -s; quoted in the report
    assert not refused, refused
    assert checked >= 60  # nine personas, each with at least the home, catalog, notifications and account links


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("county", {"enterprises:list", "enterprises:import", "assessments:list", "reports:batch_list"}, set()),
        ("enterprise", {"enterprises:list", "assessments:list", "catalog:home"},
         {"enterprises:import", "reports:batch_list"}),
        ("commissioner", {"enterprises:list", "assessments:list"}, {"enterprises:import", "reports:batch_list"}),
        ("provider", {"catalog:home"}, {"enterprises:list", "assessments:list", "enterprises:import"}),
        ("expert", {"catalog:home"}, {"enterprises:list", "assessments:list", "enterprises:import"}),
    ],
)
def test_the_menu_shows_each_entry_only_to_roles_that_use_it(world, login, persona, shown, hidden):
    links = menu_links(login(world[persona]).get(reverse("home")).content.decode())
    for name in shown:
        assert reverse(name) in links, name
    for name in hidden:
        assert reverse(name) not in links, name
    groupings = reverse("enterprises:grouping_list", args=["clusters"])
    assert (groupings in links) is (persona == "county")


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("enterprise", {"airegistry:index", "assistant:ask", "datasecurity:index", "scheduling:index"}, set()),
        ("county", {"airegistry:index", "assistant:ask", "datasecurity:index"}, {"scheduling:index"}),
        ("provider", {"airegistry:index", "assistant:ask"}, {"datasecurity:index", "scheduling:index"}),
        ("expert", {"assistant:ask"}, {"airegistry:index", "datasecurity:index", "scheduling:index"}),
    ],
)
def test_the_ai_and_data_security_entries_follow_the_role(world, login, persona, shown, hidden):
    links = menu_links(login(world[persona]).get(reverse("home")).content.decode())
    for name in shown:
        assert reverse(name) in links, name
    for name in hidden:
        assert reverse(name) not in links, name
    assert reverse("airegistry:directory") in links  # the public directory, for everyone
