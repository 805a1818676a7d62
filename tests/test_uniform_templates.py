"""Observations' documents filled into templates are the documents the general way makes, byte for byte.

publisher/release/slot_templates.py cuts a template from one observation's document and fills in
another's values; publisher/web/uniform_pages.py uses a template only after it wrote other
observations' documents exactly. Here every observation of releases with awkward values (labels
with markup characters, quotes, backslashes, non-ASCII and non-BMP characters, invisible ones,
names that read as numbers or years, values with thousands) is asked for in every representation,
through templates and the general way, and the two must be the same. The values are SYNTHETIC.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bench.synthetic import generate
from publisher.dataset.pipeline import build
from publisher.release.manifest import open_release
from publisher.release.slot_templates import cut
from publisher.release.uniform_slots import uniform_slots
from publisher.settings import Settings
from publisher.web.documents import load_documents
from publisher.web.pages import render_resource
from publisher.web.uniform_pages import UniformPages

from .conftest import BASE

VARIANTS = [(fmt,) for fmt in ("ttl", "nt", "jsonld", "rdf")] + [
    ("html", lang, explicit) for lang in ("sv", "en") for explicit in (False, True)]
# synthetic municipality names that make escaping and matching hard
AWKWARD = [
    'Å & Ö <kommun> "citat" \'apostrof\'',
    "Väsby \\ snedstreck / och ; semikolon",
    "Hörby\u00a0med\u00a0hårt\u00a0mellanslag ©",
    "Gran 🌲 kommun",
    "Noll\u200bbredd",
    "2019",
    "3.5",
    "Lång " + "ortnamn " * 40,
    "</script><b>fet</b>",
    "%2F procent %41",
]
AWKWARD_VALUES = ["1234.5", "100000.0", "0.001", "1000", "12345678.9"]


def _awkward_project(scratch: Path) -> Path:
    root = generate(scratch, "10k")
    data = root / "data"
    path = data / "municipalities.yaml"
    n = 0

    def rename(match: re.Match) -> str:
        nonlocal n
        name = AWKWARD[n % len(AWKWARD)]
        n += 1
        sv, en = (json.dumps(text, ensure_ascii=False) for text in (name, name + " (en)"))
        return f"    name: {{sv: {sv}, en: {en}}}\n"

    text = re.sub(r"    name: \{sv: Syntetisk kommun 9\d{3} \(testdata\), en: [^\n]*\}\n", rename,
                  path.read_text(encoding="utf-8"))
    assert n >= len(AWKWARD)
    path.write_text(text, encoding="utf-8")
    for csv_path in sorted((data / "observations").glob("syntetisk--*.csv")):
        lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
        for i in range(1, len(lines), 7):
            cells = lines[i].split(",")
            cells[3] = AWKWARD_VALUES[i % len(AWKWARD_VALUES)]
            lines[i] = ",".join(cells)
        csv_path.write_text("".join(lines), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def awkward_docs(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("awkward")
    root = _awkward_project(scratch)
    settings = Settings.from_root(root, base_uri=BASE, dist_dir=scratch / "dist")
    build(settings, progress=lambda message: None)
    return load_documents(open_release(settings.current_release))


def _general(docs, key: str, variant: tuple) -> bytes:
    if variant[0] == "html":
        return render_resource(docs.model(key), variant[1], variant[2], docs.figures(key))
    return docs.assembler.rdf(key, variant[0])


@pytest.mark.slow
def test_every_observation_in_every_representation_reads_as_the_general_way(awkward_docs) -> None:
    docs = awkward_docs
    keys = list(docs.reader.uniform_keys())
    assert len(keys) > 400
    for key in keys:  # the first few of each class teach the templates, which fill in the rest
        for variant in VARIANTS:
            want = _general(docs, key, variant)
            got, _ = docs.uniform(key, variant, lambda key=key, variant=variant: _general(docs, key, variant))
            assert got == want, f"{key} {variant}"
    learners = docs.templates._learners.values()
    ready = sum(learner.template is not None for learner in learners)
    filled = sum(learner.filled for learner in learners)
    # the two synthetic indicators' classes have their templates in every representation (the real
    # series, one municipality each, never vary in it: their few documents are made the general way),
    # and most documents were filled in
    assert ready >= 2 * len(VARIANTS) and not any(learner.off for learner in learners)
    assert filled > 0.75 * len(keys) * len(VARIANTS), (filled, len(keys))


@pytest.mark.slow
def test_the_builds_stored_class_and_slots_are_what_the_server_reads_from_the_triples(awkward_docs) -> None:
    """release/stored_slots.py: what the build stored for each observation is what `uniform_slots`
    reads from the observation's triples and the links' labels as the server has them."""
    docs = awkward_docs
    keys = list(docs.reader.uniform_keys())
    stored = 0
    for key in keys:
        want = uniform_slots(key, docs.reader.uniform(key), docs.base_uri, docs.assembler.link_labels)
        got = docs.reader.stored_slots(key)
        assert got == want, key
        stored += got is not None
    assert stored == len(keys) > 400


def test_a_value_a_template_cannot_tell_the_spelling_of_is_left_to_the_general_way() -> None:
    slots = {"key": ("text", "observation/a/0136/2019"), "name": ("text", "Haninge"),
             "value": ("decimal", "3.5")}
    document = '<a href="/doc/observation/a/0136/2019">Haninge</a> "3.5" <td>3,5</td> q=observation%2Fa'
    template = cut(document, slots)
    other = {"key": ("text", "observation/a/0138/2020"), "name": ("text", "Tyreso"), "value": ("decimal", "7.25")}
    assert template.fill(other) == ('<a href="/doc/observation/a/0138/2020">Tyreso</a> "7.25" <td>7,25</td> '
                                    'q=observation%2Fa')
    # 'Haninge' read alike as is and JSON-escaped to ASCII: 'Tyresö' would not, so the place is not filled
    assert template.fill({**other, "name": ("text", "Tyresö")}) is None
    # 'Haninge' read alike as is, HTML-escaped, JSON-escaped: '&' would not, so the place is not filled
    assert template.fill({**other, "name": ("text", "A & B")}) is None
    # '3.5' reads alike as is and in English: '1234.5' would not ('1,234.5')
    assert template.fill({**other, "value": ("decimal", "1234.5")}) is None
    # an invisible character is never written from a template
    assert template.fill({**other, "name": ("text", "Tyre\u200bsö")}) is None
    # a document shows which spelling a place takes: narrowed by it, the template fills such values
    narrowed = template.narrowed(document.replace("Haninge", "A &amp; B"), {**slots, "name": ("text", "A & B")})
    assert narrowed.fill({**other, "name": ("text", "C < Dö")}).startswith(
        '<a href="/doc/observation/a/0138/2020">C &lt; Dö</a>')


def test_a_template_that_writes_a_sample_differently_is_never_used() -> None:
    """An exemplar whose value also reads as a fixed text ('2019') would make that text a place: its
    template writes the other samples wrongly and is not learnt; another sample's is."""
    pages = UniformPages()
    made = []
    for n, (year, value) in enumerate([("2019", "2019"), ("2020", "5.5"), ("2021", "6.5"), ("2022", "7.5"),
                                       ("2023", "8.5")]):
        slots = {"key": ("text", f"observation/x/{n}/{year}"), "value": ("decimal", value)}
        document = f"about {slots['key'][1]}: {value}; fixed text from 2019"
        made.append(pages.document(("c",), ("nt",), slots, lambda document=document: document.encode()))
        assert made[-1][0] == document.encode()
    learner = next(iter(pages._learners.values()))
    assert learner.template is not None and "; fixed text from 2019" in learner.template.texts
    for value in ("2019", "3.25", "2030"):
        slots = {"key": ("text", "observation/x/9/2030"), "value": ("decimal", value)}
        assert pages.document(("c",), ("nt",), slots, lambda: b"general") == (
            f"about observation/x/9/2030: {value}; fixed text from 2019".encode(), True)
    assert learner.filled == 4  # the fifth sample was filled in too


def test_a_class_whose_value_never_varies_stays_with_the_general_way_and_holds_few_samples() -> None:
    """A series of one municipality: the municipality's slot never varies, so no template could be
    checked there. After MAX_SAMPLES documents the class is off; it never holds more than SAMPLES."""
    from publisher.web.uniform_pages import MAX_SAMPLES, SAMPLES

    pages = UniformPages()
    for year in range(2000, 2000 + MAX_SAMPLES + 5):
        slots = {"key": ("text", f"observation/x/0126/{year}"), "municipality": ("text", "municipality/0126"),
                 "year": ("text", str(year))}
        document = f"{slots['key'][1]} in municipality/0126, {year}"
        assert pages.document(("c",), ("nt",), slots, lambda document=document: document.encode()) == (
            document.encode(), False)
        learner = next(iter(pages._learners.values()))
        assert len(learner.samples) <= SAMPLES
    assert learner.off and learner.template is None and not learner.samples


def test_a_value_said_to_come_out_unchanged_does() -> None:
    """CHANGED lists, for each per-character transform, every character it writes otherwise: a value
    with none of them is written as it is without calling the transform (slot_templates._Writing)."""
    import re as regex

    from publisher.release.slot_templates import CHANGED, TEXT

    characters = [chr(c) for c in [*range(0x300), 0x2028, 0x2029, 0x200B, 0xFEFF, 0x1F332, 0xFFFD]]
    for name, pattern in CHANGED.items():
        if pattern is None:
            continue
        changed = regex.compile(pattern)
        missed = [c for c in characters if TEXT[name](f"a{c}b") != f"a{c}b" and not changed.search(f"a{c}b")]
        assert not missed, (name, missed)


LINES = [  # N-Triples as the build writes it, with text that could mislead a reader splitting on spaces
    '<http://x/id/a> <http://x/def/p> <http://x/id/b> .',
    '<http://x/id/a> <http://x/def/p> "plain" .',
    '<http://x/id/a> <http://x/def/p> "with > and < and \'quotes\'" .',
    '<http://x/id/a> <http://x/def/p> "a> <b" .',
    '<http://x/id/a> <http://x/def/p> "ends with a dot ." .',
    '<http://x/id/a> <http://x/def/p> "> " .',
    '<http://x/id/a> <http://x/def/p> "" .',
    '<http://x/id/a> <http://x/def/p> "Södertörn 𝔘 2019"@sv .',
    '<http://x/id/a> <http://x/def/p> "en"@en-GB .',
    '<http://x/id/a> <http://x/def/p> "3.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
    '<http://x/id/a> <http://x/def/p> "^^<http://y>"^^<http://www.w3.org/2001/XMLSchema#string> .',
    '<http://x/id/a%20b> <http://x/def/p?q=1#f> <http://x/id/c;d> .',
]


@pytest.mark.parametrize("line", LINES)
def test_an_observations_lines_are_read_as_pyoxigraph_reads_them(line: str) -> None:
    from publisher.release.uniform_slots import LANG_STRING, STRING, _parsed, _triples

    own = (line + "\n" + LINES[0] + "\n").encode()
    fast, exact = _triples(own), _parsed(own)

    def named(rows: list[tuple]) -> list[tuple]:  # the datatype of a plain or language-tagged literal named
        return [(s, p, o, t, lang, "" if o else dt or (LANG_STRING if lang else STRING))
                for s, p, o, t, lang, dt in rows]

    assert named(fast) == named(exact)
    assert fast is not exact and "\\" not in line  # read by the line reader, not handed to pyoxigraph


@pytest.mark.parametrize("text", ['<http://x/a> <http://x/p> "esc\\"aped" .', '<http://x/a> <http://x/p> _:b .',
                                  '<http://x/a>  <http://x/p> "two spaces" .', '<http://x/a>\t<http://x/p> "tab" .'])
def test_lines_the_build_does_not_write_plainly_go_to_pyoxigraph(text: str) -> None:
    from publisher.release import uniform_slots

    calls = []
    real = uniform_slots._parsed
    uniform_slots._parsed = lambda own: calls.append(own) or real(own)
    try:
        uniform_slots._triples((text + "\n").encode())
    finally:
        uniform_slots._parsed = real
    assert calls, text


def test_one_class_finds_what_the_alternation_of_the_transforms_classes_finds() -> None:
    """slot_templates.changed_class joins the CHANGED classes of a writing's transforms and UNUSUAL
    into one character class: it must find exactly the characters their alternation finds."""
    import itertools

    from publisher.release.slot_templates import CHANGED, UNUSUAL, changed_class

    chars = [chr(c) for c in [*range(0x3000), *range(0xD7F0, 0xE010), *range(0xFE00, 0x10000), 0x1D518, 0x1F30D]]
    names = sorted(CHANGED)
    combos = [(n,) for n in names] + list(itertools.combinations(names, 2)) + [tuple(names)]
    for combo in combos:
        alternation = re.compile("|".join([CHANGED[t] for t in combo if CHANGED[t] is not None] + [UNUSUAL.pattern]))
        merged = changed_class(combo)
        wrong = [c for c in chars if bool(merged.match(c)) != bool(alternation.match(c))]
        assert not wrong, (combo, [hex(ord(c)) for c in wrong[:5]])


def test_the_url_transform_is_quote_with_nothing_safe() -> None:
    from urllib.parse import quote

    from publisher.release.slot_templates import TEXT

    texts = ["observation/miljonyckeltal/kolada-n00401/0136/2019", "a b&c=d?e#f", "Södertälje 𝔘", "~_.-",
             "".join(chr(c) for c in range(128)), "".join(chr(c) for c in range(0x80, 0x300))]
    for text in texts:
        assert TEXT["url"](text) == quote(text, safe=""), text
