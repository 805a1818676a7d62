"""What the search index holds about each resource that has a page. Pure: graphs in, Entry values out.

Names: every label (skos:prefLabel, rdfs:label, dcterms:title, schema:name, foaf:name) in every
language, the alternative labels (skos:altLabel), and the codes (dcterms:identifier, skos:notation,
ks:organisationNumber, ks:koladaKpi, the Wikidata id of owl:sameAs), so "0136", "212000-0084",
"2120000084" and "Q113692" all find Haninge. `extension` is what the reconciliation service's data
extension returns as columns. Uniform resources (observations) have no names and are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS

from ..namespaces import SCHEMA
from .describe import doc_key, topic_iri
from .labels import label_of
from .member_views import start_of
from .search_index import Entry

# kinds, in the order they come among equally good matches, with their names on pages and in the API
KINDS: dict[str, dict[str, str]] = {
    "municipality": {"sv": "Kommun", "en": "Municipality"},
    "county": {"sv": "Län", "en": "County"},
    "organisation": {"sv": "Organisation eller nätverk", "en": "Organisation or network"},
    "indicator": {"sv": "Nyckeltal", "en": "Indicator"},
    "membership": {"sv": "Medlemskap", "en": "Membership"},
    "concept": {"sv": "Begrepp", "en": "Concept"},
    "scheme": {"sv": "Begreppssamling", "en": "Concept scheme"},
    "publication": {"sv": "Publikation", "en": "Publication"},
    "source": {"sv": "Källa", "en": "Source"},
    "term": {"sv": "Term i vokabulären", "en": "Vocabulary term"},
    "dataset": {"sv": "Datamängd", "en": "Dataset"},
    "other": {"sv": "Övrigt", "en": "Other"},
}
LABELS = (SKOS.prefLabel, RDFS.label, DCTERMS.title, SCHEMA.name, FOAF.name)
WIKIDATA = "http://www.wikidata.org/entity/"


def _kind(key: str, topic: URIRef, data: Graph, base_uri: str) -> str:
    first = key.split("/", 1)[0]
    if first == "concept":
        unit = URIRef(base_uri + "def/unit")
        indicators = URIRef(base_uri + "def/indicators")
        schemes = data.objects(topic, SKOS.inScheme)
        if (topic, unit, None) in data or any((None, indicators, s) in data for s in schemes):
            return "indicator"
        return "concept"
    if first == "def":
        return "term"
    return first if first in KINDS else "other"


def _texts(graphs: tuple[Graph, ...], subject: URIRef, props: Iterable[URIRef]) -> Iterator[tuple[str, str]]:
    for prop in props:
        for graph in graphs:
            for value in sorted(graph.objects(subject, prop), key=lambda v: v.n3()):
                if isinstance(value, Literal):
                    yield value.language or "", str(value)


def _codes(data: Graph, topic: URIRef, base_uri: str) -> dict[str, list[str]]:
    def values(prop: URIRef) -> list[str]:
        return sorted(str(v) for v in data.objects(topic, prop) if isinstance(v, Literal))

    codes = {"code": values(DCTERMS.identifier) + values(SKOS.notation),
             "organisationNumber": values(URIRef(base_uri + "def/organisationNumber")),
             "kolada": values(URIRef(base_uri + "def/koladaKpi")),
             "wikidata": sorted(str(v)[len(WIKIDATA):] for v in data.objects(topic, OWL.sameAs)
                                if str(v).startswith(WIKIDATA))}
    return {name: sorted(set(v)) for name, v in codes.items() if v}


def _ref(term: URIRef, graphs: tuple[Graph, ...], base_uri: str) -> dict:
    return {"id": doc_key(str(term), base_uri) or str(term), "label": label_of(term, *graphs)}


def _memberships(data: Graph, topic: URIRef, graphs: tuple[Graph, ...], base_uri: str) -> dict[str, list]:
    out: dict[str, list] = {}
    for side, other_side, name in ((ORG.member, ORG.organization, "memberOf"), (ORG.organization, ORG.member,
                                                                                "members")):
        rows = []
        for m in sorted(data.subjects(side, topic)):
            other = data.value(m, other_side)
            if other is None:
                continue
            since = start_of(data, m)
            rows.append({**_ref(other, graphs, base_uri), "membership": doc_key(str(m), base_uri),
                         "since": since[:4] if since else None})
        if rows:
            out[name] = sorted(rows, key=lambda r: (r["label"]["sv"].lower(), r["id"]))
    return out


def _description(kind: str, extension: dict) -> dict[str, str]:
    parts = {lang: [KINDS[kind][lang]] for lang in ("sv", "en")}
    if "county" in extension:
        for lang, word in (("sv", "i"), ("en", "in")):
            parts[lang][0] += f" {word} {extension['county']['label'][lang]}"
    for code in extension.get("code", [])[:1]:
        parts["sv"].append(f"kod {code}")
        parts["en"].append(f"code {code}")
    return {lang: ", ".join(words) for lang, words in parts.items()}


def search_entries(keys: Iterable[str], data: Graph, ontology: Graph, base_uri: str) -> Iterator[Entry]:
    """One Entry per document key (sorted), with its names, description and data-extension values."""
    graphs = (data, ontology)
    ranks = {kind: i for i, kind in enumerate(KINDS)}
    for key in sorted(keys):
        topic = topic_iri(key, base_uri)
        kind = _kind(key, topic, data, base_uri)
        extension: dict = _codes(data, topic, base_uri)
        county = data.value(topic, SCHEMA.location)
        if county is not None and (county, RDF.type, URIRef(base_uri + "def/County")) in data:
            extension["county"] = _ref(county, graphs, base_uri)
        extension |= _memberships(data, topic, graphs, base_uri)
        homepage = data.value(topic, FOAF.homepage)
        if homepage is not None:
            extension["homepage"] = str(homepage)
        names = [("label", lang, text) for lang, text in _texts(graphs, topic, LABELS)]
        names += [("alt", lang, text) for lang, text in _texts(graphs, topic, (SKOS.altLabel,))]
        for field in ("code", "organisationNumber", "kolada", "wikidata"):
            for code in extension.get(field, []):
                names.append(("code", "", code))
                compact = "".join(c for c in code if c.isalnum())
                if compact != code:
                    names.append(("code", "", compact))
        label = label_of(topic, *graphs)
        if not names:  # a resource without any name is still found by its label (e.g. the local name)
            names.append(("label", "", label["sv"]))
        yield Entry(key, str(topic), kind, ranks[kind], label, _description(kind, extension), names, extension)
