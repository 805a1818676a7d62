"""Human labels (Swedish, English) for the terms of the vocabularies we reuse.

Our own terms take their labels from the vocabulary (rdfs:label in ontology/); this small table
covers ORG, OWL-Time, SKOS, DCTERMS, PROV, DCAT, FOAF, VoID, vCard and schema.org as far as the
dataset uses them. `inverse` labels name a property read backwards on the object's page
("members" for org:member pointing at a municipality).
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME

from ..namespaces import SCHEMA, VCARD, VOID

Label = dict[str, str]

TERMS: dict[URIRef, tuple[str, str]] = {
    RDF.type: ("typ", "type"),
    RDFS.label: ("etikett", "label"),
    RDFS.comment: ("kommentar", "comment"),
    RDFS.subClassOf: ("underklass till", "subclass of"),
    RDFS.subPropertyOf: ("underegenskap till", "subproperty of"),
    RDFS.domain: ("domän", "domain"),
    RDFS.range: ("värdemängd", "range"),
    RDFS.isDefinedBy: ("definieras av", "defined by"),
    OWL.sameAs: ("samma som", "same as"),
    OWL.versionInfo: ("version", "version"),
    OWL.versionIRI: ("versions-IRI", "version IRI"),
    OWL.Class: ("klass", "class"),
    OWL.ObjectProperty: ("objektegenskap", "object property"),
    OWL.DatatypeProperty: ("dataegenskap", "datatype property"),
    OWL.Ontology: ("ontologi", "ontology"),
    SKOS.prefLabel: ("namn", "preferred label"),
    SKOS.altLabel: ("alternativt namn", "alternative label"),
    SKOS.notation: ("beteckning", "notation"),
    SKOS.definition: ("definition", "definition"),
    SKOS.note: ("anmärkning", "note"),
    SKOS.inScheme: ("ingår i", "in scheme"),
    SKOS.topConceptOf: ("toppbegrepp i", "top concept of"),
    SKOS.hasTopConcept: ("begrepp", "concepts"),
    SKOS.Concept: ("begrepp", "concept"),
    SKOS.ConceptScheme: ("begreppssamling", "concept scheme"),
    ORG.member: ("medlem", "member"),
    ORG.organization: ("organisation", "organisation"),
    ORG.role: ("roll", "role"),
    ORG.memberDuring: ("medlemsperiod", "membership period"),
    ORG.hasMember: ("medlemmar", "members"),
    ORG.hasMembership: ("medlemskap", "memberships"),
    ORG.hasUnit: ("enheter", "units"),
    ORG.unitOf: ("enhet i", "unit of"),
    ORG.classification: ("klassificering", "classification"),
    ORG.Membership: ("medlemskap", "membership"),
    ORG.FormalOrganization: ("formell organisation", "formal organisation"),
    ORG.OrganizationalCollaboration: ("samarbete", "collaboration"),
    ORG.OrganizationalUnit: ("organisatorisk enhet", "organisational unit"),
    TIME.hasBeginning: ("början", "beginning"),
    TIME.hasEnd: ("slut", "end"),
    TIME.inXSDgYear: ("år", "year"),
    TIME.inXSDgYearMonth: ("månad", "month"),
    TIME.inXSDDate: ("datum", "date"),
    TIME.Interval: ("tidsintervall", "interval"),
    TIME.Instant: ("tidpunkt", "instant"),
    DCTERMS.title: ("titel", "title"),
    DCTERMS.description: ("beskrivning", "description"),
    DCTERMS.identifier: ("kod", "identifier"),
    DCTERMS.issued: ("utgiven", "issued"),
    DCTERMS.modified: ("senast ändrad", "last modified"),
    DCTERMS.publisher: ("utgivare", "publisher"),
    DCTERMS.creator: ("upphov", "creator"),
    DCTERMS.license: ("licens", "licence"),
    DCTERMS.language: ("språk", "language"),
    DCTERMS.subject: ("ämne", "subject"),
    DCTERMS.accrualPeriodicity: ("uppdateringsfrekvens", "frequency"),
    DCTERMS.isPartOf: ("ingår i", "is part of"),
    DCTERMS.hasFormat: ("finns i formatet", "has format"),
    DCTERMS.BibliographicResource: ("källdokument", "source document"),
    PROV.wasDerivedFrom: ("källa", "source"),
    PROV.wasAttributedTo: ("tillskrivs", "attributed to"),
    PROV.Entity: ("entitet", "entity"),
    PROV.Plan: ("plan", "plan"),
    DCAT.Dataset: ("datamängd", "dataset"),
    DCAT.keyword: ("nyckelord", "keyword"),
    DCAT.contactPoint: ("kontakt", "contact point"),
    FOAF.homepage: ("webbplats", "homepage"),
    FOAF.page: ("webbsida", "page"),
    FOAF.name: ("namn", "name"),
    FOAF.primaryTopic: ("handlar om", "primary topic"),
    FOAF.Document: ("dokument", "document"),
    FOAF.Agent: ("aktör", "agent"),
    VOID.uriSpace: ("URI-rymd", "URI space"),
    VOID.vocabulary: ("vokabulär", "vocabulary"),
    VOID.Dataset: ("datamängd (VoID)", "dataset (VoID)"),
    VCARD.fn: ("namn", "name"),
    VCARD.hasEmail: ("e-post", "email"),
    VCARD.Organization: ("organisation", "organisation"),
    SCHEMA.name: ("namn", "name"),
    SCHEMA.url: ("adress", "URL"),
    SCHEMA.location: ("län/plats", "location"),
    SCHEMA.foundingDate: ("grundad", "founded"),
    SCHEMA.startDate: ("sedan", "since"),
    SCHEMA.isPartOf: ("ingår i", "part of"),
    SCHEMA.GovernmentOrganization: ("offentlig organisation", "government organisation"),
    SCHEMA.Organization: ("organisation", "organisation"),
    SCHEMA.AdministrativeArea: ("administrativt område", "administrative area"),
    SCHEMA.CreativeWorkSeries: ("serie", "series"),
    SCHEMA.Report: ("rapport", "report"),
    URIRef("http://creativecommons.org/publicdomain/zero/1.0/"): ("CC0 1.0 (fri användning)",
                                                                  "CC0 1.0 (public domain)"),
}

TERMS[URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix")] = ("föredraget prefix", "preferred prefix")
TERMS[URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")] = ("namnrymd", "namespace URI")

# The fragment IRIs the URI minter uses inside a resource's document.
FRAGMENTS: dict[str, tuple[str, str]] = {
    "period": ("Medlemsperiod", "Membership period"),
    "start": ("Början", "Start"),
    "end": ("Slut", "End"),
    "commitment": ("Medlemmarnas åtagande", "Members' commitment"),
    "publisher": ("Utgivare", "Publisher"),
    "contact": ("Kontakt", "Contact point"),
}

# Labels of a property read from its object's side, for incoming links.
INVERSE: dict[URIRef, tuple[str, str]] = {
    ORG.member: ("medlemskap", "memberships"),
    ORG.organization: ("medlemskap", "memberships"),
    ORG.hasMember: ("medlem i", "member of"),
    ORG.hasUnit: ("enhet i", "unit of"),
    ORG.unitOf: ("enheter", "units"),
    PROV.wasDerivedFrom: ("källa till", "source of"),
    SCHEMA.location: ("kommuner i länet", "municipalities in the county"),
    SKOS.inScheme: ("begrepp", "concepts"),
    SKOS.topConceptOf: ("toppbegrepp", "top concepts"),
    SKOS.hasTopConcept: ("ingår i", "in scheme"),
    DCTERMS.creator: ("har skapat", "creator of"),
    DCTERMS.publisher: ("har gett ut", "publisher of"),
    DCTERMS.subject: ("ämne för", "subject of"),
    ORG.classification: ("klassificerar", "classifies"),
    ORG.role: ("roll i", "role in"),
    RDFS.isDefinedBy: ("definierar", "defines"),
    RDFS.subClassOf: ("underklasser", "subclasses"),
    RDFS.domain: ("egenskaper med domänen", "properties with this domain"),
    RDFS.range: ("egenskaper med värdemängden", "properties with this range"),
}

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name, VCARD.fn, SCHEMA.name)


def local_name(iri: str) -> str:
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
    return tail or iri


def label_of(term: URIRef, *graphs: Graph) -> Label:
    """{'sv': …, 'en': …} for a term: from the graphs (language-tagged first), the table, its name."""
    found: Label = {}
    plain = None
    for prop in LABEL_PROPERTIES:
        for graph in graphs:
            for value in sorted(graph.objects(term, prop), key=lambda v: v.n3()):
                if not isinstance(value, Literal):
                    continue
                if value.language in ("sv", "en"):
                    found.setdefault(value.language, str(value))
                elif value.language is None and plain is None:
                    plain = str(value)
        if "sv" in found and "en" in found:
            break
    if term in TERMS and not found:
        sv, en = TERMS[term]
        return {"sv": sv, "en": en}
    if plain is not None:
        found.setdefault("sv", plain)
        found.setdefault("en", plain)
    if not found:
        fragment = str(term).rsplit("#", 1)[1] if "#" in str(term) else None
        if fragment in FRAGMENTS:
            sv, en = FRAGMENTS[fragment]
            return {"sv": sv, "en": en}
        name = local_name(str(term))
        return {"sv": name, "en": name}
    return {"sv": found.get("sv") or found["en"], "en": found.get("en") or found["sv"]}


def inverse_label(prop: URIRef, *graphs: Graph) -> Label:
    if prop in INVERSE:
        sv, en = INVERSE[prop]
        return {"sv": sv, "en": en}
    forward = label_of(prop, *graphs)
    return {"sv": f"är {forward['sv']} för", "en": f"is {forward['en']} of"}
