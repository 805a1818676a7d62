"""The environmental key figures as a W3C RDF Data Cube. Pure: checked records in, graph out.

    <id/dataset/miljonyckeltal> a qb:DataSet ; qb:structure <id/structure/miljonyckeltal> .
    <id/structure/miljonyckeltal> a qb:DataStructureDefinition ; qb:component
        #municipality (dimension ks:refMunicipality -> ks:Municipality)
        #year         (dimension ks:refYear -> xsd:gYear)
        #indicator    (dimension ks:indicator -> concept of <id/scheme/nyckeltal>)
        #value        (measure ks:value, xsd:decimal exactly as published)
        #unit         (attribute sdmx-attribute:unitMeasure -> concept of <id/scheme/enheter>)
        #status       (attribute ks:confidence)
        #source       (attribute prov:wasDerivedFrom -> the source document)
    <id/observation/miljonyckeltal/<indicator>/<code>/<year>> a qb:Observation ; ...

The graph is already in the Data Cube's normalised form (component properties stated and
typed), so the integrity constraints run on it as published.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD
from rdflib.plugins.serializers.nt import _quoteLiteral

from ..namespaces import QB, SDMX_ATTRIBUTE, bind_all, vocab
from ..release.cube import INDICATOR_SCHEME, UNIT_SCHEME
from ..uris import Minter
from .load import SourceData
from .observations import Cube

CUBE_ID = "miljonyckeltal"
TITLE = {
    "sv": "Miljönyckeltal för kommunerna (statistikkub)",
    "en": "Environmental key figures of the municipalities (statistics cube)",
}
DESCRIPTION = {
    "sv": "Belagda värden för kommunernas miljö- och klimatnyckeltal per kommun, år och nyckeltal, "
          "med enhet, källa och tillförlitlighet för varje värde. Inga luckor är ifyllda.",
    "en": "Sourced values of the municipalities' environmental and climate key figures by municipality, "
          "year and indicator, with the unit, source and confidence of every value. No gaps are filled.",
}
STRUCTURE_LABEL = {
    "sv": "Struktur för miljönyckeltalen: kommun, år, nyckeltal; värde; enhet, tillförlitlighet, källa",
    "en": "Structure of the environmental key figures: municipality, year, indicator; value; unit, confidence, source",
}


@dataclass(frozen=True)
class Component:
    name: str  # fragment of the structure's IRI
    kind: URIRef  # qb:dimension, qb:measure or qb:attribute
    prop: URIRef
    order: int


def components(base_uri: str) -> tuple[Component, ...]:
    ks = vocab(base_uri)
    return (
        Component("municipality", QB.dimension, ks.refMunicipality, 1),
        Component("year", QB.dimension, ks.refYear, 2),
        Component("indicator", QB.dimension, ks.indicator, 3),
        Component("value", QB.measure, ks.value, 4),
        Component("unit", QB.attribute, SDMX_ATTRIBUTE.unitMeasure, 5),
        Component("status", QB.attribute, ks.confidence, 6),
        Component("source", QB.attribute, PROV.wasDerivedFrom, 7),
    )


def decimal_literal(text: str) -> Literal:
    """xsd:decimal with the published digits: "1.53" stays "1.53"; "3833" is written "3833.0"
    (the canonical form of an integral decimal, which every RDF syntax writes back the same way)."""
    if text.startswith("."):
        text = "0" + text
    elif text.startswith("-."):
        text = "-0" + text[1:]
    if "." not in text:
        text += ".0"
    return Literal(text, datatype=XSD.decimal, normalize=False)


def cube_structure(cube: Cube, data: SourceData, base_uri: str) -> Graph:
    """The cube without its observations: units, structure and the data set."""
    m, ks = Minter(base_uri), vocab(base_uri)
    g = bind_all(Graph(), base_uri)

    def texts(s: URIRef, p: URIRef, values: dict[str, str]) -> None:
        for lang, text in sorted(values.items()):
            g.add((s, p, Literal(text, lang=lang)))

    # the indicators' units and Kolada ids (any scheme), so "which unit?" is answerable
    for scheme in data.schemes:
        for concept in scheme["concepts"]:
            c = m.concept(scheme["id"], concept["id"])
            if concept.get("unit"):
                g.add((c, ks.unit, m.concept(UNIT_SCHEME, concept["unit"].ident)))
            if concept.get("kolada"):
                g.add((c, ks.koladaKpi, Literal(concept["kolada"])))

    structure = m.structure(CUBE_ID)
    g.add((structure, RDF.type, QB.DataStructureDefinition))
    texts(structure, RDFS.label, STRUCTURE_LABEL)
    for comp in components(base_uri):
        spec = m.component(structure, comp.name)
        g.add((structure, QB.component, spec))
        g.add((spec, RDF.type, QB.ComponentSpecification))
        g.add((spec, comp.kind, comp.prop))
        g.add((spec, QB.componentProperty, comp.prop))
        g.add((spec, QB.order, Literal(comp.order)))
        if comp.kind == QB.attribute:
            g.add((spec, QB.componentRequired, Literal(True)))

    dataset = m.dataset(CUBE_ID)
    g.add((dataset, RDF.type, QB.DataSet))
    g.add((dataset, QB.structure, structure))
    texts(dataset, DCTERMS.title, TITLE)
    texts(dataset, RDFS.label, TITLE)
    texts(dataset, DCTERMS.description, DESCRIPTION)
    g.add((dataset, DCTERMS.isPartOf, m.dataset(data.dataset["id"])))
    g.add((dataset, ks.confidence, ks.sourced))
    g.add((dataset, DCTERMS.subject, m.scheme(INDICATOR_SCHEME)))
    for source in sorted({o.source for o in cube.observations}):
        g.add((dataset, PROV.wasDerivedFrom, m.source(source)))

    return g


def observation_triples(cube: Cube, data: SourceData, base_uri: str) -> Iterator[tuple[str, list[tuple], str]]:
    """Every observation's key, triples and the same triples as N-Triples, one observation at a
    time (in the cube's order).

    Observations are the bulk of a large release, so they never enter the rdflib graph: the
    build streams them into the store, the dumps and the documents file. Their N-Triples lines are
    written as rdflib's N-Triples writer writes them (tests/test_uniform_documents.py compares), with
    the text of every shared term made once."""
    m, ks = Minter(base_uri), vocab(base_uri)
    dataset = m.dataset(CUBE_ID)
    municipalities = {r["code"]: r for r in data.municipalities}
    indicators = {c["id"]: c for c in data.by_id("schemes")[INDICATOR_SCHEME]["concepts"]} \
        if cube.observations else {}
    units = {c["id"]: c for c in data.by_id("schemes")[UNIT_SCHEME]["concepts"]} if cube.observations else {}
    prefix = len(f"{base_uri}id/")
    # the terms observations share, made once (a large cube has ~90,000 observations and ~10
    # indicators); the predicates too (a namespace makes a new URIRef at every attribute access)
    makers = {
        "municipality": lambda key: m.municipality(key),
        "year": lambda key: Literal(f"{key:04d}", datatype=XSD.gYear),
        "indicator": lambda key: m.concept(INDICATOR_SCHEME, key),
        "unit": lambda key: m.concept(UNIT_SCHEME, key),
        "status": lambda key: ks[key],
        "source": lambda key: m.source(key),
        "symbol": lambda key: units[key]["notation"] if units[key].get("notation") else units[key]["label"]["sv"],
        "subjects": lambda key: str(m.observation(CUBE_ID, key[0], key[1], 1990))[:-4],
    }
    terms: dict[str, dict] = {kind: {} for kind in makers}

    texts: dict[str, dict] = {kind: {} for kind in makers}

    def shared(kind: str, key) -> object:
        cache = terms[kind]
        found = cache.get(key)
        if found is None:
            found = cache[key] = makers[kind](key)
        return found

    def shared_nt(kind: str, key) -> str:
        cache = texts[kind]
        found = cache.get(key)
        if found is None:
            term = shared(kind, key)
            found = cache[key] = _quoteLiteral(term) if isinstance(term, Literal) else term.n3()
        return found

    a, in_dataset, ref_municipality, ref_year, indicator, value, unit_measure, confidence, derived, label = (
        RDF.type, QB.dataSet, ks.refMunicipality, ks.refYear, ks.indicator, ks.value, SDMX_ATTRIBUTE.unitMeasure,
        ks.confidence, PROV.wasDerivedFrom, RDFS.label)
    observation = QB.Observation
    nt = {name: term.n3() for name, term in (
        ("a", a), ("in_dataset", in_dataset), ("ref_municipality", ref_municipality), ("ref_year", ref_year),
        ("indicator", indicator), ("value", value), ("unit_measure", unit_measure), ("confidence", confidence),
        ("derived", derived), ("label", label), ("observation", observation), ("dataset", dataset))}
    for o in cube.observations:
        # the IRI as Minter makes it: its parts were checked as slugs when the first was minted
        s = URIRef(f"{shared('subjects', (o.indicator, o.municipality))}{o.year}")
        muni = municipalities[o.municipality]
        unit = shared("symbol", o.unit)
        measure = decimal_literal(o.value)
        triples = [
            (s, a, observation),
            (s, in_dataset, dataset),
            (s, ref_municipality, shared("municipality", o.municipality)),
            (s, ref_year, shared("year", o.year)),
            (s, indicator, shared("indicator", o.indicator)),
            (s, value, measure),
            (s, unit_measure, shared("unit", o.unit)),
            (s, confidence, shared("status", o.status)),
            (s, derived, shared("source", o.source)),
        ]
        named = indicators[o.indicator]["label"]
        labels = [Literal(f"{muni['short_name']} {o.year}: {named[lang]} = {o.value} {unit}", lang=lang)
                  for lang in ("sv", "en")]
        triples += [(s, label, text) for text in labels]
        subject = f"<{s}> "
        lines = (
            f"{subject}{nt['a']} {nt['observation']} .\n"
            f"{subject}{nt['in_dataset']} {nt['dataset']} .\n"
            f"{subject}{nt['ref_municipality']} {shared_nt('municipality', o.municipality)} .\n"
            f"{subject}{nt['ref_year']} {shared_nt('year', o.year)} .\n"
            f"{subject}{nt['indicator']} {shared_nt('indicator', o.indicator)} .\n"
            f"{subject}{nt['value']} {_quoteLiteral(measure)} .\n"
            f"{subject}{nt['unit_measure']} {shared_nt('unit', o.unit)} .\n"
            f"{subject}{nt['confidence']} {shared_nt('status', o.status)} .\n"
            f"{subject}{nt['derived']} {shared_nt('source', o.source)} .\n"
            + "".join(f"{subject}{nt['label']} {_quoteLiteral(text)} .\n" for text in labels))
        yield str(s)[prefix:], triples, lines


def cube_to_rdf(cube: Cube, data: SourceData, base_uri: str) -> Graph:
    """The whole cube in one graph: structure and every observation (for small data and tests)."""
    g = cube_structure(cube, data, base_uri)
    for _, triples, _ in observation_triples(cube, data, base_uri):
        for triple in triples:
            g.add(triple)
    return g
