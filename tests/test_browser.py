"""The pages in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow



@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="sv-SE", extra_http_headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.console_errors = errors
    # nothing may leave the machine: every request must go to the live server
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
               else route.abort())
    yield page
    context.close()


def test_landing_page_renders_and_links_navigate_to_a_municipality(page, live_server):
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Klimatsamarbeten")
    assert page.get_by_role("heading", name="Nätverk och samarbeten").is_visible()
    page.get_by_role("link", name="Haninge kommun").first.click()
    page.wait_for_url("**/doc/municipality/0136")
    assert page.get_by_role("heading", level=1).inner_text() == "Haninge kommun"
    assert "medlem sedan 2007" in page.locator("main").inner_text()
    assert page.console_errors == []


def test_thing_uri_in_the_address_bar_gives_the_page(page, live_server):
    response = page.goto(live_server.url + "/id/organisation/sveriges-ekokommuner")
    assert response.status == 200 and page.url.endswith("/doc/organisation/sveriges-ekokommuner")
    assert "Haninge kommun" in page.locator("main").inner_text()
    page.get_by_role("link", name="Haninge kommun").first.click()
    page.wait_for_url("**/doc/municipality/0136")
    assert page.console_errors == []


def test_language_switch_and_the_choice_sticks_across_links(page, live_server, tmp_path):
    page.goto(live_server.url + "/doc/municipality/0136")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/doc/municipality/0136?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    main = page.locator("main").inner_text()
    assert "member since 2007" in main and "Sources" in main
    page.set_viewport_size({"width": 1000, "height": 1400})
    page.screenshot(path=str(tmp_path / "municipality-en.png"), full_page=True)
    page.get_by_role("link", name="The National Association of Swedish Eco-municipalities").first.click()
    page.wait_for_url("**/doc/organisation/sveriges-ekokommuner?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.console_errors == []


def test_embedded_json_ld_parses_and_the_page_works_on_a_phone(page, live_server):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(live_server.url + "/doc/municipality/0136")
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["@type"] == "GovernmentOrganization" and data["identifier"] == "0136"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, "the page scrolls sideways on a phone"
    assert page.locator("main").count() == 1 and page.locator("nav").count() >= 1
    assert page.console_errors == []


def test_vocabulary_page_and_rdf_download_links(page, live_server):
    page.goto(live_server.url + "/def/")
    assert page.url.endswith("/doc/def")
    assert page.get_by_role("link", name="Kommun").first.is_visible()
    with page.expect_response(lambda r: r.url.endswith("/doc/def.ttl")) as info:
        page.evaluate("fetch('/doc/def.ttl')")
    assert info.value.headers["content-type"] == "text/turtle; charset=utf-8"
    assert page.console_errors == []


def test_a_literal_with_a_script_end_tag_cannot_break_out_of_the_page(browser, private_settings, data_copy):
    """Synthetic test data: a name holding </script> and markup, built and served for real."""
    from publisher.dataset.pipeline import build

    from .conftest import LiveServer

    evil = "Haninge </script><script>window.pwned=1</script><b>x</b> & co"
    path = data_copy / "municipalities.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "name: {sv: Haninge kommun,", f"name: {{sv: '{evil}',"), encoding="utf-8")
    build(private_settings, progress=lambda _: None)
    server = LiveServer(private_settings)
    try:
        context = browser.new_context()
        page = context.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(server.url + "/doc/municipality/0136?lang=sv")
        assert page.evaluate("window.pwned") is None and dialogs == []
        assert page.locator("b").count() == 0  # the markup is text, not elements
        assert page.get_by_role("heading", level=1).inner_text() == evil
        scripts = page.locator('script[type="application/ld+json"]')
        assert scripts.count() == 1
        assert page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]')"
                             ".textContent).name") == evil
        context.close()
    finally:
        server.stop()
