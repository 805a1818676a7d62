"""Canned queries, in the manner of Datasette's: `.rq` files with `#+` YAML metadata (as grlc uses).

Each file in publisher/web/queries/ is one stable URL, /queries/<name>. Parameters are typed and
validated, turned into RDF terms by pyoxigraph (which refuses a bad IRI and escapes every literal),
and bound with a VALUES block that replaces the `# PARAMETERS` line of the query: a value is only
ever one well-formed term, never text pasted into the query. (pyoxigraph's own `substitutions`
only binds variables that the SELECT projects, which would put every parameter in every row.)

CSV answers are made spreadsheet-safe (`spreadsheet_safe`), as OWASP recommends against CSV
injection: a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
single quote in front, so Excel, LibreOffice and Google Sheets show it as text instead of running
it as a formula. A cell that is a plain number (`-3.5`, `+2`, `1.2E-3`, the lexical forms of
xsd:decimal, xsd:integer and xsd:double) is left as it is, in any column: a spreadsheet reads it as
that number and can run nothing, and the figures stay numbers. JSON and HTML are unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..release.cube import INDICATOR_SCHEME
from ..uris import Minter

QUERIES_DIR = Path(__file__).parent / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
_YEAR_RE = re.compile(r"^[0-9]{4}$")
_CODE_RE = re.compile(r"^[0-9]{4}$")
_INDICATOR_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MARKER = "# PARAMETERS"


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_RISKY_CELL = re.compile(rb'(?:^|[,\n"])[=+\-@\t\r]')  # cheap check: may any cell start so?


def safe_cell(value: str) -> str:
    """The cell as a spreadsheet shows it as text: a quote before a formula-like start, numbers as they are."""
    if value.startswith(_FORMULA_START) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def spreadsheet_safe(body: bytes) -> bytes:
    """SPARQL CSV results (UTF-8, CRLF) with every cell made safe; the same bytes when none needs it."""
    if not _RISKY_CELL.search(body):
        return body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    safe = [[safe_cell(cell) for cell in row] for row in rows]
    if safe == rows:
        return body
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(safe)
    return out.getvalue().encode("utf-8")


class ParameterError(ValueError):
    """A parameter value does not fit its type; the message says what would."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str  # organisation, municipality, indicator, year, gyear, text
    default: str
    label: str  # "svenska / English", as the query's metadata writes it

    def label_in(self, lang: str) -> str:
        """The label in one language: the part of "sv / en" for `lang`."""
        sv, sep, en = self.label.partition(" / ")
        return (en if lang == "en" else sv) if sep else self.label

    def bind(self, raw: str, minter: Minter) -> ox.NamedNode | ox.Literal:
        """The RDF term for a raw value, or ParameterError."""
        value = raw.strip()
        if self.type == "organisation":
            try:
                return ox.NamedNode(str(minter.organisation(value)))
            except ValueError:
                raise ParameterError(f"{self.name}: {value!r} is not an organisation id such as "
                                     "'sveriges-ekokommuner'") from None
        if self.type == "municipality":
            if not _CODE_RE.match(value):
                raise ParameterError(f"{self.name}: {value!r} is not a four-digit municipality code such as '0136'")
            return ox.NamedNode(str(minter.municipality(value)))
        if self.type == "year":
            if not _YEAR_RE.match(value):
                raise ParameterError(f"{self.name}: {value!r} is not a year such as 2005")
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "indicator":
            if not (0 < len(value) <= 100 and _INDICATOR_RE.match(value)):
                raise ParameterError(f"{self.name}: {value!r} is not an indicator id such as "
                                     "'vaxthusgaser-per-invanare'")
            return ox.NamedNode(str(minter.concept(INDICATOR_SCHEME, value)))
        if self.type == "gyear":  # the statistics cube's years are xsd:gYear
            if not _YEAR_RE.match(value):
                raise ParameterError(f"{self.name}: {value!r} is not a year such as 2019")
            return ox.Literal(value, datatype=ox.NamedNode(XSD + "gYear"))
        if self.type == "text":
            if not 0 < len(value) <= 100:
                raise ParameterError(f"{self.name}: give between 1 and 100 characters")
            return ox.Literal(value)
        raise ParameterError(f"{self.name}: unknown parameter type {self.type}")


@dataclass(frozen=True)
class CannedQuery:
    name: str
    title: dict
    description: dict
    parameters: tuple[Parameter, ...]
    query: str

    def bound(self, given: dict[str, str], minter: Minter) -> tuple[dict[str, str], str]:
        """The effective parameter values and the query with them bound; unknown names are an error."""
        known = {p.name for p in self.parameters}
        unknown = sorted(set(given) - known)
        if unknown:
            raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}; this query takes "
                                 f"{', '.join(sorted(known)) or 'none'}")
        values = {p.name: given.get(p.name) or p.default for p in self.parameters}
        if not self.parameters:
            return values, self.query
        names = " ".join(f"?{p.name}" for p in self.parameters)
        terms = " ".join(str(p.bind(values[p.name], minter)) for p in self.parameters)
        lines = [f"  VALUES ({names}) {{ ({terms}) }}" if line.strip().startswith(MARKER) else line
                 for line in self.query.splitlines()]
        return values, "\n".join(lines) + "\n"


def parse(name: str, text: str) -> CannedQuery:
    meta_lines = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    meta = yaml.safe_load("\n".join(meta_lines)) or {}
    params = tuple(Parameter(n, spec["type"], str(spec.get("default", "")), str(spec.get("label", n)))
                   for n, spec in (meta.get("parameters") or {}).items())
    query = "\n".join(line for line in text.splitlines() if not line.startswith("#+")).strip() + "\n"
    if params and sum(line.strip().startswith(MARKER) for line in query.splitlines()) != 1:
        raise ValueError(f"canned query {name}: a query with parameters needs exactly one {MARKER!r} line")
    return CannedQuery(name, meta["title"], meta.get("description", {}), params, query)


def load_queries(folder: Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    return {p.stem: parse(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.rq"))}
