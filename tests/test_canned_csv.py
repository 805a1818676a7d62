"""/queries/*.csv is safe to open in a spreadsheet (OWASP's advice on CSV injection), numbers stay numbers.

A label that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a single quote in
front; a cell that is a plain number (`-3.5`) is kept as it is, in any column.
"""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from publisher.web.canned import safe_cell, spreadsheet_safe

CELLS = [
    ("formula", "=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK(\"http://evil.example\",\"x\")"),
    ("plus", "+46 8 123 45", "'+46 8 123 45"),
    ("minus_expression", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("at", "@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("tab", "\t=1+1", "'\t=1+1"),
    ("carriage_return", "\r=1+1", "'\r=1+1"),
    ("negative_decimal", "-3.5", "-3.5"),
    ("signed_integer", "+2", "+2"),
    ("negative_double", "-1.5E-3", "-1.5E-3"),
    ("negative_infinity_is_text", "-INF", "'-INF"),
    ("plain_text", "Haninge kommun", "Haninge kommun"),
    ("iri", "http://127.0.0.1:8000/id/municipality/0136", "http://127.0.0.1:8000/id/municipality/0136"),
    ("formula_later_in_the_cell", "a=1+1", "a=1+1"),
    ("empty", "", ""),
]


@pytest.mark.parametrize(("cell", "expected"), [c[1:] for c in CELLS], ids=[c[0] for c in CELLS])
def test_a_cell_that_a_spreadsheet_would_run_is_quoted(cell, expected):
    assert safe_cell(cell) == expected


def test_cell_table_is_complete():
    assert len(CELLS) == 14


def test_csv_bytes_are_unchanged_when_nothing_needs_quoting():
    body = b'a,b\r\nHaninge kommun,-3.5\r\n"x, y",2\r\n'
    assert spreadsheet_safe(body) is body


def test_csv_is_rewritten_cell_by_cell_keeping_quoting_and_line_ends():
    body = b'label,value\r\n"=1+2, ""quoted""",-3.5\r\n@x,"multi\nline"\r\n'
    rows = list(csv.reader(io.StringIO(spreadsheet_safe(body).decode(), newline="")))
    assert rows == [["label", "value"], ["'=1+2, \"quoted\"", "-3.5"], ["'@x", "multi\nline"]]
    assert spreadsheet_safe(body).endswith(b"\r\n")


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """Synthetic test data: names that are formulas and a negative figure, built and served for real."""
    import shutil
    from dataclasses import replace
    from pathlib import Path

    from publisher.dataset.pipeline import build
    from publisher.settings import Settings

    from .conftest import BASE, ROOT, LiveServer

    tmp = tmp_path_factory.mktemp("csv")
    data = Path(shutil.copytree(ROOT / "data", tmp / "data"))
    names = data / "municipalities.yaml"
    names.write_text(names.read_text(encoding="utf-8")
                     .replace("name: {sv: Haninge kommun,", "name: {sv: '=HYPERLINK(\"http://evil.example\",\"Haninge\")',")
                     .replace("name: {sv: Botkyrka kommun,", "name: {sv: '@SUM(1+1)*cmd|'' /C calc''!A0 Botkyrka',"),
                     encoding="utf-8")
    figures = data / "observations" / "huddinge-vaxthusgaser-per-invanare.csv"
    last = figures.read_text(encoding="utf-8").splitlines()[-1].split(",")
    last[2], last[3] = "2021", "-3.5"
    figures.write_text(figures.read_text(encoding="utf-8") + ",".join(last) + "\n", encoding="utf-8")
    settings = replace(Settings.from_root(ROOT, base_uri=BASE), data_dir=data, dist_dir=tmp / "dist")
    build(settings, progress=lambda _: None)
    server = LiveServer(settings)
    yield server
    server.stop()


def read_csv(server, path: str) -> list[dict[str, str]]:
    r = httpx.get(server.url + path, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8"), newline="")))


def test_formula_labels_are_text_and_numbers_stay_numbers_in_served_csv(hostile_server):
    found = read_csv(hostile_server, "/queries/label-search.csv?text=hyperlink")
    assert {row["label"] for row in found} == {"'=HYPERLINK(\"http://evil.example\",\"Haninge\")"}
    found = read_csv(hostile_server, "/queries/label-search.csv?text=botkyrka")
    assert "'@SUM(1+1)*cmd|' /C calc'!A0 Botkyrka" in [row["label"] for row in found]
    trend = read_csv(hostile_server, "/queries/cube-trend.csv?municipality=0126&indicator=vaxthusgaser-per-invanare")
    assert {"2021": "-3.5", "2020": "1.23"}.items() <= {row["year"]: row["value"] for row in trend}.items()
    for path in ("/queries/label-search.csv?text=a", "/queries/networks-of-municipality.csv?municipality=0136",
                 "/queries/members-per-network.csv"):
        for row in read_csv(hostile_server, path):
            for cell in row.values():
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path, cell)
                assert not cell.startswith("-") or cell.lstrip("-").replace(".", "").isdigit(), (path, cell)


def test_json_and_html_keep_the_label_as_it_is(hostile_server):
    r = httpx.get(hostile_server.url + "/queries/label-search.json?text=hyperlink", timeout=30)
    assert r.json()["rows"][0][1] == "=HYPERLINK(\"http://evil.example\",\"Haninge\")"
