"""Helpers for the SPARQL tests: a real server started on fixture graphs, and result parsing."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from publisher.settings import Settings

from .conftest import SHARED, LiveServer

PROTOCOL_DIR = SHARED / "conformance" / "sparql11-protocol" / "sparql11" / "protocol"
SD_MANIFEST = SHARED / "conformance" / "sparql11-protocol" / "sparql11" / "service-description" / "manifest.ttl"
FIXTURE_GRAPHS = {f"http://kasei.us/2009/09/sparql/data/data{i}.rdf": PROTOCOL_DIR / f"data{i}.nt" for i in (1, 2, 3)}
SRX = "{http://www.w3.org/2005/sparql-results#}"


def start_server(settings: Settings, graphs: dict[str, Path], *extra: str) -> LiveServer:
    """`publisher serve` on the built release plus `graphs` as named graphs (--extra-graph)."""
    args = [a for iri, path in graphs.items() for a in ("--extra-graph", f"{iri}={path}")]
    return LiveServer(settings, [*args, *extra])


def parse_boolean(content_type: str, body: bytes) -> bool:
    if content_type.startswith("application/sparql-results+json"):
        return json.loads(body)["boolean"]
    if content_type.startswith("application/sparql-results+xml"):
        return ElementTree.fromstring(body).find(SRX + "boolean").text == "true"
    raise AssertionError(f"not a boolean result: {content_type}")
