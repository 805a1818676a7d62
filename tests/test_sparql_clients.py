"""Real SPARQL clients against the real server: SPARQLWrapper, rdflib's SPARQLStore, Comunica, and
a replay of the requests YASGUI sends. Each answer is compared with pyoxigraph run directly on the
release's store."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, Variable
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, RDFXML, TURTLE, XML, SPARQLWrapper

from .conftest import ROOT

pytestmark = pytest.mark.slow
BASE = "http://127.0.0.1:8000/"
SELECT = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?member ?org ?year WHERE {
  ?m a org:Membership ; org:member ?member ; org:organization ?org .
  OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDgYear ?year }
}"""
ASK = "PREFIX org: <http://www.w3.org/ns/org#> ASK { ?m a org:Membership }"
ASK_FALSE = "ASK { <urn:nothing> ?p ?o }"
CONSTRUCT = """PREFIX org: <http://www.w3.org/ns/org#>
CONSTRUCT { ?member org:memberOf ?org } WHERE { ?m org:member ?member ; org:organization ?org }"""
DESCRIBE = f"DESCRIBE <{BASE}id/municipality/0136>"


@pytest.fixture(scope="module")
def store(built) -> ox.Store:
    return ox.Store.read_only(str(built.release / "store"))


@pytest.fixture(scope="module")
def endpoint(live_server) -> str:
    return live_server.url + "/sparql"


def _ox_key(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        dt = None if term.language else term.datatype.value
        return f"L|{term.value}|{term.language or ''}|{dt or ''}"
    return f"I|{term.value}"


def _rdflib_key(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        dt = None if term.language else str(term.datatype or "http://www.w3.org/2001/XMLSchema#string")
        return f"L|{term}|{term.language or ''}|{dt or ''}"
    assert not isinstance(term, BNode)
    return f"I|{term}"


def expected_rows(store: ox.Store, query: str) -> set[tuple]:
    result = store.query(query)
    names = [v.value for v in result.variables]
    return {tuple(_ox_key(s[n]) for n in names) for s in result}


def expected_triples(store: ox.Store, query: str) -> set[tuple]:
    return {tuple(_ox_key(t) for t in (tr.subject, tr.predicate, tr.object)) for tr in store.query(query)}


def graph_keys(g: Graph) -> set[tuple]:
    return {tuple(_rdflib_key(t) for t in triple) for triple in g}


def _json_key(b: dict | None) -> str | None:
    if b is None:
        return None
    if b["type"] in ("uri",):
        return f"I|{b['value']}"
    lang = b.get("xml:lang", "")
    dt = "" if lang else b.get("datatype", "http://www.w3.org/2001/XMLSchema#string")
    return f"L|{b['value']}|{lang}|{dt}"


# --- SPARQLWrapper -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_select(endpoint, store, fmt) -> None:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(SELECT)
    sw.setReturnFormat(fmt)
    result = sw.query()
    if fmt == JSON:
        doc = result.convert()
        rows = {tuple(_json_key(b.get(v)) for v in ("member", "org", "year")) for b in doc["results"]["bindings"]}
    else:
        from rdflib.plugins.sparql.results.xmlresults import XMLResultParser
        parsed = XMLResultParser().parse(result.response)
        rows = {tuple(_rdflib_key(r.get(Variable(v))) for v in ("member", "org", "year")) for r in parsed.bindings}
    assert rows == expected_rows(store, SELECT) and len(rows) > 10


@pytest.mark.parametrize("query, value", [(ASK, True), (ASK_FALSE, False)])
def test_sparqlwrapper_ask(endpoint, query, value) -> None:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(JSON)
    assert sw.query().convert()["boolean"] is value


@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
@pytest.mark.parametrize("fmt", [RDFXML, TURTLE])
def test_sparqlwrapper_construct_and_describe(endpoint, store, query, fmt) -> None:
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    result = sw.query()
    converted = result.convert()
    g = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
    assert graph_keys(g) == expected_triples(store, query) and len(g) > 0


def test_sparqlwrapper_post(endpoint, store) -> None:
    sw = SPARQLWrapper(endpoint)
    sw.setMethod("POST")
    sw.setQuery(SELECT)
    sw.setReturnFormat(JSON)
    rows = {tuple(_json_key(b.get(v)) for v in ("member", "org", "year"))
            for b in sw.query().convert()["results"]["bindings"]}
    assert rows == expected_rows(store, SELECT)


# --- rdflib SPARQLStore (sends "application/rdf+xml, application/sparql-results+xml" style Accept) ------


def test_rdflib_sparqlstore(endpoint, store) -> None:
    g = Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    rows = {tuple(_rdflib_key(r[v]) for v in ("member", "org", "year")) for r in g.query(SELECT)}
    assert rows == expected_rows(store, SELECT)
    assert g.query(ASK).askAnswer is True
    assert g.query(ASK_FALSE).askAnswer is False
    for query in (CONSTRUCT, DESCRIBE):
        assert graph_keys(g.query(query).graph) == expected_triples(store, query)


def test_rdflib_mixed_accept_gets_the_right_type_per_form(endpoint) -> None:
    accept = "application/rdf+xml, application/sparql-results+xml"
    select = httpx.get(endpoint, params={"query": SELECT}, headers={"accept": accept})
    assert select.headers["content-type"] == "application/sparql-results+xml"
    construct = httpx.get(endpoint, params={"query": CONSTRUCT}, headers={"accept": accept})
    assert construct.headers["content-type"] == "application/rdf+xml"


# --- Comunica ------------------------------------------------------------------------------------


def comunica(endpoint: str, query: str) -> dict:
    script = ROOT / "tests" / "js" / "comunica_query.cjs"
    out = subprocess.run(["node", str(script), endpoint, query], capture_output=True, timeout=120,
                         cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr.decode()[-2000:]
    return json.loads(out.stdout)


def _comunica_key(t: dict | None) -> str | None:
    if t is None:
        return None
    if t["termType"] == "Literal":
        lang = t.get("language") or ""
        return f"L|{t['value']}|{lang}|{'' if lang else t['datatype']}"
    return f"I|{t['value']}"


def test_comunica_select_ask_construct_describe(endpoint, store) -> None:
    assert Path(ROOT / "node_modules" / "@comunica" / "query-sparql").is_dir(), "run `make setup` (npm ci)"
    result = comunica(endpoint, SELECT)
    rows = {tuple(_comunica_key(r.get(v)) for v in ("member", "org", "year")) for r in result["rows"]}
    assert rows == expected_rows(store, SELECT)
    assert comunica(endpoint, ASK) == {"type": "boolean", "value": True}
    assert comunica(endpoint, ASK_FALSE) == {"type": "boolean", "value": False}
    for query in (CONSTRUCT, DESCRIBE):
        quads = comunica(endpoint, query)["quads"]
        assert {tuple(_comunica_key(t) for t in q) for q in quads} == expected_triples(store, query)


# --- YASGUI's requests, replayed -----------------------------------------------------------------

YASGUI_HEADERS = {"content-type": "application/x-www-form-urlencoded; charset=UTF-8",
                  "x-requested-with": "XMLHttpRequest", "origin": "http://127.0.0.1:9999"}


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+json,*/*;q=0.9"])
def test_yasgui_select_replay(endpoint, store, accept) -> None:
    r = httpx.post(endpoint, content=httpx.QueryParams({"query": SELECT}).__str__().encode(),
                   headers={**YASGUI_HEADERS, "accept": accept})
    assert r.status_code == 200 and r.headers["content-type"] == "application/sparql-results+json"
    assert r.headers["access-control-allow-origin"] == "*"
    rows = {tuple(_json_key(b.get(v)) for v in ("member", "org", "year")) for b in r.json()["results"]["bindings"]}
    assert rows == expected_rows(store, SELECT)


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/n-triples,*/*;q=0.9", "nt")])
def test_yasgui_construct_replay(endpoint, store, accept, fmt) -> None:
    r = httpx.post(endpoint, content=str(httpx.QueryParams({"query": CONSTRUCT})).encode(),
                   headers={**YASGUI_HEADERS, "accept": accept})
    assert r.status_code == 200
    assert graph_keys(Graph().parse(data=r.text, format=fmt)) == expected_triples(store, CONSTRUCT)


def test_yasgui_cors_preflight(endpoint) -> None:
    r = httpx.options(endpoint, headers={"origin": "http://127.0.0.1:9999", "access-control-request-method": "POST",
                                          "access-control-request-headers": "content-type"})
    assert r.status_code == 204
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()
