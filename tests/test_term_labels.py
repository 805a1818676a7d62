"""Labels of reused terms: English from the vocabularies' published data, Swedish from our reviewed
file, inverse properties with labels of their own, and the fallback order listed at build time."""

from __future__ import annotations

import re

import pytest
import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, ORG, PROV, SKOS

from publisher.dataset.term_labels import REVIEWED_FILE, load_term_labels, readable
from publisher.errors import ConfigError
from publisher.release.labels import TERM_LABELS_FILE, TermLabels, humanised, inverse_label, label_of
from publisher.settings import VOCABULARIES_DIR

from .conftest import BASE, ROOT

EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture(scope="module")
def terms() -> TermLabels:
    return load_term_labels(VOCABULARIES_DIR, ROOT / "ontology", BASE)


@pytest.mark.parametrize(("term", "en"), [
    (DCAT.servesDataset, "serves dataset"),   # DCAT's own label
    (DCTERMS.accessRights, "access rights"),  # DCTERMS's 'Access Rights', in sentence case
    (ORG.memberDuring, "member during"),      # ORG's 'member During'
    (PROV.wasDerivedFrom, "was derived from"),  # PROV-O publishes its local name as the label
    (SKOS.prefLabel, "preferred label"),
    (URIRef("https://schema.org/location"), "location"),  # schema.org, under the https IRIs we use
])
def test_english_labels_come_from_the_published_vocabularies(terms, term, en):
    assert label_of(term, terms=terms)["en"] == en


@pytest.mark.parametrize(("term", "sv"), [
    (DCAT.servesDataset, "försörjer datamängd"),
    (URIRef(EU + "access-right/PUBLIC"), "Publik"),
    (URIRef(EU + "data-theme/ENVI"), "Miljö"),
    (URIRef(EU + "file-type/RDF_TURTLE"), "Turtle"),
    (URIRef(EU + "planned-availability/STABLE"), "Stabil"),
])
def test_swedish_labels_and_eu_values_come_from_the_reviewed_file(terms, term, sv):
    assert label_of(term, terms=terms)["sv"] == sv


def test_every_reviewed_label_names_a_declared_source():
    body = yaml.safe_load((ROOT / "ontology" / REVIEWED_FILE).read_text(encoding="utf-8"))
    entries = [*body["terms"].values(), *body["inverse"].values()]
    assert len(entries) > 150
    assert all(entry["source"] in body["sources"] for entry in entries)


def test_a_label_without_a_source_is_refused(tmp_path):
    (tmp_path / REVIEWED_FILE).write_text(
        "sources: {project: ours}\nprefixes: {dcat: 'http://www.w3.org/ns/dcat#'}\n"
        "terms:\n  dcat:theme: {sv: tema}\ninverse: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="dcat:theme"):
        load_term_labels(None, tmp_path, BASE)


@pytest.mark.parametrize(("prop", "sv", "en"), [
    (DCTERMS.isPartOf, "består av", "has part"),
    (DCTERMS.hasPart, "ingår i", "is part of"),
    (ORG.hasMember, "medlem i", "member of"),
    (PROV.wasDerivedFrom, "källa till", "source of"),
])
def test_inverse_properties_have_their_own_labels(terms, prop, sv, en):
    assert inverse_label(prop, terms=terms) == {"sv": sv, "en": en}


def test_an_inverse_from_the_vocabularys_owl_inverse_of_needs_no_entry(terms):
    # ORG declares org:memberOf owl:inverseOf org:hasMember; time:hasBeginning has none, so not here
    assert terms.inverse["http://www.w3.org/ns/org#memberOf"]["en"] == "has member"


def test_no_inverse_label_is_a_phrase_built_around_the_forward_one(terms):
    doubled = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
    for iri, label in terms.inverse.items():
        for text in label.values():
            assert not doubled.search(text), (iri, text)
            assert not text.startswith(("is is", "är är")), (iri, text)


def test_fallback_order_is_page_language_then_other_language_then_local_name():
    table = TermLabels({"http://ex.org/a": {"en": "only english"}})
    assert label_of(URIRef("http://ex.org/a"), terms=table) == {"sv": "only english", "en": "only english"}
    assert label_of(URIRef("http://ex.org/ns#servesDataset"), terms=table) == {"sv": "serves dataset",
                                                                              "en": "serves dataset"}
    listed = table.listing()
    assert any("<http://ex.org/a> in sv: en label" in line for line in listed)
    assert any("servesDataset> in en: local name" in line for line in listed)


def test_a_missing_inverse_is_listed_and_shown_with_an_arrow_not_a_phrase():
    table = TermLabels({"http://ex.org/p": {"sv": "pekar på", "en": "points to"}})
    assert inverse_label(URIRef("http://ex.org/p"), Graph(), terms=table) == {"sv": "← pekar på", "en": "← points to"}
    assert any("inverse of <http://ex.org/p>" in line for line in table.listing())


@pytest.mark.parametrize(("raw", "words"), [
    ("servesDataset", "serves dataset"), ("JSON_LD", "JSON LD"), ("accessRights", "access rights"),
])
def test_humanised_local_names(raw, words):
    assert humanised("http://ex.org/" + raw) == words


@pytest.mark.parametrize(("published", "shown"), [
    ("Date Issued", "date issued"), ("wasDerivedFrom", "was derived from"), ("download URL", "download URL"),
])
def test_published_labels_in_sentence_case(published, shown):
    assert readable(published) == shown


def test_the_release_carries_the_table_and_the_build_lists_its_fallbacks(built, settings):
    table = TermLabels.from_json((settings.current_release / TERM_LABELS_FILE).read_bytes())
    assert table.terms[str(DCAT.servesDataset)] == {"en": "serves dataset", "sv": "försörjer datamängd"}
    listed = (settings.current_release / "pages" / "label-fallbacks.txt").read_text(encoding="utf-8")
    assert "in en: sv label" in listed  # a Swedish source title shown on an English page
