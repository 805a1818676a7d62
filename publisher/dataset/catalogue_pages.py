"""Build step: every page of the catalogue as `/catalog` serves it, and what its HTML page shows.

The catalogue is paged with Hydra (`hydra:PartialCollectionView` with `hydra:first`, `hydra:last`,
`hydra:previous`, `hydra:next`, `hydra:totalItems`; `catalog_page_size` datasets a page). A page
holds the catalogue's own description and what every dataset shares (publisher, services, …), the
datasets of the page with everything only they reach, and the view. Each page is written in each
profile, each format of CATALOG_ORDER and each of the four spellings of its links
(`release/manifest.catalogue_page_name`: with or without `_profile`, with or without
`_mediatype`, the way the request that asks for it spelled its choice), verified by re-parsing
like every other file; the web only looks the bytes up. The HTML page's model is written as JSON.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
from collections.abc import Iterable, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, RDF, XSD

from ..release.catalogue_page import catalogue_model
from ..release.describe import HYDRA
from ..release.formats import BY_KEY, CATALOG_ORDER
from ..release.labels import TermLabels
from ..release.manifest import CATALOGUE_LINK_VARIANTS, CATALOGUE_MODEL, CATALOGUE_PAGES, catalogue_page_name
from ..release.serialise import Unsupported, Writers
from ..uris import Minter
from .dump import ReleaseWriter, canonical, serialise
from .verify import expected_triples, verify

Triple = tuple[URIRef, URIRef, URIRef | Literal]
# prefixes a page's JSON-LD uses beyond the release's context
PAGE_PREFIXES = {"hydra": str(HYDRA), "spdx": "http://spdx.org/rdf/terms#", "dcatap": "http://data.europa.eu/r5r/"}


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def _reach(graph: Graph, start: URIRef, stop: set) -> set:
    """Every node `start` reaches through IRIs, not passing through `stop`."""
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, o in graph.predicate_objects(node):
            if not isinstance(o, Literal) and o not in stop and o not in seen:
                todo.append(o)
    return seen


class Pages:
    """One profile's catalogue cut into pages of `size` datasets (in the order of their IRIs)."""

    def __init__(self, graph: Graph, catalog: URIRef, size: int):
        self.graph, self.catalog, self.size = graph, catalog, size
        self.datasets = sorted(graph.objects(catalog, DCAT.dataset))
        self.count = page_count(len(self.datasets), size)
        self._shared = _reach(graph, catalog, set(self.datasets))

    def body(self, page: int) -> list[Triple]:
        """Page `page` without its view: the shared part, its datasets and what only they reach."""
        on_page = set(self.datasets[(page - 1) * self.size: page * self.size])
        off_page = set(self.datasets) - on_page
        keep = set(self._shared)
        for d in on_page:
            keep |= _reach(self.graph, d, set(self.datasets) - {d})
        return [(s, p, o) for s, p, o in self.graph if s in keep and o not in off_page]

    def view(self, page: int, minter: Minter, params: dict[str, str]) -> list[Triple]:
        """The Hydra view of page `page`, its links carrying `params` (`_profile`, `_mediatype`)."""
        catalog, view = self.catalog, minter.catalog_page(page, params)
        out = [(view, RDF.type, HYDRA.PartialCollectionView), (catalog, HYDRA.view, view),
               (view, HYDRA.totalItems, Literal(len(self.datasets), datatype=XSD.integer)),
               (view, HYDRA.itemsPerPage, Literal(self.size, datatype=XSD.integer)),
               (view, HYDRA.first, minter.catalog_page(1, params)),
               (view, HYDRA.last, minter.catalog_page(self.count, params))]
        if page > 1:
            out.append((view, HYDRA.previous, minter.catalog_page(page - 1, params)))
        if page < self.count:
            out.append((view, HYDRA.next, minter.catalog_page(page + 1, params)))
        return out


def page_graph(graph: Graph, catalog: URIRef, page: int, size: int, minter: Minter,
               params: dict[str, str]) -> Graph:
    """One page of the catalogue with its view, as a graph."""
    pages = Pages(graph, catalog, size)
    out = Graph()
    for triple in pages.body(page) + pages.view(page, minter, params):
        out.add(triple)
    return out


def link_params(profile: str, key: str, with_profile: bool, with_mediatype: bool) -> dict[str, str]:
    """What a page's Hydra links carry: the profile as its token, the format as its media type."""
    return {**({"_profile": profile} if with_profile else {}),
            **({"_mediatype": BY_KEY[key].media_type} if with_mediatype else {})}


def _serialised(body: Sequence[Triple], view: Sequence[Triple], keys: Sequence[str], writers: Writers,
                namespaces: Iterable[tuple[str, URIRef]], context: dict) -> dict[str, bytes]:
    """A page in the formats `keys`: by the fast writers, or by rdflib where they decline. `body` is
    in the writers' canonical order already (the same on every page's variants), `view` is not."""
    try:
        n3 = writers.n3
        ordered = list(heapq.merge(body, writers.canonical(view), key=lambda t: (n3(t[0]), n3(t[1]), n3(t[2]))))
        write = {"ttl": writers.turtle, "nt": writers.ntriples, "jsonld": writers.jsonld, "rdf": writers.rdfxml}
        return {key: write[key](ordered) for key in keys}
    except Unsupported:
        graph = Graph()
        for prefix, ns in namespaces:
            graph.bind(prefix, ns)
        for triple in itertools.chain(body, view):
            graph.add(triple)
        ordered_graph = canonical(graph)
        return {key: serialise(ordered_graph, BY_KEY[key], context) for key in keys}


def write_catalogue_pages(writer: ReleaseWriter, graphs: dict[str, Graph], base_uri: str, size: int,
                          context: dict) -> dict[str, int]:
    """Every page of every profile's catalogue, in every format and spelling of its links; returns
    each profile's page count."""
    minter = Minter(base_uri)
    page_context = {"@context": {**context["@context"], **PAGE_PREFIXES}}
    counts = {}
    for profile, graph in graphs.items():
        namespaces = [*graph.namespaces(), ("hydra", HYDRA)]
        writers = Writers(namespaces, page_context)
        pages = Pages(graph, minter.catalog, size)
        counts[profile] = pages.count
        for page in range(1, pages.count + 1):
            body = pages.body(page)
            with contextlib.suppress(Unsupported):  # a blank node: _serialised falls back to rdflib
                body = writers.canonical(body)
            expected_body = expected_triples(body)
            for with_profile, with_mediatype in CATALOGUE_LINK_VARIANTS:
                # links without _mediatype are the same in every format; with it, each format has its own
                for keys in [(key,) for key in CATALOG_ORDER] if with_mediatype else [CATALOG_ORDER]:
                    view = pages.view(page, minter, link_params(profile, keys[0], with_profile, with_mediatype))
                    payloads = _serialised(body, view, keys, writers, namespaces, page_context)
                    expected = expected_body | expected_triples(view)
                    for key, payload in payloads.items():
                        name = CATALOGUE_PAGES + "/" + catalogue_page_name(profile, page, key, with_profile,
                                                                           with_mediatype)
                        verify(payload, BY_KEY[key], expected, name)
                        writer.write(name, payload)
    return counts


def write_catalogue_model(writer: ReleaseWriter, graph: Graph, base_uri: str, terms: TermLabels) -> None:
    """What the HTML /catalog page shows (every dataset and distribution, all pages of the RDF in
    one), with the labels of the release's table: a browser gets words, not IRIs."""
    model = catalogue_model(graph, Minter(base_uri).catalog, base_uri, terms)
    writer.write(CATALOGUE_MODEL, (json.dumps(model, ensure_ascii=False, sort_keys=True) + "\n").encode())
