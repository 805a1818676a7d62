"""HEAD answers like GET on every route, on the real server: same status, same headers, no body.

Harvesters and link checkers (ckanext-dcat, dataportal.se, data.europa.eu) probe with HEAD first;
a 405 there reports a download as broken. The walk covers one URL of every route class (checked
against the app's own route table, so a new route without one fails here), every file SHA256SUMS
lists and every download and access URL of the catalogue, each plainly, as a browser, and with the
conditional and range headers whose answers (304, 412, 206) must not differ either.
"""

from __future__ import annotations

import re
import warnings

import httpx
import pytest
from rdflib import Graph
from rdflib.namespace import DCAT

from publisher.web.app import create_app

from .conftest import BASE
from .harvest import local

ROUTE_CLASSES = [
    "/", "/?lang=en", "/id/", "/id/municipality/0136", "/def/", "/def/Municipality",
    "/doc/municipality/0136", "/doc/municipality/0136.ttl", "/doc/municipality/0136.html", "/doc/def",
    "/sitemap.xml", "/robots.txt", "/favicon.svg", "/favicon.ico",
    "/sparql", "/sparql?query=ASK%20%7B%7D",
    "/queries", "/queries/members-per-network", "/queries/members-per-network.csv",
    "/queries/networks-of-municipality.json?municipality=0136",
    "/data/observations.csv", "/data/observations.json", "/data/indicator/vaxthusgaser-per-invanare.csv",
    "/data/municipality/0126.json",
    "/catalog", "/catalog?_profile=dcat-ap", "/.well-known/void",
    "/dumps/", "/dumps/SHA256SUMS", "/dumps/manifest.json", "/releases/0000/SHA256SUMS",
    "/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css",
    "/search?q=hanin", "/static/search.js", "/accessibility", "/reconcile", "/reconcile/suggest/entity?prefix=han",
    "/reconcile/properties?type=municipality", "/reconcile/preview?id=municipality/0136", "/reconcile/en",
    "/reconcile/en/suggest/type?prefix=k", "/reconcile/en/properties", "/reconcile/en/preview?id=county/01",
    # errors answer HEAD like GET too
    "/nowhere", "/doc/nothing", "/dumps/nope.ttl", "/queries/nope", "/data/nope.csv", "/static/yasgui/nope.js",
    "/queries/networks-of-municipality.csv?municipality=x",
    "/search?q=x&limit=0", "/static/nope.js", "/reconcile/preview?id=nope", "/reconcile/suggest/nope",
]
VARIANTS = {
    "plain": {},
    "browser": {"accept": "text/html,application/xhtml+xml,*/*;q=0.8", "accept-language": "en"},
    "turtle": {"accept": "text/turtle"},
    "unacceptable": {"accept": "image/png"},
    "if-match-fails": {"if-match": '"not-this-one"'},
    "stale-since": {"if-unmodified-since": "Mon, 01 Jan 2001 00:00:00 GMT"},
    "range": {"range": "bytes=0-9"},
}
IGNORED = {"date", "server-timing"}  # the time of the answer; /sparql: engine time or cache hit


def head_matches_get(client: httpx.Client, url: str, headers: dict[str, str]) -> httpx.Response:
    get = client.get(url, headers=headers)
    head = client.head(url, headers=headers)
    assert head.status_code == get.status_code, (url, headers, get.status_code, head.status_code)
    assert head.content == b"", url

    def fields(response: httpx.Response) -> list[tuple[str, str]]:
        return sorted((k.lower(), v) for k, v in response.headers.multi_items() if k.lower() not in IGNORED)

    assert fields(head) == fields(get), (url, headers)
    if "content-length" in get.headers:
        assert int(head.headers["content-length"]) == len(get.content), url
    return get


def catalogue_urls(client: httpx.Client, server: str) -> tuple[set[str], set[str]]:
    graph = Graph().parse(data=client.get(server + "/catalog", headers={"accept": "text/turtle"}).text,
                          format="turtle")
    downloads = {local(str(o), BASE, server) for o in graph.objects(None, DCAT.downloadURL)}
    access = {local(str(o), BASE, server) for o in graph.objects(None, DCAT.accessURL)}
    return downloads, access


def listed_files(client: httpx.Client, server: str) -> list[str]:
    sums = client.get(server + "/dumps/SHA256SUMS").text.splitlines()
    return [server + "/dumps/" + line.split("  ", 1)[1] for line in sums]


def test_every_route_class_of_the_app_is_walked(settings, built):
    """Each GET route the app registers has a URL in ROUTE_CLASSES (the dereferencing paths too)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # FastAPI warns about the HEAD operations' shared ids
        paths = create_app(settings).openapi()["paths"]
    templates = [path for path, ops in paths.items() if "get" in ops]
    assert len(templates) >= 9
    for template in templates:
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^?]+", re.escape(template)) + r"(\?.*)?$"
        assert any(re.match(pattern, url) for url in ROUTE_CLASSES), template


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_head_answers_like_get_on_every_route_class(site_server, variant):
    with httpx.Client(timeout=30) as client:
        for path in ROUTE_CLASSES:
            head_matches_get(client, site_server.url + path, VARIANTS[variant])


def test_head_answers_like_get_on_every_catalogue_download_and_listed_file(site_server):
    with httpx.Client(timeout=30) as client:
        downloads, access = catalogue_urls(client, site_server.url)
        assert len(downloads) == 18  # the catalogue's distributions (test_catalog_web.DISTRIBUTIONS)
        files = listed_files(client, site_server.url)
        assert len(files) > 100
        for url in sorted(downloads | access | set(files)):
            for headers in VARIANTS.values():
                head_matches_get(client, url, headers)
            head = client.head(url)
            assert head.status_code == 200 and head.headers["accept-ranges"] == "bytes", url


def test_head_answers_like_get_when_the_copy_is_current(site_server):
    """If-None-Match / If-Modified-Since with the validators of the GET: 304 for both methods."""
    with httpx.Client(timeout=30) as client:
        urls = [site_server.url + p for p in ROUTE_CLASSES] + listed_files(client, site_server.url)
        current = 0
        for url in urls:
            first = client.get(url)
            if "etag" not in first.headers:
                continue
            for headers in ({"if-none-match": first.headers["etag"]},
                            {"if-modified-since": first.headers.get("last-modified", "")}):
                again = head_matches_get(client, url, headers)
                current += again.status_code == 304
        assert current > 200
