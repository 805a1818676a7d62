"""Every page read as a person would, in headless Chromium: every URL of the sitemap and the
site's other pages, in Swedish and in English, at 390 px (a phone); the screenshot list at 1280 px too.

A page fails on what no reader should see in its visible text (tests/page_reader.py): a raw
http(s) IRI that is not a link's own visible URL, a `prefix:name` or camelCase name, a doubled
word, text in the other language outside quoted data (names, titles, literals, queries), and
horizontal overflow at either width. Screenshots of a fixed list of pages at both widths are
written to tests/artifacts/pages/ (git-ignored) for a person to look at.

One browser, four reused tabs, one `evaluate` per page: each page is loaded once at 390 px and
read (text and overflow); the pages of the screenshot list are then widened to 1280 px, measured
for overflow again and photographed at both widths.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import httpx
import pytest

from .conftest import BASE, CHROMIUM, CHROMIUM_ARGS
from .page_reader import OVERFLOW, READ_PAGE, findings

ARTIFACTS = Path(__file__).parent / "artifacts" / "pages"
EXTRA = ["/sparql", "/queries", "/queries/memberships-by-network?network=sveriges-ekokommuner&since=2000",
         "/catalog", "/no-such-page", "/doc/no-such-thing", "/sparql?query=SELEC",
         # assembled on request, so not in the sitemap: an observation
         "/doc/observation/miljonyckeltal/vaxthusgaser-per-invanare/0126/2019"]
SCREENSHOTS = ["/", "/catalog", "/sparql", "/queries", "/doc/municipality/0136",
               "/doc/organisation/sveriges-ekokommuner", "/doc/membership/haninge--sveriges-ekokommuner",
               "/doc/dataset/klimatsamarbeten",
               "/doc/distribution/klimatsamarbeten/klimatsamarbeten-ttl", "/doc/def", "/doc/def/Municipality",
               "/doc/county/01", "/doc/concept/enheter/procent", "/doc/source/haninge-klimatsamarbeten-2018",
               "/no-such-page"]
TABS = 4
SLOW = {"/sparql"}  # YASGUI builds its tabs after the document has loaded
WIDTHS = (390, 1280)


def _sitemap_paths(server_url: str) -> list[str]:
    text = httpx.get(server_url + "/sitemap.xml", timeout=30).text
    return [u.replace(BASE.rstrip("/"), "") or "/" for u in re.findall(r"<loc>([^<]+)</loc>", text)]


async def _read_all(server_url: str, paths: list[str]) -> tuple[list, int, float]:
    from playwright.async_api import async_playwright

    jobs: asyncio.Queue = asyncio.Queue()
    for path in paths:
        for lang in ("sv", "en"):
            jobs.put_nowait((path, lang))
    problems: list = []
    read = 0
    started = time.monotonic()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(viewport={"width": WIDTHS[0], "height": 800})

        async def tab() -> None:
            nonlocal read
            page = await context.new_page()
            while not jobs.empty():
                path, lang = jobs.get_nowait()
                url = f"{server_url}{path}{'&' if '?' in path else '?'}lang={lang}"
                await page.goto(url, wait_until="domcontentloaded" if path not in SLOW else "load")
                problems.extend(findings(path, lang, await page.evaluate(READ_PAGE)))  # text and overflow at 390 px
                if path in SCREENSHOTS:
                    name = (path.strip("/").replace("/", "_").replace("?", "_") or "index") + f".{lang}"
                    await page.screenshot(path=str(ARTIFACTS / f"{name}.{WIDTHS[0]}.png"), full_page=True)
                    await page.set_viewport_size({"width": WIDTHS[1], "height": 800})
                    wide = await page.evaluate(OVERFLOW)
                    if wide > 1:
                        problems.append(f"{path} [{lang}] overflows by {wide}px at {WIDTHS[1]} px")
                    await page.screenshot(path=str(ARTIFACTS / f"{name}.{WIDTHS[1]}.png"), full_page=True)
                    await page.set_viewport_size({"width": WIDTHS[0], "height": 800})
                read += 1
            await page.close()

        await asyncio.gather(*(tab() for _ in range(TABS)))
        await browser.close()
    return problems, read, time.monotonic() - started


def test_every_page_reads_as_words_in_one_language_and_fits_a_phone(live_server):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    paths = _sitemap_paths(live_server.url)
    assert len(paths) > 600, len(paths)  # 290 municipalities, 141 memberships, … (the data's whole sitemap)
    assert set(SCREENSHOTS) - {"/no-such-page"} <= set(paths) | set(EXTRA)
    problems, read, seconds = asyncio.run(_read_all(live_server.url, paths + EXTRA))
    assert read == 2 * len(paths + EXTRA)
    print(f"read {read} pages in {seconds:.1f} s")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(str(p) for p in problems[:80])
    shots = sorted(ARTIFACTS.glob("*.png"))
    assert len(shots) == 2 * 2 * len(SCREENSHOTS), len(shots)


def test_the_reader_finds_what_it_is_meant_to_find():
    """The checks themselves, on a page made to fail each of them (and on quoted data, which passes)."""
    page = {"lang": "en", "texts": [
        {"text": "See http://example.org/x here", "quoted": False, "href": None, "linkText": None},
        {"text": "http://example.org/y", "quoted": False, "href": "http://example.org/y",
         "linkText": "http://example.org/y"},
        {"text": "Type: dcterms:Location", "quoted": False, "href": None, "linkText": None},
        {"text": "servesDataset", "quoted": False, "href": None, "linkText": None},
        {"text": "is is part of of", "quoted": False, "href": None, "linkText": None},
        {"text": "Medlemmar sedan 2007", "quoted": False, "href": None, "linkText": None},
        {"text": "Haninge kommun och Nynäshamn", "quoted": True, "href": None, "linkText": None},
    ]}
    kinds = sorted(f.kind for f in findings("/x", "en", page))
    assert kinds == ["camelCase name", "doubled word", "prefix:name", "raw IRI", "wrong language"], kinds
