"""/catalog and /.well-known/void on the real server, harvested as the portals harvest them."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from markupsafe import escape
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from publisher.dataset import conformance
from publisher.dataset.describe import PROFILE_IRIS, SPDX
from publisher.namespaces import VOID

from .conftest import BASE, ROOT
from .harvest import PARSERS, client_without_accept, harvest, local, parse_response
from .test_catalog_build import AP_DIR, accepted_ap_warning

SE = PROFILE_IRIS["dcat-ap-se"]
AP = PROFILE_IRIS["dcat-ap"]
DATASETS = {URIRef(BASE + "id/dataset/klimatsamarbeten"), URIRef(BASE + "id/dataset/klimatsamarbeten-vocabulary"),
            # the CC BY 4.0 part derived from the JRC's Covenant of Mayors data (issue 12; no files of its own)
            URIRef(BASE + "id/dataset/klimatsamarbeten-part-jrc-gcom-mycovenant-2024")}


DISTRIBUTIONS = 18  # 16 RDF dumps (data and vocabulary, 4 formats, plain and gzip) + 2 tables of the statistics


def check_distributions(graph: Graph, server: str) -> int:
    """Every distribution's byte size and SHA-256 match the bytes served at its download URL."""
    distributions = set(graph.subjects(RDF.type, DCAT.Distribution))
    with httpx.Client(timeout=30) as client:
        for dist in distributions:
            url = graph.value(dist, DCAT.downloadURL)
            response = client.get(local(str(url), BASE, server))
            assert response.status_code == 200, url
            body = response.content
            assert graph.value(dist, DCAT.byteSize).toPython() == len(body), url
            checksum = graph.value(dist, SPDX.checksum)
            assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest(), url
    return len(distributions)


def test_swedish_portal_harvest_head_then_get_without_accept(live_server, built):
    with client_without_accept() as client:
        head = client.head(live_server.url + "/catalog")
        assert head.status_code == 200
        assert head.headers["content-type"].startswith("application/rdf+xml")
        assert head.content == b""
        result = harvest(client, live_server.url + "/catalog", BASE, live_server.url, headers={})
    assert all(ct.startswith("application/rdf+xml") for ct in result.content_types)
    assert len(result.pages) == 1
    found = set(result.graph.subjects(RDF.type, DCAT.Dataset))
    assert found == DATASETS
    assert check_distributions(result.graph, live_server.url) == DISTRIBUTIONS


@pytest.mark.parametrize(("profile", "accept"), [
    ("dcat-ap", "text/turtle"),            # ckanext-dcat asks for Turtle / RDF
    ("dcat-ap", "application/ld+json"),    # piveau reads JSON-LD as well
    ("dcat-ap-se", "application/n-triples"),
])
def test_harvesters_asking_for_a_profile_and_format_find_every_dataset_and_distribution(
        live_server, built, profile, accept):
    with httpx.Client(timeout=30, follow_redirects=False) as client:
        result = harvest(client, f"{live_server.url}/catalog?_profile={profile}", BASE, live_server.url,
                         headers={"Accept": accept})
    assert {ct.split(";")[0] for ct in result.content_types} == {accept}
    assert set(result.graph.subjects(RDF.type, DCAT.Dataset)) == DATASETS
    assert check_distributions(result.graph, live_server.url) == DISTRIBUTIONS


@pytest.fixture(scope="module")
def served(live_server, built) -> dict[tuple[str, str], Graph]:
    out = {}
    with httpx.Client(timeout=30) as client:
        for profile in ("dcat-ap-se", "dcat-ap"):
            for media_type in PARSERS:
                r = client.get(f"{live_server.url}/catalog", params={"_profile": profile},
                               headers={"Accept": media_type})
                assert r.status_code == 200
                out[(profile, media_type)] = parse_response(r)
    return out


@pytest.mark.parametrize("profile", ["dcat-ap-se", "dcat-ap"])
def test_served_formats_of_a_profile_hold_the_same_graph(served, profile):
    reference = served[(profile, "application/n-triples")]
    for media_type in PARSERS:
        assert isomorphic(served[(profile, media_type)], reference), media_type


def test_served_dcat_ap_se_bytes_conform_to_dcat_ap_se(served):
    check = conformance.check_se(served[("dcat-ap-se", "application/rdf+xml")],
                                 conformance.se_shapes(ROOT / "shapes"))
    assert check.conforms, check.text


def test_served_dcat_ap_bytes_conform_to_dcat_ap_with_only_accepted_warnings(served):
    g = served[("dcat-ap", "text/turtle")]
    check = conformance.check_ap(g, conformance.ap_shapes(AP_DIR), AP_DIR)
    assert check.checked and check.conforms, check.text
    assert [r for r in check.results if not accepted_ap_warning(r[1], r[2], g)] == []


def test_served_dcat_ap_se_bytes_fail_dcat_ap_on_dct_format(served):
    """The reason for two profiles: DCAT-AP-SE's literal dct:format violates DCAT-AP's range."""
    check = conformance.check_ap(served[("dcat-ap-se", "text/turtle")], conformance.ap_shapes(AP_DIR), AP_DIR)
    assert not check.conforms
    assert {r[2] for r in check.results if r[0].endswith("Violation")} == {str(DCTERMS.format)}


NEGOTIATION = [
    # (query, headers, status, media type, profile IRI)
    ("", {}, 200, "application/rdf+xml", SE),
    ("", {"Accept": "*/*"}, 200, "application/rdf+xml", SE),
    # a browser gets the HTML page (test_a_browser_gets_the_catalogue_as_a_page); the RDF stays one link away
    ("?_mediatype=application/rdf%2Bxml", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, 200,
     "application/rdf+xml", SE),
    ("?_profile=dcat-ap", {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, 200, "application/rdf+xml", AP),
    ("", {"Accept": "text/turtle"}, 200, "text/turtle", SE),
    ("", {"Accept": "application/ld+json"}, 200, "application/ld+json", SE),
    ("", {"Accept": "application/n-triples"}, 200, "application/n-triples", SE),
    ("", {"Accept-Profile": f"<{AP}>"}, 200, "application/rdf+xml", AP),
    ("", {"Accept-Profile": f"<{SE}>", "Accept": "text/turtle"}, 200, "text/turtle", SE),
    ("", {"Accept-Profile": f"<urn:example:unknown>, <{AP}>;q=0.5"}, 200, "application/rdf+xml", AP),
    ("", {"Accept-Profile": f"<{AP}>;q=0.2, <{SE}>;q=0.9"}, 200, "application/rdf+xml", SE),
    ("", {"Accept-Profile": "<urn:example:unknown>"}, 406, None, None),
    ("", {"Accept-Profile": "@@@ , ;;"}, 200, "application/rdf+xml", SE),  # unparseable: ignored
    ("?_profile=dcat-ap", {}, 200, "application/rdf+xml", AP),
    (f"?_profile={AP}", {}, 200, "application/rdf+xml", AP),
    ("?_profile=dcat-ap-se", {"Accept-Profile": f"<{AP}>"}, 200, "application/rdf+xml", SE),
    ("?_profile=dcat-ap&_mediatype=text/turtle", {"Accept": "application/rdf+xml"}, 200, "text/turtle", AP),
    ("?_mediatype=application/ld+json", {}, 200, "application/ld+json", SE),
    ("?_profile=unknown", {}, 406, None, None),
    ("?_mediatype=image/png", {}, 406, None, None),
    ("?page=1", {}, 200, "application/rdf+xml", SE),
    ("?page=0", {}, 400, None, None),
    ("?page=abc", {}, 400, None, None),
    ("?page=%C2%B2", {}, 400, None, None),            # a superscript two: isdigit() but not a number
    ("?page=99999999999999999999", {}, 400, None, None),
    # a long unknown profile is an unknown profile (406), not an absent header; over 8 KB: 431 says why
    ("", {"Accept-Profile": "<" + "x" * 5000 + ">"}, 406, None, None),
    ("", {"Accept-Profile": "<" + "x" * 9000 + ">"}, 431, None, None),
    ("", {"Accept-Profile": f"<{AP}>;q=abc, <{SE}>;q=0.1"}, 200, "application/rdf+xml", SE),
    ("?page=2", {}, 404, None, None),
]


@pytest.mark.parametrize(("query", "headers", "status", "media_type", "profile"), NEGOTIATION)
def test_catalog_negotiates_profile_and_format(live_server, query, headers, status, media_type, profile):
    with client_without_accept() as client:
        r = client.get(live_server.url + "/catalog" + query, headers=headers)
    assert r.status_code == status, r.text
    if status != 200:
        assert "Traceback" not in r.text and r.text.strip()
        return
    assert r.headers["content-type"].split(";")[0] == media_type
    assert r.headers["content-profile"] == f"<{profile}>"
    assert {v.strip() for v in r.headers["vary"].split(",")} >= {"Accept", "Accept-Profile"}
    assert f'<{profile}>; rel="profile"' in r.headers["link"]
    alternates = [x for x in r.headers["link"].split(", <") if 'rel="alternate"' in x]
    assert len(alternates) == 7  # the other 7 of 2 profiles x 4 formats (W3C conneg-by-profile)
    assert len(parse_response(r)) > 100


def test_catalog_answers_304_to_a_matching_etag_per_variant(live_server):
    with httpx.Client(timeout=30) as client:
        first = client.get(live_server.url + "/catalog", headers={"Accept": "text/turtle"})
        etag = first.headers["etag"]
        again = client.get(live_server.url + "/catalog", headers={"Accept": "text/turtle", "If-None-Match": etag})
        other = client.get(live_server.url + "/catalog?_profile=dcat-ap", headers={"Accept": "text/turtle"})
    assert again.status_code == 304 and again.content == b""
    assert other.headers["etag"] != etag
    assert "last-modified" in first.headers


def test_catalogue_is_its_own_iri_and_has_a_single_page_view(live_server):
    with httpx.Client(timeout=30) as client:
        g = parse_response(client.get(live_server.url + "/catalog", headers={"Accept": "text/turtle"}))
    catalog = URIRef(BASE + "catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in g
    hydra = "http://www.w3.org/ns/hydra/core#"
    view = g.value(catalog, URIRef(hydra + "view"))
    assert (view, RDF.type, URIRef(hydra + "PartialCollectionView")) in g
    assert g.value(view, URIRef(hydra + "next")) is None
    assert g.value(view, URIRef(hydra + "totalItems")).toPython() == len(DATASETS)


def test_void_is_served_at_the_well_known_address_and_announced(live_server, built, settings):
    with httpx.Client(timeout=30) as client:
        r = client.get(live_server.url + "/.well-known/void")
        landing = client.get(live_server.url + "/")
        head = client.head(live_server.url + "/.well-known/void", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = parse_response(r)
    data = Graph().parse(settings.current_release / "klimatsamarbeten.nt", format="nt")
    dataset = URIRef(BASE + "id/dataset/klimatsamarbeten")
    assert g.value(dataset, VOID.triples).toPython() == len(data)
    assert (URIRef(BASE + ".well-known/void"), RDF.type, VOID.DatasetDescription) in g
    assert head.status_code == 200 and head.headers["content-type"].startswith("application/ld+json")
    assert f'<{BASE}.well-known/void>; rel="describedby"' in landing.headers["link"]
    assert 'href="/.well-known/void"' in landing.text and 'href="/catalog"' in landing.text


def test_alternate_links_lead_to_the_profile_and_format_they_announce(live_server):
    with httpx.Client(timeout=30) as client:
        r = client.get(live_server.url + "/catalog")
        alternates = [x for x in r.headers["link"].split(", <") if 'rel="alternate"' in x]
        for item in alternates:
            target = item.lstrip("<").split(">", 1)[0]
            media_type = item.split('type="', 1)[1].split('"', 1)[0]
            profile = item.split('profile="', 1)[1].split('"', 1)[0]
            answer = client.get(local(target, BASE, live_server.url))
            assert answer.status_code == 200, target
            assert answer.headers["content-type"].split(";")[0] == media_type
            assert answer.headers["content-profile"] == f"<{profile}>"


def test_a_trailing_slash_redirects_only_with_a_status_the_portal_follows(live_server):
    with client_without_accept() as client:
        r = client.get(live_server.url + "/catalog/")
        assert r.status_code in {301, 303, 307, 308}
        assert r.headers["location"].endswith("/catalog")
        result = harvest(client, live_server.url + "/catalog/", BASE, live_server.url, headers={})
    assert set(result.graph.subjects(RDF.type, DCAT.Dataset)) == DATASETS


def test_accept_profile_is_split_outside_iris_and_read_in_full() -> None:
    from publisher.web.catalog import parse_accept_profile

    assert parse_accept_profile("<urn:x:a,b>;q=0.4, <urn:y>") == [("urn:y", 1.0), ("urn:x:a,b", 0.4)]
    many = ", ".join(f"<urn:unknown:{i}>;q=0.1" for i in range(100)) + f", <{AP}>;q=0.5"
    assert parse_accept_profile(many)[0] == (AP, 0.5)  # the 101st item is not dropped


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_a_browser_gets_the_catalogue_as_a_page(live_server, accept):
    """Issue 14: /catalog with Accept: text/html is a page listing every dataset and distribution."""
    with httpx.Client(timeout=30) as client:
        r = client.get(live_server.url + "/catalog", headers={"Accept": accept, "Accept-Language": "en"})
        rdf = client.get(live_server.url + "/catalog", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert {v.strip() for v in r.headers["vary"].split(",")} >= {"Accept", "Accept-Profile", "Accept-Language"}
    alternates = [x for x in r.headers["link"].split(", <") if 'rel="alternate"' in x]
    assert len(alternates) == 8  # every profile in every RDF format
    graph = Graph().parse(data=rdf.text, format="turtle")
    page = r.text
    for dist in set(graph.subjects(RDF.type, DCAT.Distribution)):
        url = graph.value(dist, DCAT.downloadURL) or graph.value(dist, DCAT.accessURL)
        assert f'href="{url}"' in page, url
        size = graph.value(dist, DCAT.byteSize)
        assert f"{int(size):,} bytes" in page, size  # English grouping (Babel, en)
    for ds in set(graph.subjects(RDF.type, DCAT.Dataset)):
        titles = {str(t) for t in graph.objects(ds, DCTERMS.title) if t.language == "en"}
        assert any(str(escape(t)) in page for t in titles), titles
    assert "SHA-256" in page and "CC0 1.0" in page
    assert ">http://publications.europa.eu" not in page  # EU code values are shown by their labels
    for token in ("dcat-ap-se", "dcat-ap"):
        for media in ("application/rdf+xml", "text/turtle", "application/ld+json", "application/n-triples"):
            assert f'href="/catalog?_profile={token}&amp;_mediatype={media.replace("+", "%2B")}"' in page


@pytest.mark.parametrize(("query", "headers", "file"), [
    ("", {}, "dcat-ap-se.page1.rdf"),
    ("", {"Accept": "text/turtle", "Accept-Profile": f"<{AP}>"}, "dcat-ap.page1.ttl"),
    ("?_profile=dcat-ap", {"Accept": "application/ld+json"}, "dcat-ap.page1.p.jsonld"),
    (f"?_profile={AP}", {}, "dcat-ap.page1.p.rdf"),  # a profile IRI: the page whose links carry its token
    ("?_mediatype=ttl", {}, "dcat-ap-se.page1.m.ttl"),  # a format key: the page whose links carry the media type
    ("?_mediatype=application/x-turtle&_profile=dcat-ap-se&page=1", {}, "dcat-ap-se.page1.p.m.ttl"),
])
def test_catalog_pages_are_served_as_the_build_wrote_them(live_server, built, settings, query, headers, file):
    """The web parses and serialises nothing: each answer is a page file of the release, byte for byte,
    its ETag the strong ETag of those bytes."""
    from publisher.release.manifest import CATALOGUE_PAGES
    from publisher.web.caching import strong_etag

    with client_without_accept() as client:
        r = client.get(live_server.url + "/catalog" + query, headers=headers)
    assert r.status_code == 200
    written = (settings.current_release / CATALOGUE_PAGES / file).read_bytes()
    assert r.content == written
    assert r.headers["etag"] == strong_etag(written)
