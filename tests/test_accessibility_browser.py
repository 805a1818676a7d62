"""WCAG 2.1 AA in real headless Chromium: axe-core (node_modules/axe-core, from package.json, injected into
each page: never fetched) over one page of every kind in Swedish and English, and keyboard-only journeys."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.0, 2.1 and 2.2, levels A and AA
RUN_AXE = """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                    resultTypes: ['violations']})).violations
  .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))"""
SERVICE_PAGES = ["/", "/sparql", "/queries", "/queries/members-per-network", "/search", "/search?q=hanin",
                 "/search?q=zzzz", "/accessibility", "/no-such-page", "/doc/municipality/9999"]


def page_kinds(settings) -> list[str]:
    """One document of every kind in the sitemap (the first key of each first path segment, and a term)."""
    site = json.loads((settings.current_release / "pages" / "site.json").read_text(encoding="utf-8"))
    first: dict[str, str] = {}
    for key in sorted(site["documents"]):
        kind = key.split("/", 1)[0] if key.count("/") or key == "def" else key
        first.setdefault(kind if key != "def" else "vocabulary", key)
    first["term"] = next(k for k in sorted(site["documents"]) if k.startswith("def/"))
    return [f"/doc/{quote(key)}" for key in sorted(set(first.values()))]


def with_lang(path: str, lang: str) -> str:
    if path.startswith("/queries/"):  # a canned query takes only its own parameters (the locale sets the language)
        return path
    return path + ("&" if "?" in path else "?") + f"lang={lang}"


@pytest.fixture(scope="module")
def axe_pages(built, settings) -> list[str]:
    return page_kinds(settings) + SERVICE_PAGES


def test_axe_finds_no_violations_on_any_page_kind_in_either_language(live_server, browser, axe_pages):
    assert AXE.exists(), "axe-core is missing: `make setup` installs it (package.json)"
    assert len(axe_pages) >= 25  # about 16 kinds of document and 10 other pages
    checked, failures = 0, {}
    for lang, locale in (("sv", "sv-SE"), ("en", "en-GB")):
        context = browser.new_context(locale=locale)  # Accept-Language for the pages that negotiate it
        page = context.new_page()
        for path in axe_pages:
            response = page.goto(live_server.url + with_lang(path, lang))
            if path == "/sparql":
                page.wait_for_selector(".yasqe .CodeMirror")
                page.wait_for_timeout(300)  # YASGUI draws its tabs after the editor
            assert response is not None and response.status in (200, 404), (path, response and response.status)
            assert page.evaluate("document.documentElement.lang") in ("sv", "en"), path
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(RUN_AXE, TAGS)
            checked += 1
            if violations:
                failures[f"{path} ({lang})"] = violations
        context.close()
    assert checked == 2 * len(axe_pages)
    assert failures == {}


def test_axe_finds_no_violations_in_yasgui_after_running_a_query(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(RUN_AXE, TAGS)
    page.close()
    assert violations == []


def tab_to(page, predicate: str, limit: int = 60) -> None:
    """Press Tab until `predicate` (JS over document.activeElement `el`) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
    raise AssertionError(f"never reached by Tab: {predicate}")


def test_keyboard_only_search_suggests_announces_and_follows_a_result(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/?lang=sv")
    tab_to(page, "el.id === 'site-q'")
    page.keyboard.type("sodert")
    page.wait_for_selector("#site-q-list [role=option]")
    assert page.get_attribute("#site-q", "aria-expanded") == "true"
    page.wait_for_function("document.querySelector('[data-status-for=site-q]').textContent.includes('förslag')")
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#site-q", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    assert "Södertälje" in page.inner_text(f"#{active}")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/doc/municipality/0181?lang=sv")
    assert "Södertälje" in page.inner_text("h1")
    page.close()


def test_keyboard_only_search_submits_to_the_results_page_and_follows_the_first_result(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/doc/county/01?lang=en")
    tab_to(page, "el.id === 'site-q'")
    page.keyboard.type("goteborg")
    page.wait_for_selector("#site-q-list [role=option]")
    page.keyboard.press("Escape")  # closes the suggestions; Enter then submits the form
    assert page.get_attribute("#site-q", "aria-expanded") == "false"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search?q=goteborg&lang=en" in page.url
    assert page.inner_text("#result-count").startswith("1") or "results" in page.inner_text("#result-count")
    tab_to(page, "el.closest && el.closest('.search-group') && el.tagName === 'A'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/doc/municipality/1480?lang=en")
    page.close()


def test_keyboard_only_language_switch(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/doc/municipality/0136?lang=sv")
    assert page.evaluate("document.documentElement.lang") == "sv"
    tab_to(page, "el.getAttribute('hreflang') === 'en'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert "Haninge Municipality" in page.inner_text("h1")
    page.close()


def test_keyboard_only_runs_an_example_query(live_server, browser):
    page = browser.new_page()
    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    tab_to(page, "el.classList.contains('yasqe_queryButton') && el.closest('.tabPanel.active')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
    assert "kommun" in page.locator(".yasr table").inner_text()
    page.close()
