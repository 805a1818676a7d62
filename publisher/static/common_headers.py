"""The Accept and Accept-Language headers real clients send, negotiated once at export time.

`publisher serve` memoises its choice per header (functools.lru_cache), so a repeated header costs
nothing; njs keeps nothing from one request to the next and is an interpreter, so the export
writes the choices for the headers clients really send into nginx maps, computed by the server's
own functions (resources.choose_format, choose_language). A header not in the maps is negotiated
by njs (conneg.js), with the same result, only slower. Sources of the headers: tests/test_static_parity.py.
"""

from __future__ import annotations

from ..web.conneg import negotiate
from ..web.resources import LANDING_OFFERS, choose_format, choose_language

ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",  # Firefox 92+
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # Firefox 66-71, Safari
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",  # Chrome
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,image/apng,*/*;q=0.8",  # Chrome, Safari
    "*/*",  # curl, wget
    "",  # no Accept at all
    "application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
    "application/n-quads, application/trix, application/trig",  # rdflib 7 Graph().parse(url)
    "text/turtle, application/x-turtle, */*;q=0.1",  # rdflib, format="turtle"
    "application/rdf+xml, */*;q=0.1",  # rdflib, format="xml"
    "application/ld+json, application/json;q=0.9, */*;q=0.1",  # rdflib, format="json-ld"
    "text/plain, */*;q=0.1",  # rdflib, format="nt"
    "application/rdf+xml",  # SPARQLWrapper CONSTRUCT/DESCRIBE (XML)
    "application/turtle,text/turtle",  # SPARQLWrapper, TURTLE
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,"
    "text/xml;q=0.3,text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
    "text/shaclc;q=0.1,text/shaclc-ext;q=0.05",  # Comunica 4
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,*/*;q=0.1",  # Comunica 2-3
    "application/n-triples,*/*;q=0.9",  # YASGUI (CONSTRUCT)
    "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1",  # DCAT harvesters
    "application/rdf+xml, text/rdf+n3, application/xml",  # older rdflib
    "text/turtle", "application/ld+json", "application/n-triples", "text/html", "application/json",
    "application/xhtml+xml", "text/plain", "application/xml",
)
ACCEPT_LANGUAGE = ("", "*", "sv", "en", "sv-SE,sv;q=0.9,en;q=0.8", "sv-SE,sv;q=0.8,en-US;q=0.5,en;q=0.3",
                   "en-US,en;q=0.9", "en-US,en;q=0.5", "en-GB,en;q=0.9", "en-US", "sv-SE", "de-DE,de;q=0.9,en;q=0.8")


def mappable(value: str) -> bool:
    """nginx compares a map's strings ignoring case, and treats some words and '~' specially: a header
    whose choice could depend on case (a quoted parameter) or that nginx would misread is left to njs."""
    return '"' not in value and "\\" not in value and not value.startswith("~") and value.lower() not in (
        "default", "hostnames", "include", "volatile")


def choice_maps() -> dict[str, dict[str, str]]:
    """map name -> {header value -> choice}: the document format ('406' when none), the landing
    page's answer ('html' or 'void'), the HTML language."""
    formats = {a: choose_format(a or None) or "406" for a in ACCEPT if mappable(a)}
    landing = {a: "html" if negotiate(a or None, LANDING_OFFERS) in (None, "text/html") else "void"
               for a in ACCEPT if mappable(a)}
    languages = {v: choose_language(v or None) for v in ACCEPT_LANGUAGE if mappable(v)}
    return {"ks_doc_format": formats, "ks_landing": landing, "ks_language": languages}
