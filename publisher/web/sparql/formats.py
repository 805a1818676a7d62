"""Which serialisation a SPARQL result gets, chosen per query form. Pure functions.

SELECT and ASK answer SPARQL results (JSON, XML, CSV, TSV); CONSTRUCT and DESCRIBE answer RDF from
the one table in conneg. The Accept header is negotiated against the offers of the form that was
actually run, so a mixed header (rdflib sends `application/rdf+xml, application/sparql-results+xml`)
gets results XML for SELECT and RDF/XML for CONSTRUCT. A `format`/`output`/`results` parameter that
names a format acceptable for the form wins over Accept; one that does not is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ...release.formats import RDF_FORMATS
from ..conneg import negotiate, rdf_offers


@dataclass(frozen=True)
class ResultFormat:
    key: str  # json, xml, csv, tsv (results) or ttl, jsonld, rdf, nt (RDF)
    media_type: str
    aliases: tuple[str, ...]
    charset: bool

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


RESULT_FORMATS: tuple[ResultFormat, ...] = (
    ResultFormat("json", "application/sparql-results+json", ("application/json",), False),
    ResultFormat("xml", "application/sparql-results+xml", ("application/xml", "text/xml"), False),
    ResultFormat("csv", "text/csv", (), True),
    ResultFormat("tsv", "text/tab-separated-values", (), True),
)
GRAPH_FORMATS: tuple[ResultFormat, ...] = tuple(
    ResultFormat(f.key, f.media_type, f.aliases, f.charset) for f in RDF_FORMATS)

# what clients put in ?format= / ?output= / ?results=, per kind of result
_HINTS = {
    "results": {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv", "tsv": "tsv"},
    "graph": {"turtle": "ttl", "ttl": "ttl", "json": "jsonld", "jsonld": "jsonld", "json-ld": "jsonld",
              "xml": "rdf", "rdf": "rdf", "rdfxml": "rdf", "rdf+xml": "rdf", "nt": "nt", "ntriples": "nt",
              "n-triples": "nt"},
}


def formats_for(kind: str) -> tuple[ResultFormat, ...]:
    """kind: 'solutions', 'boolean' or 'graph'."""
    if kind == "graph":
        return GRAPH_FORMATS
    if kind == "boolean":
        return RESULT_FORMATS[:2]
    return RESULT_FORMATS


def _by_media_type(formats: tuple[ResultFormat, ...], media_type: str) -> ResultFormat | None:
    media_type = media_type.split(";")[0].strip().lower()
    for f in formats:
        if media_type == f.media_type or media_type in f.aliases:
            return f
    return None


@lru_cache(maxsize=1024)
def choose(kind: str, accept: str | None, hint: str | None = None) -> ResultFormat | None:
    """The format for a result of this kind, or None when the client accepts none (406)."""
    formats = formats_for(kind)
    if hint:
        hint = hint.strip().lower()
        table = _HINTS["graph" if kind == "graph" else "results"]
        found = _by_media_type(formats, hint) if "/" in hint else next(
            (f for f in formats if f.key == table.get(hint)), None)
        if found:
            return found
    if kind == "graph":
        offers = rdf_offers()
    else:
        offers = [f.media_type for f in formats] + [a for f in formats for a in f.aliases]
    chosen = negotiate(accept, offers)
    return _by_media_type(formats, chosen) if chosen else None


def offered(kind: str) -> list[str]:
    return [f.media_type for f in formats_for(kind)]
