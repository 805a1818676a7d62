"""Namespaces of the vocabularies we reuse, and our own, bound to one set of prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

SCHEMA = Namespace("https://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
QB = Namespace("http://purl.org/linked-data/cube#")
SH = Namespace("http://www.w3.org/ns/shacl#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
WD = Namespace("http://www.wikidata.org/entity/")
EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_LANG = Namespace("http://publications.europa.eu/resource/authority/language/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")

REUSED = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "org": ORG,
    "time": TIME,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "prov": PROV,
    "foaf": FOAF,
    "schema": SCHEMA,
    "void": VOID,
    "vcard": VCARD,
    "qb": QB,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "wd": WD,
}


def vocab(base_uri: str) -> Namespace:
    """Our own vocabulary's namespace under the configured base: <base>def/."""
    return Namespace(base_uri + "def/")


def bind_all(graph: Graph, base_uri: str) -> Graph:
    for prefix, ns in REUSED.items():
        graph.bind(prefix, ns, override=True, replace=True)
    graph.bind("ks", vocab(base_uri), override=True, replace=True)
    return graph
