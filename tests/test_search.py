"""Search: the index the build writes (pages/search.sqlite) and /search over HTTP (HTML and JSON)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest
import yaml

from publisher.release.search_index import (
    EXACT,
    PREFIX,
    SEARCH_FILE,
    SUBSTRING,
    WORD,
    WORD_PREFIX,
    Entry,
    SearchIndex,
    SearchIndexWriter,
    fold,
)

from .conftest import ROOT

SCB = yaml.safe_load((ROOT / "data" / "import-scb.yaml").read_text(encoding="utf-8"))["scb"]


@pytest.mark.parametrize(("text", "folded"), [
    ("Södertälje", "sodertalje"), ("GÖTEBORG", "goteborg"), ("Malå", "mala"), ("Upplands Väsby", "upplands vasby"),
    ("Haninge kommun – medlem i Sveriges Ekokommuner", "haninge kommun medlem i sveriges ekokommuner"),
    ("212000-0084", "212000 0084"), ("  Årjäng\t", "arjang"), ("Mölndal's", "molndal s"), ("", ""),
])
def test_fold_ignores_case_diacritics_and_punctuation(text, folded):
    assert fold(text) == folded


@pytest.fixture(scope="module")
def tiny_index(tmp_path_factory) -> SearchIndex:
    """A SYNTHETIC index (invented names, for ranking only): one name per level of match for "berg"."""
    path = tmp_path_factory.mktemp("search") / "search.sqlite"
    writer = SearchIndexWriter(path)
    names = {"a": "Östra Bergsbyn", "b": "Berg", "c": "Bergsjö", "d": "Norra Berg", "e": "Isberget", "f": "Ramberg",
             "g": "Västerås"}
    for key, name in names.items():
        writer.add(Entry(f"municipality/{key}", f"http://example.org/{key}", "municipality", 0,
                         {"sv": name, "en": name}, {"sv": "", "en": ""}, [("label", "sv", name)], {}))
    writer.close()
    return SearchIndex(path)


@pytest.mark.parametrize(("query", "expected"), [
    # within a level the shorter name first: "Ramberg" before "Isberget"
    ("berg", [("b", EXACT), ("c", PREFIX), ("d", WORD), ("a", WORD_PREFIX), ("f", SUBSTRING), ("e", SUBSTRING)]),
    ("BERG", [("b", EXACT), ("c", PREFIX), ("d", WORD), ("a", WORD_PREFIX), ("f", SUBSTRING), ("e", SUBSTRING)]),
    ("vasteras", [("g", EXACT)]),
    ("ster", [("g", SUBSTRING)]),
    ("berg ostra", [("a", WORD_PREFIX)]),  # every word begins a word of the name, in any order
    ("be", [("b", PREFIX), ("c", PREFIX), ("d", WORD_PREFIX), ("a", WORD_PREFIX)]),  # no substrings under 3 letters
    ("zzz", []),
])
def test_ranking_is_exact_then_prefix_then_word_then_substring(tiny_index, query, expected):
    hits = tiny_index.search(query, 20)
    assert [(h.key.rsplit("/", 1)[1], h.match) for h in hits] == expected


@pytest.fixture(scope="module")
def index(built, settings) -> SearchIndex:
    return SearchIndex(settings.current_release / SEARCH_FILE)


def test_every_scb_municipality_is_the_first_hit_for_its_name_and_code(index):
    municipalities = SCB["municipalities"]
    assert len(municipalities) == 290
    for m in municipalities:
        want = f"municipality/{m['code']}"
        for query in (m["short_name"], m["short_name"].upper(), m["short_name"].lower(), m["code"]):
            hits = index.search(query, 3)
            assert hits and hits[0].key == want, (query, [h.key for h in hits])


def test_a_name_typed_without_diacritics_finds_the_municipality_first_unless_two_names_fold_alike(index):
    municipalities = SCB["municipalities"]
    collisions = {f for f, n in Counter(fold(m["short_name"]) for m in municipalities).items() if n > 1}
    assert collisions == {"habo"}  # Habo and Håbo: "habo" is Habo's name as written, so Habo comes first
    for m in municipalities:
        plain = fold(m["short_name"])
        keys = [h.key for h in index.search(plain, 3)]
        want = f"municipality/{m['code']}"
        assert (keys[0] == want) if plain not in collisions else (want in keys[:2]), (plain, keys)
    assert [h.key for h in index.search("habo", 2)] == ["municipality/0643", "municipality/0305"]
    assert index.search("Håbo", 1)[0].key == "municipality/0305"


@pytest.mark.parametrize(("query", "first"), [
    ("sodertalje", "municipality/0181"), ("goteborg", "municipality/1480"), ("hanin", "municipality/0136"),
    ("Haninge kommun", "municipality/0136"), ("Haninge Municipality", "municipality/0136"),
    ("212000-0084", "municipality/0136"), ("2120000084", "municipality/0136"), ("Q113692", "municipality/0136"),
    ("stockholms lan", "county/01"), ("Stockholm County", "county/01"), ("01", "county/01"),
    ("sveriges ekokommuner", "organisation/sveriges-ekokommuner"), ("N00401", "concept/nyckeltal/kolada-n00401"),
])
def test_resources_are_found_by_labels_in_both_languages_alt_labels_and_codes(index, query, first):
    assert index.search(query, 5)[0].key == first


def test_index_covers_every_document_and_labels_kinds(index, settings):
    import json

    site = json.loads((settings.current_release / "pages" / "site.json").read_text(encoding="utf-8"))
    kinds = dict(index.kinds())
    assert sum(kinds.values()) == len(site["documents"])
    assert kinds["municipality"] == 290 and kinds["county"] == 21
    assert kinds["indicator"] >= 10 and kinds["membership"] > 100


# --- over HTTP --------------------------------------------------------------------------------------


def test_search_page_lists_results_grouped_by_kind_in_swedish_and_english(live_server):
    sv = httpx.get(live_server.url + "/search", params={"q": "sodertalje"}, headers={"Accept": "text/html"})
    assert sv.status_code == 200 and sv.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in sv.text and ">Kommun <" in sv.text
    assert sv.text.index("/doc/municipality/0181") < sv.text.index("/doc/membership/")
    assert 'role="status"' in sv.text and "träffar för" in sv.text
    en = httpx.get(live_server.url + "/search", params={"q": "sodertalje", "lang": "en"})
    assert '<html lang="en">' in en.text and ">Municipality <" in en.text and "Södertälje Municipality" in en.text
    assert 'href="/search?q=sodertalje&amp;lang=sv"' in en.text  # switching language keeps the query


def test_search_answers_json_by_content_negotiation(live_server):
    r = httpx.get(live_server.url + "/search", params={"q": "hanin", "limit": "3"},
                  headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert "Accept" in r.headers["vary"] and r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    assert doc["query"] == "hanin" and len(doc["results"]) == 3
    first = doc["results"][0]
    assert first["key"] == "municipality/0136" and first["match"] == "prefix" and first["kind"] == "municipality"
    assert first["id"].endswith("/id/municipality/0136") and first["href"] == "/doc/municipality/0136"
    only = httpx.get(live_server.url + "/search", params={"q": "stockholm", "type": "county"},
                     headers={"Accept": "application/json"}).json()
    assert {r["kind"] for r in only["results"]} == {"county"}


@pytest.mark.parametrize(("params", "status"), [
    ({"q": "x", "limit": "abc"}, 400), ({"q": "x", "limit": "0"}, 400), ({"q": "x", "limit": "101"}, 400),
    ({"q": "x", "type": "planet"}, 400), ({"q": "x" * 201}, 400),
])
def test_bad_search_parameters_get_400_with_a_reason(live_server, params, status):
    r = httpx.get(live_server.url + "/search", params=params, headers={"Accept": "application/json"})
    assert r.status_code == status and r.json()["detail"]


def test_search_refuses_unacceptable_media_types_with_406(live_server):
    r = httpx.get(live_server.url + "/search", params={"q": "x"}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_every_page_header_has_the_search_box_and_every_footer_the_accessibility_statement(live_server):
    for path in ("/", "/doc/municipality/0136", "/search?q=x", "/no-such-page", "/accessibility", "/sparql", "/queries",
                 "/queries/members-per-network?lang=en"):
        page = httpx.get(live_server.url + path, headers={"Accept": "text/html"}).text
        assert 'role="search"' in page and 'id="site-q"' in page and "/static/search.js" in page, path
        assert 'href="/accessibility?lang=' in page.split("<footer", 1)[1], path
    js = httpx.get(live_server.url + "/static/search.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")


def test_the_search_index_is_part_of_the_release_manifest(built, settings):
    import json

    manifest = json.loads((settings.current_release / "manifest.json").read_text(encoding="utf-8"))
    assert SEARCH_FILE in manifest["files"]
    assert Path(settings.current_release / SEARCH_FILE).stat().st_size == manifest["files"][SEARCH_FILE]["bytes"]
