"""Every page read as a person would, in headless Chromium: every URL of the sitemap and the
site's other pages, in Swedish and in English, at 390 px (a phone) and at 1280 px.

A page fails on what no reader should see in its visible text (tests/page_reader.py): a raw
http(s) IRI that is not a link's own visible URL, a `prefix:name` or camelCase name, a doubled
word, text in the other language outside quoted data (names, titles, literals, queries), and
horizontal overflow at either width. Screenshots of a fixed list of pages at both widths are
written to tests/artifacts/pages/ (git-ignored) for a person to look at.

What makes it fast (1,336 readings at each width): a top-level navigation costs Chromium and
Playwright about three times what the page itself costs, so the pages are loaded in frames. One
browser; a few tabs of the site's own origin, each loading a batch of pages into frames stacked
in its visible viewport, each frame 390 px wide and as high as a phone's window (so the page's
own viewport, media queries and overflow are a phone's). One `evaluate` per batch waits for every
frame's `load` event (as a navigation waits for the page's), reads every frame at 390 px, widens
the frames to 1280 px and reads them again. Nothing is blocked. The screenshot list is loaded as
top-level pages by one more tab, read at both widths the same way and photographed; those readings
must equal the frames' readings, which shows that a page in a frame reads as a page in a tab.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from .conftest import BASE, CHROMIUM, CHROMIUM_ARGS
from .page_reader import READ_PAGE, Finding, findings

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
WIDTHS = (390, 1280)
HEIGHT = 800  # a window's height: the frames' and the tabs' viewports are WIDTHS × HEIGHT
READERS = 3  # tabs loading batches of frames (3 × 6: the quickest of the few tried on 2 cores)
BATCH = 6  # frames per tab and evaluate
LOAD_TIMEOUT_MS = 30_000

# one batch: load every URL in a frame, wait for its load event, read each at every width in turn
READ_FRAMES = """async ({urls, widths, height, timeout}) => {
  const read = READ_PAGE;
  document.body.replaceChildren();
  const frames = urls.map((url) => {
    const frame = document.createElement('iframe');
    frame.style.cssText = `position:absolute;top:0;left:0;border:0;width:${widths[0]}px;height:${height}px`;
    const loaded = new Promise((resolve) => frame.addEventListener('load', () => resolve(true), {once: true}));
    frame.src = url;
    document.body.append(frame);
    return {frame, loaded};
  });
  const late = new Promise((resolve) => setTimeout(() => resolve(false), timeout));
  const loaded = await Promise.all(frames.map((f) => Promise.race([f.loaded, late])));
  const readings = frames.map(() => []);
  for (const width of widths) {
    frames.forEach((f) => { f.frame.style.width = width + 'px'; });
    frames.forEach((f, i) => { readings[i].push(loaded[i] ? read(f.frame.contentDocument) : null); });
  }
  return JSON.stringify(readings);  // one string: Playwright checks a structured answer value by value
}""".replace("READ_PAGE", READ_PAGE)
READ_TAB = "() => JSON.stringify((READ_PAGE)())".replace("READ_PAGE", READ_PAGE)


def _sitemap_paths(server_url: str) -> list[str]:
    text = httpx.get(server_url + "/sitemap.xml", timeout=30).text
    return [u.replace(BASE.rstrip("/"), "") or "/" for u in re.findall(r"<loc>([^<]+)</loc>", text)]


def _url(server_url: str, path: str, lang: str) -> str:
    return f"{server_url}{path}{'&' if '?' in path else '?'}lang={lang}"


def _screenshot_name(path: str, lang: str, width: int) -> str:
    return (path.strip("/").replace("/", "_").replace("?", "_") or "index") + f".{lang}.{width}.png"


async def _read_all(server_url: str, paths: list[str]) -> tuple[list, dict, float]:
    """Every (path, language) read at every width: what was found, the readings by (path, lang), seconds."""
    from playwright.async_api import async_playwright

    jobs = [(path, lang) for path in paths for lang in ("sv", "en")]
    jobs.reverse()  # popped from the end: in the order of the sitemap
    problems: list = []
    readings: dict[tuple[str, str], list] = {}
    in_tabs: dict[tuple[str, str], list] = {}
    started = time.monotonic()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})

        async def reader() -> None:
            page = await context.new_page()
            await page.goto(server_url + "/no-such-page")  # the site's origin: its frames' documents are readable
            while jobs:
                batch = [jobs.pop() for _ in range(min(BATCH, len(jobs)))]
                urls = [_url(server_url, path, lang) for path, lang in batch]
                answer = await page.evaluate(READ_FRAMES, {"urls": urls, "widths": WIDTHS, "height": HEIGHT,
                                                           "timeout": LOAD_TIMEOUT_MS})
                for (path, lang), at_widths in zip(batch, json.loads(answer), strict=True):
                    readings[path, lang] = at_widths
            await page.close()

        async def photographer() -> None:
            page = await context.new_page()
            for path in SCREENSHOTS:
                for lang in ("sv", "en"):
                    await page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
                    await page.goto(_url(server_url, path, lang), wait_until="load")
                    in_tabs[path, lang] = []
                    for width in WIDTHS:
                        await page.set_viewport_size({"width": width, "height": HEIGHT})
                        in_tabs[path, lang].append(json.loads(await page.evaluate(READ_TAB)))
                        await page.screenshot(path=str(ARTIFACTS / _screenshot_name(path, lang, width)),
                                              full_page=True)
            await page.close()

        await asyncio.gather(photographer(), *(reader() for _ in range(READERS)))
        await browser.close()
    seconds = time.monotonic() - started
    for (path, lang), at_widths in readings.items():
        if None in at_widths:
            problems.append(Finding(path, lang, "not loaded", f"within {LOAD_TIMEOUT_MS} ms"))
            continue
        found = [f for width, page in zip(WIDTHS, at_widths, strict=True) for f in findings(path, lang, page, width)]
        problems.extend({str(f): f for f in found}.values())  # once, when both widths show it
    for key, at_widths in in_tabs.items():
        if _comparable(at_widths) != _comparable(readings[key]):
            problems.append(Finding(*key, "reads differently in a tab than in a frame", str(at_widths)))
    return problems, readings, seconds


def _comparable(readings: list[dict]) -> str:
    """Readings without the links' fragments (YASGUI names its tabs `#` + a random id on every load)."""
    return re.sub(r'("href": "[^"#]*)#[^"]*"', r'\1"', json.dumps(readings))


def test_every_page_reads_as_words_in_one_language_and_fits_a_phone(live_server):
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    paths = _sitemap_paths(live_server.url)
    assert len(paths) > 600, len(paths)  # 290 municipalities, 141 memberships, … (the data's whole sitemap)
    assert set(SCREENSHOTS) - {"/no-such-page"} <= set(paths) | set(EXTRA)
    problems, readings, seconds = asyncio.run(_read_all(live_server.url, paths + EXTRA))
    assert len(readings) == 2 * len(set(paths + EXTRA))
    assert all(len(r) == len(WIDTHS) for r in readings.values())
    print(f"read {len(readings)} pages at {len(WIDTHS)} widths in {seconds:.1f} s")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(str(p) for p in problems[:80])
    shots = sorted(ARTIFACTS.glob("*.png"))
    assert len(shots) == 2 * 2 * len(SCREENSHOTS), len(shots)


def test_the_reader_finds_what_it_is_meant_to_find():
    """The checks themselves, on a page made to fail each of them (and on quoted data, which passes)."""
    page = {"lang": "en", "width": 390, "overflow": 0, "texts": [
        {"text": "See http://example.org/x here", "quoted": False, "href": None, "linkText": None},
        {"text": "http://example.org/y", "quoted": False, "href": "http://example.org/y",
         "linkText": "http://example.org/y"},
        {"text": "Type: dcterms:Location", "quoted": False, "href": None, "linkText": None},
        {"text": "servesDataset", "quoted": False, "href": None, "linkText": None},
        {"text": "is is part of of", "quoted": False, "href": None, "linkText": None},
        {"text": "Medlemmar sedan 2007", "quoted": False, "href": None, "linkText": None},
        {"text": "Haninge kommun och Nynäshamn", "quoted": True, "href": None, "linkText": None},
    ]}
    kinds = sorted(f.kind for f in findings("/x", "en", page, 390))
    assert kinds == ["camelCase name", "doubled word", "prefix:name", "raw IRI", "wrong language"], kinds
    narrow = {"lang": "sv", "width": 375, "overflow": 24, "texts": []}
    kinds = sorted(f.kind for f in findings("/x", "en", narrow, 390))
    assert kinds == ["horizontal overflow", "page language", "viewport"], kinds
