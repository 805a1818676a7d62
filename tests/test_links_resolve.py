"""No broken links of our own: every IRI of the dataset, vocabulary and catalogue dereferences."""

from __future__ import annotations

import httpx
from rdflib import Graph, URIRef

from .conftest import BASE


def _own_iris(release) -> set[str]:
    graph = Graph()
    for name in ("klimatsamarbeten.nt", "ontology.nt", "catalog-dcat-ap.nt", "catalog-dcat-ap-se.nt"):
        graph.parse(release / name, format="nt")
    iris = {str(t).split("#", 1)[0] for triple in graph for t in triple
            if isinstance(t, URIRef) and str(t).startswith(BASE + "id/")}
    return iris


def test_every_id_iri_in_data_vocabulary_and_catalogue_dereferences(live_server, settings):
    iris = _own_iris(settings.current_release)
    assert len(iris) > 150
    broken = []
    with httpx.Client(base_url=live_server.url) as client:
        for iri in sorted(iris):
            path = "/" + iri[len(BASE):]
            r = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
            if r.status_code != 200 or not r.headers["content-type"].startswith("text/turtle"):
                broken.append((path, r.status_code))
    assert broken == []


def test_dataset_page_links_its_publisher_contact_and_distributions(live_server):
    r = httpx.get(live_server.url + "/doc/dataset/klimatsamarbeten.ttl")
    graph = Graph().parse(data=r.text, format="turtle")
    dcat = "http://www.w3.org/ns/dcat#"
    distributions = set(graph.objects(URIRef(BASE + "id/dataset/klimatsamarbeten"), URIRef(dcat + "distribution")))
    assert len(distributions) >= 8
    for iri in ("id/agent/klimatsamarbeten-lod", "id/contact/klimatsamarbeten-lod"):
        page = httpx.get(f"{live_server.url}/{iri}", headers={"Accept": "text/html"}, follow_redirects=True)
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]


def test_id_root_is_the_linked_data_entry_point_and_redirects_to_the_dataset(live_server):
    r = httpx.get(live_server.url + "/id/", headers={"Accept": "text/turtle"})
    assert r.status_code == 303 and r.headers["location"].endswith("/doc/dataset/klimatsamarbeten.ttl")
    assert "Accept" in r.headers["vary"]
