"""What the document about each resource says. Pure: graphs in, one description graph per document.

Every thing `<base>id/<key>` has a document `<base>doc/<key>`; the vocabulary `<base>def/` has
`<base>doc/def` and each term `<base>def/<Term>` has `<base>doc/def/<Term>`. A description is:

- the resource's own triples, with the closure over its fragment IRIs (a membership includes its
  `#period` and `#start`, an organisation its `#commitment`, the dataset its `#publisher`);
- the incoming links a reader expects (a network's memberships, a county's municipalities, what a
  source is the source of), each from a resource outside the document;
- the labels of every resource it links to, so that a client can show names without more requests;
- the document's own metadata: what it is about, the dataset it is part of, licence and version.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from ..namespaces import bind_all
from .labels import label_of

LINK_LABELS = (RDFS.label, SKOS.prefLabel)
VOCAB_DOC = "def"


@dataclass(frozen=True)
class Document:
    key: str  # 'municipality/0136', 'def', 'def/Municipality'
    topic: URIRef  # the thing the document is about
    graph: Graph

    @property
    def is_vocabulary(self) -> bool:
        return self.key == VOCAB_DOC or self.key.startswith(VOCAB_DOC + "/")


def doc_key(iri: str, base_uri: str) -> str | None:
    """The document key of a dataset or vocabulary IRI (fragment dropped), else None."""
    if not iri.startswith(base_uri):
        return None
    path = iri[len(base_uri):].split("#", 1)[0]
    if path.startswith("id/") and len(path) > 3:
        return path[3:]
    if path == "def/":
        return VOCAB_DOC
    if path.startswith("def/"):
        return path
    return None


def topic_iri(key: str, base_uri: str) -> URIRef:
    if key == VOCAB_DOC:
        return URIRef(base_uri + "def/")
    if key.startswith(VOCAB_DOC + "/"):
        return URIRef(base_uri + key)
    return URIRef(f"{base_uri}id/{key}")


def doc_iri(key: str, base_uri: str) -> URIRef:
    return URIRef(f"{base_uri}doc/{key}")


def _group(graph: Graph, base_uri: str) -> dict[str, list[tuple]]:
    by_key: dict[str, list[tuple]] = defaultdict(list)
    for triple in graph:
        key = doc_key(str(triple[0]), base_uri)
        if key is not None:
            by_key[key].append(triple)
    return by_key


def _incoming(graph: Graph, base_uri: str, skip: frozenset[URIRef]) -> dict[str, list[tuple]]:
    """Triples pointing at a document's resources from another document, by target key."""
    by_key: dict[str, list[tuple]] = defaultdict(list)
    for s, p, o in graph:
        if not isinstance(o, URIRef) or p in skip:
            continue
        target = doc_key(str(o), base_uri)
        if target is not None and target != doc_key(str(s), base_uri):
            by_key[target].append((s, p, o))
    return by_key


def _add_link_labels(out: Graph, sources: tuple[Graph, ...], own: set[URIRef]) -> None:
    linked = {t for triple in list(out) for t in (triple[0], triple[2])
              if isinstance(t, URIRef) and t not in own}
    for term in sorted(linked):
        for source in sources:
            for prop in LINK_LABELS:
                for value in source.objects(term, prop):
                    out.add((term, prop, value))


def describe(data: Graph, ontology: Graph, base_uri: str, version: str) -> dict[str, Document]:
    """One Document per thing in `data` and per term of `ontology`, keyed by document key."""
    dataset = next((s for s in data.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset"))), None)
    licence = next(iter(data.objects(dataset, DCTERMS.license)), None) if dataset is not None else None
    vocab_licence = next(iter(ontology.objects(URIRef(base_uri + "def/"), DCTERMS.license)), licence)
    own_data = _group(data, base_uri)
    own_vocab = _group(ontology, base_uri)
    # rdf:type links from the data to the vocabulary are listed on class pages; ks:confidence
    # would attach every resource to ks:sourced, which tells a reader nothing.
    incoming_data = _incoming(data, base_uri, frozenset({URIRef(base_uri + "def/confidence")}))
    incoming_vocab = _incoming(ontology, base_uri, frozenset({RDFS.isDefinedBy}))
    both = (data, ontology)

    docs: dict[str, Document] = {}
    for key in sorted(set(own_data) | set(own_vocab)):
        topic = topic_iri(key, base_uri)
        out = bind_all(Graph(), base_uri)
        if key == VOCAB_DOC:
            triples = list(ontology)
        else:
            triples = own_data.get(key, []) + own_vocab.get(key, [])
            triples += incoming_data.get(key, []) if not key.startswith("def/") else [
                t for t in incoming_data.get(key, []) if t[1] == RDF.type]
            triples += incoming_vocab.get(key, [])
        for triple in triples:
            out.add(triple)
        own = {s for s, _, _ in out if doc_key(str(s), base_uri) == key}
        _add_link_labels(out, both, own)

        doc = doc_iri(key, base_uri)
        label = label_of(topic, *both)
        out.add((doc, RDF.type, FOAF.Document))
        out.add((doc, FOAF.primaryTopic, topic))
        out.add((doc, RDFS.label, Literal(f"Beskrivning av {label['sv']}", lang="sv")))
        out.add((doc, RDFS.label, Literal(f"Description of {label['en']}", lang="en")))
        out.add((doc, OWL.versionInfo, Literal(version)))
        is_vocab = key == VOCAB_DOC or key.startswith(VOCAB_DOC + "/")
        if is_vocab:
            out.add((doc, DCTERMS.isPartOf, doc_iri(VOCAB_DOC, base_uri)) if key != VOCAB_DOC
                    else (doc, FOAF.primaryTopic, topic))
            if vocab_licence is not None:
                out.add((doc, DCTERMS.license, vocab_licence))
        else:
            if dataset is not None:
                out.add((doc, DCTERMS.isPartOf, dataset))
            if licence is not None:
                out.add((doc, DCTERMS.license, licence))
        docs[key] = Document(key, topic, out)
    return docs
