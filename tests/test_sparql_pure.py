"""Table-driven tests of the SPARQL endpoint's pure parts: guard, format choice, serialisers."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from publisher.web.sparql_formats import choose
from publisher.web.sparql_guard import QueryRejected, check_query, scan, unescape_codepoints
from publisher.web.sparql_results import SOLUTIONS, boolean_json, boolean_xml

RDFLIB_ACCEPT = "application/rdf+xml, application/sparql-results+xml"


@pytest.mark.parametrize("query, rejected", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { ?s ?p ?o }\nSERVICE", True),
    ("SELECT * { ?s <http://x/SERVICE> ?o }", False),
    ("SELECT * { ?s ?p 'SERVICE' }", False),
    ('SELECT * { ?s ?p """a\nSERVICE <x> {}""" }', False),
    ("SELECT * { ?s ex:SERVICE ?o }", False),
    ("SELECT ?service { ?service ?p ?o }", False),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x/>", False),
    ("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) } ", False),
])
def test_service_is_refused_syntactically(query: str, rejected: bool) -> None:
    if rejected:
        with pytest.raises(QueryRejected, match="SERVICE"):
            check_query(query, 10_000, 50)
    else:
        check_query(query, 10_000, 50)


@pytest.mark.parametrize("query, depth", [
    ("ASK {}", 1),
    ("SELECT * { { ?s ?p ?o } FILTER((1)) }", 3),
    ("SELECT * { ?s ?p '((((' }", 1),
    ("SELECT * { ?s ?p <http://x/(((> }", 1),
    ("ASK { FILTER(?a < (1)) }", 3),
])
def test_nesting_depth_ignores_strings_and_iris(query: str, depth: int) -> None:
    assert scan(query).depth == depth


def test_too_long_and_too_deep_are_refused() -> None:
    with pytest.raises(QueryRejected, match="characters long"):
        check_query("ASK {}" + " " * 100, 50, 10)
    with pytest.raises(QueryRejected, match="nests brackets 11 deep"):
        check_query("ASK {" + "(" * 10 + ")" * 10 + "}", 1000, 10)


def test_unescape_codepoints() -> None:
    assert unescape_codepoints("\\u0041\\U00000042") == "AB"


@pytest.mark.parametrize("kind, accept, hint, key", [
    ("solutions", None, None, "json"),
    ("boolean", None, None, "json"),
    ("graph", None, None, "ttl"),
    ("solutions", RDFLIB_ACCEPT, None, "xml"),
    ("boolean", RDFLIB_ACCEPT, None, "xml"),
    ("graph", RDFLIB_ACCEPT, None, "rdf"),
    ("solutions", "application/json", None, "json"),
    ("graph", "application/json", None, "jsonld"),
    ("solutions", "text/csv", None, "csv"),
    ("solutions", "text/tab-separated-values", None, "tsv"),
    ("graph", "application/n-triples", None, "nt"),
    ("graph", "text/html,application/xhtml+xml,*/*;q=0.8", None, "ttl"),
    ("solutions", None, "csv", "csv"),
    ("solutions", "application/sparql-results+xml", "json", "json"),
    ("graph", None, "json", "jsonld"),
    ("graph", None, "xml", "rdf"),
    ("graph", None, "text/turtle", "ttl"),
    ("solutions", None, "nonsense", "json"),
    ("graph", None, "csv", "ttl"),
])
def test_format_is_chosen_per_query_form(kind, accept, hint, key) -> None:
    assert choose(kind, accept, hint).key == key


@pytest.mark.parametrize("kind, accept", [("solutions", "image/png"), ("graph", "text/csv"), ("boolean", "text/csv")])
def test_unacceptable_format_is_none(kind, accept) -> None:
    assert choose(kind, accept) is None


ROWS = [
    (ox.NamedNode("http://x/a"), ox.Literal("hej, \"du\"", language="sv")),
    (ox.BlankNode("b0"), ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
    (None, ox.Literal("tab\there\nnewline")),
]


@pytest.mark.parametrize("key, ox_format", [
    ("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML), ("tsv", ox.QueryResultsFormat.TSV),
])
def test_solution_serialisers_round_trip_through_pyoxigraph(key, ox_format) -> None:
    body = SOLUTIONS[key](["s", "o"], ROWS)
    parsed = list(ox.parse_query_results(body, ox_format))
    assert [tuple(row) for row in parsed] == ROWS


def test_csv_quotes_and_bnodes() -> None:
    body = SOLUTIONS["csv"](["s", "o"], ROWS).decode()
    assert body.splitlines()[1] == 'http://x/a,"hej, ""du"""'
    assert body.splitlines()[2] == "_:b0,1"


def test_truncated_json_says_so() -> None:
    doc = json.loads(SOLUTIONS["json"](["s", "o"], ROWS, truncated=3))
    assert doc["truncated"] is True and "3 rows" in doc["note"]


def test_booleans_round_trip() -> None:
    assert bool(ox.parse_query_results(boolean_json(True), ox.QueryResultsFormat.JSON)) is True
    assert bool(ox.parse_query_results(boolean_xml(False), ox.QueryResultsFormat.XML)) is False
