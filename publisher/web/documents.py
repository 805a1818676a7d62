"""The precomputed documents of the release, looked up by key when they are asked for.

The build wrote every document's representations, page model and figures into
`pages/documents.sqlite` (`publisher/release/documents.py`), and `pages/site.json` and
`pages/cube.json` (what the landing page lists). The small listings are read at start-up; a
document is read from the file on request, so the server's memory does not grow with the number
of documents. Rendered answers are kept in a bounded memo by the Dereferencer (resources.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from ..release.assemble import Assembler
from ..release.documents import DOCUMENTS_FILE, DocumentReader
from ..release.formats import BY_KEY
from ..release.manifest import CUBE, SITE, Release
from ..release.uniform_slots import uniform_slots
from .caching import strong_etag
from .uniform_pages import UniformPages

RDF_KEYS = ("ttl", "jsonld", "rdf", "nt")  # the order of the alternates we list
SUFFIXES = ("html", *RDF_KEYS)


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str
    content_type: str
    filled: bool = False  # written from a template (cheaper to write again than to keep)


@dataclass
class Documents:
    version: str
    base_uri: str
    reader: DocumentReader
    site: dict
    cube: dict = field(default_factory=dict)  # pages/cube.json: the landing page's statistics downloads
    assembler: Assembler | None = None  # observations and later pages, assembled on request
    templates: UniformPages = field(default_factory=UniformPages)  # observations' documents, filled in

    def prepare(self) -> None:
        """Load now what the first observation or later page would load (the assembler's graphs)."""
        if self.assembler is not None and self.reader.uniform_count:
            self.assembler.load()

    def __contains__(self, key: str) -> bool:
        if self.reader.uniform_count:  # most documents of a large release are observations: asked first
            return self.reader.is_uniform(key) or key in self.reader
        return key in self.reader

    def pages(self, key: str) -> int:
        """How many pages the document has (more than one only when observations link to it in bulk)."""
        if self.assembler is None or self.reader.uniform_count == 0 or key not in self.reader:
            return 1
        return self.assembler.pages(key)

    def split(self, path: str) -> tuple[str, str | None] | None:
        """'municipality/0136.ttl' -> ('municipality/0136', 'ttl'); unknown documents -> None."""
        if path in self:
            return path, None
        stem, dot, suffix = path.rpartition(".")
        if dot and suffix in SUFFIXES and stem in self:
            return stem, suffix
        return None

    def uniform(self, key: str, variant: tuple, general: Callable[[], bytes]) -> tuple[bytes, bool]:
        """The first page of a document in `variant`, and whether a template wrote it: an observation's
        from its class's template when there is one (web/uniform_pages.py), otherwise (and for any
        other document) `general()`."""
        found = None
        if self.assembler is not None and self.reader.uniform_count:
            # the class and slots the build worked out (release/stored_slots.py), else read from the triples
            found = self.reader.stored_slots(key)
            if found is None:
                own = self.reader.uniform(key)
                if own:
                    found = uniform_slots(key, own, self.base_uri, self.assembler.link_labels)
        if found is None:
            return general(), False
        cls, slots = found
        return self.templates.document(cls, variant, slots, general)

    def rdf(self, key: str, fmt: str, page: int = 1) -> Variant | None:
        body, filled = None, False
        if page == 1:  # an observation (one look-up), else a stored document
            if self.assembler is not None and self.reader.uniform_count and self.reader.is_uniform(key):
                body, filled = self.uniform(key, (fmt,), lambda: self.assembler.rdf(key, fmt))
            else:
                body = self.reader.body(key, fmt)
        if body is None and self.assembler is not None and key in self:
            body = self.assembler.rdf(key, fmt, page)
        if body is None:
            return None
        return Variant(body, strong_etag(body, self.version), BY_KEY[fmt].content_type, filled)

    def model(self, key: str, page: int = 1) -> dict | None:
        model = self.reader.page(key) if page == 1 else None
        if model is None and self.assembler is not None and key in self:
            model = self.assembler.model(key, page)
        return model

    def figures(self, key: str) -> dict | None:
        return self.reader.figures(key)


def load_documents(release: Release) -> Documents:
    def read(name: str, default):
        path = release.path / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

    site = read(SITE, {"networks": [], "municipalities": [], "schemes": [], "publications": []})
    site.pop("documents", None)  # every key: the sitemap reads them from the documents file instead
    base_uri = release.manifest.get("base_uri", "")
    reader = DocumentReader(release.path / DOCUMENTS_FILE)
    return Documents(release.version, base_uri, reader, site, cube=read(CUBE, {"downloads": [], "queries": []}),
                     assembler=Assembler(release.path, base_uri, release.version, reader))
