"""Uniform resources (the cube's observations): described from their own rows, not from the data graph.

A large release has hundreds of thousands of observations, all shaped alike. They never enter
the build's rdflib graph and get no precomputed document: the build loads them into the Oxigraph
store (for SPARQL and the SHACL gate) and writes each one's own triples, exactly as published, and
its links to other documents into the documents file; a document about an observation, and the
pages of a document that observations link to in bulk (a municipality, an indicator, the cube's
data set), are assembled when asked for, by the same `Describer` code in the build and in the
server (`publisher/release/describe.py`).

`MemoryIndex` (the build, from the observations it made) and `FileIndex` (the server, from the
documents file the build wrote) answer the Describer's questions about them alike:
- `own(iri)`: the resource's triples, exactly as published (not from the store, which would give a
  decimal's canonical form, "1.5" for a published "1.50");
- `labels(iris)`: their rdfs:label and skos:prefLabel;
- `incoming_count(key)` / `incoming(key, offset, limit)`: the links from uniform resources to the
  document `key`, in one fixed order (subject, predicate, object), one page at a time.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.term import Node

_XSD_STRING = str(XSD.string)
_LABEL_TERMS = (RDFS.label, SKOS.prefLabel)


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


class MemoryIndex:
    """The Describer's view of uniform resources held in memory: what the build has."""

    def __init__(self, resources: Iterable[tuple[str, list[tuple]]], base_uri: str, skip: frozenset[str]):
        self.prefix = base_uri + "id/"
        self.own_triples: dict[str, list[tuple]] = {}
        links: dict[str, list[tuple]] = defaultdict(list)
        for key, triples in resources:
            self.own_triples[key] = triples
            links_of(key, triples, base_uri, skip, links)
        self.links = {target: sorted(rows, key=_order) for target, rows in links.items()}

    def own(self, iri: URIRef) -> list[tuple]:
        return self._own_of(str(iri))

    def _own_of(self, iri: str) -> list[tuple]:
        return self.own_triples.get(iri[len(self.prefix):], []) if iri.startswith(self.prefix) else []

    def labels(self, iris: list[URIRef]) -> list[tuple]:
        return [t for iri in iris for t in self._own_of(str(iri)) if t[1] in _LABEL_TERMS and t[0] == iri]

    def incoming_count(self, target: str) -> int:
        return len(self.links.get(target, ()))

    def incoming(self, target: str, offset: int, limit: int) -> list[tuple]:
        return self.links.get(target, [])[offset:offset + limit]


class FileIndex:
    """The same view, read from the documents file: what the server has."""

    def __init__(self, reader, base_uri: str):
        self.reader, self.base_uri = reader, base_uri

    def own(self, iri: URIRef) -> list[tuple]:
        body = self.reader.uniform(str(iri)[len(self.base_uri) + 3:]) if str(iri).startswith(
            self.base_uri + "id/") else None
        return parse_ntriples(body) if body else []

    def labels(self, iris: list[URIRef]) -> list[tuple]:
        return [t for iri in iris for t in self.own(iri) if t[1] in _LABEL_TERMS and t[0] == iri]

    def incoming_count(self, target: str) -> int:
        return self.reader.link_count(target)

    def incoming(self, target: str, offset: int, limit: int) -> list[tuple]:
        return [(URIRef(s), URIRef(p), URIRef(o)) for s, p, o in self.reader.links(target, offset, limit)]


def _order(triple: tuple) -> tuple[str, str, str]:
    return str(triple[0]), str(triple[1]), str(triple[2])


def links_of(key: str, triples: list[tuple], base_uri: str, skip: frozenset[str],
             into: dict[str, list[tuple]]) -> None:
    """The links from the uniform resource `key` to other documents, by the target document's key
    (as the Describer lists incoming links: not those in `skip`, not to the resource itself)."""
    for s, p, o in triples:
        if isinstance(o, URIRef) and str(p) not in skip:
            target = _doc_key(str(o), base_uri)
            if target is not None and target != key:
                into[target].append((s, p, o))


def _doc_key(iri: str, base_uri: str) -> str | None:
    if not iri.startswith(base_uri + "id/") or len(iri) <= len(base_uri) + 3:
        return None
    return iri[len(base_uri) + 3:].split("#", 1)[0]
