"""Write the release's search index (`pages/search.sqlite`, format in publisher/release/search_index.py)."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph

from ..release.search_entries import search_entries
from ..release.search_index import SEARCH_FILE, SearchIndexWriter
from .dump import ReleaseWriter


def write_search_index(writer: ReleaseWriter, keys: Iterable[str], data: Graph, ontology: Graph,
                       base_uri: str) -> int:
    """Index every document key's resource; returns how many. Written inside the release's
    temporary folder, so it is published atomically with the rest."""
    out = SearchIndexWriter(writer.path(SEARCH_FILE))
    try:
        for entry in search_entries(keys, data, ontology, base_uri):
            out.add(entry)
    except BaseException:
        out.abort()
        raise
    out.close()
    writer.register(SEARCH_FILE)
    return out.count
