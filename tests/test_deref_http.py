"""Dereferencing over real HTTP, against both ways of serving a release (`site_server`): `publisher serve`
under uvicorn and the static export under nginx (`make serve-static`), on 127.0.0.1, real clients."""

from __future__ import annotations

import email.utils
import json
import re

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, ORG, TIME

from .conftest import BASE

HANINGE = URIRef(BASE + "id/municipality/0136")
MEMBERSHIP = URIRef(BASE + "id/membership/haninge--sveriges-ekokommuner")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
COMUNICA = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
            "text/turtle;q=0.6,application/rdf+xml;q=0.5,*/*;q=0.1")
RDFLIB = "application/rdf+xml, text/rdf+n3, application/xml"
SPARQLWRAPPER = "application/rdf+xml"
YASGUI = "application/n-triples,*/*;q=0.9"
HARVESTER = "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1"

# (id, Accept, expected format suffix)
CLIENTS = [
    ("no_accept", None, "ttl"),
    ("curl", "*/*", "ttl"),
    ("firefox", FIREFOX, "html"),
    ("chrome", CHROME, "html"),
    ("safari", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
    ("rdflib", RDFLIB, "rdf"),
    ("sparqlwrapper", SPARQLWRAPPER, "rdf"),
    ("comunica", COMUNICA, "jsonld"),
    ("yasgui", YASGUI, "nt"),
    ("harvester", HARVESTER, "rdf"),
    ("turtle", "text/turtle", "ttl"),
    ("jsonld", "application/ld+json", "jsonld"),
    ("json", "application/json", "jsonld"),
    ("ntriples", "application/n-triples", "nt"),
    ("text_plain", "text/plain", "nt"),
    ("xhtml", "application/xhtml+xml", "html"),
    ("q_zero_turtle", "text/turtle;q=0, */*", "html"),
    ("garbage", "¤¤¤ not a media type", "ttl"),
]
CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "html": "text/html; charset=utf-8",
                 "jsonld": "application/ld+json", "rdf": "application/rdf+xml",
                 "nt": "application/n-triples; charset=utf-8"}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}


def get(server, path, **headers) -> httpx.Response:
    return httpx.get(server.url + path, follow_redirects=False,
                     headers={k.replace("_", "-"): v.encode() for k, v in headers.items() if v is not None})


def test_client_table_is_complete():
    assert len(CLIENTS) == 18


@pytest.mark.parametrize(("accept", "fmt"), [c[1:] for c in CLIENTS], ids=[c[0] for c in CLIENTS])
def test_thing_uri_answers_303_to_the_document_the_client_asked_for(site_server, accept, fmt):
    r = get(site_server, "/id/municipality/0136", accept=accept)
    assert r.status_code == 303
    expected = "/doc/municipality/0136" + ("" if fmt == "html" else f".{fmt}")
    assert r.headers["location"] == expected
    assert "Accept" in r.headers["vary"]
    assert r.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("accept", "fmt"), [c[1:] for c in CLIENTS], ids=[c[0] for c in CLIENTS])
def test_document_url_negotiates_exact_media_type(site_server, accept, fmt):
    r = get(site_server, "/doc/municipality/0136", accept=accept)
    assert r.status_code == 200
    assert r.headers["content-type"] == CONTENT_TYPES[fmt]
    assert r.headers["vary"] == "Accept, Accept-Language"
    assert r.headers["content-location"] == f"/doc/municipality/0136.{fmt}"
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf", "nt"])
def test_rdf_variants_parse_back_with_the_resource_triples(site_server, fmt):
    r = get(site_server, f"/doc/membership/haninge--sveriges-ekokommuner.{fmt}", accept=FIREFOX)  # suffix wins
    assert r.headers["content-type"] == CONTENT_TYPES[fmt]
    assert "vary" not in r.headers  # a fixed-format URL never negotiates
    g = Graph().parse(data=r.content, format=RDFLIB_FORMATS[fmt])
    period, start = URIRef(f"{MEMBERSHIP}#period"), URIRef(f"{MEMBERSHIP}#start")
    assert (MEMBERSHIP, ORG.member, HANINGE) in g
    assert (MEMBERSHIP, ORG.memberDuring, period) in g
    assert (start, TIME.inXSDgYear, Literal("2007", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear"))) in g
    assert (URIRef(BASE + "doc/membership/haninge--sveriges-ekokommuner"), FOAF.primaryTopic, MEMBERSHIP) in g


def test_rdflib_as_a_client_follows_the_303_and_gets_the_description(site_server):
    g = Graph().parse(site_server.url + "/id/organisation/sveriges-ekokommuner")
    sekom = URIRef(BASE + "id/organisation/sveriges-ekokommuner")
    assert (sekom, ORG.hasMember, HANINGE) in g
    assert (MEMBERSHIP, ORG.organization, sekom) in g  # incoming: the network's memberships


def test_vocabulary_namespace_and_terms_dereference(site_server):
    assert get(site_server, "/def/", accept="text/turtle").headers["location"] == "/doc/def.ttl"
    assert get(site_server, "/def/Municipality", accept=FIREFOX).headers["location"] == "/doc/def/Municipality"
    g = Graph().parse(data=get(site_server, "/doc/def/Municipality.ttl").content, format="turtle")
    assert (URIRef(BASE + "def/Municipality"), URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
            ORG.FormalOrganization) in g
    page = get(site_server, "/doc/def", accept=FIREFOX, accept_language="en")
    assert page.status_code == 200 and "Municipality" in page.text and "organisation number" in page.text


def test_format_parameter_overrides_accept(site_server):
    r = get(site_server, "/doc/municipality/0136?format=jsonld", accept=FIREFOX)
    assert r.headers["content-type"] == "application/ld+json"
    assert get(site_server, "/id/municipality/0136?format=nt").headers["location"] == "/doc/municipality/0136.nt"
    assert get(site_server, "/doc/municipality/0136?format=application/ld+json").headers["content-type"] == \
        "application/ld+json"
    bad = get(site_server, "/doc/municipality/0136?format=pdf")
    assert bad.status_code == 400 and "ttl" in bad.text


def test_unsatisfiable_accept_is_406_listing_the_formats(site_server):
    for path in ("/id/municipality/0136", "/doc/municipality/0136"):
        r = get(site_server, path, accept="image/png")
        assert r.status_code == 406
        for media in ("text/html", "text/turtle", "application/ld+json", "application/rdf+xml",
                      "application/n-triples"):
            assert media in r.text


@pytest.mark.parametrize(("accept", "ctype", "marker"), [
    (FIREFOX, "text/html", " 404</h1>"),  # "Fel 404" / "Error 404" in the page's language
    ("application/json", "application/problem+json", '"status": 404'),
    ("text/turtle", "text/plain", "404:"),
    (None, "text/plain", "404:"),
])
def test_unknown_uri_is_404_in_the_negotiated_form(site_server, accept, ctype, marker):
    for path in ("/id/municipality/9999", "/doc/municipality/9999", "/doc/municipality/0136.pdf", "/def/Nothing",
                 "/nowhere"):
        r = get(site_server, path, accept=accept)
        assert r.status_code == 404, path
        assert r.headers["content-type"].startswith(ctype), path
        assert marker in r.text, path


GARBAGE = [
    {"accept": "text/html;q=2;;;,*/*;q=-1"},
    {"accept": "a" * 10000},
    {"accept": '"unterminated, text/turtle'},
    {"accept": "*/html"},
    {"accept": ",,,;;;==="},
    {"accept-language": "💥;q=0.5,,,;q="},
    {"accept-language": "x" * 9000},
    {"if-none-match": "garbage"},
    {"if-modified-since": "not a date"},
    {"if-modified-since": "Mon, 99 Foo 99999 99:99:99 GMT"},
]


@pytest.mark.parametrize("headers", GARBAGE, ids=[f"garbage{i}" for i in range(len(GARBAGE))])
def test_garbage_headers_never_cause_a_5xx(site_server, headers):
    for path in ("/", "/id/municipality/0136", "/doc/municipality/0136", "/doc/municipality/0136.html",
                 "/doc/x?format=%ff%00", "/doc/municipality/0136?lang=%00&format="):
        r = httpx.get(site_server.url + path, headers={k: v.encode() for k, v in headers.items()})
        assert r.status_code < 500, (path, headers, r.status_code)
        assert "Traceback" not in r.text


def test_garbage_query_strings_never_cause_a_5xx(site_server):
    for query in ("format=%ff", "lang=%ff%fe", "format=text/turtle&format=html", "lang=en&lang=sv&lang=xx",
                  "&&&==", "format=" + "x" * 5000):
        r = httpx.get(site_server.url + "/doc/municipality/0136?" + query)
        assert r.status_code < 500, query


def test_head_is_get_without_a_body(site_server):
    for path in ("/doc/municipality/0136", "/doc/municipality/0136.html", "/id/municipality/0136", "/"):
        g = httpx.get(site_server.url + path, headers={"accept": FIREFOX})
        h = httpx.head(site_server.url + path, headers={"accept": FIREFOX})
        assert h.status_code == g.status_code and h.content == b""
        assert h.headers.get("etag") == g.headers.get("etag")
        assert h.headers.get("content-length") == g.headers.get("content-length")


def test_options_and_cors_never_with_credentials(site_server):
    r = httpx.request("OPTIONS", site_server.url + "/doc/municipality/0136",
                      headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET",
                               "Access-Control-Request-Headers": "if-none-match"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "GET" in r.headers["access-control-allow-methods"] and "GET" in r.headers["allow"]
    assert "access-control-allow-credentials" not in r.headers
    g = get(site_server, "/doc/municipality/0136", origin="https://example.org")
    assert g.headers["access-control-allow-origin"] == "*" and "access-control-allow-credentials" not in g.headers
    assert "ETag" in g.headers["access-control-expose-headers"]


def test_other_methods_are_405(site_server):
    r = httpx.post(site_server.url + "/doc/municipality/0136", content=b"x")
    assert r.status_code == 405 and "GET" in r.headers["allow"]


def test_link_headers_and_link_elements_name_every_format_and_the_canonical_page(site_server):
    r = get(site_server, "/doc/municipality/0136", accept=FIREFOX)
    link = r.headers["link"]
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("rdf", "application/rdf+xml"),
                       ("nt", "application/n-triples")):
        assert f'</doc/municipality/0136.{ext}>; rel="alternate"; type="{media}"' in link
        assert f'<link rel="alternate" type="{media}" href="/doc/municipality/0136.{ext}"' in r.text
    assert '</doc/municipality/0136>; rel="canonical"' in link
    assert '<link rel="canonical" href="/doc/municipality/0136">' in r.text
    assert "Link" in get(site_server, "/doc/municipality/0136.ttl").headers["access-control-expose-headers"]


def test_strong_etag_304_and_if_modified_since(site_server, built):
    r = get(site_server, "/doc/municipality/0136.ttl")
    etag = r.headers["etag"]
    assert etag.startswith(f'"{built.version}-') and not etag.startswith("W/")
    assert "max-age" in r.headers["cache-control"]
    not_modified = get(site_server, "/doc/municipality/0136.ttl", if_none_match=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert get(site_server, "/doc/municipality/0136.ttl", if_none_match='"other"').status_code == 200
    last = email.utils.parsedate_to_datetime(r.headers["last-modified"])
    assert get(site_server, "/doc/municipality/0136.ttl",
               if_modified_since=email.utils.format_datetime(last, usegmt=True)).status_code == 304
    # representations of one resource never share an ETag
    etags = {get(site_server, f"/doc/municipality/0136.{ext}").headers["etag"]
             for ext in ("ttl", "nt", "rdf", "jsonld")}
    etags |= {get(site_server, "/doc/municipality/0136.html", accept_language=lang).headers["etag"]
              for lang in ("sv", "en")}
    assert len(etags) == 6


def test_html_language_by_accept_language_and_switch(site_server):
    sv = get(site_server, "/doc/municipality/0136", accept=FIREFOX, accept_language="sv-SE,sv;q=0.9")
    en = get(site_server, "/doc/municipality/0136", accept=FIREFOX, accept_language="en-US,en;q=0.9")
    assert '<html lang="sv">' in sv.text and "medlem sedan 2007" in sv.text
    assert '<html lang="en">' in en.text and "member since 2007" in en.text
    assert sv.headers["content-language"] == "sv" and en.headers["content-language"] == "en"
    assert "Accept-Language" in sv.headers["vary"]
    forced = get(site_server, "/doc/municipality/0136?lang=en", accept=FIREFOX, accept_language="sv")
    assert '<html lang="en">' in forced.text
    assert 'href="/doc/organisation/sveriges-ekokommuner?lang=en"' in forced.text  # the choice sticks
    assert 'href="/doc/municipality/0136?lang=sv"' in sv.text and 'href="/doc/municipality/0136?lang=en"' in sv.text


def test_html_page_shows_sources_with_dates_formats_and_a_sparql_link(site_server, settings):
    page = get(site_server, "/doc/municipality/0136.html", accept_language="en").text
    assert "last modified" in page and "2018-05-17" in page
    assert "/sparql?query=DESCRIBE%20%3Chttp%3A%2F%2F127.0.0.1%3A8000%2Fid%2Fmunicipality%2F0136%3E" in page
    assert '<script type="application/ld+json">' in page
    keys = json.loads((settings.current_release / "pages" / "site.json").read_text())["documents"]
    pages = [get(site_server, f"/doc/{key}.html").text for key in keys
             if key.startswith(("dataset/", "contact/"))]  # where the contact point's e-mail is
    assert any("mailto:" in p for p in pages)
    assert not any('href="mailto:' in p for p in pages)  # shown as text, never as a link
    network = get(site_server, "/doc/organisation/sveriges-ekokommuner.html", accept_language="sv").text
    assert "Haninge kommun" in network and "medlem sedan 2007" in network


def test_html_links_resolve(site_server):
    page = get(site_server, "/doc/municipality/0136.html").text
    hrefs = sorted({h for h in re.findall(r'href="(/doc/[^"#]*)', page)})
    assert len(hrefs) > 10
    for href in hrefs:
        assert get(site_server, href.replace("&amp;", "&"), accept=FIREFOX).status_code == 200, href


def test_landing_page_presents_networks_municipalities_dumps_and_services(site_server):
    r = get(site_server, "/", accept=FIREFOX, accept_language="en")
    assert r.status_code == 200 and r.headers["vary"] == "Accept, Accept-Language" and r.headers["etag"]
    for href in ('/doc/organisation/sveriges-ekokommuner', '/doc/municipality/0136', '/sparql', '/catalog',
                 '/.well-known/void', '/dumps/klimatsamarbeten.ttl', '/sitemap.xml'):
        assert f'href="{href}"' in r.text, href
    assert "Networks and collaborations" in r.text
    assert f'<{BASE}.well-known/void>; rel="describedby"' in r.headers["link"]
    assert "Nätverk och samarbeten" in get(site_server, "/", accept_language="sv").text


def test_sitemap_and_robots(site_server):
    sitemap = get(site_server, "/sitemap.xml")
    assert sitemap.status_code == 200 and sitemap.headers["content-type"].startswith("application/xml")
    assert f"<loc>{BASE}doc/municipality/0136</loc>" in sitemap.text and sitemap.text.count("<loc>") > 100
    robots = get(site_server, "/robots.txt")
    assert robots.status_code == 200 and f"Sitemap: {BASE}sitemap.xml" in robots.text
