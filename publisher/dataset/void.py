"""The VoID description of the dataset, with its statistics computed from the graph. Pure.

Served at `<base>.well-known/void` (RFC 8615 / VoID §7.2). Counts are of the published data
graph: triples, entities (IRIs in the dataset's URI space that are subjects), distinct subjects
and objects, one class partition per class and one property partition per property, and a
linkset to Wikidata counting the owl:sameAs links into it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, XSD

from ..namespaces import VOID, WD, bind_all
from ..uris import Minter

WIKIDATA_HOME = URIRef("https://www.wikidata.org/")


def _int(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _key(iri: URIRef) -> str:
    return hashlib.sha256(str(iri).encode()).hexdigest()[:12]


def vocabulary_of(iri: URIRef) -> URIRef:
    text = str(iri)
    cut = max(text.rfind("#"), text.rfind("/"))
    return URIRef(text[: cut + 1])


def statistics(triples: Iterable[tuple], uri_space: str) -> dict:
    """The statistics of a set of triples (no duplicates), in one pass."""
    subjects, objects, classes, properties, wikidata, count = set(), set(), Counter(), Counter(), 0, 0
    wd = str(WD)
    # RDF.type and OWL.sameAs looked up once, not per triple (a namespace's attribute is Python
    # code); predicates counted by the term object first and merged after, so a predicate object
    # shared by many triples (an observation's) is hashed once a run rather than once a triple
    rdf_type, same_as = RDF.type, OWL.sameAs
    by_object: dict[int, list] = {}
    for s, p, o in triples:
        count += 1
        subjects.add(s)
        objects.add(o)
        seen = by_object.get(id(p))
        if seen is None:
            seen = by_object[id(p)] = [p, 0, p == rdf_type, p == same_as]
        seen[1] += 1
        if seen[2]:
            classes[o] += 1
        elif seen[3] and str(o).startswith(wd):
            wikidata += 1
    for p, n, _, _ in by_object.values():
        properties[p] += n
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(uri_space)}
    return {
        "triples": count,
        "entities": len(entities),
        "distinct_subjects": len(subjects),
        "distinct_objects": len(objects),
        "classes": dict(classes),
        "properties": dict(properties),
        "wikidata_links": wikidata,
        "vocabularies": sorted({vocabulary_of(p) for p in properties} | {vocabulary_of(c) for c in classes}),
    }


def data_statistics(graph: Graph, base_uri: str, extra: Sequence[tuple] = ()) -> dict:
    """`statistics` of the data set: `graph` plus `extra` (the observations, kept out of the graph)."""
    return statistics(itertools.chain(graph, extra), base_uri + "id/")


def void_graph(stats: dict, dataset_id: str, title: Mapping[str, str], files: Mapping[str, Mapping],
               stem: str, base_uri: str) -> Graph:
    """The VoID description of the data set whose `data_statistics` are `stats`."""
    m = Minter(base_uri)
    g = bind_all(Graph(), base_uri)
    doc = m.void_document
    d = m.dataset(dataset_id)
    uri_space = base_uri + "id/"

    g.add((doc, RDF.type, VOID.DatasetDescription))
    g.add((doc, DCTERMS.title, Literal("VoID description of the dataset", lang="en")))
    g.add((doc, DCTERMS.title, Literal("VoID-beskrivning av datamängden", lang="sv")))
    g.add((doc, FOAF.primaryTopic, d))

    g.add((d, RDF.type, VOID.Dataset))
    for lang, text in sorted(title.items()):
        g.add((d, DCTERMS.title, Literal(text, lang=lang)))
    g.add((d, FOAF.homepage, URIRef(base_uri)))
    g.add((d, VOID.sparqlEndpoint, m.sparql_endpoint))
    g.add((d, VOID.uriSpace, Literal(uri_space)))
    g.add((d, VOID.rootResource, m.catalog))
    for name in sorted(files):
        base = name.removesuffix(".gz")
        if base.rpartition(".")[0] == stem and base.rpartition(".")[2] in ("ttl", "nt", "jsonld", "rdf"):
            g.add((d, VOID.dataDump, m.dump(name)))
    for vocab in stats["vocabularies"]:
        g.add((d, VOID.vocabulary, vocab))
    g.add((d, VOID.triples, _int(stats["triples"])))
    g.add((d, VOID.entities, _int(stats["entities"])))
    g.add((d, VOID.distinctSubjects, _int(stats["distinct_subjects"])))
    g.add((d, VOID.distinctObjects, _int(stats["distinct_objects"])))
    g.add((d, VOID.classes, _int(len(stats["classes"]))))
    g.add((d, VOID.properties, _int(len(stats["properties"]))))
    for cls, count in sorted(stats["classes"].items()):
        part = URIRef(f"{doc}#class-{_key(cls)}")
        g.add((d, VOID.classPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, _int(count)))
    for prop, count in sorted(stats["properties"].items()):
        part = URIRef(f"{doc}#property-{_key(prop)}")
        g.add((d, VOID.propertyPartition, part))
        g.add((part, RDF.type, VOID.Dataset))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, _int(count)))

    wikidata = URIRef(f"{doc}#wikidata")
    g.add((wikidata, RDF.type, VOID.Dataset))
    g.add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    g.add((wikidata, FOAF.homepage, WIKIDATA_HOME))
    g.add((wikidata, VOID.uriSpace, Literal(str(WD))))
    linkset = URIRef(f"{doc}#linkset-wikidata")
    g.add((linkset, RDF.type, VOID.Linkset))
    g.add((linkset, VOID.subjectsTarget, d))
    g.add((linkset, VOID.objectsTarget, wikidata))
    g.add((linkset, VOID.linkPredicate, OWL.sameAs))
    g.add((linkset, VOID.triples, _int(stats["wikidata_links"])))
    g.add((d, VOID.subset, linkset))
    return g
