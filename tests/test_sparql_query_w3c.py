"""The W3C query-evaluation tests (../shared/conformance/sparql11-query) over HTTP through /sparql.

Every data file of the suite is served by one real `publisher serve` as a named graph (named by
its file: IRI, via --extra-graph); each test sends its query with `default-graph-uri` = its
qt:data files and `named-graph-uri` = its qt:graphData files (the protocol dataset), asking for
SPARQL JSON or N-Triples. The same query runs in pyoxigraph directly on the same dataset: any
difference is a bug in our HTTP layer and fails the test. Against the W3C expected results the
endpoint must pass exactly where pyoxigraph itself passes. Not applicable (skipped with a reason):
queries with their own FROM / FROM NAMED (the protocol dataset would override them), SERVICE
(refused by design), CSV/TSV-only results.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic

from publisher.web.sparql.config import RDF_SUFFIXES
from publisher.web.sparql.guard import find_service
from publisher.web.sparql.lexer import LexError, tokens

from .conftest import BASE, SHARED
from .sparql_support import start_server

pytestmark = pytest.mark.slow
SUITE = SHARED / "conformance" / "sparql11-query"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
EMPTY = "urn:x-test:empty-default-graph"
RESULT_SUFFIXES = {".srx": ox.QueryResultsFormat.XML, ".srj": ox.QueryResultsFormat.JSON}
GRAPH_SUFFIXES = {".ttl": ox.RdfFormat.TURTLE, ".rdf": ox.RdfFormat.RDF_XML, ".nt": ox.RdfFormat.N_TRIPLES}
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9"


@dataclass(frozen=True)
class Case:
    name: str
    query: Path
    data: tuple[Path, ...]
    graph_data: tuple[Path, ...]
    result: Path | None

    @property
    def skip_reason(self) -> str | None:
        text = self.query.read_text(encoding="utf-8", errors="replace")
        try:
            words = {t.text.upper() for t in tokens(text) if t.kind == "word"}
        except LexError:
            words = set()
        if "FROM" in words:
            return "the query names its own dataset (FROM), which protocol dataset parameters replace"
        if find_service(text) is not None:
            return "SERVICE is refused by this endpoint by design"
        if self.result is None or self.result.suffix not in {*RESULT_SUFFIXES, *GRAPH_SUFFIXES}:
            return "CSV/TSV expected results are not compared by this runner"
        for f in (*self.data, *self.graph_data):
            if f.suffix not in RDF_SUFFIXES:
                return f"data format {f.suffix}"
        return None


def _path(node) -> Path:
    return Path(str(node).removeprefix("file://"))


def _cases() -> list[Case]:
    cases = []
    for manifest in sorted(SUITE.glob("sparql1*/*/manifest.ttl")):
        g = Graph().parse(manifest, format="turtle", publicID=manifest.resolve().as_uri())
        for m in g.subjects(RDF.type, MF.Manifest):
            entries = g.value(m, MF.entries)
            if entries is None:
                continue
            for entry in Collection(g, entries):
                if (entry, RDF.type, MF.QueryEvaluationTest) not in g:
                    continue
                action = g.value(entry, MF.action)
                result = g.value(entry, MF.result)
                cases.append(Case(
                    f"{manifest.parent.parent.name}/{manifest.parent.name}/{str(entry).rsplit('#', 1)[-1]}",
                    _path(g.value(action, QT.query)),
                    tuple(sorted(_path(d) for d in g.objects(action, QT.data))),
                    tuple(sorted(_path(d) for d in g.objects(action, QT.graphData))),
                    _path(result) if result is not None else None))
    return cases


CASES = _cases()
APPLICABLE = [c for c in CASES if c.skip_reason is None]
OUTCOMES: dict[tuple[str, str], str] = {}  # (endpoint, case) -> how it ended, for the counts


def test_suite_counts() -> None:
    assert len(CASES) == 515
    assert len(APPLICABLE) == 499


@pytest.fixture(scope="module")
def endpoint(settings, built):
    files = sorted({f for c in APPLICABLE for f in (*c.data, *c.graph_data)})
    server = start_server(settings, {f.resolve().as_uri(): f for f in files}, "--query-timeout", "20")
    yield server.url + "/sparql"
    server.stop()


@pytest.fixture(scope="module")
def direct() -> ox.Store:
    store = ox.Store()
    for f in sorted({f for c in APPLICABLE for f in (*c.data, *c.graph_data)}):
        store.bulk_load(path=str(f), format=getattr(ox.RdfFormat, RDF_SUFFIXES[f.suffix]),
                        to_graph=ox.NamedNode(f.resolve().as_uri()), base_iri=f.resolve().as_uri())
    return store


# --- comparing results as multisets, blank nodes up to renaming ---------------------------------


def _term_key(term) -> str:
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def solutions_key(result) -> object:
    if isinstance(result, (bool, ox.QueryBoolean)):
        return bool(result)
    variables = sorted(v.value for v in result.variables)
    rows = Counter()
    for s in result:
        rows[tuple(sorted((v, _term_key(s[v])) for v in variables if s[v] is not None))] += 1
    return (tuple(variables), rows)


def graph_of(triples) -> Graph:
    data = ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES)
    return Graph().parse(data=data, format="nt")


def _result_set(triples: list[ox.Triple]):
    """A result set written in RDF with the DAWG rs: vocabulary (the SPARQL 1.0 suite's .ttl results)."""
    rs = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"
    by_subject: dict = {}
    for t in triples:
        by_subject.setdefault(t.subject, []).append(t)
    result_set = next((t.subject for t in triples if t.object == ox.NamedNode(rs + "ResultSet")), None)
    if result_set is None:
        return None
    props = by_subject.get(result_set, [])
    for t in props:
        if t.predicate.value == rs + "boolean":
            return t.object.value == "true"
    variables = tuple(sorted(t.object.value for t in props if t.predicate.value == rs + "resultVariable"))
    rows: Counter = Counter()
    for t in props:
        if t.predicate.value != rs + "solution":
            continue
        row = []
        for b in by_subject.get(t.object, []):
            if b.predicate.value == rs + "binding":
                fields = {x.predicate.value: x.object for x in by_subject.get(b.object, [])}
                row.append((fields[rs + "variable"].value, _term_key(fields[rs + "value"])))
        rows[tuple(sorted(row))] += 1
    return (variables, rows)


def expected(case: Case):
    if case.result.suffix in RESULT_SUFFIXES:
        return solutions_key(ox.parse_query_results(path=str(case.result), format=RESULT_SUFFIXES[case.result.suffix]))
    triples = [q.triple for q in ox.parse(path=str(case.result), format=GRAPH_SUFFIXES[case.result.suffix],
                                          base_iri=case.result.resolve().as_uri())]
    as_results = _result_set(triples)
    return graph_of(triples) if as_results is None else as_results


def same(a, b) -> bool:
    if isinstance(a, Graph) and isinstance(b, Graph):
        return isomorphic(a, b)
    if isinstance(a, tuple) and isinstance(b, tuple):  # variables of the answer may be a superset
        return a[1] == b[1]
    return a == b


def run_direct(store: ox.Store, case: Case, query: str, base: str):
    try:
        result = store.query(query, base_iri=base,
                             default_graph=[ox.NamedNode(f.resolve().as_uri()) for f in case.data] or [],
                             named_graphs=[ox.NamedNode(f.resolve().as_uri()) for f in case.graph_data])
        if isinstance(result, ox.QueryTriples):
            return graph_of(result)
        return solutions_key(result)
    except (SyntaxError, OSError, ValueError, RuntimeError) as exc:
        return exc


def run_http(endpoint: str, case: Case, query: str):
    params = [("default-graph-uri", f.resolve().as_uri()) for f in case.data] or [("default-graph-uri", EMPTY)]
    params += [("named-graph-uri", f.resolve().as_uri()) for f in case.graph_data]
    r = httpx.post(endpoint, params=params, content=query.encode(),
                   headers={"content-type": "application/sparql-query", "accept": ACCEPT}, timeout=60)
    if r.status_code != 200:
        return r
    ctype = r.headers["content-type"].split(";")[0]
    if ctype == "application/n-triples":
        return Graph().parse(data=r.text, format="nt")
    assert ctype == "application/sparql-results+json", ctype
    doc = json.loads(r.content)
    if "boolean" in doc:
        return doc["boolean"]
    return solutions_key(ox.parse_query_results(r.content, ox.QueryResultsFormat.JSON))


def outcome(case: Case, endpoint: str, direct: ox.Store, changed: str = "our HTTP layer changed pyoxigraph's answer",
            ) -> str:
    """How one case ends through `endpoint`, compared with pyoxigraph run directly and with the W3C
    result; a difference from pyoxigraph fails. Worked out once per endpoint and case, whichever
    test asks first: the counts below do not depend on which tests ran before them."""
    if (endpoint, case.name) not in OUTCOMES:
        query = case.query.read_text(encoding="utf-8")
        ours = run_http(endpoint, case, query)
        # the endpoint resolves relative IRIs against its configured address (--base-uri), never the Host
        reference = run_direct(direct, case, query, BASE + "sparql")
        if isinstance(reference, Exception):
            assert isinstance(ours, httpx.Response) and 400 <= ours.status_code < 500, (reference, ours)
            OUTCOMES[endpoint, case.name] = "both refused"
        else:
            assert not isinstance(ours, httpx.Response), f"{ours.status_code}: {ours.text[:500]}"
            assert same(ours, reference), changed
            OUTCOMES[endpoint, case.name] = ("pass" if same(ours, expected(case))
                                             else "differs from W3C as pyoxigraph does")
    return OUTCOMES[endpoint, case.name]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_query_evaluation(case: Case, endpoint: str, direct: ox.Store) -> None:
    if case.skip_reason:
        pytest.skip(case.skip_reason)
    outcome(case, endpoint, direct)


def test_outcome_counts(endpoint: str, direct: ox.Store) -> None:
    """How many applicable cases pass against the W3C results, counted over every one of them
    (each run here if no test ran it before), in any order and with any selection of tests."""
    counts = Counter(outcome(case, endpoint, direct) for case in APPLICABLE)
    assert counts == {"pass": 443, "differs from W3C as pyoxigraph does": 55, "both refused": 1}
