"""Presentation files of the statistics cube, written into the release through ReleaseWriter.

    cube-observations.csv|json                           every observation
    cube-indicator--<indicator>.csv|json                 slice: one indicator, all municipalities, all years
    cube-indicator--<indicator>.<lang>.svg               line chart: every municipality over time
    cube-indicator--<indicator>--<year>.<lang>.svg       bar chart: municipalities compared in one year
    cube-municipality--<code>.csv|json                   slice: one municipality, all indicators
    cube-municipality--<code>--<indicator>.<lang>.svg    line chart: one municipality, one indicator
    cube-query--<name>.rq                                example SPARQL queries (with BASE set)

Names are flat (no folders), like every other file of the release, so `/dumps/<name>` serves them.

<lang> is sv or en. Values are the published decimal text (CSV, `value_text` in JSON); JSON also
gives `value` as a number.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections import defaultdict

from ..release.charts import Labels, Series, bar_chart, format_published, line_chart
from ..release.cube import INDICATOR_SCHEME, LANGS, QUERY_NAMES, query_text
from ..release.manifest import CUBE
from .cube import CUBE_ID
from .cube_facts import CubeFacts
from .cube_pages import cube_pages  # what the HTML pages show of the cube
from .dump import ReleaseWriter
from .load import SourceData
from .observations import Cube, Observation

SLICE_COLUMNS = ("municipality", "municipality_name", "indicator", "indicator_label", "year", "value",
                 "unit", "unit_symbol", "source", "source_url", "status", "observation")
TEXTS = {
    "sv": {"year": "År", "trend": "{indicator}, {municipality}", "compare": "{indicator}, {year}",
           "all": "{indicator}, alla kommuner", "values": "Värden", "source": "Källor"},
    "en": {"year": "Year", "trend": "{indicator}, {municipality}", "compare": "{indicator}, {year}",
           "all": "{indicator}, all municipalities", "values": "Values", "source": "Sources"},
}


class _Context(CubeFacts):
    """What a file's row says of an observation."""

    @functools.cache  # noqa: B019 (one context per build)
    def observation_prefix(self, indicator: str, code: str) -> str:
        """The observations' IRI up to the year, minted once per indicator and municipality."""
        return str(self.m.observation(CUBE_ID, indicator, code, 1990))[:-4]

    def row(self, o: Observation) -> dict[str, str]:
        return {
            "municipality": o.municipality,
            "municipality_name": self.municipalities[o.municipality]["short_name"],
            "indicator": o.indicator,
            "indicator_label": self.indicators[o.indicator]["label"]["sv"],
            "year": str(o.year),
            "value": o.value,
            "unit": o.unit,
            "unit_symbol": self.unit_symbol(o.unit),
            "source": o.source,
            "source_url": self.sources[o.source]["url"],
            "status": o.status,
            "observation": self.observation_prefix(o.indicator, o.municipality) + str(o.year),
        }


class SliceLines:
    """Each observation's CSV line and JSON line, made once for the three slices it is in (the whole
    cube, its indicator's, its municipality's), and the slices joined from them."""

    def __init__(self, rows: list[dict[str, str]]):
        buf = io.StringIO(newline="")
        writer = csv.DictWriter(buf, fieldnames=SLICE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        self.header = buf.getvalue()
        # DictWriter.writerow returns what the buffer's write returned: the length of the row's text
        ends, at = [], len(self.header)
        for row in rows:
            at += writer.writerow(row)
            ends.append(at)
        text = buf.getvalue()
        self.csv = [text[start:end] for start, end in zip([len(self.header), *ends[:-1]], ends, strict=True)]
        self.json = [_compact({**{k: v for k, v in r.items() if k != "value"}, "value": json.loads(r["value"]),
                               "value_text": r["value"], "year": int(r["year"])}) for r in rows]

    def slice_csv(self, indexes: list[int]) -> bytes:
        return (self.header + "".join([self.csv[i] for i in indexes])).encode("utf-8")

    def slice_json(self, indexes: list[int], about: dict[str, str]) -> bytes:
        # one observation a line: readable and diffable, a third smaller than indented JSON, and written by
        # json's C encoder (indentation makes it fall back to the pure-Python one: 10x slower at 1M triples)
        lines = ",\n".join([self.json[i] for i in indexes])
        return (f'{{"columns":{_compact(list(SLICE_COLUMNS))},\n"observations":[\n{lines}\n],\n'
                f'"slice":{_compact(about)}}}\n').encode()


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _describe(series: list[Series], lang: str, ctx: _Context, observations: list[Observation]) -> str:
    parts = [f"{s.name}: " + "; ".join(f"{y}: {format_published(v, lang)}" for y, v in sorted(s.points))
             for s in series]
    sources = sorted({ctx.sources[o.source]["title"] for o in observations})
    return f"{TEXTS[lang]['values']}: " + ". ".join(parts) + f". {TEXTS[lang]['source']}: " + "; ".join(sources) + "."


def cube_files(cube: Cube, data: SourceData, base_uri: str) -> dict[str, bytes]:
    """Every presentation file: name in the release -> bytes. Pure and deterministic."""
    ctx = _Context(cube, data, base_uri)
    files: dict[str, bytes] = {}
    obs = sorted(cube.observations, key=lambda o: (o.indicator, o.municipality, o.year))
    lines = SliceLines([ctx.row(o) for o in obs])
    index = {id(o): i for i, o in enumerate(obs)}

    def rows_of(observations: list[Observation]) -> list[int]:
        return [index[id(o)] for o in observations]

    files["cube-observations.csv"] = lines.slice_csv(rows_of(obs))
    files["cube-observations.json"] = lines.slice_json(rows_of(obs), {"dataset": str(ctx.m.dataset(CUBE_ID))})

    by_indicator: dict[str, list[Observation]] = defaultdict(list)
    by_municipality: dict[str, list[Observation]] = defaultdict(list)
    for o in obs:
        by_indicator[o.indicator].append(o)
        by_municipality[o.municipality].append(o)

    for ind, rows in sorted(by_indicator.items()):
        about = {"indicator": ind, "concept": str(ctx.m.concept(INDICATOR_SCHEME, ind))}
        files[f"cube-indicator--{ind}.csv"] = lines.slice_csv(rows_of(rows))
        files[f"cube-indicator--{ind}.json"] = lines.slice_json(rows_of(rows), about)
        per_muni: dict[str, list[Observation]] = defaultdict(list)
        per_year: dict[int, list[Observation]] = defaultdict(list)
        for o in rows:
            per_muni[o.municipality].append(o)
            per_year[o.year].append(o)
        for lang in LANGS:
            label = ctx.indicators[ind]["label"][lang]
            unit = ctx.unit_symbol(rows[0].unit, lang)
            series = [Series(ctx.municipalities[code]["short_name"], tuple((o.year, o.value) for o in os_))
                      for code, os_ in sorted(per_muni.items())]
            labels = Labels(TEXTS[lang]["all"].format(indicator=label), _describe(series, lang, ctx, rows),
                            TEXTS[lang]["year"], unit, lang)
            files[f"cube-indicator--{ind}.{lang}.svg"] = line_chart(f"{ind}-{lang}", series, labels).encode()
            for year, os_ in sorted(per_year.items()):
                bars = [(ctx.municipalities[o.municipality]["short_name"], o.value) for o in os_]
                bar_series = [Series(name, ((year, v),)) for name, v in bars]
                labels = Labels(TEXTS[lang]["compare"].format(indicator=label, year=year),
                                _describe(bar_series, lang, ctx, os_), unit, TEXTS[lang]["year"] + f" {year}", lang)
                files[f"cube-indicator--{ind}--{year}.{lang}.svg"] = bar_chart(
                    f"{ind}-{year}-{lang}", bars, labels).encode()

    for code, rows in sorted(by_municipality.items()):
        about = {"municipality": code, "resource": str(ctx.m.municipality(code))}
        files[f"cube-municipality--{code}.csv"] = lines.slice_csv(rows_of(rows))
        files[f"cube-municipality--{code}.json"] = lines.slice_json(rows_of(rows), about)
        per_ind: dict[str, list[Observation]] = defaultdict(list)
        for o in rows:
            per_ind[o.indicator].append(o)
        name = ctx.municipalities[code]["short_name"]
        for ind, os_ in sorted(per_ind.items()):
            for lang in LANGS:
                label = ctx.indicators[ind]["label"][lang]
                series = [Series(name, tuple((o.year, o.value) for o in os_))]
                labels = Labels(TEXTS[lang]["trend"].format(indicator=label, municipality=name),
                                _describe(series, lang, ctx, os_), TEXTS[lang]["year"],
                                ctx.unit_symbol(os_[0].unit, lang), lang)
                files[f"cube-municipality--{code}--{ind}.{lang}.svg"] = line_chart(
                    f"{code}-{ind}-{lang}", series, labels).encode()

    for qname in QUERY_NAMES:
        files[f"cube-query--{qname}.rq"] = query_text(qname, base_uri)
    return files


def write_cube_files(writer: ReleaseWriter, cube: Cube, data: SourceData, base_uri: str) -> dict[str, dict]:
    """Write the slices, charts and example queries, and `pages/cube.json` (what the landing page lists).
    Returns the figures of each page, by document key, for the documents file."""
    files = cube_files(cube, data, base_uri)
    for name, payload in sorted(files.items()):
        writer.write(name, payload)
    model = cube_pages(cube, data, base_uri, files)
    figures = model.pop("pages")
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    writer.write(CUBE, (text + "\n").encode())
    return figures
