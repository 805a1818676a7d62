"""/sparql's HTTP behaviour beyond the W3C tests, the query page and the canned queries, on the real server."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph

pytestmark = pytest.mark.slow
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <http://www.w3.org/ns/org#Membership> }"


@pytest.fixture(scope="module")
def url(live_server) -> str:
    return live_server.url


def test_build_publishes_a_store_with_data_and_vocabulary(built) -> None:
    manifest = json.loads((built.release / "manifest.json").read_text())
    store = ox.Store.read_only(str(built.release / manifest["store"]["path"]))
    assert len(store) == manifest["store"]["quads"] == sum(manifest["triples"].values())
    assert "store" not in "".join(manifest["files"])  # the database's bytes are not in SHA256SUMS


@pytest.mark.parametrize("accept, ctype", [
    (None, "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_formats_by_accept(url, accept, ctype) -> None:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"] == ctype
    assert r.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept, ctype, fmt", [
    (None, "text/turtle; charset=utf-8", "turtle"),
    ("application/n-triples", "application/n-triples; charset=utf-8", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_construct_formats_by_accept(url, built, accept, ctype, fmt) -> None:
    r = httpx.get(url + "/sparql", params={"query": CONSTRUCT}, headers={"accept": accept} if accept else {})
    assert r.status_code == 200 and r.headers["content-type"] == ctype
    g = Graph().parse(data=r.content, format=fmt)
    assert len(g) == len(list(ox.Store.read_only(str(built.release / "store")).query(CONSTRUCT)))


@pytest.mark.parametrize("param, value, ctype", [
    ("format", "json", "application/sparql-results+json"),
    ("output", "xml", "application/sparql-results+xml"),
    ("results", "csv", "text/csv; charset=utf-8"),
    ("format", "text/tab-separated-values", "text/tab-separated-values; charset=utf-8"),
    ("format", "nonsense", "application/sparql-results+json"),
])
def test_client_format_parameters_are_tolerated(url, param, value, ctype) -> None:
    r = httpx.get(url + "/sparql", params={"query": COUNT, param: value})
    assert r.status_code == 200 and r.headers["content-type"] == ctype


def test_unacceptable_accept_is_406(url) -> None:
    r = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"accept": "image/png"})
    assert r.status_code == 406 and "application/sparql-results+json" in r.text


def test_get_has_etag_and_answers_304(url) -> None:
    r = httpx.get(url + "/sparql", params={"query": COUNT})
    etag = r.headers["etag"]
    assert r.headers["cache-control"].startswith("public") and "last-modified" in r.headers
    again = httpx.get(url + "/sparql", params={"query": COUNT}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag


def test_post_is_not_cached(url) -> None:
    r = httpx.post(url + "/sparql", data={"query": COUNT})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store" and "etag" not in r.headers


def test_other_methods_get_405_with_allow(url) -> None:
    r = httpx.put(url + "/sparql", content=b"ASK {}")
    assert r.status_code == 405 and "POST" in r.headers["allow"]


def test_dataset_parameters_restrict_the_default_graph(url) -> None:
    r = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "http://nothing.example/"})
    assert r.status_code == 200 and r.json()["boolean"] is False
    r = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "default-graph-uri": "not an iri"})
    assert r.status_code == 400


def test_service_description_by_accept_and_page_for_browsers(url) -> None:
    for accept, fmt in (("text/turtle", "turtle"), ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")):
        r = httpx.get(url + "/sparql", headers={"accept": accept})
        g = Graph().parse(data=r.content, format=fmt)
        assert any("SPARQL11Query" in str(o) for o in g.objects())
    page = httpx.get(url + "/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert "/static/yasgui/yasgui.min.js" in page.text and "Sveriges Ekokommuner" in page.text
    js = httpx.get(url + "/static/yasgui/yasgui.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert httpx.get(url + "/static/yasgui/package.json").status_code == 404


def test_example_queries_on_the_page_all_run(url) -> None:
    from publisher.web.sparql.examples import examples

    for ex in examples("http://127.0.0.1:8000/"):
        r = httpx.get(url + "/sparql", params={"query": ex["query"]})
        assert r.status_code == 200, (ex["id"], r.text)
        if "SELECT" in ex["query"]:
            assert r.json()["results"]["bindings"], ex["id"]


# --- canned queries --------------------------------------------------------------------------------


def test_canned_index_lists_queries(url) -> None:
    doc = httpx.get(url + "/queries", headers={"accept": "application/json"}).json()
    names = {q["name"] for q in doc["queries"]}
    assert {"memberships-by-network", "networks-of-municipality", "members-per-network", "label-search"} <= names
    assert "memberships-by-network" in httpx.get(url + "/queries", headers={"accept": "text/html"}).text


def test_canned_query_json_csv_and_html(url) -> None:
    params = {"network": "sveriges-ekokommuner", "since": "2000"}
    doc = httpx.get(url + "/queries/memberships-by-network.json", params=params).json()
    assert doc["parameters"] == params and doc["columns"][:3] == ["municipality", "name", "year"]
    # members without a known start year are listed too (issue 12), with an empty year
    assert doc["rows"] and all(not row[2] or int(row[2]) >= 2000 for row in doc["rows"])
    everything = httpx.get(url + "/queries/memberships-by-network.json", params={"since": "1900"}).json()
    assert len(everything["rows"]) > len(doc["rows"])
    rows = list(csv.reader(io.StringIO(httpx.get(url + "/queries/memberships-by-network.csv", params=params).text)))
    assert rows[0][:3] == ["municipality", "name", "year"] and len(rows) - 1 == len(doc["rows"])
    html = httpx.get(url + "/queries/memberships-by-network", params=params, headers={"accept": "text/html"})
    assert html.headers["content-type"].startswith("text/html") and "<table>" in html.text


def test_canned_parameters_are_validated_and_never_pasted(url) -> None:
    bad = httpx.get(url + "/queries/memberships-by-network.json", params={"network": "x> } ; DROP ALL #"})
    assert bad.status_code == 400 and "organisation id" in bad.text
    assert httpx.get(url + "/queries/memberships-by-network.json", params={"since": "1900-"}).status_code == 400
    assert httpx.get(url + "/queries/memberships-by-network.json", params={"bogus": "1"}).status_code == 400
    quoted = httpx.get(url + "/queries/label-search.json", params={"text": '"} } SELECT * { ?s ?p ?o } #'})
    assert quoted.status_code == 200 and quoted.json()["rows"] == []
    assert httpx.get(url + "/queries/no-such-query").status_code == 404
