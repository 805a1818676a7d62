"""Load the statistics cube's observations from CSV files in data/observations/, checked.

One row per (municipality, indicator, year): the value exactly as the source publishes it, its
unit, the id of its source in data/sources.yaml and its status (confidence). Every problem in
every file is reported at once as `file:line: column: message`, like the YAML loader.

Reading is lenient about form (a UTF-8 byte-order mark, `;` or tab instead of `,`, CRLF line
ends, blank trailing lines) and strict about content: known municipality codes, indicators,
units, sources; plausible years; plain decimal numbers; no duplicate cells across files.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceDataError, SourceProblem
from ..release.cube import INDICATOR_SCHEME, UNIT_SCHEME
from .load import SourceData

COLUMNS = ("municipality", "indicator", "year", "value", "unit", "source", "status")
DELIMITERS = (",", ";", "\t")
STATUSES = ("sourced", "sourced-but-old")
MIN_YEAR = 1900
MAX_BYTES = 5 * 1024 * 1024
DECIMAL_RE = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$")


@dataclass(frozen=True, order=True)
class Observation:
    """One checked cell of the cube. `value` is the decimal's text exactly as published."""

    municipality: str  # 4-digit municipality code
    indicator: str  # concept id in the scheme `nyckeltal`
    year: int
    value: str
    unit: str  # concept id in the scheme `enheter`
    source: str  # source id
    status: str  # sourced | sourced-but-old
    file: str = ""
    line: int = 0


@dataclass(frozen=True)
class Vocabulary:
    """What an observation may refer to, taken from the checked YAML data."""

    municipalities: dict[str, str]  # code -> municipality id
    indicators: dict[str, str]  # indicator id -> unit id
    units: frozenset[str]
    sources: frozenset[str]
    kolada: dict[str, str]  # Kolada KPI id -> indicator id

    @classmethod
    def of(cls, data: SourceData) -> Vocabulary:
        schemes = data.by_id("schemes")
        indicators: dict[str, str] = {}
        kolada: dict[str, str] = {}
        for concept in schemes[INDICATOR_SCHEME]["concepts"] if INDICATOR_SCHEME in schemes else []:
            if concept.get("unit"):
                indicators[concept["id"]] = concept["unit"].ident
            if concept.get("kolada"):
                kolada[concept["kolada"]] = concept["id"]
        units = frozenset(c["id"] for c in schemes[UNIT_SCHEME]["concepts"]) if UNIT_SCHEME in schemes else frozenset()
        return cls(
            municipalities={m["code"]: m["id"] for m in data.municipalities},
            indicators=indicators,
            units=units,
            sources=frozenset(data.by_id("sources")),
            kolada=kolada,
        )


@dataclass(frozen=True)
class Cube:
    observations: tuple[Observation, ...]
    files: dict[str, bytes]  # "observations/<name>" -> exact bytes (for the dataset version)


def decode(raw: bytes, display: str) -> tuple[str | None, list[SourceProblem]]:
    """UTF-8 text without a byte-order mark, or the problem why not."""
    if len(raw) > MAX_BYTES:
        return None, [SourceProblem(display, 0, "", f"file is larger than {MAX_BYTES} bytes")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [SourceProblem(display, 0, "", (
            f"not UTF-8 text (byte {exc.start}); save the file as UTF-8 (Excel: 'CSV UTF-8')"))]
    if not text.strip():
        return None, [SourceProblem(display, 1, "", f"file is empty; expected a header line: {','.join(COLUMNS)}")]
    return text, []


def sniff_delimiter(header_line: str) -> str:
    """The delimiter that splits the header into the most known column names (`,` by default)."""
    def score(d: str) -> int:
        return sum(1 for name in header_line.split(d) if name.strip().lower() in COLUMNS)
    return max(DELIMITERS, key=lambda d: (score(d), d == ","))


def read_rows(text: str, display: str) -> tuple[list[tuple[int, dict[str, str]]], list[SourceProblem]]:
    """Rows as (line number, column -> raw text); header and shape problems."""
    lines = text.splitlines()
    delimiter = sniff_delimiter(lines[0])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[SourceProblem] = []
    try:
        header = [h.strip().lower() for h in next(reader)]
    except csv.Error as exc:
        return [], [SourceProblem(display, 1, "", f"malformed CSV header: {exc}")]
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if missing or unknown or duplicated:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        for h in unknown:
            close = difflib.get_close_matches(h, COLUMNS, n=1)
            parts.append(f"unknown column {h!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        if duplicated:
            parts.append(f"repeated column(s) {', '.join(duplicated)}")
        return [], [SourceProblem(display, 1, "", (
            f"wrong header: {'; '.join(parts)}; expected: {delimiter.join(COLUMNS)}"))]

    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue  # blank line
            if len(fields) != len(header):
                problems.append(SourceProblem(display, line, "", (
                    f"expected {len(header)} fields separated by {delimiter!r}, found {len(fields)}")))
                continue
            rows.append((line, {h: f.strip() for h, f in zip(header, fields, strict=True)}))
    except csv.Error as exc:
        problems.append(SourceProblem(display, reader.line_num, "", f"malformed CSV: {exc}"))
    if not rows and not problems:
        problems.append(SourceProblem(display, 2, "", "no observations after the header line"))
    return rows, problems


def check_row(row: dict[str, str], vocab: Vocabulary, display: str, line: int,
              today: dt.date) -> tuple[Observation | None, list[SourceProblem]]:
    problems: list[SourceProblem] = []

    def problem(column: str, message: str) -> None:
        problems.append(SourceProblem(display, line, column, message))

    def suggest(value: str, choices: Iterable[str]) -> str:
        close = difflib.get_close_matches(value, list(choices), n=1)
        return f"; did you mean {close[0]!r}?" if close else ""

    code = row["municipality"]
    if not re.fullmatch(r"[0-9]{4}", code):
        hint = (f"; a leading zero was probably lost: write {code.zfill(4)!r}"
                if re.fullmatch(r"[0-9]{1,3}", code) else "")
        problem("municipality", f"{code!r} is not a 4-digit municipality code{hint}")
    elif code not in vocab.municipalities:
        problem("municipality", f"{code!r} is not the code of a municipality in data/municipalities.yaml")

    indicator = row["indicator"]
    if indicator not in vocab.indicators:
        problem("indicator", f"{indicator!r} is not an indicator (with a unit) in the scheme "
                f"{INDICATOR_SCHEME!r} of data/concept-schemes.yaml{suggest(indicator, vocab.indicators)}")

    year_text, year = row["year"], 0
    if not re.fullmatch(r"[0-9]{4}", year_text):
        problem("year", f"{year_text!r} is not a year (four digits, e.g. 2019)")
    else:
        year = int(year_text)
        if not MIN_YEAR <= year <= today.year:
            problem("year", f"{year} is not between {MIN_YEAR} and this year ({today.year})")

    value = row["value"]
    if not DECIMAL_RE.match(value):
        if re.fullmatch(r"-?[0-9]*,[0-9]+", value):
            hint = f"; write a decimal point: {value.replace(',', '.')!r}"
        elif value == "":
            hint = "; leave the row out when the source gives no value (never fill gaps)"
        else:
            hint = " (plain decimal number: digits, optional '-' and '.', no exponent or thousands separator)"
        problem("value", f"{value!r} is not a number{hint}")

    unit = row["unit"]
    if unit not in vocab.units:
        problem("unit", f"{unit!r} is not a unit in the scheme {UNIT_SCHEME!r}{suggest(unit, vocab.units)}")
    elif indicator in vocab.indicators and unit != vocab.indicators[indicator]:
        problem("unit", f"{unit!r} does not match the unit of {indicator!r}, which is "
                f"{vocab.indicators[indicator]!r}; convert the value or choose the right indicator")

    source = row["source"]
    if source not in vocab.sources:
        problem("source", f"{source!r} is not a source id in data/sources.yaml{suggest(source, vocab.sources)}")

    status = row["status"]
    if status not in STATUSES:
        hint = ("; unverified figures are never published: find a source that states it"
                if status == "unverified" else f" (allowed: {', '.join(STATUSES)})")
        problem("status", f"{status!r} is not a publishable status{hint}")

    if problems:
        return None, problems
    return Observation(code, indicator, year, value, unit, source, status, display, line), []


def check_text(text: str, vocab: Vocabulary, display: str, today: dt.date | None = None,
               ) -> tuple[list[Observation], list[SourceProblem]]:
    """Check one CSV text; duplicates within it are reported too."""
    rows, problems = read_rows(text, display)
    observations = []
    for line, row in rows:
        obs, row_problems = check_row(row, vocab, display, line, today or dt.date.today())
        problems += row_problems
        if obs is not None:
            observations.append(obs)
    return observations, problems


def duplicates(observations: Iterable[Observation]) -> list[SourceProblem]:
    first: dict[tuple[str, str, int], Observation] = {}
    problems = []
    for obs in observations:
        key = (obs.municipality, obs.indicator, obs.year)
        if key in first:
            other = first[key]
            problems.append(SourceProblem(obs.file, obs.line, "year", (
                f"duplicate observation of {obs.indicator} for {obs.municipality} in {obs.year} "
                f"(also at {other.file}:{other.line})")))
        else:
            first[key] = obs
    return problems


def load_observations(data_dir: Path, data: SourceData, today: dt.date | None = None) -> Cube:
    """Every data/observations/*.csv, checked against the YAML data; all problems at once."""
    folder = data_dir / "observations"
    vocab = Vocabulary.of(data)
    problems: list[SourceProblem] = []
    observations: list[Observation] = []
    files: dict[str, bytes] = {}
    paths = sorted(folder.iterdir()) if folder.is_dir() else []
    for path in paths:
        display = f"{data_dir.name}/observations/{path.name}"
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix != ".csv":
            problems.append(SourceProblem(display, 0, "", "unknown file in observations/; expected *.csv files"))
            continue
        raw = path.read_bytes()
        files[f"observations/{path.name}"] = raw
        text, read_problems = decode(raw, display)
        problems += read_problems
        if text is None:
            continue
        found, check_problems = check_text(text, vocab, display, today)
        observations += found
        problems += check_problems
    problems += duplicates(observations)
    if problems:
        raise SourceDataError(problems)
    return Cube(tuple(sorted(observations, key=lambda o: (o.indicator, o.municipality, o.year))), files)
