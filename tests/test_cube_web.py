"""The statistics cube on the web: /data/ slices, the figures on the pages, the example queries.

Everything over real HTTP (httpx) against the real server (live_server); every value shown is
checked against the sourced CSV files in data/observations/.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import yaml

from publisher.release.charts import Labels, Series, line_chart
from publisher.web.formatting import number
from publisher.web.pages import inline_svg, render_resource

ROOT = Path(__file__).resolve().parents[1]
CSV_FILES = sorted((ROOT / "data" / "observations").glob("*.csv"))



def shown(value: str, lang: str) -> str:
    """A published value as the page shows it (Babel; the table parser reads a no-break space as a space)."""
    return number(value, lang).replace("\xa0", " ")


def unlocalised(text: str, lang: str) -> float:
    """A number as a page writes it ('3\xa0833,5' in Swedish, '3,833.5' in English) read back."""
    digits = text.replace("\xa0", "").replace("\u202f", "").replace(" ", "")
    return float(digits.replace(",", ".") if lang == "sv" else digits.replace(",", ""))

def sourced() -> list[dict[str, str]]:
    rows = []
    for path in CSV_FILES:
        with path.open(encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


ROWS = sourced()
BY_MUNI: dict[str, list[dict]] = defaultdict(list)
BY_IND: dict[str, list[dict]] = defaultdict(list)
for _r in ROWS:
    BY_MUNI[_r["municipality"]].append(_r)
    BY_IND[_r["indicator"]].append(_r)
MUNICIPALITIES = sorted(BY_MUNI)
INDICATORS = sorted(BY_IND)
PAIRS = sorted({(r["municipality"], r["indicator"]) for r in ROWS})
YEARS = sorted({(r["indicator"], int(r["year"])) for r in ROWS})


def test_the_data_has_what_the_tests_expect():
    assert len(CSV_FILES) == 2 and len(ROWS) == 24
    assert MUNICIPALITIES == ["0126", "0181"] and len(INDICATORS) == 2 and len(YEARS) == 24


class Tables(HTMLParser):
    """The cells of every <table class="figures"> of a page, and every element id and link."""

    def __init__(self):
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self._cell: list[str] | None = None
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "table" and "figures" in (a.get("class") or ""):
            self.tables.append([])
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.tables[-1].append([])
        elif self._in_table and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def parse(html: str) -> Tables:
    p = Tables()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def client(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as c:
        yield c


# --- /data/ ----------------------------------------------------------------------------------

SLICES = [("/data/observations", "cube-observations", ROWS)] + \
    [(f"/data/municipality/{m}", f"cube-municipality--{m}", BY_MUNI[m]) for m in MUNICIPALITIES] + \
    [(f"/data/indicator/{i}", f"cube-indicator--{i}", BY_IND[i]) for i in INDICATORS]


@pytest.mark.parametrize("path,dump,expected", SLICES, ids=[s[0] for s in SLICES])
def test_slices_as_csv_and_json(client, path, dump, expected):
    key = lambda r: (r["municipality"], r["indicator"], int(r["year"]))  # noqa: E731
    want = sorted((key(r), r["value"], r["unit"], r["source"], r["status"]) for r in expected)
    got = client.get(path + ".csv")
    assert got.status_code == 200 and got.headers["content-type"] == "text/csv; charset=utf-8"
    assert got.headers["access-control-allow-origin"] == "*" and got.headers["x-content-type-options"] == "nosniff"
    assert got.content == client.get(f"/dumps/{dump}.csv").content
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert got.text.startswith("municipality,municipality_name,indicator,")
    assert sorted((key(r), r["value"], r["unit"], r["source"], r["status"]) for r in rows) == want
    js = client.get(path + ".json")
    assert js.status_code == 200 and js.headers["content-type"] == "application/json"
    doc = js.json()
    assert sorted((key(o), o["value_text"], o["unit"], o["source"], o["status"]) for o in doc["observations"]) == want
    for response in (got, js):  # conditional GET
        again = client.get(path + (".csv" if response is got else ".json"),
                           headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert "last-modified" in response.headers
    head = client.head(path + ".csv")
    assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == got.headers["etag"]


@pytest.mark.parametrize("path", ["/data/municipality/9999.csv", "/data/indicator/no-such.json",
                                  "/data/observations.xml", "/data/indicator/..%2Fmanifest.json",
                                  "/data/thing/0126.csv", "/data/municipality/0126.svg"])
def test_unknown_slices_are_404(client, path):
    r = client.get(path, headers={"Accept": "text/plain"})
    assert r.status_code == 404, r.text
    assert "Traceback" not in r.text


def test_landing_lists_the_statistics_in_their_own_section(client):
    for lang, heading in (("sv", "Statistik"), ("en", "Statistics")):
        html = client.get(f"/?lang={lang}").text
        section = html.split('id="statistics"', 1)[1].split("</section>", 1)[0]
        assert heading in section
        for path, _, _ in SLICES:
            assert f'href="{path}.csv"' in section and f'href="{path}.json"' in section
        dumps = html.split('id="dumps"', 1)[1]
        assert "cube-" not in dumps  # the dump table shows the main dumps only
        assert "klimatsamarbeten.ttl" in dumps


# --- the pages ----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("code", MUNICIPALITIES)
def test_municipality_page_shows_its_figures(client, code, lang):
    r = client.get(f"/doc/municipality/{code}?lang={lang}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = parse(r.text)
    assert "figures" in page.ids
    per_ind = defaultdict(list)
    for row in BY_MUNI[code]:
        per_ind[row["indicator"]].append(row)
    assert len(page.tables) == len(per_ind)
    for (ind, rows), table in zip(sorted(per_ind.items()), page.tables, strict=True):
        assert f"figure-{ind}" in page.ids
        header, *body = table
        assert header[:2] == (["År", "Värde"] if lang == "sv" else ["Year", "Value"])
        assert [(c[0], c[1]) for c in body] == sorted((r["year"], shown(r["value"], lang)) for r in rows)
        assert all(c[4] == ("belagt" if lang == "sv" else "sourced") for c in body)
        # Babel's long date: "17 maj 2018", "17 May 2018"
        dated = r"((senast ändrad|last modified|utgiven|issued) \d{1,2} \w+ \d{4}|odaterad|undated)$"
        assert all(re.search(dated, c[3]) for c in body)
    figures = r.text.split('id="figures"', 1)[1].split("</section>", 1)[0]
    assert figures.count("<svg ") == len(per_ind) and 'class="point"' in figures
    assert f'href="/data/municipality/{code}.csv"' in figures and f'href="/data/municipality/{code}.json"' in figures
    for ind in per_ind:
        assert f'/doc/concept/nyckeltal/{ind}' in figures
    trend = [h for h in page.links if h.startswith("/sparql?edit=")]
    assert len(trend) == len(per_ind)
    for href, ind in zip(trend, sorted(per_ind), strict=True):
        query = parse_qs(urlsplit(href).query)["edit"][0]
        assert f"<id/municipality/{code}>" in query and f"<id/concept/nyckeltal/{ind}>" in query


def test_municipalities_without_figures_show_nothing_of_them(client):
    records = yaml.safe_load((ROOT / "data" / "municipalities.yaml").read_text(encoding="utf-8"))
    records = records.get("municipalities", records) if isinstance(records, dict) else records
    without = sorted(str(m["code"]) for m in records if str(m["code"]) not in BY_MUNI)
    assert len(without) == 6
    for code in without:
        for lang in ("sv", "en"):
            html = client.get(f"/doc/municipality/{code}?lang={lang}").text
            assert 'id="figures"' not in html and "<svg" not in html and "/data/municipality" not in html


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("ind", INDICATORS)
def test_indicator_page_compares_the_municipalities(client, ind, lang):
    r = client.get(f"/doc/concept/nyckeltal/{ind}?lang={lang}", headers={"Accept": "text/html"})
    assert r.status_code == 200
    page = parse(r.text)
    rows = BY_IND[ind]
    years = sorted({int(x["year"]) for x in rows})
    over_time, *per_year = page.tables
    assert sorted((c[1], c[0], c[2]) for c in over_time[1:]) == sorted(
        (x["year"], page_name(x), shown(x["value"], lang)) for x in rows)  # as the page's language writes it
    assert len(per_year) == len(years)
    for year in years:
        assert f"year-{year}" in page.ids and f"#year-{year}" in page.links
    for table in per_year:  # each year's table: its values, largest first
        values = [unlocalised(c[2], lang) for c in table[1:]]
        assert values == sorted(values, reverse=True)
    figures = r.text.split('id="figures"', 1)[1]
    assert figures.count("<svg ") == 1 + len(years)
    assert f'href="/data/indicator/{ind}.csv"' in figures and f'href="/data/indicator/{ind}.json"' in figures
    ranking = [parse_qs(urlsplit(h).query)["edit"][0] for h in page.links if h.startswith("/sparql?edit=")]
    assert len(ranking) == 1 + len(years)
    assert all(f"<id/concept/nyckeltal/{ind}>" in q and "ORDER BY DESC(?value)" in q for q in ranking)


NAMES = {"0126": "Huddinge", "0181": "Södertälje"}


def page_name(row: dict) -> str:
    return NAMES[row["municipality"]]


def test_figure_links_lead_somewhere(client):
    for path in ["/doc/municipality/0126", "/doc/concept/nyckeltal/vaxthusgaser-per-invanare"]:
        page = parse(client.get(path, headers={"Accept": "text/html"}).text)
        figures = [h for h in page.links if h.startswith(("/data/", "/doc/concept/", "/doc/source/", "/dumps/cube-",
                                                           "/sparql?edit="))]
        assert len(figures) > 5
        for href in sorted(set(figures)):
            r = client.get(href, headers={"Accept": "text/html"})
            assert r.status_code == 200, href


# --- the example queries ----------------------------------------------------------------------

@pytest.mark.parametrize("code,ind", PAIRS)
def test_canned_trend_matches_the_slice(client, code, ind):
    r = client.get("/queries/cube-trend.json", params={"municipality": code, "indicator": ind})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["columns"] == ["year", "value", "unit", "source", "status"]
    want = sorted((x["year"], x["value"], x["source"], x["status"]) for x in BY_MUNI[code] if x["indicator"] == ind)
    got = [(y, v, s.rsplit("/", 1)[1], st.rsplit("/", 1)[1]) for y, v, _, s, st in doc["rows"]]
    assert [(y, float(v), s, st) for y, v, s, st in got] == [(y, float(v), s, st) for y, v, s, st in want]


@pytest.mark.parametrize("ind,year", YEARS)
def test_canned_ranking_matches_the_slice(client, ind, year):
    r = client.get("/queries/cube-ranking.json", params={"indicator": ind, "year": str(year)})
    assert r.status_code == 200, r.text
    got = [(m.rsplit("/", 1)[1], float(v)) for m, _, v, _ in r.json()["rows"]]
    want = sorted(((x["municipality"], float(x["value"])) for x in BY_IND[ind] if int(x["year"]) == year),
                  key=lambda t: -t[1])
    assert got == want


@pytest.mark.parametrize("params", [{"year": "19"}, {"year": "2019x"}, {"indicator": "Bad Id"},
                                    {"indicator": "x> } DROP"}, {"municipality": "12"}, {"nope": "1"}])
def test_canned_cube_queries_refuse_bad_parameters(client, params):
    name = "cube-trend" if "municipality" in params else "cube-ranking"
    r = client.get(f"/queries/{name}.json", params=params)
    assert r.status_code == 400, r.text


def test_query_page_has_the_cube_examples_and_they_match_the_slices(client):
    html = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert "Nyckeltal över tid för en kommun" in html and "Kommunerna rangordnade ett år" in html
    english = client.get("/sparql?lang=en", headers={"Accept": "text/html"}).text
    assert "Trend of one municipality" in english and "Ranking for a year" in english
    from publisher.web.sparql.examples import examples

    base = client.get("/dumps/manifest.json").json()["base_uri"]
    by_id = {e["id"]: e["query"] for e in examples(base)}
    r = client.post("/sparql", data={"query": by_id["cube-trend"]},
                    headers={"Accept": "application/sparql-results+json"})
    got = [(b["year"]["value"], b["value"]["value"]) for b in r.json()["results"]["bindings"]]
    want = sorted((x["year"], x["value"]) for x in BY_IND["vaxthusgaser-per-invanare"] if x["municipality"] == "0126")
    assert [(y, float(v)) for y, v in got] == [(y, float(v)) for y, v in want]
    r = client.post("/sparql", data={"query": by_id["cube-ranking"]},
                    headers={"Accept": "application/sparql-results+json"})
    got = [b["value"]["value"] for b in r.json()["results"]["bindings"]]
    assert [float(v) for v in got] == [float(x["value"]) for x in BY_IND["vaxthusgaser-per-invanare"]
                                       if x["year"] == "2019"]


def test_query_page_opens_a_prefilled_query(client):
    html = client.get("/sparql", params={"edit": "SELECT ?x WHERE { ?x ?p \"<b>&\" }"},
                      headers={"Accept": "text/html"}).text
    assert "SELECT ?x WHERE { ?x ?p &#34;&lt;b&gt;&amp;&#34; }" in html or \
        "SELECT ?x WHERE { ?x ?p &quot;&lt;b&gt;&amp;&quot; }" in html
    assert "<b>&" not in html


# --- inlining SVG safely ----------------------------------------------------------------------

NASTY = 'Kommun <script>alert(1)</script> & "Co"'


def test_a_chart_with_markup_in_its_labels_inlines_escaped():
    svg = line_chart("t", [Series(NASTY, ((2019, "1.5"), (2020, "2")))],
                     Labels(NASTY, NASTY, "År <x>", "t & kg"))
    inline = inline_svg(svg)
    assert inline is not None
    assert "<script" not in inline and "&lt;script&gt;" in inline and "t &amp; kg" in inline
    model = {"key": "municipality/0000", "iri": "http://example.org/id/municipality/0000",
             "document": "http://example.org/doc/municipality/0000", "licence": None, "version": None,
             "label": {"sv": NASTY, "en": NASTY}, "vocabulary": False, "sections": [], "incoming": [],
             "memberships": [], "sources": [], "terms": [], "schema": {}, "sparql": "DESCRIBE <x>"}
    row = {"municipality": "0000", "municipality_name": NASTY, "municipality_href": "/doc/municipality/0000",
           "year": 2019, "value": "1.5", "unit": {"sv": "t & <kg>", "en": "t & <kg>"},
           "source": {"title": NASTY, "href": "/doc/source/x", "date": "2020-01-01", "date_kind": "issued"},
           "status": "sourced"}
    figures = {"kind": "municipality", "csv": "/data/municipality/0000.csv", "json": "/data/municipality/0000.json",
               "charts": [{"anchor": "figure-x", "indicator": {"label": {"sv": NASTY, "en": NASTY},
                                                              "href": "/doc/concept/nyckeltal/x"},
                           "unit": row["unit"], "svg": {"sv": svg, "en": svg},
                           "svg_file": {"sv": "/dumps/x.svg", "en": "/dumps/x.svg"}, "rows": [row],
                           "sparql": "SELECT * WHERE { ?s ?p \"<&>\" }"}]}
    html = render_resource(model, "sv", False, figures).decode()
    assert "<script>alert" not in html
    assert html.count("<svg ") == 1 and "t &amp; &lt;kg&gt;" in html


@pytest.mark.parametrize("bad", [
    '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:x()"><text>x</text></a></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"></svg><svg xmlns="http://www.w3.org/2000/svg"></svg>',
    '<p>not svg</p>', '',
])
def test_inline_svg_refuses_anything_but_a_plain_chart(bad):
    assert inline_svg(bad) is None


def test_the_svg_checks_branches_apart_find_what_the_one_expression_finds(built, settings):
    """svg_unsafe is SVG_UNSAFE.search, faster: over random strings of the characters and words that
    matter (case variants, Unicode letters that match ASCII ones when case is ignored, Unicode
    spaces), over the bad charts above written in other cases, and over the release's own charts."""
    import random

    from publisher.web.pages import SVG_UNSAFE, svg_unsafe

    rnd = random.Random(11)
    pieces = list("<> =:!/\"'\t\n\x0b\x1conONjavascriptJAVASCRIPTſKıİaAeEsSfFuUbB\u00a0\u2003\u3000é") + [
        "script", "JavaScript", "javaſcript", "foreignObject", "FOREIGNOBJECT", "on", "ON", "oN", "<!", "use",
        "image", "iframe", "embed", "object", "<a", "< a", "onload", "onclick=", "href", "javascript:"]
    for _ in range(100_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randrange(1, 16)))
        assert svg_unsafe(text) == bool(SVG_UNSAFE.search(text)), repr(text)
    bad = ['<svg><SCRIPT>x</SCRIPT></svg>', '<svg ONLOAD = "x">', '<svg><A HREF="JaVaScRiPt:x()">',
           '<svg>\u2003onclick=x', '<svg><!DOCTYPE x>', '<svg><  use href="#x"/>', 'x javaſcript:y']
    assert all(svg_unsafe(text) and SVG_UNSAFE.search(text) for text in bad)
    charts = sorted(settings.current_release.glob("cube-*.svg"))
    assert charts
    for chart in charts[:40]:
        text = chart.read_text(encoding="utf-8")
        assert svg_unsafe(text) == bool(SVG_UNSAFE.search(text)) is False
