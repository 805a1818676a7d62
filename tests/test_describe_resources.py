"""What a resource's document says, and what its page model shows, on the real built data."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, TIME

from publisher.dataset.to_rdf import ontology_graph
from publisher.release.describe import describe, doc_key
from publisher.release.labels import TERM_LABELS_FILE, TermLabels
from publisher.release.page_models import href_of, page_model
from publisher.web.pages import script_json, with_lang

from .conftest import BASE, ROOT

ID = BASE + "id/"
MEMBERSHIP = URIRef(ID + "membership/haninge--sveriges-ekokommuner")
SEKOM = URIRef(ID + "organisation/sveriges-ekokommuner")
HANINGE = URIRef(ID + "municipality/0136")


@pytest.fixture(scope="module")
def graphs(built, settings) -> tuple[Graph, Graph]:
    data = Graph().parse(settings.current_release / "klimatsamarbeten.ttl", format="turtle")
    return data, ontology_graph(ROOT / "ontology", BASE)


@pytest.fixture(scope="module")
def terms(built, settings) -> TermLabels:
    return TermLabels.from_json((settings.current_release / TERM_LABELS_FILE).read_bytes())


@pytest.fixture(scope="module")
def docs(graphs):
    return describe(*graphs, BASE, "test-version")


@pytest.mark.parametrize(("iri", "key"), [
    (ID + "municipality/0136", "municipality/0136"),
    (ID + "membership/haninge--sveriges-ekokommuner#period", "membership/haninge--sveriges-ekokommuner"),
    (ID + "concept/medlemsroller/medlem", "concept/medlemsroller/medlem"),
    (BASE + "def/", "def"),
    (BASE + "def/Municipality", "def/Municipality"),
    (BASE + "doc/municipality/0136", None),
    (BASE + "id/", None),
    ("http://www.wikidata.org/entity/Q113692", None),
])
def test_doc_key_maps_dataset_and_vocabulary_iris(iri, key):
    assert doc_key(iri, BASE) == key


def test_every_thing_and_every_term_has_a_document(docs, graphs):
    data, ontology = graphs
    subjects = {doc_key(str(s), BASE) for g in graphs for s in g.subjects()} - {None}
    assert set(docs) == subjects
    assert "def" in docs and "def/Municipality" in docs and "municipality/0136" in docs
    assert len(docs) > 100


def test_membership_document_includes_its_period_and_start(docs):
    g = docs["membership/haninge--sveriges-ekokommuner"].graph
    period, start = URIRef(f"{MEMBERSHIP}#period"), URIRef(f"{MEMBERSHIP}#start")
    assert (MEMBERSHIP, ORG.memberDuring, period) in g
    assert (period, TIME.hasBeginning, start) in g
    assert str(g.value(start, TIME.inXSDgYear)) == "2007"


def test_network_document_lists_its_memberships_and_members(docs):
    g = docs["organisation/sveriges-ekokommuner"].graph
    assert (MEMBERSHIP, ORG.organization, SEKOM) in g  # incoming
    assert (SEKOM, ORG.hasMember, HANINGE) in g  # own
    assert g.value(HANINGE, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")) is not None  # link label


def test_municipality_document_lists_its_memberships(docs):
    g = docs["municipality/0136"].graph
    assert (HANINGE, ORG.hasMembership, MEMBERSHIP) in g
    assert (MEMBERSHIP, ORG.member, HANINGE) in g


def test_document_metadata_names_topic_dataset_licence_and_version(docs):
    doc = URIRef(BASE + "doc/municipality/0136")
    g = docs["municipality/0136"].graph
    assert (doc, FOAF.primaryTopic, HANINGE) in g
    assert (doc, DCTERMS.isPartOf, URIRef(ID + "dataset/klimatsamarbeten")) in g
    assert (doc, DCTERMS.license, URIRef("http://creativecommons.org/publicdomain/zero/1.0/")) in g
    assert (doc, OWL.versionInfo, Literal("test-version")) in g


def test_a_description_holds_no_other_resources_own_facts(docs):
    g = docs["municipality/0136"].graph
    other = URIRef(ID + "municipality/0138")
    assert (other, None, None) not in g


def test_vocabulary_documents(docs):
    term = URIRef(BASE + "def/Municipality")
    assert (term, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"), ORG.FormalOrganization) in \
        docs["def/Municipality"].graph
    assert len(docs["def"].graph) > 100  # the whole vocabulary


def test_page_model_reads_memberships_as_people_do(docs, graphs, terms):
    model = page_model(docs["municipality/0136"], *graphs, BASE, None, terms=terms)
    sekom = [m for m in model["memberships"] if m["other"]["iri"] == str(SEKOM)]
    assert sekom and sekom[0]["since"] == "2007" and sekom[0]["role"] == {"sv": "medlem", "en": "member"}
    sources = {s["iri"]: s for s in model["sources"]}
    assert sources[ID + "source/haninge-klimatsamarbeten-2018"]["date"] == "2018-05-17"
    json.dumps(model)  # plain data


def test_non_http_iris_are_never_links(docs, graphs, terms):
    found = []
    for doc in docs.values():
        model = page_model(doc, *graphs, BASE, None, terms=terms)
        for section in model["sections"]:
            for row in section["rows"]:
                found += [v for v in row["values"] if v.get("iri", "").startswith("mailto:")]
    assert found  # the contact point's e-mail address
    assert all(v["href"] is None for v in found)


@pytest.mark.parametrize(("iri", "href"), [
    (ID + "municipality/0136", "/doc/municipality/0136"),
    (ID + "membership/a--b#period", "/doc/membership/a--b#period"),
    (BASE + "def/", "/doc/def"),
    ("https://www.haninge.se", "https://www.haninge.se"),
    ("mailto:info@example.org", None),
    ("urn:isbn:123", None),
    ("javascript:alert(1)", None),
])
def test_href_of(iri, href):
    assert href_of(iri, BASE) == href


def test_script_json_cannot_close_the_script_element():
    text = str(script_json({"name": "</script><script>alert(1)</script> & <!--"}))
    assert "</script" not in text.lower() and "<!--" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & <!--"}


@pytest.mark.parametrize(("href", "lang", "out"), [
    ("/doc/x", "en", "/doc/x?lang=en"),
    ("/doc/x#period", "en", "/doc/x?lang=en#period"),
    ("/", "sv", "/?lang=sv"),
    ("https://example.org/", "en", "https://example.org/"),
    ("/dumps/a.ttl", "en", "/dumps/a.ttl"),
    ("/doc/x", None, "/doc/x"),
])
def test_links_keep_an_explicit_language(href, lang, out):
    assert with_lang(href, lang) == out


def test_every_internal_link_on_every_page_leads_to_a_document(docs, graphs, terms):
    keys = set(docs)
    hrefs = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("href"), str) and node["href"].startswith("/doc/"):
                hrefs.add(node["href"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for doc in docs.values():
        walk(page_model(doc, *graphs, BASE, keys, terms=terms))
    assert len(hrefs) > 100
    missing = {h for h in hrefs if h[5:].split("#", 1)[0] not in keys}
    assert missing == set()


def test_fragment_sections_have_readable_headings(docs, graphs, terms):
    model = page_model(docs["membership/haninge--sveriges-ekokommuner"], *graphs, BASE, set(docs), terms=terms)
    headings = {s["anchor"]: s["label"] for s in model["sections"] if s["anchor"]}
    assert headings["period"] == {"sv": "Medlemsperiod", "en": "Membership period"}
    assert headings["start"]["en"] == "Start"
