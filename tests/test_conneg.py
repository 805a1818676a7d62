"""Accept parsing and negotiation, table-driven with the headers real clients send."""

from __future__ import annotations

import time

import pytest

from publisher.web.conneg import MAX_HEADER, format_for, negotiate, oversized_header, parse_accept, rdf_offers

HTML = "text/html"
OFFERS = ["text/turtle", "text/html", "application/ld+json", "application/rdf+xml", "application/n-triples",
          "application/json", "application/xml", "text/plain"]

CASES = [
    ("no_header", None, "text/turtle"),
    ("empty", "", "text/turtle"),
    ("star_star_alone", "*/*", "text/turtle"),
    ("curl_default", "*/*", "text/turtle"),
    ("firefox", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("chrome", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
               "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7", HTML),
    ("safari", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),
    ("rdflib_default", "application/rdf+xml, text/rdf+n3, application/xml", "application/rdf+xml"),
    ("rdflib_turtle", "text/turtle, application/x-turtle", "text/turtle"),
    ("sparqlwrapper_rdf", "application/rdf+xml", "application/rdf+xml"),
    ("comunica", "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
                 "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,*/*;q=0.1",
     "application/ld+json"),
    ("harvester_ckan", "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1", "application/rdf+xml"),
    ("jsonld_profile_not_offered", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"',
     None),
    ("q_zero_excludes", "text/turtle;q=0, */*", "text/html"),
    ("q_values_order", "text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json"),
    ("ties_by_client_order", "application/n-triples, text/turtle", "application/n-triples"),
    ("specific_beats_wildcard_at_same_q", "text/*, text/html", HTML),
    ("type_wildcard", "text/*", "text/turtle"),
    ("charset_param_ignored", "text/turtle;charset=utf-8", "text/turtle"),
    ("case_insensitive", "TEXT/Turtle", "text/turtle"),
    ("spaces_everywhere", "  text/turtle ; q=0.2 ,  application/rdf+xml ; q = 0.9 ", "application/rdf+xml"),
    ("unsatisfiable", "image/png", None),
    ("all_zero", "*/*;q=0", None),
    ("garbage_only", ";;;,,,", "text/turtle"),
    ("garbage_word", "turtle", "text/turtle"),
    ("bad_q_item_ignored", "text/turtle;q=high, application/rdf+xml", "application/rdf+xml"),
    ("q_above_one_ignored", "text/turtle;q=2, application/rdf+xml;q=0.5", "application/rdf+xml"),
    ("half_wildcard_invalid", "*/turtle", "text/turtle"),
    ("json_alias", "application/json", "application/json"),
    ("very_long_header", "text/html," * 2000, "text/turtle"),
    ("quoted_comma", 'text/html;foo="a,b";q=0.1, text/turtle;q=0.2', "text/turtle"),
    ("accept_ext_after_q", "text/turtle;q=0.3;level=1, text/html;q=0.2", "text/turtle"),
]


@pytest.mark.parametrize(("header", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_negotiation_picks_what_the_client_prefers(header, expected):
    assert negotiate(header, OFFERS) == expected


def test_case_table_is_complete():
    assert len(CASES) == 32


def test_parse_keeps_client_order_and_q():
    ranges = parse_accept("a/b;q=0.5, c/d, */*;q=0")
    assert [(r.type, r.subtype, r.q, r.order) for r in ranges] == [("a", "b", 0.5, 0), ("c", "d", 1.0, 1),
                                                                    ("*", "*", 0.0, 2)]


def test_profile_parameter_must_match_when_offered():
    offers = ['application/ld+json;profile="https://example.org/p"', "text/turtle"]
    assert negotiate('application/ld+json;profile="https://example.org/p"', offers) == offers[0]
    assert negotiate('application/ld+json;profile="https://example.org/other"', offers) is None


def test_aliases_map_to_formats():
    assert format_for("application/json").key == "jsonld"
    assert format_for("text/plain").key == "nt"
    assert format_for("image/png") is None
    assert rdf_offers()[:4] == ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]


# --- RFC 9110's grammar at its edges (issue 17): quoted strings, any number of ranges, long headers ---

JSONLD_COMPACTED = 'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"'
MANY = ", ".join(f"x/y{i}" for i in range(499)) + ", text/turtle;q=0.5"  # 500 ranges, under MAX_HEADER
GRAMMAR_CASES = [
    ("quoted_comma_in_unrecognised_profile",
     'application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted,x", text/html;q=0.1',
     "application/ld+json"),
    ("quoted_semicolon_in_a_parameter", 'application/ld+json;foo="a;b", text/html;q=0.5', "application/ld+json"),
    ("escaped_quote_in_a_parameter", r'text/turtle;foo="a\",b";q=0.4, text/html;q=0.3', "text/turtle"),
    ("range_500_of_500_counts", MANY, "text/turtle"),
    ("range_after_the_64th_counts", ", ".join(["image/png"] * 64) + ", application/rdf+xml", "application/rdf+xml"),
    ("one_8_kb_type_matching_nothing", "application/" + "x" * (8192 - len("application/")), None),
    ("unrecognised_profile_is_ignored", 'application/ld+json;profile="https://example.org/mine";q=0.3, '
                                        "text/html;q=0.2", "application/ld+json"),
    ("recognised_profile_not_offered_excludes", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded", '
                                                "text/html;q=0.2", "text/html"),
]


@pytest.mark.parametrize(("header", "expected"), [c[1:] for c in GRAMMAR_CASES], ids=[c[0] for c in GRAMMAR_CASES])
def test_negotiation_follows_rfc_9110_grammar(header, expected):
    assert len(header) <= MAX_HEADER
    assert negotiate(header, OFFERS) == expected


def test_grammar_case_table_is_complete():
    assert len(GRAMMAR_CASES) == 8


@pytest.mark.parametrize(("header", "expected"), [
    (JSONLD_COMPACTED, JSONLD_COMPACTED),  # our JSON-LD is compacted: say so, and get it
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#flattened http://www.w3.org/ns/json-ld#compacted"',
     JSONLD_COMPACTED),  # a list of profiles (space-separated) naming ours
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', None),
    ("application/ld+json", "application/ld+json"),
])
def test_a_declared_profile_is_chosen_by_ranges_naming_it(header, expected):
    offers = ["text/turtle", "application/ld+json", JSONLD_COMPACTED]
    assert negotiate(header, offers) == expected


def test_documents_offer_compacted_json_ld_by_profile():
    from publisher.web.resources import choose_format

    assert choose_format(JSONLD_COMPACTED) == "jsonld"
    assert choose_format('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted,x"') == "jsonld"
    assert choose_format('application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"') is None


def test_every_range_of_a_long_header_is_parsed_and_matching_stays_linear():
    header = ",".join(f"x/{i}" for i in range(1100)) + ",text/turtle;q=0.1"
    assert len(header) <= MAX_HEADER
    assert len(parse_accept(header)) == 1101
    started = time.perf_counter()
    for _ in range(5):
        negotiate(header, OFFERS)
    assert (time.perf_counter() - started) / 5 < 0.2  # ~3 ms here; quadratic matching took seconds


def test_an_over_long_negotiation_header_is_found_for_the_web_layer_to_refuse():
    long = b"text/html," * 1000
    assert oversized_header([(b"accept", long)]) == ("accept", len(long))
    assert oversized_header([(b"accept-language", long)]) == ("accept-language", len(long))
    assert oversized_header([(b"cookie", long), (b"accept", b"text/html")]) is None
    assert oversized_header([(b"accept", b"a/" + b"b" * (MAX_HEADER - 2))]) is None
