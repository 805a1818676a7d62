"""What each YAML source file may contain: its top-level key and the fields of its records."""

from __future__ import annotations

from .schema import (
    Field,
    Spec,
    boolean,
    digits,
    email,
    enum,
    ident,
    iri,
    lang_list,
    lang_map,
    list_of,
    partial_date,
    pattern,
    records,
    ref,
    text,
)

confidence = enum(
    "sourced",
    "sourced-but-old",
    hints={
        "unverified": "unverified facts are not published: find a source that states it, "
        "or leave the record out"
    },
)
sources = list_of(ref("sources"), min_items=1)
both_langs = lang_map("sv", "en")
any_langs = lang_map()
language_tag = pattern(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "sv")

SOURCE = Spec("sources", {
    "id": Field(ident, required=True),
    "title": Field(text, required=True),
    "language": Field(language_tag, required=True),
    "url": Field(iri, required=True),
    "publisher": Field(ref("agents")),
    "issued": Field(partial_date()),
    "modified": Field(partial_date()),
    "note": Field(any_langs),
    "contact": Field(email),  # the contact the page itself gives ("Kontakt för den här sidan")
    # a source whose data we republish under its own terms (not CC0): its licence and attribution
    "license": Field(iri),
    "attribution": Field(text),
})

COUNTY = Spec("counties", {
    "id": Field(ident, required=True),
    "code": Field(digits(2), required=True),
    "name": Field(both_langs, required=True),
    "confidence": Field(confidence, required=True),
    "sources": Field(sources, required=True),
})

MUNICIPALITY = Spec("municipalities", {
    "id": Field(ident, required=True),
    "code": Field(digits(4), required=True),
    "name": Field(both_langs, required=True),
    "short_name": Field(text, required=True),
    "county": Field(ref("counties"), required=True),
    "wikidata": Field(pattern(r"Q[1-9][0-9]*", "Q113692")),
    "orgnr": Field(pattern(r"[0-9]{6}-[0-9]{4}", "212000-0084")),
    "website": Field(iri),
    "confidence": Field(confidence, required=True),
    "sources": Field(sources, required=True),
})

CONCEPT = Spec("concepts", {
    "id": Field(ident, required=True),
    "notation": Field(text),
    "label": Field(both_langs, required=True),
    "definition": Field(any_langs),
    "note": Field(any_langs),
    "unit": Field(ref("concepts:enheter")),  # an indicator's unit of measure
    "kolada": Field(pattern(r"[A-Z][0-9]{5}", "N00401")),  # an indicator's Kolada KPI id
    "sources": Field(sources),
})

SCHEME = Spec("schemes", {
    "id": Field(ident, required=True),
    "title": Field(both_langs, required=True),
    "description": Field(both_langs),
    "creator": Field(ref("agents")),
    "confidence": Field(confidence, required=True),
    "sources": Field(sources, required=True),
    "concepts": Field(records(CONCEPT), required=True),
})

ORGANISATION = Spec("organisations", {
    "id": Field(ident, required=True),
    "kind": Field(enum("association", "collaboration", "unit", "initiative"), required=True),
    "name": Field(both_langs, required=True),
    "alt_names": Field(list_of(text)),
    "legal_form": Field(ref("concepts:organisationstyper")),
    "description": Field(both_langs),
    "goal": Field(both_langs),
    "open_to": Field(list_of(ref("concepts:organisationstyper"), min_items=1)),
    "criteria": Field(ref("schemes")),
    "principles": Field(ref("schemes")),
    "areas": Field(ref("schemes")),  # areas of cooperation: every concept of the scheme is a dcterms:subject
    "founded_note": Field(both_langs),
    "member_commitment": Field(both_langs),
    "founded": Field(partial_date()),
    "location": Field(text),
    "website": Field(iri),
    "unit_of": Field(ref("agents")),
    "confidence": Field(confidence, required=True),
    "sources": Field(sources, required=True),
})

MEMBERSHIP = Spec("memberships", {
    "id": Field(ident),
    "member": Field(ref("agents"), required=True),
    "organisation": Field(ref("organisations"), required=True),
    "role": Field(ref("concepts:medlemsroller")),
    "since": Field(partial_date(min_year=1900)),
    "until": Field(partial_date(min_year=1900)),
    "commitment": Field(boolean),
    # what the source says this member committed to (required with commitment: true)
    "commitment_text": Field(both_langs),
    "confidence": Field(confidence, required=True),
    "note": Field(both_langs),
    "sources": Field(sources, required=True),
})

PUBLICATION = Spec("publications", {
    "id": Field(ident, required=True),
    "kind": Field(enum("series", "report", "programme"), required=True),
    "title": Field(both_langs, required=True),
    "description": Field(both_langs),
    "creator": Field(ref("agents")),
    "in_series": Field(ref("publications")),
    "frequency": Field(enum("annual")),
    "since": Field(partial_date()),
    "issued": Field(partial_date()),
    "indicators": Field(ref("schemes")),
    "subjects": Field(ref("schemes")),
    "confidence": Field(confidence, required=True),
    "sources": Field(sources, required=True),
})

# The ADMS publisher types (http://purl.org/adms/publishertype/), as DCAT-AP-SE lists them.
ADMS_PUBLISHER_TYPES = tuple(
    "http://purl.org/adms/publishertype/" + name
    for name in (
        "Academia-ScientificOrganisation", "Company", "IndustryConsortium", "LocalAuthority",
        "NationalAuthority", "NonGovernmentalOrganisation", "NonProfitOrganisation",
        "PrivateIndividual(s)", "RegionalAuthority", "StandardisationBody", "SupraNationalAuthority",
    )
)
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
EU_DATA_THEMES = ("AGRI", "ECON", "EDUC", "ENER", "ENVI", "GOVE", "HEAL", "INTR", "JUST", "REGI", "SOCI",
                  "TECH", "TRAN")
PUBLISHER = Spec("publisher", {
    "id": Field(ident, required=True),
    "name": Field(both_langs, required=True),
    "type": Field(enum(*ADMS_PUBLISHER_TYPES), required=True),
    "description": Field(both_langs),
    "website": Field(iri),
})
CONTACT = Spec("contact", {
    "id": Field(ident, required=True),
    "name": Field(text, required=True),
    "email": Field(email, required=True),
})
STANDARD = Spec("conforms_to", {"iri": Field(iri, required=True), "title": Field(text, required=True)})


def _nested(spec: Spec):  # a single mapping parsed with its own spec
    from .schema import parse_record

    def kind(ctx, node, field):
        return parse_record(ctx, node, spec)

    return kind


DATASET = Spec("dataset", {
    "id": Field(ident, required=True),
    "title": Field(both_langs, required=True),
    "description": Field(both_langs, required=True),
    "keywords": Field(lang_list("sv", "en"), required=True),
    "publisher": Field(_nested(PUBLISHER), required=True),
    "contact": Field(_nested(CONTACT), required=True),
    "license": Field(iri, required=True),
    "issued": Field(partial_date(precision=("day",)), required=True),
    "access_rights": Field(enum(*(EU_AUTHORITY + "access-right/" + r
                                  for r in ("PUBLIC", "RESTRICTED", "NON_PUBLIC"))), required=True),
    "themes": Field(list_of(enum(*(EU_AUTHORITY + "data-theme/" + t for t in EU_DATA_THEMES)), min_items=1),
                    required=True),
    "spatial": Field(list_of(iri, min_items=1), required=True),
    "conforms_to": Field(list_of(_nested(STANDARD)), required=True),
})

# --- files written by `publisher import` (national_import.py) and the table it maps names with ---
FILE_READ = Spec("files", {
    "name": Field(text, required=True),
    "sha256": Field(pattern(r"[0-9a-f]{64}", "3b06…65a0 (64 hex digits)"), required=True),
})
SCB_COUNTY = Spec("counties", {"code": Field(digits(2), required=True), "name": Field(text, required=True)})
SCB_MUNICIPALITY = Spec("municipalities", {
    "code": Field(digits(4), required=True),
    "short_name": Field(text, required=True),
    "county": Field(digits(2), required=True),
})
SCB_IMPORT = Spec("scb", {
    "source": Field(ref("sources"), required=True),
    "files": Field(records(FILE_READ), required=True),
    "counties": Field(records(SCB_COUNTY), required=True),
    "municipalities": Field(records(SCB_MUNICIPALITY), required=True),
})
WIKIDATA_ID = Spec("ids", {
    "code": Field(digits(4), required=True),
    "wikidata": Field(pattern(r"Q[1-9][0-9]*", "Q113692"), required=True),
})
WIKIDATA_IMPORT = Spec("wikidata", {
    "source": Field(ref("sources"), required=True),
    "files": Field(records(FILE_READ), required=True),
    "ids": Field(records(WIKIDATA_ID), required=True),
})
SIGNATORY = Spec("signatories", {
    "gcom_id": Field(pattern(r"[A-Z]{2}[0-9]{4}", "SE0018"), required=True),
    "name": Field(text, required=True),
    "code": Field(digits(4)),
    "group": Field(list_of(digits(4), min_items=2)),
    "in_group": Field(pattern(r"[A-Z]{2}[0-9]{4}", "SE0078")),
    "adhesion": Field(partial_date(min_year=1900, precision=("day",)), required=True),
    "status": Field(ref("concepts:borgmastaravtalet-status"), required=True),
    "commitments": Field(list_of(ref("concepts:borgmastaravtalet-ataganden")), required=True),
})
COVENANT_IMPORT = Spec("covenant", {
    "source": Field(ref("sources"), required=True),
    "files": Field(records(FILE_READ), required=True),
    "as_of": Field(partial_date(precision=("month",)), required=True),
    "signatories": Field(records(SIGNATORY), required=True),
})
COVENANT_NAME = Spec("covenant_names", {
    "name": Field(text, required=True),
    "code": Field(digits(4)),
    "group": Field(list_of(digits(4), min_items=2)),
})

# file name -> (top-level key, spec, is a list of records)
FILES: dict[str, tuple[str, Spec, bool]] = {
    "dataset.yaml": ("dataset", DATASET, False),
    "sources.yaml": ("sources", SOURCE, True),
    "places.yaml": ("counties", COUNTY, True),
    "municipalities.yaml": ("municipalities", MUNICIPALITY, True),
    "organisations.yaml": ("organisations", ORGANISATION, True),
    "concept-schemes.yaml": ("schemes", SCHEME, True),
    "memberships.yaml": ("memberships", MEMBERSHIP, True),
    "publications.yaml": ("publications", PUBLICATION, True),
    "import-scb.yaml": ("scb", SCB_IMPORT, False),
    "import-wikidata.yaml": ("wikidata", WIKIDATA_IMPORT, False),
    "import-covenant.yaml": ("covenant", COVENANT_IMPORT, False),
    "covenant-names.yaml": ("covenant_names", COVENANT_NAME, True),
}

__all__ = ["FILES", "boolean"]
