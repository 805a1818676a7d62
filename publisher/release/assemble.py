"""Documents assembled on request: uniform resources (observations) and later pages of long documents.

The build precomputes every other document (`pages/documents.sqlite`). For these it writes what
they are made of instead: the observations' own triples and their links to other documents (in
the documents file), and `pages/context.nt`, the data graph the build described everything else
from. The
`Describer`, the writers and the page model here are the build's own code, so an assembled
document is byte for byte what the build would have written (tests/test_uniform_documents.py).

Everything is loaded on the first request that needs it, once per process; the label memo is
bounded, so memory does not grow with the number of documents served.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .describe import Describer, Document
from .documents import DocumentReader
from .labels import TERM_LABELS_FILE, TermLabels
from .manifest import CONTEXT
from .page_models import page_model
from .serialise import Writers
from .uniform import FileIndex, triple_of
from .uniform_slots import link_label_rows

CONTEXT_FILE = "pages/context.nt"
MEMO_LIMIT = 20_000  # labels memoised across page models before the memo starts afresh


def graph_from_ntriples(path: Path) -> Graph:
    graph = Graph(store="SimpleMemory")
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES):
        graph.add(triple_of(quad))
    return graph


class DocumentKeys:
    """Every document key of a release, as a container (what page models link to)."""

    def __init__(self, reader: DocumentReader):
        self.reader = reader

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and (key in self.reader or self.reader.is_uniform(key))


class Assembler:
    """Assembles documents of one release on request."""

    def __init__(self, release_dir: Path, base_uri: str, version: str, reader: DocumentReader):
        self.release_dir, self.base_uri, self.version, self.reader = release_dir, base_uri, version, reader
        self._lock = threading.Lock()
        self._parts: tuple | None = None
        self._memo: dict = {}
        self._labels: dict[str, list[tuple[str, str, str]]] = {}
        self.terms = TermLabels()

    def _load(self) -> tuple[Describer, Writers, Graph, Graph]:
        with self._lock:
            if self._parts is None:
                data = graph_from_ntriples(self.release_dir / CONTEXT_FILE)
                ontology = graph_from_ntriples(self.release_dir / "ontology.nt")
                index = FileIndex(self.reader, self.base_uri)
                describer = Describer(data, ontology, self.base_uri, self.version, index)
                context = json.loads((self.release_dir / CONTEXT).read_text(encoding="utf-8"))
                writers = Writers(describer.namespaces.namespaces(), context)
                terms_file = self.release_dir / TERM_LABELS_FILE
                self.terms = TermLabels.from_json(terms_file.read_bytes()) if terms_file.exists() else TermLabels()
                self._parts = (describer, writers, data, ontology)
            return self._parts

    def load(self) -> None:
        """Load the graphs and the describer now (they are otherwise loaded by the first request)."""
        self._load()

    def link_labels(self, iri: str) -> list[tuple[str, str, str]]:
        """The labels a document gives a resource it links to (the Describer's table), as
        (predicate, language, text)."""
        found = self._labels.get(iri)
        if found is None:
            found = link_label_rows(self._load()[0].link_labels, iri)
            if len(self._labels) > MEMO_LIMIT:
                self._labels = {}
            self._labels[iri] = found
        return found

    def pages(self, key: str) -> int:
        return self._load()[0].pages(key)

    def document(self, key: str, page: int = 1) -> Document:
        return self._load()[0].document(key, page)

    def rdf(self, key: str, fmt: str, page: int = 1) -> bytes:
        describer, writers, _, _ = self._load()
        doc = describer.document(key, page)
        ordered = writers.canonical(doc.triples)
        writer = {"ttl": writers.turtle, "nt": writers.ntriples, "jsonld": writers.jsonld, "rdf": writers.rdfxml}[fmt]
        body = writer(ordered)
        if writers.remembered() > MEMO_LIMIT:
            writers.forget()
        return body

    def model(self, key: str, page: int = 1) -> dict:
        describer, _, data, ontology = self._load()
        if len(self._memo) > MEMO_LIMIT:
            self._memo = {}
        return page_model(describer.document(key, page), data, ontology, self.base_uri, DocumentKeys(self.reader),
                          self._memo, self.terms)
