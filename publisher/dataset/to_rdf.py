"""Turn checked source records into one RDF graph. Pure: values in, graph out.

The graph has no blank nodes (periods and instants are fragment IRIs of their membership), so
it serialises identically every time. Every described resource carries `prov:wasDerivedFrom`
its sources and `ks:confidence`.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from ..namespaces import EU_FREQ, EU_LANG, SCHEMA, VCARD, VOID, WD, bind_all, vocab
from ..uris import Minter
from .licences import data_licence, parts
from .load import SourceData
from .schema import PartialDate, Record, Ref

VANN = "http://purl.org/vocab/vann/"
LANGUAGES = {"sv": EU_LANG.SWE, "en": EU_LANG.ENG}
ORG_CLASSES = {
    "association": [ORG.FormalOrganization],
    "collaboration": [ORG.OrganizationalCollaboration],
    "initiative": [ORG.OrganizationalCollaboration],
    "unit": [ORG.OrganizationalUnit],
}
ROLE_PHRASES = {  # role concept id -> (sv, en) phrase before the organisation's name
    "medlem": ("medlem i", "member of"),
    "undertecknare": ("undertecknare av", "signatory of"),
    "deltagare": ("deltagare i", "participant in"),
}
DATATYPES = {"year": XSD.gYear, "month": XSD.gYearMonth, "day": XSD.date}


def date_literal(value: PartialDate) -> Literal:
    return Literal(value.text, datatype=DATATYPES[value.precision])


def ontology_graph(ontology_dir: Path, base_uri: str) -> Graph:
    """The vocabulary, with its relative IRIs resolved against the base URI."""
    graph = bind_all(Graph(), base_uri)
    for path in sorted(ontology_dir.glob("*.ttl")):
        graph.parse(path, format="turtle", publicID=base_uri)
    ontology = URIRef(base_uri + "def/")
    graph.add((ontology, URIRef(VANN + "preferredNamespaceUri"), Literal(str(ontology))))
    return graph


class _Builder:
    def __init__(self, data: SourceData, base_uri: str):
        self.data = data
        self.m = Minter(base_uri)
        self.ks = vocab(base_uri)
        self.g = bind_all(Graph(), base_uri)
        self.municipalities = data.by_id("municipalities")
        self.schemes = data.by_id("schemes")
        self.where: dict[str, str] = {}

    # --- helpers ---------------------------------------------------------------------------

    def add(self, s: URIRef, p: URIRef, o) -> None:
        self.g.add((s, p, o))

    def texts(self, s: URIRef, p: URIRef, values: dict[str, str] | None) -> None:
        for lang, value in sorted((values or {}).items()):
            self.add(s, p, Literal(value, lang=lang))

    def labels(self, s: URIRef, values: dict[str, str]) -> None:
        self.texts(s, SKOS.prefLabel, values)
        self.texts(s, RDFS.label, values)

    def agent(self, ident: str) -> URIRef:
        if ident in self.municipalities:
            return self.m.municipality(self.municipalities[ident]["code"])
        return self.m.organisation(ident)

    def concept(self, ref: Ref) -> URIRef:
        return self.m.concept(ref.target.split(":", 1)[1], ref.ident)

    def provenance(self, s: URIRef, record: Record, parent: Record | None = None) -> None:
        """Sources and confidence of `record`, falling back to its parent's (a concept's scheme)."""
        self.where.setdefault(str(s), f"{record.file}:{record.line}")
        sources = record.get("sources") or (parent.get("sources") if parent else None) or []
        for source in sources:
            self.add(s, PROV.wasDerivedFrom, self.m.source(source.ident))
        confidence = record.get("confidence") or (parent.get("confidence") if parent else None)
        if confidence:
            self.add(s, self.ks.confidence, self.ks[confidence])

    # --- records ---------------------------------------------------------------------------

    def sources(self) -> None:
        for r in self.data.sources:
            s = self.m.source(r["id"])
            for cls in (FOAF.Document, PROV.Entity, DCTERMS.BibliographicResource):
                self.add(s, RDF.type, cls)
            self.add(s, DCTERMS.title, Literal(r["title"], lang=r["language"]))
            self.add(s, RDFS.label, Literal(r["title"], lang=r["language"]))
            self.add(s, SCHEMA.url, URIRef(r["url"]))
            self.add(s, FOAF.page, URIRef(r["url"]))
            self.add(s, DCTERMS.language, LANGUAGES.get(r["language"], Literal(r["language"])))
            if r.get("publisher"):
                self.add(s, DCTERMS.publisher, self.agent(r["publisher"].ident))
            for field, prop in (("issued", DCTERMS.issued), ("modified", DCTERMS.modified)):
                if r.get(field):
                    self.add(s, prop, date_literal(r[field]))
            self.texts(s, RDFS.comment, r.get("note"))
            if r.get("contact"):
                contact = URIRef(f"{s}#contact")
                self.add(s, DCAT.contactPoint, contact)
                self.add(contact, RDF.type, VCARD.Kind)
                self.texts(contact, RDFS.label, {"sv": "Kontakt för sidan", "en": "Contact for the page"})
                self.add(contact, VCARD.hasEmail, URIRef("mailto:" + r["contact"]))
                self.add(contact, PROV.wasDerivedFrom, s)  # the page states its own contact

    def counties(self) -> None:
        for r in self.data.counties:
            s = self.m.county(r["code"])
            self.add(s, RDF.type, self.ks.County)
            self.add(s, RDF.type, SCHEMA.AdministrativeArea)
            self.labels(s, r["name"])
            self.add(s, DCTERMS.identifier, Literal(r["code"]))
            self.provenance(s, r)

    def municipalities_(self) -> None:
        counties = self.data.by_id("counties")
        for r in self.data.municipalities:
            s = self.m.municipality(r["code"])
            for cls in (self.ks.Municipality, ORG.FormalOrganization, SCHEMA.GovernmentOrganization):
                self.add(s, RDF.type, cls)
            self.labels(s, r["name"])
            self.add(s, SCHEMA.name, Literal(r["name"]["sv"], lang="sv"))
            self.add(s, SKOS.altLabel, Literal(r["short_name"], lang="sv"))
            self.add(s, DCTERMS.identifier, Literal(r["code"]))
            self.add(s, ORG.classification, self.m.concept("organisationstyper", "kommun"))
            self.add(s, SCHEMA.location, self.m.county(counties[r["county"].ident]["code"]))
            if r.get("wikidata"):
                self.add(s, OWL.sameAs, WD[r["wikidata"]])
            if r.get("orgnr"):
                self.add(s, self.ks.organisationNumber, Literal(r["orgnr"]))
            if r.get("website"):
                self.add(s, FOAF.homepage, URIRef(r["website"]))
            self.provenance(s, r)

    def organisations(self) -> None:
        for r in self.data.organisations:
            s = self.m.organisation(r["id"])
            for cls in ORG_CLASSES[r["kind"]]:
                self.add(s, RDF.type, cls)
            self.add(s, RDF.type, SCHEMA.Organization)
            self.labels(s, r["name"])
            for alt in r.get("alt_names") or []:
                self.add(s, SKOS.altLabel, Literal(alt))
            self.texts(s, DCTERMS.description, r.get("description"))
            self.texts(s, self.ks.goal, r.get("goal"))
            if r.get("legal_form"):
                self.add(s, ORG.classification, self.concept(r["legal_form"]))
            for kind in r.get("open_to") or []:
                self.add(s, self.ks.openTo, self.concept(kind))
            if r.get("criteria"):
                self.add(s, self.ks.criteria, self.m.scheme(r["criteria"].ident))
            if r.get("principles"):
                self.add(s, self.ks.cooperationPrinciples, self.m.scheme(r["principles"].ident))
            if r.get("areas"):
                scheme = self.schemes[r["areas"].ident]
                for concept in scheme["concepts"]:
                    self.add(s, DCTERMS.subject, self.m.concept(scheme["id"], concept["id"]))
            if r.get("member_commitment"):
                c = self.m.commitment(r["id"])
                self.add(s, self.ks.memberCommitment, c)
                self.add(c, RDF.type, self.ks.Commitment)
                self.texts(c, RDFS.label, {"sv": "Medlemmarnas åtagande", "en": "Members' commitment"})
                self.texts(c, DCTERMS.description, r["member_commitment"])
                if r.get("criteria"):
                    self.add(c, self.ks.commitsTo, self.m.scheme(r["criteria"].ident))
                self.provenance(c, r)
            if r.get("founded"):
                self.add(s, SCHEMA.foundingDate, date_literal(r["founded"]))
            if r.get("location"):
                self.add(s, SCHEMA.location, Literal(r["location"]))
            if r.get("website"):
                self.add(s, FOAF.homepage, URIRef(r["website"]))
            if r.get("unit_of"):
                parent = self.agent(r["unit_of"].ident)
                self.add(s, ORG.unitOf, parent)
                self.add(parent, ORG.hasUnit, s)
            self.provenance(s, r)

    def memberships(self) -> None:
        agents = self.data.agents
        for r in self.data.memberships:
            member_id, org_id = r["member"].ident, r["organisation"].ident
            s = self.m.membership(member_id, org_id, r.get("id"))
            member, org = self.agent(member_id), self.agent(org_id)
            role = r.get("role").ident if r.get("role") else "medlem"
            self.add(s, RDF.type, ORG.Membership)
            self.add(s, ORG.member, member)
            self.add(s, ORG.organization, org)
            self.add(s, ORG.role, self.m.concept("medlemsroller", role))
            self.add(member, ORG.hasMembership, s)
            self.add(org, ORG.hasMember, member)
            since, until = r.get("since"), r.get("until")
            if since or until:
                period = self.m.period(s)
                self.add(s, ORG.memberDuring, period)
                self.add(period, RDF.type, TIME.Interval)
                for instant, value, prop in (
                    (self.m.start(s), since, TIME.hasBeginning),
                    (URIRef(f"{s}#end"), until, TIME.hasEnd),
                ):
                    if value:
                        self.add(period, prop, instant)
                        self.instant(instant, value)
            if r.get("commitment"):
                self.commitment(s, r, agents[org_id])
            if r.get("signatory"):
                self.signatory(s, r["signatory"], names_of(agents[member_id]["name"]))
            self.texts(s, SKOS.note, r.get("note"))
            names = names_of(agents[member_id]["name"])
            orgs = {lang: agents[org_id]["name"][lang] for lang in ("sv", "en")}
            sv, en = ROLE_PHRASES[role]
            label_sv = f"{names['sv']} – {sv} {orgs['sv']}" + (f" sedan {since.text}" if since else "")
            label_en = f"{names['en']} – {en} {orgs['en']}" + (f" since {since.text}" if since else "")
            self.texts(s, RDFS.label, {"sv": label_sv, "en": label_en})
            self.provenance(s, r)

    def commitment(self, membership: URIRef, r: Record, org: Record) -> None:
        """What the source says this member committed to: `<membership>#commitment`."""
        c = URIRef(f"{membership}#commitment")
        self.add(membership, self.ks.commitment, c)
        self.add(c, RDF.type, self.ks.Commitment)
        self.texts(c, RDFS.label, {"sv": "Medlemmens åtagande", "en": "The member's commitment"})
        self.texts(c, DCTERMS.description, r.get("commitment_text"))
        if org.get("criteria"):
            self.add(c, self.ks.commitsTo, self.m.scheme(org["criteria"].ident))
        self.provenance(c, r)

    def signatory(self, membership: URIRef, record: dict, names: dict[str, str]) -> None:
        """The Covenant of Mayors signatory as the JRC lists it: `<membership>#signatory`, with its own source."""
        s = URIRef(f"{membership}#signatory")
        self.add(membership, self.ks.signatoryRecord, s)
        self.add(s, RDF.type, self.ks.SignatoryRecord)
        self.add(s, RDF.type, PROV.Entity)
        self.texts(s, RDFS.label, {"sv": f"{names['sv']} i JRC:s förteckning över Borgmästaravtalets undertecknare",
                                   "en": f"{names['en']} in the JRC's list of Covenant of Mayors signatories"})
        self.add(s, DCTERMS.identifier, Literal(record["gcom_id"]))
        self.add(s, self.ks.adhesionDate, date_literal(record["adhesion"]))
        self.add(s, self.ks.signatoryStatus, self.concept(record["status"]))
        for c in record["commitments"]:
            self.add(s, self.ks.covenantCommitment, self.concept(c))
        self.add(s, self.ks.statusAsOf, date_literal(record["as_of"]))
        self.add(s, PROV.wasDerivedFrom, self.m.source(record["source"].ident))
        self.add(s, self.ks.confidence, self.ks.sourced)

    def instant(self, s: URIRef, value: PartialDate) -> None:
        self.add(s, RDF.type, TIME.Instant)
        self.add(s, TIME.inXSDgYear, Literal(value.text[:4], datatype=XSD.gYear))
        if value.precision == "month":
            self.add(s, TIME.inXSDgYearMonth, Literal(value.text, datatype=XSD.gYearMonth))
        if value.precision == "day":
            self.add(s, TIME.inXSDDate, Literal(value.text, datatype=XSD.date))

    def schemes_(self) -> None:
        for r in self.data.schemes:
            s = self.m.scheme(r["id"])
            self.add(s, RDF.type, SKOS.ConceptScheme)
            self.labels(s, r["title"])
            self.texts(s, DCTERMS.title, r["title"])
            self.texts(s, DCTERMS.description, r.get("description"))
            if r.get("creator"):
                self.add(s, DCTERMS.creator, self.agent(r["creator"].ident))
            self.provenance(s, r)
            for c in r["concepts"]:
                cs = self.m.concept(r["id"], c["id"])
                self.add(cs, RDF.type, SKOS.Concept)
                self.labels(cs, c["label"])
                self.add(cs, SKOS.inScheme, s)
                self.add(cs, SKOS.topConceptOf, s)
                self.add(s, SKOS.hasTopConcept, cs)
                if c.get("notation"):
                    self.add(cs, SKOS.notation, Literal(c["notation"]))
                self.texts(cs, SKOS.definition, c.get("definition"))
                self.texts(cs, SKOS.note, c.get("note"))
                self.provenance(cs, c, parent=r)

    def publications(self) -> None:
        for r in self.data.publications:
            s = self.m.publication(r["id"])
            kind = r["kind"]
            if kind == "series":
                self.add(s, RDF.type, SCHEMA.CreativeWorkSeries)
                self.add(s, RDF.type, PROV.Entity)
            elif kind == "report":
                self.add(s, RDF.type, SCHEMA.Report)
                self.add(s, RDF.type, FOAF.Document)
            else:
                self.add(s, RDF.type, self.ks.DevelopmentProgramme)
                self.add(s, RDF.type, PROV.Plan)
            self.labels(s, r["title"])
            self.texts(s, DCTERMS.title, r["title"])
            self.texts(s, DCTERMS.description, r.get("description"))
            if r.get("creator"):
                creator = self.agent(r["creator"].ident)
                self.add(s, DCTERMS.creator, creator)
                self.add(s, PROV.wasAttributedTo, creator)
            if r.get("in_series"):
                self.add(s, SCHEMA.isPartOf, self.m.publication(r["in_series"].ident))
            if r.get("frequency") == "annual":
                self.add(s, DCTERMS.accrualPeriodicity, EU_FREQ.ANNUAL)
            if r.get("since"):
                self.add(s, SCHEMA.startDate, date_literal(r["since"]))
            if r.get("issued"):
                self.add(s, DCTERMS.issued, date_literal(r["issued"]))
            if r.get("indicators"):
                self.add(s, self.ks.indicators, self.m.scheme(r["indicators"].ident))
            if r.get("subjects"):
                scheme = self.schemes[r["subjects"].ident]
                for c in scheme["concepts"]:
                    self.add(s, DCTERMS.subject, self.m.concept(scheme["id"], c["id"]))
            self.provenance(s, r)

    def dataset(self, version: str) -> None:
        r = self.data.dataset
        s = self.m.dataset(r["id"])
        for cls in (DCAT.Dataset, VOID.Dataset):
            self.add(s, RDF.type, cls)
        self.texts(s, DCTERMS.title, r["title"])
        self.texts(s, RDFS.label, r["title"])
        self.texts(s, DCTERMS.description, r["description"])
        for lang, words in sorted(r["keywords"].items()):
            for word in words:
                self.add(s, DCAT.keyword, Literal(word, lang=lang))
        self.add(s, DCTERMS.license, URIRef(data_licence(self.data)))
        for part in parts(self.data):
            rights = URIRef(f"{s}#rights-{part.source['id']}")
            self.add(s, DCTERMS.rights, rights)
            self.add(rights, RDF.type, DCTERMS.RightsStatement)
            self.add(rights, RDFS.label, Literal(part.attribution, lang="en"))
            self.add(rights, PROV.wasDerivedFrom, self.m.source(part.source["id"]))
        self.add(s, DCTERMS.issued, date_literal(r["issued"]))
        self.add(s, OWL.versionInfo, Literal(version))
        for lang in ("sv", "en"):
            self.add(s, DCTERMS.language, LANGUAGES[lang])
        publisher = self.m.agent(r["publisher"]["id"])
        self.add(s, DCTERMS.publisher, publisher)
        self.add(publisher, RDF.type, FOAF.Agent)
        self.texts(publisher, FOAF.name, r["publisher"]["name"])
        contact = self.m.contact(r["contact"]["id"])
        self.add(s, DCAT.contactPoint, contact)
        self.add(contact, RDF.type, VCARD.Organization)
        self.add(contact, VCARD.fn, Literal(r["contact"]["name"]))
        self.add(contact, VCARD.hasEmail, URIRef("mailto:" + r["contact"]["email"]))
        self.add(s, VOID.uriSpace, Literal(self.m.base_uri + "id/"))
        self.add(s, VOID.vocabulary, self.m.ontology)
        for source in self.data.sources:
            self.add(s, PROV.wasDerivedFrom, self.m.source(source["id"]))


def names_of(name: dict[str, str]) -> dict[str, str]:
    return {lang: name[lang] for lang in ("sv", "en")}


def to_rdf(data: SourceData, base_uri: str, version: str, where: dict[str, str] | None = None) -> Graph:
    """The dataset's graph (instance data only; the vocabulary is `ontology_graph`).

    `where`, when given, is filled with the `file:line` of the record each resource comes from."""
    b = _Builder(data, base_uri)
    if where is not None:
        b.where = where
    b.sources()
    b.counties()
    b.municipalities_()
    b.organisations()
    b.memberships()
    b.schemes_()
    b.publications()
    b.dataset(version)
    return b.g
