"""`publisher import-observations`: turn a local export file into a checked data/observations CSV.

Layouts:
- `kolada`: a Kolada API data answer saved to a file, JSON (`{"values": [{kpi, municipality,
  period, values: [{gender, status, value, count}]}]}`, or the list alone) or CSV with the columns
  kpi, municipality, period, gender, value (status optional). Only the total (gender "T") is taken;
  a missing value (null or empty) is left out, never filled. The indicator is the concept of the
  scheme `nyckeltal` whose `kolada` id is the KPI, or `--indicator`.
- `native`: our own CSV format (columns as in observations.COLUMNS), in any of the delimiters and
  with or without a byte-order mark; it is checked and written back normalised.

Everything is checked exactly as the build checks data/observations (known municipality,
indicator, unit, source, plain decimals, no duplicates, also against the files already there),
and every problem is reported at once. The output is written atomically (temporary file in the
same folder, then rename). Nothing here touches the network: the input is a local file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, SourceDataError, SourceProblem
from .load import load
from .observations import (
    COLUMNS,
    Observation,
    Vocabulary,
    check_row,
    check_text,
    decode,
    duplicates,
    load_observations,
    sniff_delimiter,
)

LAYOUTS = ("kolada", "native")
KOLADA_CSV_COLUMNS = ("kpi", "municipality", "period", "gender", "value")


@dataclass(frozen=True)
class ImportResult:
    output: Path
    written: int
    skipped: int  # Kolada cells without a value, left out


def observations_csv(observations: list[Observation]) -> bytes:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(COLUMNS)
    for o in sorted(observations, key=lambda o: (o.municipality, o.indicator, o.year)):
        writer.writerow([o.municipality, o.indicator, str(o.year), o.value, o.unit, o.source, o.status])
    return buf.getvalue().encode("utf-8")


def _number_text(value: object) -> str | None:
    """The exact text of a JSON number (parsed as text, never as a float); None if missing."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    return str(value)


def kolada_cells(raw: bytes, display: str) -> tuple[list[tuple[int, str, dict[str, str]]], list[SourceProblem]]:
    """(line, where, {kpi, municipality, period, value}) for every total ("T") cell; and problems."""
    text, problems = decode(raw, display)
    if text is None:
        return [], problems
    if text.lstrip().startswith(("{", "[")):
        try:
            document = json.loads(text, parse_float=str, parse_int=str)
        except json.JSONDecodeError as exc:
            return [], [SourceProblem(display, exc.lineno, "", f"malformed JSON: {exc.msg}")]
        items = document.get("values") if isinstance(document, dict) else document
        if not isinstance(items, list):
            return [], [SourceProblem(display, 1, "", 'expected a Kolada answer: {"values": [{"kpi", '
                                      '"municipality", "period", "values": [...]}]}')]
        cells = []
        for i, item in enumerate(items):
            where = f"values[{i}]"
            if not isinstance(item, dict) or not isinstance(item.get("values"), list):
                problems.append(SourceProblem(display, 0, where, "expected an object with kpi, municipality, "
                                              "period and a list `values`"))
                continue
            for value in item["values"]:
                if isinstance(value, dict) and value.get("gender") == "T":
                    cells.append((0, where, {"kpi": str(item.get("kpi", "")), "municipality":
                                             str(item.get("municipality", "")), "period": str(item.get("period", "")),
                                             "value": _number_text(value.get("value")) or ""}))
        return cells, problems
    lines = text.splitlines()
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(lines[0]))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in KOLADA_CSV_COLUMNS if c not in header]
    if missing:
        return [], [SourceProblem(display, 1, "", f"wrong header for a Kolada CSV export: missing column(s) "
                                  f"{', '.join(missing)}; expected at least: {','.join(KOLADA_CSV_COLUMNS)}")]
    reader.fieldnames = header
    cells = []
    for row in reader:
        if (row.get("gender") or "").strip() == "T":
            cells.append((reader.line_num, "", {k: (row.get(k) or "").strip() for k in KOLADA_CSV_COLUMNS}))
    return cells, problems


def convert_kolada(raw: bytes, display: str, vocab: Vocabulary, source: str, status: str,
                   indicator: str | None, today: dt.date) -> tuple[list[Observation], int, list[SourceProblem]]:
    cells, problems = kolada_cells(raw, display)
    observations, skipped = [], 0
    for line, where, cell in cells:
        if cell["value"] == "":
            skipped += 1  # Kolada has no value: leave the year out, never fill it
            continue
        ind = indicator or vocab.kolada.get(cell["kpi"])
        if ind is None:
            problems.append(SourceProblem(display, line, f"{where}.kpi" if where else "kpi", (
                f"Kolada KPI {cell['kpi']!r} is not the `kolada` id of any indicator in the scheme "
                "'nyckeltal'; add it to data/concept-schemes.yaml (with its source) or pass --indicator")))
            continue
        row = {"municipality": cell["municipality"], "indicator": ind, "year": cell["period"],
               "value": cell["value"], "unit": vocab.indicators.get(ind, ""), "source": source, "status": status}
        obs, row_problems = check_row(row, vocab, display, line, today)
        problems += [SourceProblem(p.file, p.line, f"{where}.{p.field}" if where else p.field, p.message)
                     for p in row_problems]
        if obs is not None:
            observations.append(obs)
    if not cells and not problems:
        problems.append(SourceProblem(display, 0, "", 'no total (gender "T") values in the file'))
    return observations, skipped, problems


def write_atomically(path: Path, payload: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_observations(data_dir: Path, file: Path, layout: str, source: str | None = None,
                        indicator: str | None = None, status: str = "sourced", output: Path | None = None,
                        replace: bool = False, today: dt.date | None = None) -> ImportResult:
    """Convert and check `file`, then write it as data/observations/<name>.csv. Raises on any problem."""
    if layout not in LAYOUTS:
        raise ConfigError(f"unknown layout {layout!r}; choose one of: {', '.join(LAYOUTS)}")
    if layout == "kolada" and not source:
        raise ConfigError("--source is required with --layout kolada: the id in data/sources.yaml of the "
                          "Kolada page or export the figures come from")
    today = today or dt.date.today()
    output = output or data_dir / "observations" / f"{file.stem}.csv"
    if output.suffix != ".csv":
        raise ConfigError(f"the output {output} must be a .csv file")
    if output.exists() and not replace:
        raise ConfigError(f"{output} exists; pass --replace to overwrite it, or --output another file")
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {file}: {exc.strerror}") from exc

    data = load(data_dir)
    vocab = Vocabulary.of(data)
    display = str(file)
    skipped = 0
    if layout == "kolada":
        observations, skipped, problems = convert_kolada(raw, display, vocab, source or "", status, indicator, today)
    else:
        text, problems = decode(raw, display)
        observations = []
        if text is not None:
            observations, more = check_text(text, vocab, display, today)
            problems += more
            if source:
                problems += [SourceProblem(display, o.line, "source", f"{o.source!r} differs from --source {source!r}")
                             for o in observations if o.source != source]
            if indicator:
                problems += [SourceProblem(display, o.line, "indicator",
                                           f"{o.indicator!r} differs from --indicator {indicator!r}")
                             for o in observations if o.indicator != indicator]
    # the rest of data/observations, without the file being replaced
    others = [o for o in _existing(data_dir, data, today) if Path(o.file).name != output.name]
    problems += [p for p in duplicates([*others, *observations]) if p.file == display]
    if not observations and not problems:
        problems.append(SourceProblem(display, 0, "", "no observations to import"))
    if problems:
        raise SourceDataError(problems)
    write_atomically(output, observations_csv(observations))
    return ImportResult(output, len(observations), skipped)


def _existing(data_dir: Path, data, today: dt.date) -> list[Observation]:
    """The observations already in data/observations (they must be sound themselves)."""
    return list(load_observations(data_dir, data, today).observations)
