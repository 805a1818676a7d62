"""The query page in real headless Chromium: YASGUI loads from our origin and runs an example."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_yasgui_runs_the_first_example_and_shows_a_table(live_server, browser) -> None:
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_server.url + "/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    assert page.locator(".tabPanel, .tab").count() >= 1
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr", timeout=20_000)
    text = page.locator(".yasr table").inner_text()
    page.close()
    assert "kommun" in text
    assert all(u.startswith(live_server.url) for u in requests if u.startswith("http")), requests
