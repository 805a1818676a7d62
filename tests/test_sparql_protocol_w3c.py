"""The W3C SPARQL 1.1 Protocol tests (../shared/conformance/sparql11-protocol) against the real server.

The endpoint is read-only: of the 34 protocol tests, the 7 whose update requests must succeed do not
apply and are skipped with that reason; the other 27 and the 3 service-description tests must pass.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest
from rdflib import RDF, Graph, Namespace
from rdflib.collection import Collection

from .sparql_support import FIXTURE_GRAPHS, PROTOCOL_DIR, SD_MANIFEST, parse_boolean, start_server

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
RDF_TYPES = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt",
             "application/ld+json": "json-ld"}
TABULAR = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values")


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    headers: dict
    body: bytes | None
    statuses: tuple[str, ...]
    fmt: str | None
    boolean: bool | None


@dataclass(frozen=True)
class Case:
    name: str
    requests: tuple[Req, ...]

    @property
    def is_update_success(self) -> bool:
        """A test whose update must succeed: not applicable to a read-only endpoint."""
        first = self.requests[0]
        ctype = first.headers.get("content-type", "")
        is_update = "sparql-update" in ctype or (first.body or b"").startswith(b"update=") or "update=" in first.path
        return is_update and "2xx" in first.statuses[0]


def _cases() -> list[Case]:
    g = Graph().parse(PROTOCOL_DIR / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    cases = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        action = g.value(entry, MF.action)
        requests = []
        for r in Collection(g, g.value(action, HT.requests)):
            headers = {}
            hlist = g.value(r, HT.headers)
            if hlist is not None:
                for h in Collection(g, hlist):
                    headers[str(g.value(h, HT.fieldName)).lower()] = str(g.value(h, HT.fieldValue))
            body_node = g.value(r, HT.body)
            body = None
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding)
            resp = g.value(r, HT.resp)
            statuses = tuple(sorted(str(s).rsplit("StatusCode", 1)[-1] for s in g.objects(resp, MF.expectedStatus)))
            fmt = g.value(resp, MF.expectedFormat)
            boolean = g.value(resp, MF.expectedBoolean)
            requests.append(Req(str(g.value(r, HT.methodName)), str(g.value(r, HT.absolutePath)), headers, body,
                                statuses, str(fmt) if fmt else None,
                                None if boolean is None else boolean.toPython()))
        cases.append(Case(str(entry).rsplit("#", 1)[-1], tuple(requests)))
    return cases


CASES = _cases()


def test_manifest_counts() -> None:
    assert len(CASES) == 34
    assert sum(c.is_update_success for c in CASES) == 7
    assert len([c for c in CASES if not c.is_update_success]) == 27


@pytest.fixture(scope="module")
def server(settings, built):
    s = start_server(settings, FIXTURE_GRAPHS)
    yield s
    s.stop()


def _check(req: Req, response: httpx.Response) -> None:
    status_class = f"{response.status_code // 100}xx"
    assert status_class in req.statuses, f"{req.method} {req.path}: {response.status_code} {response.text[:300]}"
    if status_class != "2xx":
        return
    ctype = response.headers.get("content-type", "").split(";")[0].strip()
    if req.fmt == "boolean":
        value = parse_boolean(ctype, response.content)
        if req.boolean is not None:
            assert value is req.boolean
    elif req.fmt == "tabular":
        assert ctype in TABULAR
    elif req.fmt == "RDF":
        assert ctype in RDF_TYPES, ctype
        Graph().parse(io.BytesIO(response.content), format=RDF_TYPES[ctype])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_protocol(case: Case, server) -> None:
    if case.is_update_success:
        pytest.skip("not applicable: a successful SPARQL Update, and this endpoint is read-only")
    with httpx.Client(timeout=30) as client:
        for req in case.requests:
            assert req.path.startswith("/sparql/")
            url = server.url + "/sparql" + req.path[len("/sparql/"):]
            response = client.request(req.method, url, headers=req.headers, content=req.body)
            _check(req, response)


SD_CASES = ["has-endpoint-triple", "returns-rdf", "conforms-to-schema"]


def test_service_description_manifest_counts() -> None:
    g = Graph().parse(SD_MANIFEST, format="turtle")
    names = sorted(str(s).rsplit("#", 1)[-1] for s in g.subjects(RDF.type, MF.ServiceDescriptionTest))
    assert names == sorted(SD_CASES)


def _sd(server) -> tuple[Graph, str]:
    response = httpx.get(server.url + "/sparql", timeout=30)
    assert response.status_code == 200
    ctype = response.headers["content-type"].split(";")[0]
    assert ctype in RDF_TYPES
    return Graph().parse(io.BytesIO(response.content), format=RDF_TYPES[ctype]), server.url + "/sparql"


@pytest.mark.slow
@pytest.mark.parametrize("name", SD_CASES)
def test_service_description(name: str, server) -> None:
    g, endpoint = _sd(server)
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    if name == "has-endpoint-triple":
        assert urlsplit(str(g.value(service, SD.endpoint))).path == urlsplit(endpoint).path
        assert str(g.value(service, SD.endpoint)) == endpoint
    elif name == "returns-rdf":
        assert len(g) > 0
    else:  # the sd: terms used are the ones the schema defines, with the right kinds of values
        languages = set(g.objects(service, SD.supportedLanguage))
        assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
        assert SD.SPARQL11Update not in languages
        for dataset in g.objects(service, SD.defaultDataset):
            assert (dataset, RDF.type, SD.Dataset) in g
            for graph in g.objects(dataset, SD.defaultGraph):
                assert (graph, RDF.type, SD.Graph) in g
        allowed = {SD.endpoint, SD.supportedLanguage, SD.resultFormat, SD.defaultDataset, SD.feature,
                   SD.inputFormat, SD.extensionFunction, SD.languageExtension, SD.propertyFeature,
                   SD.availableGraphs, SD.defaultEntailmentRegime, SD.defaultSupportedEntailmentProfile}
        used = {p for p in g.predicates(service, None) if str(p).startswith(str(SD))}
        assert used <= allowed
