"""The statistics on the pages in a real headless Chromium (Debian's /usr/bin/chromium, Playwright).

The charts of Huddinge's page and of an indicator's page render (the plotted line, the points, the
bars and the axes have non-zero boxes), the browser logs no error, the links to the data navigate,
and with JavaScript switched off the charts are still there.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

HUDDINGE = "/doc/municipality/0126"
INDICATOR = "/doc/concept/nyckeltal/vaxthusgaser-per-invanare"

pytestmark = pytest.mark.slow



def new_page(browser, live_server, javascript: bool = True):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
               else route.abort())
    return context, page, errors


@pytest.fixture
def page(browser, live_server):
    context, page, errors = new_page(browser, live_server)
    page.console_errors = errors
    yield page
    context.close()


def boxes(page, selector: str) -> list[dict]:
    return [b for b in (el.bounding_box() for el in page.query_selector_all(selector)) if b]


def assert_drawn(page, scope: str, marks: str, at_least: int) -> None:
    drawn = [b for b in boxes(page, f"{scope} {marks}") if b["width"] > 0 or b["height"] > 0]
    assert len(drawn) >= at_least, (scope, marks, drawn)
    axes = [b for b in boxes(page, f"{scope} .axis-line") if b["width"] > 0 or b["height"] > 0]
    assert len(axes) >= 2, (scope, axes)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_municipality_chart_renders(page, live_server, lang):
    page.goto(f"{live_server.url}{HUDDINGE}?lang={lang}")
    chart = "#figure-vaxthusgaser-per-invanare svg"
    assert page.locator(chart).count() == 1
    assert_drawn(page, chart, "circle.point", 14)
    assert_drawn(page, chart, "polyline.line", 1)  # 2010–2020 joined; 1990, 2000, 2005 are lone points
    assert page.locator("#figure-vaxthusgaser-per-invanare table tbody tr").count() == 14
    assert page.console_errors == []


def test_indicator_charts_render_and_the_year_links_open_a_year(page, live_server):
    page.goto(f"{live_server.url}{INDICATOR}?lang=en")
    assert_drawn(page, "#over-time svg", "circle.point", 14)
    assert_drawn(page, "#year-2020 svg", "rect.bar", 1)
    assert not page.locator("#year-2010 svg").is_visible()
    page.click('nav.years a[href="#year-2010"]')
    page.wait_for_function("document.querySelector('#year-2010 svg').getBoundingClientRect().height > 0")
    assert_drawn(page, "#year-2010 svg", "rect.bar", 1)
    assert page.console_errors == []


def test_links_to_the_data_navigate(page, live_server):
    page.goto(f"{live_server.url}{HUDDINGE}?lang=sv")
    figures = page.locator("#figure-vaxthusgaser-per-invanare")
    for name in ("Data (CSV)", "Data (JSON)"):
        href = figures.get_by_role("link", name=name).get_attribute("href")
        response = page.request.get(live_server.url + href)
        assert response.ok and response.headers["access-control-allow-origin"] == "*"
        assert "0126" in response.text()
    with page.expect_navigation():
        figures.get_by_role("link", name="Om nyckeltalet").click()
    assert page.url.endswith(INDICATOR + "?lang=sv")
    assert page.locator("#over-time svg").count() == 1
    with page.expect_navigation():
        page.locator("a.sparql-ranking").first.click()
    assert "/sparql?edit=" in page.url and "ORDER BY DESC(?value)" in unquote(page.url)
    page.goto(f"{live_server.url}{HUDDINGE}")
    with page.expect_navigation():
        page.locator("a.sparql-trend").first.click()
    page.wait_for_load_state("load")
    has_yasgui = page.evaluate("!!window.klimatYasgui")
    text = page.evaluate("window.klimatYasgui.getTab().getQuery()") if has_yasgui else \
        page.locator("#query").input_value()
    assert "<id/municipality/0126>" in text and "ORDER BY ?year" in text
    assert [e for e in page.console_errors if "favicon" not in e] == []


@pytest.mark.parametrize("path,scope,marks,count", [
    (HUDDINGE, "#figure-vaxthusgaser-per-invanare svg", "circle.point", 14),
    (INDICATOR, "#over-time svg", "circle.point", 14),
    (INDICATOR, "#year-2020 svg", "rect.bar", 1),
])
def test_charts_without_javascript(browser, live_server, path, scope, marks, count):
    context, page, errors = new_page(browser, live_server, javascript=False)
    try:
        page.goto(live_server.url + path)
        assert_drawn(page, scope, marks, count)
        assert errors == []
    finally:
        context.close()
