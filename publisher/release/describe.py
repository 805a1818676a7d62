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
from functools import cached_property
from typing import Protocol

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, Namespace, NamespaceManager

from ..namespaces import bind_all
from .labels import label_of

LINK_LABELS = (RDFS.label, SKOS.prefLabel)
VOCAB_DOC = "def"
VOID_URI_SPACE = URIRef("http://rdfs.org/ns/void#uriSpace")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
PAGE_SIZE = 100  # links from uniform resources (observations) listed on one page of a document


@dataclass(frozen=True)
class Document:
    key: str  # 'municipality/0136', 'def', 'def/Municipality'
    topic: URIRef  # the thing the document is about
    triples: list[tuple]  # what it says (the writers need no more; a duplicate is written once)
    namespaces: NamespaceManager

    @cached_property
    def graph(self) -> Graph:
        """The triples as a graph (for the page model), made when first asked for."""
        out = Graph(store="SimpleMemory")
        out.namespace_manager = self.namespaces
        for triple in self.triples:
            out.add(triple)
        return out

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


def skipped_incoming(base_uri: str) -> frozenset[str]:
    """Links not listed on the page they point to: ks:confidence would attach every resource to
    ks:sourced, which tells a reader nothing."""
    return frozenset({base_uri + "def/confidence"})


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


class Describer:
    """The documents of `data` and `ontology`, one at a time: `keys` first, then `document(key)`.

    Grouping the triples by document, the incoming links and the labels of every resource is one
    pass over the graphs; a document is then built from those groups alone, so the documents can
    be written one by one without holding them all.
    """

    def __init__(self, data: Graph, ontology: Graph, base_uri: str, version: str,
                 uniform: UniformIndex | None = None):
        self.data, self.ontology, self.base_uri, self.version = data, ontology, base_uri, version
        self.uniform = uniform
        # the dataset every document is part of: the one with a URI space (the catalogue describes others)
        datasets = sorted(set(data.subjects(RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset"))),
                          key=lambda d: ((d, VOID_URI_SPACE, None) not in data, str(d)))
        self.dataset = datasets[0] if datasets else None
        self.licence = next(iter(data.objects(self.dataset, DCTERMS.license)), None) \
            if self.dataset is not None else None
        self.vocab_licence = next(iter(ontology.objects(URIRef(base_uri + "def/"), DCTERMS.license)), self.licence)
        # the data set carries the licence of a part it contains (dcterms:rights -> prov:wasDerivedFrom the
        # part's source); a document carries it only when it holds a fact derived from such a source
        self.licensed_sources = {src for r in data.objects(self.dataset, DCTERMS.rights)
                                 for src in data.objects(r, PROV.wasDerivedFrom)} if self.dataset is not None else set()
        self.own_data = _group(data, base_uri)
        self.own_vocab = _group(ontology, base_uri)
        # rdf:type links from the data to the vocabulary are listed on class pages; ks:confidence
        # would attach every resource to ks:sourced, which tells a reader nothing.
        self.incoming_data = _incoming(data, base_uri, frozenset(URIRef(p) for p in skipped_incoming(base_uri)))
        self.incoming_vocab = _incoming(ontology, base_uri, frozenset({RDFS.isDefinedBy}))
        self.link_labels: dict[URIRef, list[tuple]] = defaultdict(list)  # the labels a link carries along
        for source in (data, ontology):
            for prop in LINK_LABELS:
                for s, o in source.subject_objects(prop):
                    self.link_labels[s].append((s, prop, o))
        self.namespaces = bind_all(Graph(), base_uri).namespace_manager  # shared by every document's graph
        self.namespaces.bind("hydra", HYDRA, override=False)  # paging; not in the JSON-LD context
        self.keys = sorted(set(self.own_data) | set(self.own_vocab))

    def pages(self, key: str) -> int:
        """How many pages the document of `key` has (1 unless uniform resources link to it in bulk)."""
        if self.uniform is None or key.startswith(VOCAB_DOC) or key not in self.own_data:
            return 1
        return max(1, -(-self.uniform.incoming_count(key) // PAGE_SIZE))

    def document(self, key: str, page: int = 1) -> Document:
        base_uri = self.base_uri
        topic = topic_iri(key, base_uri)
        uniform_own: list[tuple] = []
        paging: list[tuple] = []
        if key == VOCAB_DOC:
            triples = list(self.ontology)
        elif key not in self.own_data and key not in self.own_vocab and self.uniform is not None:
            uniform_own = self.uniform.own(topic)  # a uniform resource: its triples are in the documents file
            triples = list(uniform_own)
        else:
            triples = self.own_data.get(key, []) + self.own_vocab.get(key, [])
            incoming = self.incoming_data.get(key, [])
            triples += incoming if not key.startswith("def/") else [t for t in incoming if t[1] == RDF.type]
            triples += self.incoming_vocab.get(key, [])
            if self.uniform is not None and not key.startswith(VOCAB_DOC):
                total = self.uniform.incoming_count(key)
                listed = self.uniform.incoming(key, (page - 1) * PAGE_SIZE, PAGE_SIZE)
                triples += listed
                triples += self.uniform.labels(sorted({t[0] for t in listed}))
                if total > PAGE_SIZE:
                    paging = hydra_view(doc_iri(key, base_uri), page, -(-total // PAGE_SIZE), total)
        own = {s for s, _, _ in triples if doc_key(str(s), base_uri) == key}
        linked = {t for triple in triples for t in (triple[0], triple[2]) if isinstance(t, URIRef) and t not in own}
        for term in linked:
            triples += self.link_labels.get(term, ())

        doc = doc_iri(key, base_uri)  # every page is a view of the one document (Hydra's partial collection view)
        triples += paging
        label = label_of(topic, *((_Triples(uniform_own),) if uniform_own else ()), self.data, self.ontology)
        triples += [(doc, RDF.type, FOAF.Document), (doc, FOAF.primaryTopic, topic),
                    (doc, RDFS.label, Literal(f"Beskrivning av {label['sv']}", lang="sv")),
                    (doc, RDFS.label, Literal(f"Description of {label['en']}", lang="en")),
                    (doc, OWL.versionInfo, Literal(self.version))]
        if key == VOCAB_DOC or key.startswith(VOCAB_DOC + "/"):
            triples.append((doc, DCTERMS.isPartOf, doc_iri(VOCAB_DOC, base_uri)) if key != VOCAB_DOC
                           else (doc, FOAF.primaryTopic, topic))
            if self.vocab_licence is not None:
                triples.append((doc, DCTERMS.license, self.vocab_licence))
        else:
            if self.dataset is not None:
                triples.append((doc, DCTERMS.isPartOf, self.dataset))
            licence = self.licence
            if self.licensed_sources and key != doc_key(str(self.dataset), base_uri) and not any(
                    p == PROV.wasDerivedFrom and o in self.licensed_sources for s, p, o in triples if s in own):
                licence = self.vocab_licence  # our own licence (CC0): nothing in it comes from a licensed part
            if licence is not None:
                triples.append((doc, DCTERMS.license, licence))
        return Document(key, topic, triples, self.namespaces)


class _Triples:
    """A few triples, answering `objects` as a graph does (what `label_of` asks)."""

    def __init__(self, triples: list[tuple]):
        self.triples = triples

    def objects(self, subject, predicate):
        return [o for s, p, o in self.triples if s == subject and p == predicate]


def hydra_view(doc: URIRef, page: int, last: int, total: int) -> list[tuple]:
    """Hydra's paging controls for page `page` of `last` of the document `doc`."""
    view = URIRef(f"{doc}?page={page}")
    out = [(doc, HYDRA.view, view), (doc, HYDRA.totalItems, Literal(total)),
           (view, RDF.type, HYDRA.PartialCollectionView),
           (view, HYDRA.first, URIRef(f"{doc}?page=1")), (view, HYDRA.last, URIRef(f"{doc}?page={last}"))]
    if page > 1:
        out.append((view, HYDRA.previous, URIRef(f"{doc}?page={page - 1}")))
    if page < last:
        out.append((view, HYDRA["next"], URIRef(f"{doc}?page={page + 1}")))
    return out


class UniformIndex(Protocol):
    """The uniform resources (observations) that are not in the data graph, read from a store."""

    def own(self, iri: URIRef) -> list[tuple]: ...

    def labels(self, iris: list[URIRef]) -> list[tuple]: ...

    def incoming_count(self, key: str) -> int: ...

    def incoming(self, key: str, offset: int, limit: int) -> list[tuple]: ...


def describe(data: Graph, ontology: Graph, base_uri: str, version: str) -> dict[str, Document]:
    """One Document per thing in `data` and per term of `ontology`, keyed by document key."""
    describer = Describer(data, ontology, base_uri, version)
    return {key: describer.document(key) for key in describer.keys}
