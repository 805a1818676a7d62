"""The generated SVG charts render in a real headless Chromium (Debian's /usr/bin/chromium).

A tiny page of our own, served from a temporary folder by a real HTTP server on 127.0.0.1, shows
the charts of the built release both as <img> and inline; the test checks that the line, the
points and the axes have non-zero boxes and that the browser logged no error. `make test`
installs Chromium (`make browser`); the shared `browser` fixture is in conftest.py.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator

import pytest

CHARTS = ("cube-municipality--0126--vaxthusgaser-per-invanare.sv.svg",
          "cube-indicator--vaxthusgaser-produktanvandning.en.svg",
          "cube-indicator--vaxthusgaser-produktanvandning--2019.sv.svg")

pytestmark = pytest.mark.slow


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def site(built, settings, tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("charts")
    for name in CHARTS:
        shutil.copy(settings.current_release / name, folder / name)
    inline = "\n".join((folder / name).read_text(encoding="utf-8") for name in CHARTS)
    images = "\n".join(f'<img id="img-{i}" src="{name}" alt="">' for i, name in enumerate(CHARTS))
    head = '<!doctype html><html lang="sv"><meta charset="utf-8"><link rel="icon" href="data:,"><title>Charts</title>'
    (folder / "index.html").write_text(f"{head}<body>{inline}\n{images}</body></html>", encoding="utf-8")
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def page(site, browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site + "/index.html")
    page.wait_for_load_state("load")
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    page.close()


def boxes(page, selector: str) -> list[dict]:
    return [b for b in (e.bounding_box() for e in page.query_selector_all(selector)) if b is not None]


def test_line_points_and_axes_of_the_trend_chart_have_size(page):
    svg = "svg[aria-labelledby^='0126-vaxthusgaser-per-invanare-sv']"
    (line,) = boxes(page, f"{svg} polyline.line")
    assert line["width"] > 100 and line["height"] > 20
    points = boxes(page, f"{svg} circle.point")
    assert len(points) == 14 and all(p["width"] > 0 and p["height"] > 0 for p in points)
    for axis in ("x-axis", "y-axis"):
        (box,) = boxes(page, f"{svg} g.axis.{axis} line.axis-line")
        assert box["width"] > 0 or box["height"] > 0
        (label,) = boxes(page, f"{svg} g.axis.{axis} text.axis-label")
        assert label["width"] > 0 and label["height"] > 0
    assert page.errors == []


def test_comparison_bars_render(page):
    bars = boxes(page, "svg[aria-labelledby^='vaxthusgaser-produktanvandning-2019-sv'] rect.bar")
    assert len(bars) == 1 and bars[0]["width"] > 100


def test_charts_load_as_standalone_images(page):
    for i in range(len(CHARTS)):
        size = page.eval_on_selector(f"#img-{i}", "img => [img.complete, img.naturalWidth, img.naturalHeight]")
        assert size[0] and size[1] == 640 and size[2] > 0, (CHARTS[i], size)
    assert page.errors == []
