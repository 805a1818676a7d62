"""Table-driven tests of the SPARQL endpoint's pure parts: guard, format choice, serialisers."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from publisher.web.sparql.formats import choose
from publisher.web.sparql.guard import Limits, QueryRejected, check_query, find_service, measure
from publisher.web.sparql.results import SOLUTIONS, boolean_json, boolean_xml

RDFLIB_ACCEPT = "application/rdf+xml, application/sparql-results+xml"


SSRF = "http://127.0.0.1:9911/sparql"
PNAME_ESCAPES = "_~.-!$&'()*+,;=/?#@%"


@pytest.mark.parametrize("query, rejected", [
    ("SELECT * { SERVICE <http://x/> { ?s ?p ?o } }", True),
    ("select * { service silent <http://x/> { ?s ?p ?o } }", True),
    ("SELECT * { SERVICE ?x { ?s ?p ?o } }", True),
    ("SELECT * { SERVICE\n# comment\n<http://x/>\n{ ?s ?p ?o } }", True),
    # Oxigraph reads keywords without word boundaries: each of these reaches the named server
    (f"PREFIX x: <{SSRF}> SELECT * {{ SERVICEx: {{ ?a ?b ?c }} }}", True),
    (f"PREFIX : <{SSRF}> SELECT * {{ SERVICE:x {{ ?a ?b ?c }} }}", True),
    (f"PREFIX : <{SSRF}> SELECT * {{ SERVICESILENT:x {{ ?a ?b ?c }} }}", True),
    (f"SELECT * {{ ?s ?p trueSERVICE <{SSRF}> {{ ?a ?b ?c }} }}", True),
    # `<` read as an operator by the engine where the grammar's longest match reads an IRI
    (f"SELECT * {{ FILTER(?o<'>') SERVICE <{SSRF}> {{}} }} #'", True),
    (f"SELECT * {{ BIND(<{SSRF}> AS ?x) FILTER(?o<1)SERVICE?x#>0)\n{{ ?a ?b ?c }} }}", True),
    (f"SELECT * {{ FILTER(?o<#>0) '''\n0) SERVICE <{SSRF}> {{}} }} #'''", True),
    ("SELECT * { ?s ?p ?o }\nSERVICE <x> {}", True),
    # the payload: an escaped `#` in a local name is not a comment
    (f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a\\# }} SERVICE <{SSRF}> {{ ?x ?y ?secret }} }}",
     True),
    ("SELECT * { ?s <http://x/SERVICE> ?o }", False),
    ("SELECT * { ?s <http://schema.org/Service> ?o . ?o a <http://x/service/1> }", False),
    ("PREFIX schema: <http://schema.org/> SELECT * { ?s a schema:Service ; schema:serviceType ?t }", False),
    ("SELECT * { ?s ?p 'SERVICE <x> {}' }", False),
    ('SELECT * { ?s ?p """a\nSERVICE <x> {}""" }', False),
    ("SELECT * { ?s ex:SERVICE ?o }", False),
    ("SELECT ?service { ?service ?p ?o }", False),
    ("SELECT * { ?s ?p ?o } # SERVICE <http://x/> {}", False),
    ("SELECT * { ?s ?p ?o FILTER(?o < 3 && ?o > 1) } ", False),
    ("SELECT * { \\u0053ERVICE <http://x/> { ?s ?p ?o } }", False),  # a syntax error: \u is not resolved in code
])
def test_service_is_refused_in_every_reading(query: str, rejected: bool) -> None:
    if rejected:
        with pytest.raises(QueryRejected, match="SERVICE"):
            check_query(query)
    else:
        check_query(query)


@pytest.mark.parametrize("escape", [f"\\{c}" for c in PNAME_ESCAPES] + ["%41"])
def test_every_local_name_escape_before_a_service_is_seen_through(escape: str) -> None:
    query = f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a{escape} }} SERVICE <{SSRF}> {{ ?x ?y ?z }} }}"
    with pytest.raises(QueryRejected, match="SERVICE"):
        check_query(query + " #'\"")


@pytest.mark.parametrize("escape", ["\\t", "\\b", "\\n", "\\r", "\\f", '\\"', "\\'", "\\\\", "\\u0027", "\\U00000022"])
@pytest.mark.parametrize("quote", ["'", '"', "'''", '"""'])
def test_every_string_escape_before_a_service_is_seen_through(escape: str, quote: str) -> None:
    query = f"SELECT * {{ BIND({quote}a{escape}{quote} AS ?v) SERVICE <{SSRF}> {{ ?x ?y ?z }} }}"
    with pytest.raises(QueryRejected, match="SERVICE"):
        check_query(query)


@pytest.mark.parametrize("query, depth", [
    ("ASK {}", 1),
    ("SELECT * { { ?s ?p ?o } FILTER((1)) }", 3),
    ("SELECT * { ?s ?p '((((' }", 1),
    ("SELECT * { ?s ?p <http://x/a> }", 1),
    ("ASK { FILTER(?a < (1)) }", 3),
    ("ASK { FILTER(?o<((((1))))>0) }", 6),  # the engine may read the IRI as nested brackets
    ("PREFIX ex: <http://e/> ASK { ?s ?p ex:a\\#\\( . FILTER((1)) }", 3),
    ("PREFIX ex: <http://e/> ASK { ?s ?p ex:a\\'\\( . FILTER((1)) }", 3),
])
def test_nesting_depth_is_measured_on_tokens(query: str, depth: int) -> None:
    assert measure(query).depth == depth


def test_too_long_too_deep_too_long_a_chain_and_too_many_patterns_are_refused() -> None:
    with pytest.raises(QueryRejected, match="characters long"):
        check_query("ASK {}" + " " * 100, Limits(length=50))
    with pytest.raises(QueryRejected, match="nests brackets 11 deep"):
        check_query("ASK { FILTER" + "(" * 10 + "1" + ")" * 10 + "}", Limits(depth=10))
    with pytest.raises(QueryRejected, match="chains 129 operators"):
        check_query("SELECT (" + "+".join(["1"] * 8000) + " AS ?x) {}")
    with pytest.raises(QueryRejected, match="chains 129 operators"):
        check_query("SELECT * { ?s " + "/".join(["<http://e/p>"] * 200) + " ?o }")
    with pytest.raises(QueryRejected, match="triple patterns"):
        check_query("SELECT * { " + " ".join(f"?s <http://e/p{i}> ?o{i} ." for i in range(200)) + " }")
    check_query("SELECT * { VALUES ?x { " + " ".join(f"<http://e/{i}>" for i in range(3000)) + " } }")
    check_query("SELECT * { FILTER(?x IN (" + ", ".join(str(i) for i in range(3000)) + ")) }")


def test_checking_the_longest_query_is_linear() -> None:
    """Many IRIs and comments make many readings to follow; each position is still read once."""
    query = "SELECT * { " + " ".join(f"<http://e/{i}#x> <http://e/p> 'service {i}' ." for i in range(1000))
    assert len(query) < 50_000
    assert find_service(query) is None


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
