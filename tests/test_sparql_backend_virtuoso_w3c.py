"""The W3C query-evaluation suite through `publisher serve --sparql-backend` in front of Virtuoso.

Virtuoso is not a conformant SPARQL 1.1 engine, so its answers are not held to the W3C results.
Each case is asked of our endpoint; where the answer is not the W3C result (or an error), the case
is asked of Virtuoso directly too (the same query text our proxy sends, the same protocol dataset),
and the two must agree, so that whatever differs from the W3C result is Virtuoso's own and not our
forwarding's. (A case our endpoint answers as the W3C says needs no such check.) The outcomes are
counted, and the counts are pinned here: a change means Virtuoso or our proxy changed.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph

from publisher.web.sparql.backend_guard import query_form
from publisher.web.sparql.backend_results import accept_for, fix_bnode_labels
from publisher.web.sparql.guard import QueryRejected

from .conftest import BASE
from .test_sparql_query_w3c import APPLICABLE, EMPTY, expected, run_http, same, solutions_key

pytestmark = pytest.mark.slow
# counted on Virtuoso 7.2.5.1 (Debian 12): see docs/external-sparql.md
VIRTUOSO_OUTCOME = {"pass": 350, "differs from W3C as Virtuoso does": 113, "refused by Virtuoso": 36}
QUERY_SECONDS = 20  # our endpoint's limit, passed on to Virtuoso as timeout=20000 (and asked directly alike)
# Virtuoso's own limit, above ours: GRAPH ?g { ?s ?p ?o } (dawg-graph-04) reads every graph Virtuoso has,
# its own among them, ~2.5 s alone here; with the session's engine (8 s) a busy CI machine once cut it
# short, through the proxy and when asked again alone, and the proxy rightly answered 503.
ENGINE_SECONDS = 120


@pytest.fixture(scope="module")
def loaded(settings, built, tmp_path_factory):
    from .backends import start_virtuoso

    engine = start_virtuoso(tmp_path_factory.mktemp("virtuoso-w3c"), ENGINE_SECONDS)
    try:
        done = engine.load_release(settings)
        assert done.returncode == 0, done.stderr
        for f in sorted({f for c in APPLICABLE for f in (*c.data, *c.graph_data)}):
            engine.put_graph(f.resolve().as_uri(), f)
        yield engine
    finally:
        engine.stop()


@pytest.fixture(scope="module")
def endpoint(loaded, settings):
    # no row cap in the way: Virtuoso offers every graph it has to GRAPH ?g (its own among them)
    s = loaded.serve(settings, "--query-timeout", str(QUERY_SECONDS), "--max-rows", "1000000")
    yield s.url + "/sparql"
    s.stop()


def run_virtuoso(engine, case, query: str):
    """The case asked of Virtuoso directly, as our proxy asks it."""
    try:
        form = query_form(query)
    except QueryRejected as exc:
        return exc
    params = [("query", f"BASE <{BASE}sparql> {query}")]
    params += [("default-graph-uri", f.resolve().as_uri()) for f in case.data] or [("default-graph-uri", EMPTY)]
    params += [("named-graph-uri", f.resolve().as_uri()) for f in case.graph_data]
    params.append(("timeout", str(QUERY_SECONDS * 1000)))
    r = httpx.post(engine.query_url, data={k: [v for n, v in params if n == k] for k, _ in params},
                   headers={"accept": accept_for(form)}, timeout=60)
    if r.status_code != 200:
        return r
    ctype = r.headers["content-type"].split(";")[0]
    if form in ("CONSTRUCT", "DESCRIBE"):
        fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(ctype, "nt")
        return Graph().parse(data=r.text, format=fmt)
    try:  # Virtuoso may end a 200 answer with an error written into it
        doc = json.loads(r.content)
        if "boolean" in doc:
            return doc["boolean"]
        return solutions_key(ox.parse_query_results(fix_bnode_labels(r.content), ox.QueryResultsFormat.JSON))
    except (ValueError, SyntaxError) as exc:
        return exc


def check_case(case, endpoint: str, engine) -> str:
    """The outcome of one case; AssertionError when the proxy's answer is not Virtuoso's own."""
    query = case.query.read_text(encoding="utf-8")
    ours = run_http(endpoint, case, query)
    if not isinstance(ours, httpx.Response) and same(ours, expected(case)):
        return "pass"
    direct = run_virtuoso(engine, case, query)
    if isinstance(direct, QueryRejected):  # never sent: our query-form check refuses it, for every engine
        assert isinstance(ours, httpx.Response) and ours.status_code == 400, (case.name, ours)
        return "refused by the proxy's query-form check"
    if isinstance(direct, (Exception, httpx.Response)):
        assert isinstance(ours, httpx.Response) and 400 <= ours.status_code < 600, (case.name, direct, ours)
        return "refused by Virtuoso"
    assert not isinstance(ours, httpx.Response), (case.name, ours.status_code, ours.text[:300])
    assert same(ours, direct), f"{case.name}: the proxy changed Virtuoso's answer"
    return "differs from W3C as Virtuoso does"


def test_where_virtuoso_differs_from_w3c_the_proxy_answers_as_virtuoso_directly(endpoint: str, loaded) -> None:
    """All cases in one test, four at a time: one request per case is most of this suite's time.
    A case that fails, or that Virtuoso refuses, is asked again on its own, once: Virtuoso,
    evaluating queries side by side, now and then fails one it answers alone (seen: SR087 on
    AVG(DISTINCT) in agg-avg-distinct; once, a case refused directly and through the proxy alike).
    Every case that fails twice is named."""
    assert len(APPLICABLE) == 499
    outcome: Counter[str] = Counter()
    again: list = []
    with ThreadPoolExecutor(4) as pool:
        futures = {pool.submit(check_case, case, endpoint, loaded): case for case in APPLICABLE}
        for future, case in futures.items():
            try:
                result = future.result()
            except AssertionError:
                again.append(case)
                continue
            if result == "refused by Virtuoso":  # maybe only side by side: asked again alone below
                again.append(case)
            else:
                outcome[result] += 1
    failures: list[str] = []
    for case in again:
        try:
            outcome[check_case(case, endpoint, loaded)] += 1
        except AssertionError as exc:
            failures.append(f"{case.name}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)
    side_by_side = len(again) - outcome["refused by Virtuoso"]  # asked again, and not refused alone
    assert side_by_side <= 5, [c.name for c in again]  # side-by-side failures stay rare
    assert outcome == VIRTUOSO_OUTCOME
