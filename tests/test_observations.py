"""The CSV observations loader: good files load, every bad file gets `file:line: column: message`.

The bad files are generated here from the real header; their values are SYNTHETIC (made up for
the test, never published). The real, sourced figures live in data/observations/.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from publisher.dataset.load import load
from publisher.dataset.observations import Vocabulary, check_text, decode, load_observations
from publisher.errors import SourceDataError

from .conftest import ROOT

TODAY = dt.date(2026, 1, 1)
HEADER = "municipality,indicator,year,value,unit,source,status"
SRC = "huddinge-vaxthusgaser-per-invanare-2022"
GOOD = f"0126,vaxthusgaser-per-invanare,2019,1.38,t-co2e-per-invanare,{SRC},sourced"  # a real, sourced row


@cache
def vocab() -> Vocabulary:
    return Vocabulary.of(load(ROOT / "data"))


def check(text: str) -> tuple[list, list[str]]:
    decoded, problems = decode(text.encode("utf-8") if isinstance(text, str) else text, "t.csv")
    if decoded is None:
        return [], [str(p) for p in problems]
    obs, problems = check_text(decoded, vocab(), "t.csv", TODAY)
    return obs, [str(p) for p in problems]


def row(**changes: str) -> str:
    """A synthetic row: the good row with some columns changed."""
    fields = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    fields.update(changes)
    return ",".join(fields.values())


# (case id, file text, expected problem: exact `file:line: column: message` prefix)
BAD = [
    ("empty_file", "", "t.csv:1: file is empty"),
    ("only_blank_lines", "\n\n", "t.csv:1: file is empty"),
    ("header_only", HEADER + "\n", "t.csv:2: no observations after the header line"),
    ("wrong_header_typo", HEADER.replace("value", "valeu") + "\n" + GOOD,
     "t.csv:1: wrong header: missing column(s) value; unknown column 'valeu' (did you mean 'value'?)"),
    ("wrong_header_missing", "municipality,indicator,year,value\n0126,x,2019,1",
     "t.csv:1: wrong header: missing column(s) unit, source, status"),
    ("repeated_column", HEADER + ",year\n" + GOOD + ",2019", "t.csv:1: wrong header: repeated column(s) year"),
    ("too_few_fields", HEADER + "\n0126,vaxthusgaser-per-invanare,2019",
     "t.csv:2: expected 7 fields separated by ',', found 3"),
    ("unknown_municipality", HEADER + "\n" + row(municipality="0999"),
     "t.csv:2: municipality: '0999' is not the code of a municipality in data/municipalities.yaml"),
    ("lost_leading_zero", HEADER + "\n" + row(municipality="126"),
     "t.csv:2: municipality: '126' is not a 4-digit municipality code; a leading zero was probably lost: write '0126'"),
    ("unknown_indicator", HEADER + "\n" + row(indicator="vaxthusgaser-per-invanar"),
     "t.csv:2: indicator: 'vaxthusgaser-per-invanar' is not an indicator (with a unit) in the scheme 'nyckeltal'"),
    ("bad_year", HEADER + "\n" + row(year="19x9"), "t.csv:2: year: '19x9' is not a year"),
    ("future_year", HEADER + "\n" + row(year="2099"), "t.csv:2: year: 2099 is not between 1900 and this year (2026)"),
    ("non_numeric_value", HEADER + "\n" + row(value="n/a"), "t.csv:2: value: 'n/a' is not a number"),
    ("comma_decimal", HEADER + "\n" + row(value='"1,38"'),
     "t.csv:2: value: '1,38' is not a number; write a decimal point: '1.38'"),
    ("empty_value", HEADER + "\n" + row(value=""),
     "t.csv:2: value: '' is not a number; leave the row out when the source gives no value (never fill gaps)"),
    ("exponent_value", HEADER + "\n" + row(value="1e3"), "t.csv:2: value: '1e3' is not a number (plain decimal"),
    ("unit_mismatch", HEADER + "\n" + row(unit="t-co2e"),
     "t.csv:2: unit: 't-co2e' does not match the unit of 'vaxthusgaser-per-invanare', which is 't-co2e-per-invanare'"),
    ("unknown_unit", HEADER + "\n" + row(unit="ton"), "t.csv:2: unit: 'ton' is not a unit in the scheme 'enheter'"),
    ("unknown_source", HEADER + "\n" + row(source="huddinge-2022"),
     "t.csv:2: source: 'huddinge-2022' is not a source id in data/sources.yaml"),
    ("unverified_status", HEADER + "\n" + row(status="unverified"),
     "t.csv:2: status: 'unverified' is not a publishable status; unverified figures are never published"),
    ("duplicate_cell", HEADER + "\n" + GOOD + "\n" + row(value="1.4"),
     "t.csv:3: year: duplicate observation of vaxthusgaser-per-invanare for 0126 in 2019 (also at t.csv:2)"),
    ("not_utf8", "municipality;år\n".encode("latin-1"), "t.csv: not UTF-8 text (byte 13)"),
    ("unclosed_quote", HEADER + '\n0126,"vaxthusgaser', "t.csv:2: malformed CSV: unexpected end of data"),
]


def test_bad_cases_are_all_collected():
    assert len(BAD) == 23


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_file_is_reported_with_file_line_and_column(text, expected):
    from publisher.dataset.observations import duplicates

    obs, problems = check(text)
    problems += [str(p) for p in duplicates(obs)]
    assert any(p.startswith(expected) for p in problems), problems


def test_all_problems_of_a_file_are_reported_at_once():
    text = "\n".join([HEADER, row(municipality="0999"), row(year="abc", value="x"), row(source="nope")])
    _, problems = check(text)
    assert [p.split(":")[1:3] for p in problems] == [
        ["2", " municipality"], ["3", " year"], ["3", " value"], ["4", " source"]]


@pytest.mark.parametrize(("name", "raw"), [
    ("comma", (HEADER + "\n" + GOOD + "\n").encode()),
    ("bom_and_crlf", b"\xef\xbb\xbf" + (HEADER + "\r\n" + GOOD + "\r\n").encode()),
    ("semicolon", (HEADER.replace(",", ";") + "\n" + GOOD.replace(",", ";") + "\n").encode()),
    ("tab_and_upper_case_header", (HEADER.upper().replace(",", "\t") + "\n" + GOOD.replace(",", "\t")).encode()),
    ("columns_in_another_order_and_blank_lines", (
        "year,municipality,indicator,value,unit,source,status\n\n2019,0126,vaxthusgaser-per-invanare,1.38,"
        f"t-co2e-per-invanare,{SRC},sourced\n\n").encode()),
])
def test_good_file_variants_load_the_same_observation(name, raw):
    obs, problems = check(raw)
    assert problems == []
    assert [(o.municipality, o.indicator, o.year, o.value, o.unit, o.source, o.status) for o in obs] == [
        ("0126", "vaxthusgaser-per-invanare", 2019, "1.38", "t-co2e-per-invanare", SRC, "sourced")]


def test_real_observations_load_exactly_as_published():
    data = load(ROOT / "data")
    cube = load_observations(ROOT / "data", data)
    huddinge = {o.year: o.value for o in cube.observations if o.indicator == "vaxthusgaser-per-invanare"}
    assert huddinge == {1990: "4.4", 2000: "3.7", 2005: "3.2", 2010: "3.1", 2011: "3.0", 2012: "2.8",
                        2013: "2.0", 2014: "1.8", 2015: "1.8", 2016: "1.7", 2017: "1.53", 2018: "1.45",
                        2019: "1.38", 2020: "1.23"}
    sodertalje = {o.year: o.value for o in cube.observations if o.indicator == "vaxthusgaser-produktanvandning"}
    assert sodertalje == {1990: "3833", 2000: "10514", 2005: "14133", 2010: "14346", 2015: "15538",
                          2016: "15701", 2017: "15731", 2018: "14651", 2019: "13926", 2020: "13551"}
    sources = {o.year: o.source for o in cube.observations if o.municipality == "0126"}
    assert sources[2020] == "huddinge-koldioxidutslapp-per-invanare-2023" and sources[2019] == SRC
    assert len(cube.observations) == 24


def test_duplicates_across_files_and_stray_files_are_reported(data_copy: Path):
    folder = data_copy / "observations"
    (folder / "extra.csv").write_text(HEADER + "\n" + row(value="9.9") + "\n", encoding="utf-8")  # synthetic
    (folder / "notes.txt").write_text("synthetic\n", encoding="utf-8")
    with pytest.raises(SourceDataError) as err:
        load_observations(data_copy, load(data_copy))
    problems = [str(p) for p in err.value.problems]
    assert "data/observations/notes.txt: unknown file in observations/; expected *.csv files" in problems
    assert any(p.startswith("data/observations/huddinge-vaxthusgaser-per-invanare.csv:")
               and "duplicate observation of vaxthusgaser-per-invanare for 0126 in 2019 "
               "(also at data/observations/extra.csv:2)" in p for p in problems), problems


def test_build_refuses_bad_observations_with_exit_code_2(private_settings):
    from publisher.dataset.pipeline import check

    (private_settings.data_dir / "observations" / "bad.csv").write_text(
        HEADER + "\n" + row(municipality="126", year="2021") + "\n", encoding="utf-8")  # synthetic
    with pytest.raises(SourceDataError) as err:
        check(private_settings, progress=lambda _: None)
    assert err.value.exit_code == 2
    assert "data/observations/bad.csv:2: municipality: '126' is not a 4-digit municipality code" in str(err.value)


def test_thousands_of_bad_rows_are_all_found_and_the_first_hundred_shown(data_copy: Path):
    """A broken bulk file (5,000 rows with a bad code, synthetic) is one error listing 100 and counting the rest."""
    rows = [row(municipality=f"{9000 + n % 9:d}x", year=str(1990 + n % 30)) for n in range(5000)]
    (data_copy / "observations" / "bulk.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(SourceDataError) as err:
        load_observations(data_copy, load(data_copy))
    assert len(err.value.problems) == 5000
    text = str(err.value)
    assert text.startswith("5000 problems in the source data:")
    assert text.count("\n  data/observations/bulk.csv:") == 100
    assert text.endswith("... and 4900 more problems (fix these first; the rest are often the same)")
