"""The one table of RDF formats a release is written in and served as.

Each row says everything either half needs about a format: the file suffix (also the `?format=`
and `_mediatype` key), the media type sent in Content-Type and the aliases clients ask for, the
names rdflib and pyoxigraph know it by, the label people read, whether a charset goes with it, and
the EU file-type code DCAT-AP lists it under. The build writes dumps and documents in these
formats; the web negotiates and labels them from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class RdfFormat:
    key: str  # the file suffix, also the ?format= value
    media_type: str  # canonical, as sent in Content-Type
    aliases: tuple[str, ...]  # other media types clients ask for
    rdflib: str  # rdflib serializer / parser name
    ox_format: ox.RdfFormat  # pyoxigraph's
    label: str
    charset: bool  # textual format: add "; charset=utf-8"
    file_type: str  # the EU file-type authority table's code (DCAT-AP's dct:format)

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type

    @property
    def suffix(self) -> str:
        """The file suffix: the key."""
        return self.key

    @property
    def rdflib_format(self) -> str:
        return self.rdflib


# in the server's order of preference (content negotiation breaks ties by it)
RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "text/turtle", ("application/x-turtle", "application/turtle"), "turtle",
              ox.RdfFormat.TURTLE, "Turtle", True, "RDF_TURTLE"),
    RdfFormat("jsonld", "application/ld+json", ("application/json",), "json-ld",
              ox.RdfFormat.JSON_LD, "JSON-LD", False, "JSON_LD"),
    RdfFormat("rdf", "application/rdf+xml", ("application/xml", "text/xml"), "xml",
              ox.RdfFormat.RDF_XML, "RDF/XML", False, "RDF_XML"),
    RdfFormat("nt", "application/n-triples", ("text/plain",), "nt",
              ox.RdfFormat.N_TRIPLES, "N-Triples", True, "RDF_N_TRIPLES"),
)
BY_KEY = {f.key: f for f in RDF_FORMATS}
# the order the build writes each dump's files in (N-Triples second: the bulk dumps derive Turtle
# and RDF/XML from it)
DUMP_FORMATS: tuple[RdfFormat, ...] = tuple(BY_KEY[k] for k in ("ttl", "nt", "jsonld", "rdf"))
# the catalogue's formats in its order of preference: RDF/XML first, what a portal gets without asking
CATALOG_ORDER = ("rdf", "ttl", "jsonld", "nt")
VOID_ORDER = ("ttl", "jsonld", "rdf", "nt")  # the VoID description's

# the release's other files, by suffix
OTHER_MEDIA_TYPES = {
    ".gz": "application/gzip",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".csv": "text/csv; charset=utf-8",
    ".rq": "application/sparql-query",
}


def format_for(media_type: str) -> RdfFormat | None:
    """The format of a media type (canonical or alias), or None."""
    for f in RDF_FORMATS:
        if media_type == f.media_type or media_type in f.aliases:
            return f
    return None


def accept(*weighted: tuple[str, float]) -> str:
    """An Accept header for the formats with these keys and q-values, best first."""
    return ", ".join(BY_KEY[k].media_type + (f";q={q:g}" if q < 1 else "") for k, q in weighted)


# what to ask an engine or a store for when reading a graph back: N-Triples, else Turtle, else RDF/XML
GRAPH_ACCEPT_ORDER = (("nt", 1.0), ("ttl", 0.8), ("rdf", 0.5))
GRAPH_ACCEPT = accept(*GRAPH_ACCEPT_ORDER)


def parsers(keys: tuple[str, ...]) -> dict[str, ox.RdfFormat]:
    """pyoxigraph's parser for each media type (canonical or alias) of the formats `keys`: what to
    read an answer with when we asked for those formats."""
    return {media_type: BY_KEY[k].ox_format for k in keys for media_type in (BY_KEY[k].media_type, *BY_KEY[k].aliases)}


def media_type_of(name: str) -> str:
    """The media type the manifest records for a release file."""
    for fmt in DUMP_FORMATS:
        if name.endswith("." + fmt.key):
            return fmt.media_type
    if name.endswith("context.jsonld"):
        return "application/ld+json"
    for suffix, media_type in OTHER_MEDIA_TYPES.items():
        if name.endswith(suffix):
            return media_type
    return "application/octet-stream"
