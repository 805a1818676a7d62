"""The catalogue record: DCAT-AP-SE 3.0.1 and DCAT-AP 3.0.1 graphs of the release. Pure.

Records + graphs + the release's file table in, one catalogue graph per profile out. The
hand-kept part (title, description, keywords, publisher, contact, licence, themes, places,
standards) comes from data/dataset.yaml; everything countable (byte sizes, SHA-256 checksums,
media types, dates, version, temporal coverage, the counties and municipalities covered) is
computed here from the build.

The two profiles differ only where they conflict: DCAT-AP-SE wants `dct:format` as a literal
media type ("text/turtle"), DCAT-AP an IRI of the EU file-type authority table. Both graphs type
every linked object (DCAT-AP's range shapes need it; harvesters are helped by it) and have no
blank nodes: catalogue, datasets, distributions, services, publisher and contact point are IRIs
minted by publisher.uris.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, SKOS, XSD

from ..namespaces import VCARD, bind_all
from ..release.formats import BY_KEY
from ..uris import Minter
from .catalogue_terms import (  # noqa: F401 - PROFILES, PROFILE_IRIS, SPDX, EU, CONCEPT_LABELS: used by importers
    CONCEPT_LABELS,
    DATA_THEME,
    DCAT_VERSION,
    DCATAP,
    EU,
    EXTRACTS,
    GZIP,
    HTTP_SEMANTICS,
    IANA,
    LANGUAGES,
    LICENCE_TYPES,
    PROFILE_IRIS,
    PROFILES,
    SPARQL_PROTOCOL,
    SPDX,
    STABLE,
    STANDARD_TITLES,
)
from .licences import Part, data_licence, parts
from .load import SourceData
from .schema import PartialDate


@dataclass(frozen=True)
class DumpSet:
    """One described dataset and the stem of its dump files in the release."""

    ident: str
    stem: str
    title: Mapping[str, str]
    description: Mapping[str, str]


def media_type_iri(media_type: str) -> URIRef:
    return URIRef(IANA + media_type)


def dates(data: SourceData) -> tuple[Literal, Literal]:
    """(issued, modified): the dataset's issue date, and the newest date the input states.

    No clock is read, so the same input gives the same catalogue (the build is reproducible).
    """
    issued: PartialDate = data.dataset["issued"]
    newest = issued.text
    for source in data.sources:
        for field in ("issued", "modified"):
            value = source.get(field)
            if value is not None and value.precision == "day" and value.text > newest:
                newest = value.text
    return Literal(issued.text, datatype=XSD.date), Literal(newest, datatype=XSD.date)


def temporal_start(data: SourceData) -> Literal | None:
    """The earliest year any membership or organisation in the data starts (as precise as given)."""
    starts = [m["since"] for m in data.memberships if m.get("since")]
    starts += [o["founded"] for o in data.organisations if o.get("founded")]
    if not starts:
        return None
    year = min(s.year for s in starts)
    return Literal(f"{year:04d}", datatype=XSD.gYear)


class _Describer:
    def __init__(self, data: SourceData, files: Mapping[str, Mapping], base_uri: str, version: str,
                 profile: str):
        self.data, self.files, self.version, self.profile = data, files, version, profile
        self.m = Minter(base_uri)
        self.g = bind_all(Graph(), base_uri)
        for prefix, ns in (("spdx", SPDX), ("dcatap", DCATAP)):
            self.g.bind(prefix, ns)
        self.issued, self.modified = dates(data)
        r = data.dataset
        self.record = r
        self.publisher = self.m.agent(r["publisher"]["id"])
        self.contact = self.m.contact(r["contact"]["id"])
        self.license = URIRef(r["license"])
        self.data_license = URIRef(data_licence(data))
        self.dist_license = self.license  # the licence of the distributions of the dataset being described

    def add(self, s, p, o) -> None:
        self.g.add((s, p, o))

    def texts(self, s, p, values: Mapping[str, str]) -> None:
        for lang, text in sorted(values.items()):
            self.add(s, p, Literal(text, lang=lang))

    def typed(self, s, cls) -> URIRef:
        self.add(s, RDF.type, cls)
        return s

    def concept(self, iri: str, scheme: str | None = None) -> URIRef:
        c = self.typed(URIRef(iri), SKOS.Concept)
        labels = CONCEPT_LABELS.get(iri)
        if labels is None:
            raise ValueError(f"no preferred label known for {iri}: add it to describe.CONCEPT_LABELS")
        self.texts(c, SKOS.prefLabel, labels)
        if scheme:
            self.add(c, SKOS.inScheme, URIRef(scheme))
        return c

    # --- the agents and the catalogue -----------------------------------------------------

    def agents(self) -> None:
        r = self.record
        p = self.typed(self.publisher, FOAF.Agent)
        self.add(p, RDF.type, FOAF.Organization)
        self.texts(p, FOAF.name, r["publisher"]["name"])
        self.add(p, DCTERMS.type, self.concept(r["publisher"]["type"]))
        if r["publisher"].get("description"):
            self.texts(p, DCTERMS.description, r["publisher"]["description"])
        if r["publisher"].get("website"):
            self.add(p, FOAF.homepage, URIRef(r["publisher"]["website"]))
        c = self.typed(self.contact, VCARD.Organization)
        self.add(c, RDF.type, VCARD.Kind)
        self.add(c, VCARD.fn, Literal(r["contact"]["name"]))
        self.add(c, VCARD.hasEmail, URIRef("mailto:" + r["contact"]["email"]))

    def landing_page(self) -> URIRef:
        page = self.typed(self.m.landing_page, FOAF.Document)
        self.texts(page, DCTERMS.title, self.record["title"])
        self.texts(page, DCTERMS.description, {
            "sv": "Webbplatsen: datamängden, dess nedladdningar, SPARQL-ändpunkten och katalogen.",
            "en": "The web site: the dataset, its downloads, the SPARQL endpoint and the catalogue."})
        return page

    def licence(self, s: URIRef, licence: URIRef | None = None) -> None:
        licence = licence or self.license
        self.add(s, DCTERMS.license, licence)
        self.typed(licence, DCTERMS.LicenseDocument)
        kind = LICENCE_TYPES.get(str(licence))
        if kind:
            self.add(licence, DCTERMS.type, self.concept(kind))

    def catalog(self, datasets: list[URIRef], services: list[URIRef]) -> URIRef:
        r = self.record
        cat = self.typed(self.m.catalog, DCAT.Catalog)
        self.texts(cat, DCTERMS.title, {lang: f"Katalog: {t}" if lang == "sv" else f"Catalogue: {t}"
                                        for lang, t in r["title"].items()})
        self.texts(cat, DCTERMS.description, r["description"])
        self.add(cat, DCTERMS.publisher, self.publisher)
        self.licence(cat)
        self.add(cat, DCTERMS.issued, self.issued)
        self.add(cat, DCTERMS.modified, self.modified)
        self.add(cat, FOAF.homepage, self.landing_page())
        for lang in ("sv", "en"):
            self.add(cat, DCTERMS.language, self.typed(LANGUAGES[lang], DCTERMS.LinguisticSystem))
        for place in r["spatial"]:
            self.add(cat, DCTERMS.spatial, self.typed(URIRef(place), DCTERMS.Location))
        taxonomy = self.typed(DATA_THEME, SKOS.ConceptScheme)
        self.add(taxonomy, DCTERMS.title, Literal("Data theme", lang="en"))
        self.add(cat, DCAT.themeTaxonomy, taxonomy)
        for d in datasets:
            self.add(cat, DCAT.dataset, d)
        for s in services:
            self.add(cat, DCAT.service, s)
        return cat

    # --- datasets and their distributions -------------------------------------------------

    def dataset(self, dumps: DumpSet, with_coverage: bool) -> URIRef:
        r = self.record
        self.dist_license = self.data_license if with_coverage else self.license
        d = self.typed(self.m.dataset(dumps.ident), DCAT.Dataset)
        self.texts(d, DCTERMS.title, dumps.title)
        self.texts(d, DCTERMS.description, dumps.description)
        self.add(d, DCTERMS.identifier, Literal(str(d)))
        self.add(d, DCTERMS.publisher, self.publisher)
        self.add(d, DCAT.contactPoint, self.contact)
        self.add(d, DCTERMS.issued, self.issued)
        self.add(d, DCTERMS.modified, self.modified)
        self.add(d, DCAT_VERSION, Literal(self.version))
        self.add(d, OWL.versionInfo, Literal(self.version))
        provenance = self.typed(URIRef(f"{d}#provenance"), DCTERMS.ProvenanceStatement)
        self.texts(provenance, DCTERMS.description, {
            "sv": "Byggd av `publisher build` ur källdata i YAML där varje uppgift anger sina källor "
                  "(prov:wasDerivedFrom), validerad med SHACL; varje dump är kontrollerad med en "
                  "oberoende RDF-tolk.",
            "en": "Built by `publisher build` from YAML source data in which every fact names its "
                  "sources (prov:wasDerivedFrom), validated with SHACL; every dump is checked with an "
                  "independent RDF parser.",
        })
        self.add(d, DCTERMS.provenance, provenance)
        self.add(d, DCAT.landingPage, self.landing_page())
        self.add(d, DCTERMS.accessRights, self.typed(URIRef(r["access_rights"]), DCTERMS.RightsStatement))
        for lang, words in sorted(r["keywords"].items()):
            for word in words:
                self.add(d, DCAT.keyword, Literal(word, lang=lang))
        for theme in r["themes"]:
            self.add(d, DCAT.theme, self.concept(theme, str(DATA_THEME)))
        for lang in ("sv", "en"):
            self.add(d, DCTERMS.language, self.typed(LANGUAGES[lang], DCTERMS.LinguisticSystem))
        for standard in r["conforms_to"]:
            self.standard(d, URIRef(standard["iri"]), standard["title"])
        for place in self.places(with_coverage):
            self.add(d, DCTERMS.spatial, self.typed(place, DCTERMS.Location))
        start = temporal_start(self.data) if with_coverage else None
        if start is not None:
            period = self.typed(URIRef(f"{d}#temporal"), DCTERMS.PeriodOfTime)
            self.add(period, DCAT.startDate, start)
            self.add(period, DCAT.endDate, self.modified)  # as far as the newest date the input states
            self.add(d, DCTERMS.temporal, period)
        for name in sorted(self.files):
            if self._is_dump(name, dumps.stem):
                self.add(d, DCAT.distribution, self.distribution(dumps, name))
        if with_coverage:  # the data set: its statistics as tables too
            for name in sorted(EXTRACTS):
                if name in self.files:
                    self.add(d, DCAT.distribution, self.extract(dumps, name))
        return d

    def part(self, part: Part, whole: URIRef) -> URIRef:
        """The part of the data set derived from a source with its own licence (no dumps of its own:
        it is served by the SPARQL endpoint and the linked-data interface, and is in the whole's dumps)."""
        source = part.source
        title = {"sv": f"Delen ur {source['title']}", "en": f"The part derived from {source['title']}"}
        text = {"sv": f"De uppgifter i datamängden som kommer ur {source['title']}. Licens: den källans "
                      f"({part.license}); hela datamängden innehåller den här delen och har därför samma licens.",
                "en": f"The facts of the dataset that come from {source['title']}. Licence: that source's "
                      f"({part.license}); the whole dataset contains this part and so carries the same licence."}
        d = self.dataset(DumpSet(f"{self.record['id']}-{part.ident}", "", title, text), with_coverage=False)
        self.licence(d, URIRef(part.license))
        rights = self.typed(URIRef(f"{d}#rights"), DCTERMS.RightsStatement)
        self.add(rights, DCTERMS.description, Literal(part.attribution, lang="en"))
        self.add(d, DCTERMS.rights, rights)
        self.add(d, PROV.wasDerivedFrom, self.m.source(source["id"]))
        starts = [m["since"].text[:4] for m in self.data.memberships if m.get("since")
                  and any(r.ident == source["id"] for r in m.get("sources", []))]
        if starts:
            period = self.typed(URIRef(f"{d}#temporal"), DCTERMS.PeriodOfTime)
            self.add(period, DCAT.startDate, Literal(min(starts), datatype=XSD.gYear))
            self.add(period, DCAT.endDate, self.modified)
            self.add(d, DCTERMS.temporal, period)
        self.add(d, DCTERMS.isPartOf, whole)
        self.add(whole, DCTERMS.hasPart, d)
        self.add(whole, DCTERMS.rights, rights)
        return d

    def places(self, with_coverage: bool) -> list[URIRef]:
        places = [URIRef(p) for p in self.record["spatial"]]
        if with_coverage:
            places += [self.m.county(c["code"]) for c in self.data.counties]
            places += [self.m.municipality(c["code"]) for c in self.data.municipalities]
        return places

    def standard(self, s: URIRef, iri: URIRef, title: str) -> None:
        self.add(s, DCTERMS.conformsTo, self.typed(iri, DCTERMS.Standard))
        self.add(iri, DCTERMS.title, Literal(title, lang="en"))

    @staticmethod
    def _is_dump(name: str, stem: str) -> bool:
        base = name.removesuffix(".gz")
        head, _, suffix = base.rpartition(".")
        return head == stem and suffix in BY_KEY

    def distribution(self, dumps: DumpSet, name: str) -> URIRef:
        gz = name.endswith(".gz")
        suffix = name.removesuffix(".gz").rpartition(".")[2]
        fmt = BY_KEY[suffix]
        media_type, file_type, label = fmt.media_type, fmt.file_type, fmt.label
        packed = {"sv": ", gzip-komprimerad", "en": ", gzip-compressed"} if gz else {"sv": "", "en": ""}
        return self._distribution(
            dumps, name, media_type, file_type, gz,
            {"sv": f"{name} ({label}{packed['sv']})", "en": f"{name} ({label}{packed['en']})"},
            {"sv": f"Hela datamängden som {label}{packed['sv']}, version {self.version}.",
             "en": f"The whole dataset as {label}{packed['en']}, version {self.version}."})

    def extract(self, dumps: DumpSet, name: str) -> URIRef:
        media_type, file_type, label = EXTRACTS[name]
        return self._distribution(
            dumps, name, media_type, file_type, False,
            {"sv": f"Miljönyckeltal: alla observationer ({label})",
             "en": f"Environmental key figures: every observation ({label})"},
            {"sv": "Datamängdens statistik som tabell, en rad per observation: kommun, indikator, år, "
                   f"värde, enhet, källa och status; samma siffror som i RDF-dumparna, version {self.version}.",
             "en": "The dataset's statistics as a table, one row per observation: municipality, indicator, "
                   f"year, value, unit, source and status; the same figures as in the RDF dumps, version "
                   f"{self.version}."})

    def _distribution(self, dumps: DumpSet, name: str, media_type: str, file_type: str, gz: bool,
                      title: Mapping[str, str], description: Mapping[str, str]) -> URIRef:
        info = self.files[name]
        dist = self.typed(self.m.distribution(dumps.ident, name), DCAT.Distribution)
        url = self.m.dump(name)
        self.add(dist, DCAT.accessURL, url)
        self.add(dist, DCAT.downloadURL, url)
        self.texts(dist, DCTERMS.title, title)
        self.texts(dist, DCTERMS.description, description)
        self.add(dist, DCAT.mediaType, self.typed(media_type_iri(media_type), DCTERMS.MediaType))
        if gz:
            self.add(dist, DCAT.compressFormat, self.typed(media_type_iri(GZIP), DCTERMS.MediaType))
        if self.profile == "dcat-ap-se":
            self.add(dist, DCTERMS.format, Literal(media_type))
        else:
            fmt = self.typed(URIRef(EU + "file-type/" + file_type), DCTERMS.MediaTypeOrExtent)
            self.add(dist, DCTERMS.format, fmt)
        self.add(dist, DCAT.byteSize, Literal(info["bytes"], datatype=XSD.nonNegativeInteger))
        checksum = self.typed(URIRef(f"{dist}#checksum"), SPDX.Checksum)
        self.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        self.add(checksum, SPDX.checksumValue, Literal(info["sha256"], datatype=XSD.hexBinary))
        self.add(dist, SPDX.checksum, checksum)
        self.licence(dist, self.dist_license)
        self.add(dist, DCATAP.availability, self.concept(str(STABLE)))
        self.add(dist, DCTERMS.issued, self.issued)
        self.add(dist, DCTERMS.modified, self.modified)
        return dist

    # --- data services ----------------------------------------------------------------------

    def service(self, ident: str, endpoint: URIRef, description: URIRef, title: Mapping[str, str],
                text: Mapping[str, str], standard: URIRef, media_type: str,
                datasets: list[URIRef]) -> URIRef:
        r = self.record
        s = self.typed(self.m.service(ident), DCAT.DataService)
        self.texts(s, DCTERMS.title, title)
        self.texts(s, DCTERMS.description, text)
        self.add(s, DCAT.endpointURL, endpoint)
        self.add(s, DCAT.endpointDescription, description)
        for d in datasets:
            self.add(s, DCAT.servesDataset, d)
        self.add(s, DCTERMS.publisher, self.publisher)
        self.add(s, DCAT.contactPoint, self.contact)
        self.licence(s)
        self.add(s, DCTERMS.accessRights, self.typed(URIRef(r["access_rights"]), DCTERMS.RightsStatement))
        self.standard(s, standard, STANDARD_TITLES[standard])
        for theme in r["themes"]:
            self.add(s, DCAT.theme, self.concept(theme, str(DATA_THEME)))
        for lang, words in sorted(r["keywords"].items()):
            for word in words:
                self.add(s, DCAT.keyword, Literal(word, lang=lang))
        self.add(s, DCAT.landingPage, self.landing_page())
        if self.profile == "dcat-ap-se":  # DCAT-AP-SE: a data service has exactly one format
            self.add(s, DCTERMS.format, Literal(media_type))
        return s


def dump_sets(data: SourceData, ontology: Graph, base_uri: str, data_stem: str,
              ontology_stem: str) -> list[DumpSet]:
    """The described datasets: the data, and the vocabulary (titled from its own header)."""
    r = data.dataset
    onto = URIRef(base_uri + "def/")
    title = {lit.language: str(lit) for lit in ontology.objects(onto, DCTERMS.title) if lit.language}
    text = {lit.language: str(lit) for lit in ontology.objects(onto, DCTERMS.description) if lit.language}
    return [
        DumpSet(r["id"], data_stem, r["title"], r["description"]),
        DumpSet(f"{r['id']}-vocabulary", ontology_stem, title, text),
    ]


def describe(data: SourceData, sets: list[DumpSet], files: Mapping[str, Mapping], base_uri: str,
             version: str, profile: str) -> Graph:
    """The catalogue of this release in one profile ('dcat-ap-se' or 'dcat-ap')."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}")
    b = _Describer(data, files, base_uri, version, profile)
    b.agents()
    datasets = [b.dataset(s, with_coverage=(i == 0)) for i, s in enumerate(sets)]
    served = datasets[:1] + [b.part(p, datasets[0]) for p in parts(data)]
    datasets += served[1:]
    m = b.m
    sparql = b.service(
        "sparql", m.sparql_endpoint, m.sparql_endpoint,
        {"sv": "SPARQL-ändpunkt", "en": "SPARQL endpoint"},
        {"sv": "Frågor i SPARQL 1.1 mot hela datamängden.",
         "en": "SPARQL 1.1 queries over the whole dataset."},
        SPARQL_PROTOCOL, "application/sparql-results+json", served)
    linked = b.service(
        "linked-data", URIRef(base_uri + "id/"), m.void_document,
        {"sv": "Länkade data (avrefererbara URI:er)", "en": "Linked data (dereferenceable URIs)"},
        {"sv": "Varje resurs under /id/ i HTML, Turtle, JSON-LD, RDF/XML eller N-Triples efter Accept.",
         "en": "Every resource under /id/ as HTML, Turtle, JSON-LD, RDF/XML or N-Triples by Accept."},
        HTTP_SEMANTICS, BY_KEY["ttl"].media_type, served)
    b.catalog(datasets, [sparql, linked])
    return b.g
