"""What the HTML catalogue page (`/catalog` for a browser) shows, as plain data. Pure: a graph in.

The catalogue graph is the one the build wrote and validated (DCAT-AP-SE); every text comes in
both languages (`{'sv': …, 'en': …}`), every term and code value with its label from the release's
`TermLabels`, so the page shows words, not IRIs.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from .labels import TermLabels, label_of
from .page_models import href_of

SPDX = "http://spdx.org/rdf/terms#"
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3: not in rdflib's DCAT namespace


def _texts(graph: Graph, subject, prop) -> dict:
    """A literal property in both languages (an untagged one counts for both)."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, prop), key=lambda v: v.n3()):
        if isinstance(value, Literal):
            for lang in ([value.language] if value.language in ("sv", "en") else ["sv", "en"]):
                found.setdefault(lang, str(value))
    if not found:
        return {}
    return {"sv": found.get("sv") or found["en"], "en": found.get("en") or found["sv"],
            **({"lang_of": {"sv": "en"}} if "sv" not in found else {}),
            **({"lang_of": {"en": "sv"}} if "en" not in found else {})}


class _Terms:
    def __init__(self, graph: Graph, terms: TermLabels, base_uri: str):
        self.graph, self.terms, self.base_uri = graph, terms, base_uri

    def link(self, iri) -> dict:
        return {"iri": str(iri), "href": href_of(str(iri), self.base_uri),
                "label": label_of(iri, self.graph, terms=self.terms)}

    def links(self, subject, prop) -> list[dict]:
        return [self.link(o) for o in sorted(self.graph.objects(subject, prop)) if isinstance(o, URIRef)]

    def one(self, subject, prop) -> dict | None:
        found = self.links(subject, prop)
        return found[0] if found else None


def _distribution(graph: Graph, dist: URIRef, t: _Terms) -> dict:
    checksum = graph.value(dist, URIRef(SPDX + "checksum"))
    algorithm = graph.value(checksum, URIRef(SPDX + "algorithm")) if checksum is not None else None
    value = graph.value(checksum, URIRef(SPDX + "checksumValue")) if checksum is not None else None
    size = graph.value(dist, DCAT.byteSize)
    download = graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
    return {
        "iri": str(dist), "href": href_of(str(dist), t.base_uri),
        "title": _texts(graph, dist, DCTERMS.title),
        "format": t.one(dist, DCTERMS.format), "media_type": t.one(dist, DCAT.mediaType),
        "compression": t.one(dist, DCAT.compressFormat),
        "bytes": int(size) if size is not None else None,
        "checksum": {"algorithm": t.link(algorithm)["label"] if algorithm is not None else None,
                     "value": str(value)} if value is not None else None,
        "download": str(download) if download is not None else None,
        "licence": t.one(dist, DCTERMS.license),
    }


def catalogue_model(graph: Graph, catalog: URIRef, base_uri: str, terms: TermLabels) -> dict:
    """Every dataset of the catalogue with its distributions, and the data services."""
    t = _Terms(graph, terms, base_uri)

    def dataset(ds: URIRef) -> dict:
        dists = sorted(graph.objects(ds, DCAT.distribution), key=str)
        return {
            "iri": str(ds), "href": href_of(str(ds), base_uri),
            "title": _texts(graph, ds, DCTERMS.title), "description": _texts(graph, ds, DCTERMS.description),
            "licence": t.one(ds, DCTERMS.license), "access": t.one(ds, DCTERMS.accessRights),
            "themes": t.links(ds, DCAT.theme), "publisher": t.one(ds, DCTERMS.publisher),
            "issued": str(graph.value(ds, DCTERMS.issued) or "") or None,
            "modified": str(graph.value(ds, DCTERMS.modified) or "") or None,
            "version": str(graph.value(ds, DCAT_VERSION) or "") or None,
            "landing": str(graph.value(ds, DCAT.landingPage) or "") or None,
            "distributions": [_distribution(graph, d, t) for d in dists],
        }

    datasets = sorted(graph.objects(catalog, DCAT.dataset), key=str)
    services = []
    for service in sorted(graph.objects(catalog, DCAT.service), key=str):
        services.append({"iri": str(service), "href": href_of(str(service), base_uri),
                         "title": _texts(graph, service, DCTERMS.title),
                         "description": _texts(graph, service, DCTERMS.description),
                         "endpoint": str(graph.value(service, DCAT.endpointURL) or "") or None,
                         "conforms": t.links(service, DCTERMS.conformsTo)})
    return {
        "iri": str(catalog), "title": _texts(graph, catalog, DCTERMS.title),
        "description": _texts(graph, catalog, DCTERMS.description),
        "publisher": t.one(catalog, DCTERMS.publisher), "licence": t.one(catalog, DCTERMS.license),
        "homepage": str(graph.value(catalog, FOAF.homepage) or "") or None,
        "datasets": [dataset(ds) for ds in datasets if (ds, RDF.type, DCAT.Dataset) in graph],
        "services": services,
    }
