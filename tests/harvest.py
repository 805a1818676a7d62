"""A small DCAT harvester for the tests, behaving as the portals do (not a mock of anything we own).

It fetches a catalogue URL, parses each page by its Content-Type, and follows Hydra paging
(`hydra:next` of the `hydra:PartialCollectionView`) as ckanext-dcat and piveau do. IRIs in the
catalogue are minted under the build's base URI; the test server listens elsewhere on 127.0.0.1,
so `local()` maps one to the other before fetching.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PARSERS = {
    "application/rdf+xml": "xml",
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
ALLOWED_REDIRECTS = {301, 303, 307, 308}  # the Swedish portal follows only these


@dataclass
class Harvest:
    graph: Graph = field(default_factory=Graph)
    pages: list[Graph] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    content_types: list[str] = field(default_factory=list)


def local(iri: str, base: str, server: str) -> str:
    return server.rstrip("/") + "/" + iri[len(base):] if iri.startswith(base) else iri


def parse_response(response: httpx.Response) -> Graph:
    media_type = response.headers["content-type"].split(";")[0].strip()
    assert media_type in PARSERS, f"unexpected Content-Type {media_type}"
    return Graph().parse(data=response.content, format=PARSERS[media_type])


def fetch(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    """GET following redirects by hand, refusing any status a portal would not follow."""
    for _ in range(5):
        response = client.get(url, headers=headers)
        if response.status_code not in ALLOWED_REDIRECTS:
            assert response.status_code == 200, (url, response.status_code, response.text[:300])
            return response
        url = str(response.next_request.url) if response.next_request else response.headers["location"]
    raise AssertionError("too many redirects")


def harvest(client: httpx.Client, url: str, base: str, server: str, headers: dict[str, str],
            max_pages: int = 100) -> Harvest:
    result = Harvest()
    next_url: str | None = url
    while next_url:
        assert len(result.urls) < max_pages, "paging does not end"
        response = fetch(client, next_url, headers)
        page = parse_response(response)
        result.urls.append(next_url)
        result.pages.append(page)
        result.content_types.append(response.headers["content-type"])
        for triple in page:
            if (triple[0], RDF.type, HYDRA.PartialCollectionView) not in page:
                result.graph.add(triple)
        views = list(page.subjects(RDF.type, HYDRA.PartialCollectionView))
        nxt = [page.value(v, HYDRA.next) for v in views if page.value(v, HYDRA.next) is not None]
        next_url = local(str(nxt[0]), base, server) if nxt else None
        assert next_url is None or isinstance(nxt[0], URIRef)
    return result


def client_without_accept() -> httpx.Client:
    """httpx sends `Accept: */*` by default; the Swedish portal sends no Accept at all."""
    client = httpx.Client(timeout=30, follow_redirects=False)
    del client.headers["accept"]
    return client
