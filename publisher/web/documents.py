"""The precomputed documents of the release: every representation as bytes, looked up by key.

The build wrote `pages/<fmt>.json` (one serialised description per document and RDF format),
`pages/html.json` (page models) and `pages/site.json`. They are read once at start-up; HTML is
rendered on first use per (document, language, link style) and kept, so every later request is
a dictionary look-up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from .caching import strong_etag
from .conneg import BY_KEY
from .release import Release

RDF_KEYS = ("ttl", "jsonld", "rdf", "nt")  # the order of the alternates we list
SUFFIXES = ("html", *RDF_KEYS)


@dataclass(frozen=True)
class Variant:
    body: bytes
    etag: str
    content_type: str


@dataclass
class Documents:
    version: str
    base_uri: str
    rdf: dict[str, dict[str, Variant]]  # key -> fmt -> variant
    models: dict[str, dict]
    site: dict
    html: dict[tuple, Variant] = field(default_factory=dict)  # memo of rendered pages
    cube: dict = field(default_factory=dict)  # pages/cube.json: figures per document, statistics downloads

    def __contains__(self, key: str) -> bool:
        return key in self.models

    def split(self, path: str) -> tuple[str, str | None] | None:
        """'municipality/0136.ttl' -> ('municipality/0136', 'ttl'); unknown documents -> None."""
        if path in self.models:
            return path, None
        stem, dot, suffix = path.rpartition(".")
        if dot and suffix in SUFFIXES and stem in self.models:
            return stem, suffix
        return None


def load_documents(release: Release) -> Documents:
    version = release.version
    rdf: dict[str, dict[str, Variant]] = {}
    for fmt in RDF_KEYS:
        path = release.path / "pages" / f"{fmt}.json"
        pack = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        content_type = BY_KEY[fmt].content_type
        for key, text in pack.items():
            body = text.encode("utf-8")
            rdf.setdefault(key, {})[fmt] = Variant(body, strong_etag(body, version), content_type)

    def read(name: str, default):
        path = release.path / "pages" / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default

    return Documents(version, release.manifest.get("base_uri", ""), rdf, read("html.json", {}),
                     read("site.json", {"networks": [], "municipalities": [], "schemes": [],
                                        "publications": [], "documents": []}),
                     cube=read("cube.json", {"pages": {}, "downloads": [], "queries": []}))
