"""Uniform resources (the cube's observations): described from a store, not from the data graph.

A large release has hundreds of thousands of observations, all shaped alike. They never enter
the build's rdflib graph and get no precomputed document: the build loads them into the Oxigraph
store and writes each one's own triples, exactly as published, into the documents file; a
document about an observation, and the pages of a document that observations link to in bulk
(a municipality, an indicator, the cube's data set), are assembled when asked for, by the same
`Describer` code in the build and in the server (`publisher/release/describe.py`).

`StoreIndex` answers the Describer's questions about them:
- `own(iri)`: the resource's triples, from the documents file (the store would give a decimal's
  canonical form, "1.5" for a published "1.50"; documents keep the published text);
- `labels(iris)`: their rdfs:label and skos:prefLabel, from the store (strings are kept verbatim);
- `incoming_count(targets)` / `incoming(targets, offset, limit)`: the links from uniform resources
  to `targets`, in one fixed order (subject, predicate, object), one page at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Node

QB_OBSERVATION = "http://purl.org/linked-data/cube#Observation"
UNIFORM_CLASSES = (QB_OBSERVATION,)
_XSD_STRING = str(XSD.string)
_LABELS = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))


def to_rdflib(term) -> Node:
    """An Oxigraph term as the rdflib term the build would have made (a simple literal has no datatype)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unexpected term {term!r}")


def triple_of(quad) -> tuple:
    return to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)


def parse_ntriples(body: bytes) -> list[tuple]:
    return [triple_of(q) for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]


class StoreIndex:
    """The Describer's view of the uniform resources in `store` (default graph)."""

    def __init__(self, store: ox.Store, own: Callable[[str], bytes | None] | None, skip: frozenset[str]):
        self.store, self._own, self.skip = store, own, skip
        not_skipped = " && ".join(f"?p != <{p}>" for p in sorted(skip)) or "true"
        kinds = " ".join(f"<{c}>" for c in UNIFORM_CLASSES)
        self._where = (f"WHERE {{ VALUES ?o {{ %s }} ?s ?p ?o . VALUES ?kind {{ {kinds} }} ?s a ?kind . "
                       f"FILTER({not_skipped}) }}")

    def own(self, iri: URIRef) -> list[tuple]:
        body = self._own(str(iri)) if self._own is not None else None
        return parse_ntriples(body) if body else []

    def labels(self, iris: list[URIRef]) -> list[tuple]:
        out = []
        for iri in iris:
            node = ox.NamedNode(str(iri))
            for prop in _LABELS:
                out += [triple_of(q) for q in self.store.quads_for_pattern(node, prop, None, ox.DefaultGraph())]
        return out

    def _values(self, targets: list[URIRef]) -> str:
        return " ".join(f"<{t}>" for t in targets)

    def incoming_count(self, targets: list[URIRef]) -> int:
        if not targets:
            return 0
        rows = list(self.store.query(f"SELECT (COUNT(*) AS ?n) {self._where % self._values(targets)}"))
        return int(rows[0]["n"].value) if rows else 0

    def incoming(self, targets: list[URIRef], offset: int, limit: int) -> list[tuple]:
        if not targets:
            return []
        q = f"SELECT ?s ?p ?o {self._where % self._values(targets)} ORDER BY ?s ?p ?o LIMIT {limit} OFFSET {offset}"
        return [(to_rdflib(r["s"]), to_rdflib(r["p"]), to_rdflib(r["o"])) for r in self.store.query(q)]
