"""What the HTML pages show of the statistics cube, as plain data. Pure: cube and files in, dict out.

`cube_pages` returns `{"pages": {document key: figures}, "downloads": [...], "queries": [...]}`;
the figures of each page go into the documents file (`pages/documents.sqlite`, with the page),
the rest into `pages/cube.json` for the landing page.

- `municipality/<code>`: one chart per indicator (the inline SVG in sv and en, exactly the bytes of
  the published `cube-municipality--<code>--<indicator>.<lang>.svg`), the table of its values
  (year, value, unit, source with its date, status), and links to the slices, the indicator's
  page and the trend query prefilled for this municipality and indicator;
- `concept/nyckeltal/<indicator>`: every municipality over time (chart and table) and one bar
  chart per year, with links to the slices and the ranking query prefilled;
- `downloads`: the statistics files the landing page lists in its own section.

Only documents with sourced observations get an entry: a municipality without figures shows nothing.
"""

from __future__ import annotations

from collections import defaultdict

from ..release.cube import INDICATOR_SCHEME, LANGS, QUERY_NAMES, query_text
from .cube_facts import CubeFacts
from .load import SourceData
from .observations import Cube, Observation

TREND_MUNICIPALITY = "<id/municipality/0126>"
EXAMPLE_INDICATOR = "<id/concept/nyckeltal/vaxthusgaser-per-invanare>"
RANKING_YEAR = '"2019"^^xsd:gYear'


def data_path(kind: str, ident: str, ext: str) -> str:
    """The stable URL of a slice: /data/observations.csv, /data/indicator/<id>.json, ..."""
    return f"/data/{kind}.{ext}" if not ident else f"/data/{kind}/{ident}.{ext}"


def prefilled(name: str, base_uri: str, municipality: str | None = None, indicator: str | None = None,
              year: int | None = None) -> str:
    """The published example query with its municipality, indicator and year replaced."""
    text = query_text(name, base_uri).decode("utf-8")
    for old, new in ((TREND_MUNICIPALITY, municipality and f"<id/municipality/{municipality}>"),
                     (EXAMPLE_INDICATOR, indicator and f"<id/concept/{INDICATOR_SCHEME}/{indicator}>"),
                     (RANKING_YEAR, year and f'"{year:04d}"^^xsd:gYear')):
        if new:
            if old not in text:
                raise ValueError(f"example query {name}.rq no longer contains {old}")
            text = text.replace(old, new)
    return text


class _Facts(CubeFacts):
    """What a page shows of an observation."""

    def unit(self, unit: str) -> dict[str, str]:
        return {lang: self.unit_symbol(unit, lang) for lang in LANGS}

    def source(self, ident: str) -> dict:
        record = self.sources[ident]
        modified, issued = (getattr(record.get(k), "text", record.get(k)) for k in ("modified", "issued"))
        return {"id": ident, "title": record["title"], "href": f"/doc/source/{ident}",
                "url": record.get("url"), "date": str(modified or issued) if (modified or issued) else None,
                "date_kind": "modified" if modified else ("issued" if issued else None)}

    def row(self, o: Observation) -> dict:
        return {"municipality": o.municipality, "municipality_name": self.municipalities[o.municipality]["short_name"],
                "municipality_href": f"/doc/municipality/{o.municipality}", "year": o.year, "value": o.value,
                "unit": self.unit(o.unit), "source": self.source(o.source), "status": o.status}

    def indicator(self, ind: str) -> dict:
        record = self.indicators[ind]
        return {"id": ind, "label": record["label"], "href": f"/doc/concept/{INDICATOR_SCHEME}/{ind}",
                "definition": record.get("definition")}


def _svgs(files: dict[str, bytes], stem: str) -> dict[str, str]:
    return {lang: files[f"{stem}.{lang}.svg"].decode("utf-8") for lang in LANGS}


TABLE_ROWS = 500  # an indicator page with more values shows the latest year's table only (issue 11)


def cube_pages(cube: Cube, data: SourceData, base_uri: str, files: dict[str, bytes]) -> dict:
    """The figures of every page that has any, and the landing page's statistics downloads."""
    if not cube.observations:
        return {"pages": {}, "downloads": []}
    f = _Facts(cube, data, base_uri)
    by_muni: dict[str, dict[str, list[Observation]]] = defaultdict(lambda: defaultdict(list))
    by_ind: dict[str, list[Observation]] = defaultdict(list)
    for o in sorted(cube.observations, key=lambda o: (o.indicator, o.municipality, o.year)):
        by_muni[o.municipality][o.indicator].append(o)
        by_ind[o.indicator].append(o)
    pages: dict[str, dict] = {}
    for code, per_ind in sorted(by_muni.items()):
        charts = []
        for ind, obs in sorted(per_ind.items()):
            charts.append({
                "anchor": f"figure-{ind}", "indicator": f.indicator(ind), "unit": f.unit(obs[0].unit),
                "svg": _svgs(files, f"cube-municipality--{code}--{ind}"),
                "svg_file": {lang: f"/dumps/cube-municipality--{code}--{ind}.{lang}.svg" for lang in LANGS},
                "rows": [f.row(o) for o in obs],
                "sparql": prefilled("trend", base_uri, municipality=code, indicator=ind),
            })
        pages[f"municipality/{code}"] = {
            "kind": "municipality", "charts": charts,
            "csv": data_path("municipality", code, "csv"), "json": data_path("municipality", code, "json"),
        }
    for ind, obs in sorted(by_ind.items()):
        years = sorted({o.year for o in obs})
        # a page for people: past TABLE_ROWS values, the over-time table and the earlier years'
        # tables and inline charts give way to the files (CSV, JSON, each year's chart as SVG)
        whole = len(obs) <= TABLE_ROWS
        pages[f"concept/{INDICATOR_SCHEME}/{ind}"] = {
            "kind": "indicator", "indicator": f.indicator(ind), "unit": f.unit(obs[0].unit),
            "svg": _svgs(files, f"cube-indicator--{ind}"),
            "svg_file": {lang: f"/dumps/cube-indicator--{ind}.{lang}.svg" for lang in LANGS},
            "rows": [f.row(o) for o in sorted(obs, key=lambda o: (o.year, o.municipality))] if whole else [],
            "rows_total": len(obs),
            "municipalities": sorted({o.municipality for o in obs}),
            "years": [{
                "year": year, "anchor": f"year-{year}",
                "svg": _svgs(files, f"cube-indicator--{ind}--{year}") if whole or year == years[-1] else {},
                "svg_file": {lang: f"/dumps/cube-indicator--{ind}--{year}.{lang}.svg" for lang in LANGS},
                "rows": [f.row(o) for o in sorted((o for o in obs if o.year == year),
                                                  key=lambda o: (-float(o.value), o.municipality))]
                if whole or year == years[-1] else [],
                "sparql": prefilled("ranking", base_uri, indicator=ind, year=year),
            } for year in years],
            "latest": years[-1],
            "csv": data_path("indicator", ind, "csv"), "json": data_path("indicator", ind, "json"),
            "sparql": prefilled("ranking", base_uri, indicator=ind, year=years[-1]),
        }
    downloads = [{"label": {"sv": "Alla observationer", "en": "All observations"}, "kind": "observations",
                  "csv": data_path("observations", "", "csv"), "json": data_path("observations", "", "json"),
                  "rows": len(cube.observations)}]
    for ind, obs in sorted(by_ind.items()):
        downloads.append({"label": f.indicator(ind)["label"], "kind": "indicator", "href": f.indicator(ind)["href"],
                          "csv": data_path("indicator", ind, "csv"), "json": data_path("indicator", ind, "json"),
                          "rows": len(obs)})
    for code, per_ind in sorted(by_muni.items()):
        name = f.municipalities[code]["short_name"]
        downloads.append({"label": {"sv": name, "en": name}, "kind": "municipality",
                          "href": f"/doc/municipality/{code}", "csv": data_path("municipality", code, "csv"),
                          "json": data_path("municipality", code, "json"),
                          "rows": sum(len(v) for v in per_ind.values())})
    queries = [{"name": n, "href": f"/dumps/cube-query--{n}.rq"} for n in QUERY_NAMES]
    return {"pages": pages, "downloads": downloads, "queries": queries}
