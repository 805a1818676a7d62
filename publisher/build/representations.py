"""Precompute every representation of every document at build time, for the web layer to look up.

Writes into the release, through the ReleaseWriter (so each file is in the manifest):
- `pages/<fmt>.json` for ttl, nt, jsonld, rdf: `{document key: serialised description}`, each
  description verified by re-parsing with pyoxigraph like the dumps;
- `pages/html.json`: `{document key: page model}` that the web layer renders in sv and en;
- `pages/site.json`: what the landing page, the sitemap and the 404 page list.
"""

from __future__ import annotations

import json

from rdflib import Graph

from .describe_resources import describe
from .dump import FORMATS, ReleaseWriter, expected_triples, representations, verify
from .page_models import page_model, site_model
from .serialise import Writers

FOLDER = "pages"


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def write_representations(writer: ReleaseWriter, data: Graph, ontology: Graph, base_uri: str,
                          version: str, context: dict) -> int:
    """Write the packed representations; returns the number of documents."""
    docs = describe(data, ontology, base_uri, version)
    packs: dict[str, dict[str, str]] = {fmt.suffix: {} for fmt in FORMATS}
    writers = Writers(next(iter(docs.values())).graph.namespaces(), context) if docs else None
    for key, doc in docs.items():
        payloads = representations(doc.graph, writers, context)
        expected = expected_triples(doc.graph)
        for fmt in FORMATS:
            verify(payloads[fmt.suffix], fmt, expected, f"{FOLDER}/{fmt.suffix}.json[{key}]")
            packs[fmt.suffix][key] = payloads[fmt.suffix].decode("utf-8")
    for suffix, pack in packs.items():
        writer.write(f"{FOLDER}/{suffix}.json", _json(pack))
    keys = set(docs)
    memo: dict = {}  # labels of the terms already seen, shared by the page models
    writer.write(f"{FOLDER}/html.json", _json({key: page_model(doc, data, ontology, base_uri, keys, memo)
                                                for key, doc in docs.items()}))
    writer.write(f"{FOLDER}/site.json", _json(site_model(docs, data, ontology, base_uri)))
    return len(docs)
