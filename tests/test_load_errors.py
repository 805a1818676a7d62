"""Bad source data gets a clear error with file, line and field; all errors at once; no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from publisher.dataset.load import load
from publisher.errors import SourceDataError

from .conftest import ROOT

# (case id, file, old text, new text, field, message fragment, text on the expected line)
CASES = [
    ("malformed_yaml", "municipalities.yaml", "  - id: nykvarn\n", "  - id: nykvarn\n    bad: [unclosed\n",
     "", "malformed YAML", None),
    ("duplicate_key", "municipalities.yaml", "    short_name: Haninge\n",
     "    short_name: Haninge\n    code: \"0137\"\n", "code", "duplicate key", "code: \"0137\""),
    ("unknown_field_with_suggestion", "municipalities.yaml", "    short_name: Huddinge\n",
     "    shortname: Huddinge\n", "shortname", "did you mean 'short_name'", "shortname: Huddinge"),
    ("missing_required_field", "municipalities.yaml", "    short_name: Huddinge\n", "", "short_name",
     "required field is missing", "  - id: huddinge"),
    ("yaml11_no_is_not_false", "organisations.yaml", "    location: Karlskrona\n", "    location: no\n",
     "location", "boolean false", "location: no"),
    ("unquoted_code_keeps_leading_zero", "municipalities.yaml", "    code: \"0136\"\n", "    code: 0136\n",
     "code", "codes are text", "code: 0136"),
    ("octal_looking_code", "places.yaml", "    code: \"01\"\n", "    code: 012\n", "code",
     "codes are text", "code: 012"),
    ("dangling_reference", "memberships.yaml", "    organisation: sveriges-ekokommuner\n    since: 2007\n",
     "    organisation: sveriges-ekokomuner\n    since: 2007\n", "organisation",
     "'sveriges-ekokomuner' is not a known organisations", "organisation: sveriges-ekokomuner"),
    ("duplicate_id", "municipalities.yaml", "  - id: salem\n", "  - id: haninge\n", "id",
     "duplicate id 'haninge'", None),
    ("duplicate_municipality_code", "municipalities.yaml", "    code: \"0128\"\n", "    code: \"0136\"\n",
     "code", "duplicate municipality code '0136' (also at data/municipalities.yaml:", None),
    ("iri_with_space", "municipalities.yaml", "    website: http://www.salem.se\n",
     "    website: http://www.salem .se\n", "website", "not a valid IRI", "website: http://www.salem .se"),
    ("iri_not_absolute", "municipalities.yaml", "    website: http://www.salem.se\n",
     "    website: www.salem.se\n", "website", "not an absolute http(s) IRI", "website: www.salem.se"),
    ("invalid_language_tag", "municipalities.yaml", "en: Salem Municipality}", "e_n: Salem Municipality}",
     "name", "not a valid BCP 47 language tag", "e_n: Salem"),
    ("missing_language", "municipalities.yaml", "{sv: Salems kommun, en: Salem Municipality}",
     "{sv: Salems kommun}", "name", "missing the 'en' text", "{sv: Salems kommun}"),
    ("impossible_year_too_early", "memberships.yaml", "    since: 2007\n", "    since: 1066\n", "since",
     "impossible year 1066", "since: 1066"),
    ("impossible_year_future", "memberships.yaml", "    since: 2007\n", "    since: 2999\n", "since",
     "impossible year 2999", "since: 2999"),
    ("year_with_five_digits", "memberships.yaml", "    since: 2007\n", "    since: 20070\n", "since",
     "is not a year", "since: 20070"),
    ("impossible_date", "memberships.yaml", "    since: 2009-11-23\n", "    since: 2009-02-30\n", "since",
     "not a real date", "since: 2009-02-30"),
    ("impossible_month", "memberships.yaml", "    since: \"2016-08\"\n", "    since: \"2016-13\"\n", "since",
     "has no month 13", "since: \"2016-13\""),
    ("membership_before_founding", "memberships.yaml", "    since: 1995\n", "    since: 1994\n", "since",
     "before sveriges-ekokommuner was founded", "since: 1994"),
    ("anchor_rejected", "municipalities.yaml", "  - id: tyreso\n", "  - &t\n    id: tyreso\n", "",
     "anchors and aliases", "&t"),
    ("unverified_never_published", "memberships.yaml", "    since: 1995\n    confidence: sourced\n",
     "    since: 1995\n    confidence: unverified\n", "confidence", "unverified facts are not published",
     "confidence: unverified"),
    ("scalar_where_list_expected", "places.yaml", "    sources: [scb-kommunkoder-2018]\n",
     "    sources: scb-kommunkoder-2018\n", "sources", "expected a list", "sources: scb-kommunkoder-2018"),
    ("yes_is_not_a_boolean_here", "memberships.yaml", "    commitment: true\n", "    commitment: yes\n",
     "commitment", "write true or false", "commitment: yes"),
    ("non_ascii_id", "municipalities.yaml", "  - id: tyreso\n", "  - id: tyresö\n", "id",
     "not a valid id", "id: tyresö"),
    ("empty_file", "sources.yaml", None, "", "", "file is empty", None),
]


def apply(data_dir: Path, name: str, old: str | None, new: str) -> None:
    path = data_dir / name
    text = path.read_text(encoding="utf-8")
    if old is None:
        path.write_text(new, encoding="utf-8")
        return
    assert old in text, f"test setup: {old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_number(path: Path, fragment: str) -> int:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if fragment in line:
            return n
    raise AssertionError(f"{fragment!r} not found in {path}")


@pytest.mark.parametrize(("file", "old", "new", "field", "message", "on_line"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_source_data_is_reported_with_file_line_and_field(
    data_copy: Path, file, old, new, field, message, on_line
):
    apply(data_copy, file, old, new)
    with pytest.raises(SourceDataError) as caught:
        load(data_copy)
    matches = [p for p in caught.value.problems
               if p.file == f"data/{file}" and message in p.message and p.field == field]
    assert matches, f"no problem like {message!r} in {file} for {field!r}:\n{caught.value}"
    if on_line:
        assert matches[0].line == line_number(data_copy / file, on_line), str(caught.value)


def test_case_table_is_complete():
    assert len(CASES) == 26


def test_all_problems_in_all_files_are_reported_at_once(data_copy: Path):
    apply(data_copy, "municipalities.yaml", "    code: \"0136\"\n", "    code: 0136\n")
    apply(data_copy, "memberships.yaml", "    since: 2007\n", "    since: 2999\n")
    apply(data_copy, "organisations.yaml", "    location: Karlskrona\n", "    location: no\n")
    with pytest.raises(SourceDataError) as caught:
        load(data_copy)
    files = {p.file for p in caught.value.problems}
    assert {"data/municipalities.yaml", "data/memberships.yaml", "data/organisations.yaml"} <= files


def test_unknown_and_missing_data_files_are_reported(data_copy: Path):
    (data_copy / "extra.yaml").write_text("foo: []\n", encoding="utf-8")
    (data_copy / "publications.yaml").unlink()
    with pytest.raises(SourceDataError) as caught:
        load(data_copy)
    text = str(caught.value)
    assert "data/extra.yaml: unknown data file" in text
    assert "data/publications.yaml: file is missing" in text


def test_alias_bomb_is_rejected_without_expanding(data_copy: Path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" \
           "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nsources: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    (data_copy / "sources.yaml").write_text(bomb, encoding="utf-8")
    with pytest.raises(SourceDataError) as caught:
        load(data_copy)
    assert "anchors and aliases" in str(caught.value)


def test_cli_reports_bad_data_with_exit_code_2_and_no_traceback(data_copy: Path, tmp_path: Path):
    apply(data_copy, "municipalities.yaml", "    code: \"0136\"\n", "    code: 0136\n")
    root = tmp_path
    for folder in ("ontology", "shapes"):
        (root / folder).symlink_to(ROOT / folder)
    result = subprocess.run(
        [sys.executable, "-m", "publisher", "--root", str(root), "build"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    line = line_number(data_copy / "municipalities.yaml", "code: 0136")
    assert f"data/municipalities.yaml:{line}: code: codes are text" in result.stderr
    assert not (root / "dist" / "current").exists()
