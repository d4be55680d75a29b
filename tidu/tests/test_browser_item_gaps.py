"""In a real browser: a province officer reads the items (条款) that hold most enterprises below their next level on
the statistics page — the chart drawn, the table view opened. Screenshots in var/screenshots/
(monitoring-gap-items-*.png). Synthetic enterprises, their results scored by the engine (the fixture of
`monitoring.tests.test_item_gaps`)."""

import pytest
from playwright.sync_api import expect

from monitoring.tests.test_item_gaps import assessed  # noqa: F401  (the fixture)
from tidu.tests.conftest import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_province_reads_the_top_gap_items(assessed, open_session):  # noqa: F811
    session = open_session({"width": 1440, "height": 900})
    session.login("province")
    page = session.page
    page.goto("/monitoring/r/360000/figures/")
    card = page.get_by_test_id("figure-gap_items")
    expect(card).to_contain_text("短板条款")
    expect(card.locator("#chart-gap_items svg")).to_have_count(1)  # ECharts drew it
    card.locator("[data-testid=table-gap_items] summary").click()
    first = card.locator("tbody tr").first
    expect(first).to_contain_text("规划分解落实")
    expect(first).to_contain_text("P1.1-L2-1")
    expect(first.locator("td").nth(2)).to_have_text("3")  # 东湖区's two and 青山湖区's one
    SHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=str(SHOTS / "monitoring-gap-items-card.png"))
    session.shot("monitoring-gap-items-wide")
    session.assert_clean()
