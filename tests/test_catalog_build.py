"""The build describes the release in DCAT-AP-SE 3.0.1, DCAT-AP 3.0.1 and VoID, and validates it."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF

from publisher.dataset import conformance
from publisher.dataset.describe import PROFILES, SPDX
from publisher.dataset.dump import FORMATS
from publisher.dataset.pipeline import build
from publisher.dataset.se_shapes import generate
from publisher.errors import ValidationFailure
from publisher.namespaces import VOID

from .conftest import BASE, ROOT, SHARED

SE_DIR = SHARED / "conformance" / "dcat-ap-se-3.0.1"
AP_DIR = SHARED / "conformance" / "dcat-ap-3.0.1" / "html" / "shacl"
DATASET = URIRef(BASE + "id/dataset/klimatsamarbeten")
CATALOG = URIRef(BASE + "catalog")
VOCABULARY = URIRef(BASE + "id/dataset/klimatsamarbeten-vocabulary")


def accepted_ap_warning(focus: str, path: str, g: Graph) -> bool:
    """The only DCAT-AP recommended-property warnings we accept, because meeting them would mean
    inventing facts: dcat:bbox / dcat:centroid of a dct:Location (no source of ours gives
    geometries), a temporal coverage for the vocabulary (a vocabulary has none), and a distribution
    of the CC BY 4.0 part (it has no files of its own: it is in the data set's dumps and served by
    the SPARQL endpoint and the linked-data interface)."""
    if path in (str(DCAT.bbox), str(DCAT.centroid)):
        return (URIRef(focus), RDF.type, DCTERMS.Location) in g
    if path == str(DCAT.distribution):
        return (URIRef(focus), DCTERMS.isPartOf, DATASET) in g
    return focus == str(VOCABULARY) and path == str(DCTERMS.temporal)


def catalogue(settings, profile: str, suffix: str = "nt") -> Graph:
    fmt = next(f for f in FORMATS if f.suffix == suffix)
    return Graph().parse(settings.current_release / f"catalog-{profile}.{suffix}", format=fmt.rdflib_format)


def test_shared_conformance_material_is_present():
    assert (SE_DIR / "bundle.json").is_file()
    for name in (*conformance.DCAT_AP_GATE, conformance.DCAT_AP_RECOMMENDED):
        assert (AP_DIR / name).is_file(), name


def test_settings_point_the_build_at_the_shared_dcat_ap_shapes(settings):
    assert settings.dcat_ap_shapes_dir.resolve() == AP_DIR.resolve()


@pytest.mark.parametrize("profile", PROFILES)
def test_release_has_each_profile_in_four_formats_listed_in_the_manifest(built, settings, profile):
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    reference = catalogue(settings, profile)
    for fmt in FORMATS:
        name = f"catalog-{profile}.{fmt.suffix}"
        assert name in manifest["files"], name
        assert isomorphic(catalogue(settings, profile, fmt.suffix), reference), name
    entry = manifest["catalog"]["profiles"][profile]
    assert entry["checked"] and entry["conforms"] and entry["violations"] == 0


@pytest.mark.parametrize("profile", PROFILES)
def test_release_has_every_page_of_each_profile_in_every_format_and_link_spelling(built, settings, profile):
    """What /catalog serves, written by the build: the page is the whole catalogue with its Hydra view
    (one page today), and each spelling of the links is its own file, in the manifest."""
    from publisher.release.formats import BY_KEY, CATALOG_ORDER
    from publisher.release.manifest import CATALOGUE_LINK_VARIANTS, CATALOGUE_PAGES, catalogue_page_name

    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    assert manifest["catalog"]["profiles"][profile]["pages"] == 1
    reference = catalogue(settings, profile)
    hydra = "http://www.w3.org/ns/hydra/core#"
    for key in CATALOG_ORDER:
        for with_profile, with_mediatype in CATALOGUE_LINK_VARIANTS:
            name = f"{CATALOGUE_PAGES}/{catalogue_page_name(profile, 1, key, with_profile, with_mediatype)}"
            assert name in manifest["files"], name
            page = Graph().parse(settings.current_release / name, format=BY_KEY[key].rdflib)
            view = page.value(URIRef(BASE + "catalog"), URIRef(hydra + "view"))
            assert ("_profile=" + profile in str(view)) == with_profile, view
            assert ("_mediatype=" in str(view)) == with_mediatype, view
            without_view = Graph()
            for t in page:
                if not str(t[1]).startswith(hydra) and t[0] != view:
                    without_view.add(t)
            assert isomorphic(without_view, reference), name


def test_every_dump_is_a_distribution_with_its_size_checksum_and_media_type(built, settings):
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    pattern = r"(klimatsamarbeten|ontology)\.(ttl|nt|jsonld|rdf)(\.gz)?"
    dumps = [n for n in manifest["files"] if re.fullmatch(pattern, n)]
    assert len(dumps) == 16
    dumps += ["cube-observations.csv", "cube-observations.json"]  # the statistics as tables
    for profile in PROFILES:
        g = catalogue(settings, profile)
        by_url = {str(g.value(d, DCAT.downloadURL)): d for d in g.subjects(RDF.type, DCAT.Distribution)}
        assert sorted(by_url) == sorted(BASE + "dumps/" + n for n in dumps)
        data_set = next(g.subjects(DCAT.distribution, by_url[BASE + "dumps/klimatsamarbeten.ttl"]))
        for name, media_type in (("cube-observations.csv", "text/csv"), ("cube-observations.json", "application/json")):
            dist = by_url[BASE + "dumps/" + name]
            assert (data_set, DCAT.distribution, dist) in g
            assert g.value(dist, DCAT.mediaType) == URIRef("http://www.iana.org/assignments/media-types/" + media_type)
        for name in dumps:
            dist = by_url[BASE + "dumps/" + name]
            assert str(dist).startswith(BASE + "id/distribution/")
            info = manifest["files"][name]
            assert g.value(dist, DCAT.byteSize).toPython() == info["bytes"]
            checksum = g.value(dist, SPDX.checksum)
            assert str(g.value(checksum, SPDX.checksumValue)) == info["sha256"]
            assert g.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
            # the data contains the JRC's CC BY 4.0 part, so its dumps are CC BY 4.0; the vocabulary is CC0
            licence = "publicdomain/zero/1.0/" if name.startswith("ontology") else "licenses/by/4.0/"
            assert g.value(dist, DCTERMS.license) == URIRef("http://creativecommons.org/" + licence)
            assert g.value(dist, DCTERMS.issued) is not None and g.value(dist, DCTERMS.modified) is not None


@pytest.mark.parametrize(("profile", "expected"), [
    ("dcat-ap-se", Literal("text/turtle")),
    ("dcat-ap", URIRef("http://publications.europa.eu/resource/authority/file-type/RDF_TURTLE")),
])
def test_the_profiles_differ_in_dct_format(built, settings, profile, expected):
    g = catalogue(settings, profile)
    dist = next(g.subjects(DCAT.downloadURL, URIRef(BASE + "dumps/klimatsamarbeten.ttl.gz")))
    assert list(g.objects(dist, DCTERMS.format)) == [expected]
    assert g.value(dist, DCAT.mediaType) == URIRef("http://www.iana.org/assignments/media-types/text/turtle")
    assert g.value(dist, DCAT.compressFormat) == URIRef("http://www.iana.org/assignments/media-types/application/gzip")


@pytest.mark.parametrize("profile", PROFILES)
def test_catalogue_has_no_blank_nodes_and_only_absolute_iris(built, settings, profile):
    g = catalogue(settings, profile)
    for triple in g:
        for term in triple:
            assert isinstance(term, (URIRef, Literal)), term
            if isinstance(term, URIRef):
                assert re.match(r"^(https?|mailto):", term), term


def test_catalogue_describes_services_publisher_contact_and_coverage(built, settings):
    g = catalogue(settings, "dcat-ap-se")
    services = set(g.objects(CATALOG, DCAT.service))
    assert {g.value(s, DCAT.endpointURL) for s in services} == {URIRef(BASE + "sparql"), URIRef(BASE + "id/")}
    part = URIRef(str(DATASET) + "-part-jrc-gcom-mycovenant-2024")
    for s in services:  # the data set and its CC BY 4.0 part (test_national.py)
        assert set(g.objects(s, DCAT.servesDataset)) == {DATASET, part}
    sparql = next(s for s in services if g.value(s, DCAT.endpointURL) == URIRef(BASE + "sparql"))
    assert g.value(sparql, DCTERMS.conformsTo) == URIRef("https://www.w3.org/TR/sparql11-protocol/")
    publisher = g.value(DATASET, DCTERMS.publisher)
    assert publisher == URIRef(BASE + "id/agent/klimatsamarbeten-lod")
    contact = g.value(DATASET, DCAT.contactPoint)
    email = str(g.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail")))
    assert email.startswith("mailto:") and email.endswith(".example")  # a placeholder, documented
    spatial = set(g.objects(DATASET, DCTERMS.spatial))
    assert URIRef("http://publications.europa.eu/resource/authority/country/SWE") in spatial
    assert URIRef(BASE + "id/county/01") in spatial and URIRef(BASE + "id/municipality/0136") in spatial
    themes = set(g.objects(DATASET, DCAT.theme))
    assert URIRef("http://publications.europa.eu/resource/authority/data-theme/ENVI") in themes
    assert g.value(CATALOG, DCTERMS.license) == URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


def test_dcat_ap_catalogue_conforms_and_only_geometry_warnings_remain(built, settings):
    g = catalogue(settings, "dcat-ap")
    check = conformance.check_ap(g, conformance.ap_shapes(AP_DIR), AP_DIR)
    assert check.checked and check.conforms, check.text
    assert check.warnings == len(check.results) > 0
    unexpected = [r for r in check.results if not accepted_ap_warning(r[1], r[2], g)]
    assert unexpected == [], unexpected


def test_dcat_ap_se_catalogue_conforms(built, settings):
    check = conformance.check_se(catalogue(settings, "dcat-ap-se"), conformance.se_shapes(settings.shapes_dir))
    assert check.conforms, check.text


def test_generated_dcat_ap_se_shapes_are_up_to_date():
    bundle = json.loads((SE_DIR / "bundle.json").read_text(encoding="utf-8"))
    checked_in = (ROOT / "shapes" / "catalog" / "dcat-ap-se-3.0.1.ttl").read_text(encoding="utf-8")
    assert generate(bundle) == checked_in, (
        "regenerate: python -m publisher.dataset.se_shapes ../shared/conformance/dcat-ap-se-3.0.1/bundle.json "
        "shapes/catalog/dcat-ap-se-3.0.1.ttl")


# DIGG's two example catalogues say "DCAT-AP-SE version 2". Against 3.0.1 they lack exactly what
# 3.0.1 made mandatory: the publisher's dct:type, and dct:format on distributions and data services.
NEW_IN_3 = {
    ("obligatoriskt", "http://xmlns.com/foaf/0.1/Agent", str(DCTERMS.type)),
    ("obligatoriskt", str(DCAT.Distribution), str(DCTERMS.format)),
    ("obligatoriskt", str(DCAT.DataService), str(DCTERMS.format)),
    ("rekommenderat", str(DCAT.DataService), str(DCTERMS.format)),
}


@pytest.mark.parametrize("example", ["obligatoriskt", "rekommenderat"])
@pytest.mark.parametrize("syntax", ["ttl", "rdf"])
def test_dcat_ap_se_shapes_accept_digg_examples_but_for_what_3_0_1_added(example, syntax):
    data = Graph().parse(SE_DIR / "exempel" / f"{example}.{syntax}", format="turtle" if syntax == "ttl" else "xml")
    shapes = conformance.se_shapes(ROOT / "shapes")
    import pyshacl
    from rdflib.namespace import SH

    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    found = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        if report.value(r, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(r, SH.focusNode)
        cls = {str(c) for c in data.objects(focus, RDF.type)}
        found.add((example, sorted(cls)[0], str(report.value(r, SH.resultPath))))
    assert found == {x for x in NEW_IN_3 if x[0] == example}


def test_void_counts_are_those_of_the_published_data(built, settings):
    data = Graph().parse(settings.current_release / "klimatsamarbeten.nt", format="nt")
    void = Graph().parse(settings.current_release / "void.ttl", format="turtle")
    assert void.value(DATASET, VOID.triples).toPython() == len(data)
    assert void.value(DATASET, VOID.distinctSubjects).toPython() == len(set(data.subjects()))
    assert void.value(DATASET, VOID.distinctObjects).toPython() == len(set(data.objects()))
    classes = {void.value(p, VOID["class"]): void.value(p, VOID.entities).toPython()
               for p in void.objects(DATASET, VOID.classPartition)}
    municipality = URIRef(BASE + "def/Municipality")
    assert classes[municipality] == len(set(data.subjects(RDF.type, municipality)))
    props = {void.value(p, VOID.property): void.value(p, VOID.triples).toPython()
             for p in void.objects(DATASET, VOID.propertyPartition)}
    assert sum(props.values()) == len(data)
    linkset = next(void.subjects(RDF.type, VOID.Linkset))
    same_as = [o for o in data.objects(None, OWL.sameAs) if str(o).startswith("http://www.wikidata.org/entity/")]
    assert void.value(linkset, VOID.triples).toPython() == len(same_as) > 0
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef(BASE + "sparql")
    assert URIRef(BASE + "dumps/klimatsamarbeten.nt.gz") in set(void.objects(DATASET, VOID.dataDump))
    assert URIRef("http://www.w3.org/ns/org#") in set(void.objects(DATASET, VOID.vocabulary))


def test_build_fails_and_publishes_nothing_when_the_catalogue_does_not_conform(private_settings):
    path = private_settings.data_dir / "dataset.yaml"
    text = path.read_text(encoding="utf-8")
    # Valid data, but DCAT-AP-SE wants the catalogue under CC0.
    path.write_text(text.replace("http://creativecommons.org/publicdomain/zero/1.0/",
                                 "http://creativecommons.org/licenses/by/4.0/"), encoding="utf-8")
    with pytest.raises(ValidationFailure, match="dcat-ap-se catalogue does not conform"):
        build(private_settings, progress=lambda _: None)
    assert not private_settings.current_release.exists()
    assert "CC0" in (private_settings.dist_dir / "failed-validation-report.txt").read_text()


def test_build_says_clearly_when_the_dcat_ap_shapes_are_absent(private_settings, tmp_path):
    settings = replace(private_settings, dcat_ap_shapes_dir=tmp_path / "no-such-folder")
    messages: list[str] = []
    build(settings, progress=messages.append)
    assert any("DCAT-AP 3.0.1 shapes not found" in m and "NOT validated" in m for m in messages), messages
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    assert manifest["catalog"]["profiles"]["dcat-ap"]["checked"] is False
    assert manifest["catalog"]["profiles"]["dcat-ap-se"]["checked"] is True


def test_every_theme_and_publisher_type_the_loader_allows_has_a_label():
    from publisher.dataset.describe import CONCEPT_LABELS, EU
    from publisher.dataset.specs import ADMS_PUBLISHER_TYPES, EU_DATA_THEMES

    assert len(EU_DATA_THEMES) == 13 and len(ADMS_PUBLISHER_TYPES) == 11
    for iri in [EU + "data-theme/" + t for t in EU_DATA_THEMES] + list(ADMS_PUBLISHER_TYPES):
        assert CONCEPT_LABELS[iri].get("en"), iri


@pytest.mark.parametrize(("old", "new", "field"), [
    ("data-theme/GOVE", "data-theme/XXXX", "themes"),
    ("publishertype/NonProfitOrganisation", "publishertype/Club", "type"),
    ("access-right/PUBLIC", "access-right/OPEN", "access_rights"),
])
def test_hand_kept_catalogue_fields_are_checked_by_the_loader(data_copy, old, new, field):
    from publisher.dataset.load import load
    from publisher.errors import SourceDataError

    path = data_copy / "dataset.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    with pytest.raises(SourceDataError, match=rf"dataset\.yaml:\d+: {field}"):
        load(data_copy)


def test_void_statistics_count_predicates_however_their_terms_are_shared():
    """void.statistics counts a predicate by its term object first (an observation's triples share
    theirs) and merges equal ones: the counts are those of a plain count of the triples."""
    from collections import Counter

    from rdflib import Literal

    from publisher.dataset.void import statistics

    shared_label = URIRef("http://www.w3.org/2000/01/rdf-schema#label")
    triples = []
    for i in range(50):
        s = URIRef(f"{BASE}id/thing/{i % 7}")
        p = shared_label if i % 2 else URIRef(str(shared_label))  # one object, and equal copies of it
        triples.append((s, p, Literal(f"label {i}")))
        triples.append((s, URIRef(str(RDF.type)), URIRef(f"{BASE}def/C{i % 3}")))
        if i % 5 == 0:
            triples.append((s, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/Q{i}")))
            triples.append((s, URIRef(str(OWL.sameAs)), URIRef(f"http://example.org/{i}")))
    triples = list(dict.fromkeys(triples))
    got = statistics(triples, BASE + "id/")
    assert got["triples"] == len(triples)
    assert got["properties"] == dict(Counter(p for _, p, _ in triples))
    assert got["classes"] == dict(Counter(o for _, p, o in triples if p == RDF.type))
    assert got["wikidata_links"] == sum(1 for _, p, o in triples if p == OWL.sameAs and "wikidata" in str(o)) == 10
    assert got["distinct_subjects"] == got["entities"] == 7
