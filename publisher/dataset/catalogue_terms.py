"""The terms and controlled-vocabulary entries the catalogue uses (publisher.dataset.describe). Data only.

Namespaces DCAT-AP needs beside rdflib's, the profile IRIs, the media types and EU file types of
what the release offers for download, and the EU authority-table and ADMS concepts with the
preferred labels DCAT-AP's shapes require.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT

SPDX = Namespace("http://spdx.org/rdf/terms#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "http://www.iana.org/assignments/media-types/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's closed DCAT namespace lacks it
PROFILES = ("dcat-ap-se", "dcat-ap")
PROFILE_IRIS = {  # the profile IRIs of W3C Content Negotiation by Profile (Content-Profile)
    "dcat-ap-se": "https://docs.dataportal.se/dcat/en/",
    "dcat-ap": "https://semiceu.github.io/DCAT-AP/releases/3.0.1",
}

GZIP = "application/gzip"
# tables of the statistics cube in the release, listed as distributions of the data set beside the dumps
EXTRACTS = {
    "cube-observations.csv": ("text/csv", "CSV", "CSV"),
    "cube-observations.json": ("application/json", "JSON", "JSON"),
}
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
HTTP_SEMANTICS = URIRef("https://www.rfc-editor.org/rfc/rfc9110")
STANDARD_TITLES = {
    SPARQL_PROTOCOL: "SPARQL 1.1 Protocol",
    HTTP_SEMANTICS: "HTTP Semantics (RFC 9110), content negotiation",
}
DATA_THEME = URIRef(EU + "data-theme")
STABLE = URIRef(EU + "planned-availability/STABLE")
LICENCE_TYPES = {  # canonical licence IRI -> ADMS licence type
    "http://creativecommons.org/publicdomain/zero/1.0/": "http://purl.org/adms/licencetype/PublicDomain",
    "http://creativecommons.org/licenses/by/4.0/": "http://purl.org/adms/licencetype/Attribution",
}
# Preferred labels of the controlled-vocabulary concepts we use (from the EU authority tables and
# the ADMS vocabularies); DCAT-AP's shapes require a skos:prefLabel on every skos:Concept.
CONCEPT_LABELS = {
    **{EU + "data-theme/" + code: {"en": label} for code, label in (
        ("AGRI", "Agriculture, fisheries, forestry and food"), ("ECON", "Economy and finance"),
        ("EDUC", "Education, culture and sport"), ("ENER", "Energy"), ("ENVI", "Environment"),
        ("GOVE", "Government and public sector"), ("HEAL", "Health"), ("INTR", "International issues"),
        ("JUST", "Justice, legal system and public safety"), ("REGI", "Regions and cities"),
        ("SOCI", "Population and society"), ("TECH", "Science and technology"), ("TRAN", "Transport"))},
    EU + "planned-availability/STABLE": {"en": "stable"},
    "http://purl.org/adms/licencetype/PublicDomain": {"en": "Public domain"},
    "http://purl.org/adms/licencetype/Attribution": {"en": "Attribution"},
    "http://purl.org/adms/publishertype/NonProfitOrganisation": {"en": "Non-Profit Organisation"},
    "http://purl.org/adms/publishertype/NonGovernmentalOrganisation": {"en": "Non-Governmental Organisation"},
    "http://purl.org/adms/publishertype/Academia-ScientificOrganisation": {"en": "Academia/Scientific organisation"},
    "http://purl.org/adms/publishertype/LocalAuthority": {"en": "Local Authority"},
    "http://purl.org/adms/publishertype/NationalAuthority": {"en": "National authority"},
    "http://purl.org/adms/publishertype/RegionalAuthority": {"en": "Regional authority"},
    "http://purl.org/adms/publishertype/Company": {"en": "Company"},
    "http://purl.org/adms/publishertype/IndustryConsortium": {"en": "Industry consortium"},
    "http://purl.org/adms/publishertype/PrivateIndividual(s)": {"en": "Private Individual(s)"},
    "http://purl.org/adms/publishertype/StandardisationBody": {"en": "Standardisation body"},
    "http://purl.org/adms/publishertype/SupraNationalAuthority": {"en": "Supra-national authority"},
}
LANGUAGES = {"sv": URIRef(EU + "language/SWE"), "en": URIRef(EU + "language/ENG")}

