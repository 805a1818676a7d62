"""SVG charts (pure functions) and the cube's downloads in the release.

Chart inputs here are SYNTHETIC series (made-up values) unless they come from the built release.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest

from publisher.release.charts import Labels, Series, bar_chart, line_chart, runs, value_ticks, year_ticks

SVG = "{http://www.w3.org/2000/svg}"
LABELS = Labels("Synthetic title <&>", "Synthetic description", "Year", "t CO2e/inv")


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


@pytest.mark.parametrize(("points", "expected"), [
    ((), []),
    (((2019, "1"),), [[2019]]),
    (((1990, "4"), (2000, "3"), (2010, "3"), (2011, "2"), (2012, "2")), [[1990], [2000], [2010, 2011, 2012]]),
    (((2012, "2"), (2010, "3"), (2011, "2")), [[2010, 2011, 2012]]),
])
def test_runs_split_a_series_at_every_missing_year(points, expected):
    assert [[y for y, _ in run] for run in runs(points)] == expected


@pytest.mark.parametrize(("low", "high", "expected"), [
    (1.23, 4.4, [0, 1, 2, 3, 4, 5]),
    (3833, 15731, [0, 5000, 10000, 15000, 20000]),
    (0.5, 0.5, [0, 0.1, 0.2, 0.3, 0.4, 0.5]),
    (-2, 3, [-2, -1, 0, 1, 2, 3]),
    (0, 0, [0, 0.2, 0.4, 0.6, 0.8, 1.0]),
])
def test_value_ticks_are_round_and_cover_zero_and_the_data(low, high, expected):
    assert value_ticks(low, high) == pytest.approx(expected)


@pytest.mark.parametrize(("first", "last", "expected"), [
    (2019, 2019, [2019]),
    (2015, 2020, [2015, 2016, 2017, 2018, 2019, 2020]),
    (1990, 2020, [1990, 1995, 2000, 2005, 2010, 2015, 2020]),
])
def test_year_ticks(first, last, expected):
    assert year_ticks(first, last) == expected


def test_line_chart_is_accessible_self_contained_svg():
    svg = line_chart("t1", [Series("Synthetic", ((2018, "1.5"), (2019, "1.25")))], LABELS)
    root = parse(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "t1-title t1-desc"
    assert root.find(SVG + "title").text == "Synthetic title <&>"
    assert root.find(SVG + "desc").text == "Synthetic description"
    texts = {t.text for t in root.iter(SVG + "text")}
    assert {"Year", "t CO2e/inv", "2018", "2019"} <= texts
    assert "href" not in svg and "<script" not in svg and "url(" not in svg  # nothing external, no JS


def test_gaps_are_not_bridged_and_a_single_point_is_drawn():
    series = Series("Synthetic", ((1990, "4.4"), (2000, "3.7"), (2010, "3.1"), (2011, "3.0"), (2012, "2.8")))
    root = parse(line_chart("t2", [series], LABELS))
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 3  # only 2010–2012 are joined
    assert len(root.findall(f".//{SVG}circle")) == 5
    single = parse(line_chart("t3", [Series("Synthetic", ((2019, "1.38"),))], LABELS))
    assert single.findall(f".//{SVG}polyline") == []
    (point,) = single.findall(f".//{SVG}circle")
    assert point.find(SVG + "title").text == "Synthetic 2019: 1.38"  # the published text, not a float


def test_points_keep_their_vertical_order():
    root = parse(line_chart("t4", [Series("Synthetic", ((2018, "10"), (2019, "20"), (2020, "5")))], LABELS))
    ys = [float(c.get("cy")) for c in root.findall(f".//{SVG}circle")]
    assert ys[1] < ys[0] < ys[2]  # SVG y grows downwards


def test_bar_chart_sorts_largest_first_and_labels_every_bar():
    root = parse(bar_chart("t5", [("Alfa", "1.5"), ("Beta", "3"), ("Gamma", "0.25")], LABELS))
    bars = root.findall(f".//{SVG}rect[@class='bar']")
    # the values as the chart's language (Swedish by default) writes them, every published digit kept
    assert [b.find(SVG + "title").text for b in bars] == ["Beta: 3", "Alfa: 1,5", "Gamma: 0,25"]
    widths = [float(b.get("width")) for b in bars]
    assert widths == sorted(widths, reverse=True)


def test_empty_input_is_refused():
    with pytest.raises(ValueError):
        line_chart("t6", [Series("Synthetic", ())], LABELS)
    with pytest.raises(ValueError):
        bar_chart("t7", [], LABELS)


# --- the downloads in the release ----------------------------------------------------------

EXPECTED_CUBE_FILES = (
    2  # cube-observations.csv/json
    + 2 * 2  # per indicator: csv + json
    + 2 * 2  # per indicator: line chart sv + en
    + (14 + 10) * 2  # per (indicator, year): bar chart sv + en
    + 2 * 2  # per municipality: csv + json
    + 2 * 2  # per (municipality, indicator): line chart sv + en
    + 2  # example queries
)


def test_release_lists_every_cube_file_with_its_media_type(built, settings):
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    cube = {name: info for name, info in manifest["files"].items() if name.startswith("cube-")}
    assert len(cube) == EXPECTED_CUBE_FILES
    media = {name.rsplit(".", 1)[1]: info["media_type"] for name, info in cube.items()}
    assert media == {"csv": "text/csv; charset=utf-8", "json": "application/json", "svg": "image/svg+xml",
                     "rq": "application/sparql-query"}
    for name in cube:
        assert (settings.current_release / name).is_file() and "/" not in name
    for name in ("cube-municipality--0126--vaxthusgaser-per-invanare.sv.svg",
                 "cube-indicator--vaxthusgaser-produktanvandning--2019.en.svg",
                 "cube-indicator--vaxthusgaser-per-invanare.json", "cube-municipality--0181.csv",
                 "cube-query--trend.rq", "cube-query--ranking.rq"):
        assert name in cube


def test_slices_hold_the_published_values_with_their_sources(built, settings):
    release = settings.current_release
    rows = list(csv.DictReader(io.StringIO((release / "cube-indicator--vaxthusgaser-per-invanare.csv").read_text())))
    assert [(r["year"], r["value"]) for r in rows][-4:] == [("2017", "1.53"), ("2018", "1.45"), ("2019", "1.38"),
                                                            ("2020", "1.23")]
    assert rows[-1]["source"] == "huddinge-koldioxidutslapp-per-invanare-2023"
    assert rows[0]["source_url"].startswith("https://huddinge.miljobarometern.se/")
    assert rows[0]["observation"] == ("http://127.0.0.1:8000/id/observation/miljonyckeltal/"
                                      "vaxthusgaser-per-invanare/0126/1990")
    document = json.loads((release / "cube-municipality--0181.json").read_text())
    assert document["slice"] == {"municipality": "0181", "resource": "http://127.0.0.1:8000/id/municipality/0181"}
    first = document["observations"][0]
    assert (first["year"], first["value"], first["value_text"], first["unit_symbol"]) == (1990, 3833, "3833", "t CO2e")
    assert len(document["observations"]) == 10


def test_municipality_chart_in_the_release_shows_the_real_series(built, settings):
    svg = (settings.current_release / "cube-municipality--0126--vaxthusgaser-per-invanare.en.svg").read_text()
    root = parse(svg)
    assert root.find(SVG + "title").text.startswith("Greenhouse-gas emissions per inhabitant (territorial), Huddinge")
    desc = root.find(SVG + "desc").text
    assert "1990: 4.4" in desc and "2017: 1.53" in desc and "2020: 1.23" in desc
    # the Swedish chart's description writes its numbers as Swedish does, like its axes and tables
    sv = parse((settings.current_release / "cube-municipality--0126--vaxthusgaser-per-invanare.sv.svg").read_text())
    desc = sv.find(SVG + "desc").text
    assert "1990: 4,4" in desc and "2017: 1,53" in desc and "2020: 1,23" in desc and "1.53" not in desc
    assert len(root.findall(f".//{SVG}circle")) == 14
    # 1990, 2000 and 2005 stand alone; 2010–2020 is one line
    (line,) = root.findall(f".//{SVG}polyline")
    assert len(line.get("points").split()) == 11
