"""The national pages in a real headless Chromium: the members-over-time chart is drawn, the member
tables sort and page with JavaScript, and show every row without it (issue 12)."""

from __future__ import annotations

import pytest

from .test_cube_browser import new_page as cube_page

pytestmark = pytest.mark.slow


def new_page(browser, live_server, javascript: bool = True):
    """test_cube_browser's page (loopback only, errors collected), asking for Swedish."""
    context, page, errors = cube_page(browser, live_server, javascript)
    page.set_extra_http_headers({"Accept-Language": "sv-SE,sv;q=0.9"})
    return context, page, errors


def visible_rows(page) -> list[str]:
    return page.locator("table.members tbody tr:not([hidden]) td:first-child").all_inner_texts()


def test_organisation_member_table_sorts_and_pages(browser, live_server):
    context, page, errors = new_page(browser, live_server)
    page.goto(live_server.url + "/doc/organisation/covenant-of-mayors")
    chart = page.locator("figure.members-chart svg")
    box = chart.locator("polyline.line").first.bounding_box()
    assert box and box["width"] > 100 and chart.locator("circle.point").count() >= 10
    assert page.locator("table.members tbody tr").count() == 69
    assert len(visible_rows(page)) == 25
    assert page.locator("nav.pager button").count() == 3
    page.locator("nav.pager button", has_text="3").click()
    assert len(visible_rows(page)) == 69 - 50
    page.get_by_role("button", name="Kod").click()  # ascending by code
    codes = page.locator("table.members tbody tr:not([hidden]) td:nth-child(2)").all_inner_texts()
    assert len(codes) == 25 and codes == sorted(codes)
    assert codes[:2] == ["", "0126"]  # the group Isle of Öland has no code; then Huddinge
    assert page.locator("th[aria-sort=ascending]").inner_text().startswith("Kod")
    page.get_by_role("button", name="Kod").click()  # descending
    assert visible_rows(page)[0] == "Kiruna"  # 2584
    page.get_by_role("button", name="Medlemskap").click()  # by start date
    assert visible_rows(page)[0] == "Örebro"  # 2008-04-22, the earliest adhesion
    assert errors == []
    context.close()


def test_member_tables_show_every_row_without_javascript(browser, live_server):
    context, page, errors = new_page(browser, live_server, javascript=False)
    page.goto(live_server.url + "/")
    assert page.locator("table.members tbody tr:not([hidden])").count() == 290
    assert page.locator("nav.pager").count() == 0
    assert page.locator("figure.members-chart svg polyline.line").count() >= 3
    page.goto(live_server.url + "/doc/organisation/covenant-of-mayors")
    assert page.locator("table.members tbody tr:not([hidden])").count() == 69
    assert errors == []
    context.close()


def test_county_page_lists_its_municipalities_and_memberships(browser, live_server):
    context, page, errors = new_page(browser, live_server)
    page.goto(live_server.url + "/id/county/01")
    page.wait_for_url("**/doc/county/01")
    assert page.locator("table.members tbody tr").count() == 26  # Stockholms län
    page.get_by_role("button", name="Antal nätverk").click()
    page.get_by_role("button", name="Antal nätverk").click()  # most networks first
    top = page.locator("table.members tbody tr:not([hidden])").first.inner_text()
    assert "Borgmästaravtalet" in top
    page.get_by_role("link", name="Haninge kommun").first.click()
    page.wait_for_url("**/doc/municipality/0136")
    assert errors == []
    context.close()
