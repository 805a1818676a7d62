"""Content negotiation at its edges over real HTTP: quoted strings, hundreds of ranges, long headers.

The cases of issue 17 that answered the wrong format, against `publisher serve`: a quoted comma in
a profile got HTML instead of JSON-LD, the 500th range was dropped (406 instead of Turtle), and an
8 KB header that matches nothing was read as absent (Turtle instead of 406). A header longer than
the parser reads is refused with 431 and a sentence saying why, on every route behind the
dereferencing layer.
"""

from __future__ import annotations

import httpx
import pytest

from publisher.web.conneg import MAX_HEADER

DOC = "/doc/municipality/0136"
MANY = ", ".join(f"x/y{i}" for i in range(499)) + ", text/turtle;q=0.5"


@pytest.mark.parametrize(("accept", "status", "media_type"), [
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted,x", text/html;q=0.1', 200,
     "application/ld+json"),
    ('application/ld+json;profile="http://www.w3.org/ns/json-ld#compacted"', 200, "application/ld+json"),
    (MANY, 200, "text/turtle"),
    ("application/" + "x" * (8192 - len("application/")), 406, None),  # 8 KB, the case
], ids=["quoted_comma_in_profile", "compacted_profile", "500_ranges", "8_kb_type_matching_nothing"])
def test_documents_answer_the_format_the_header_asks_for(site_server, accept, status, media_type):
    r = httpx.get(site_server.url + DOC, headers={"accept": accept})
    assert r.status_code == status
    if media_type:
        assert r.headers["content-type"].split(";")[0] == media_type
        if media_type == "application/ld+json":
            assert "@context" in r.json()
    else:
        assert "available" in r.text


def test_the_500th_range_counts_on_the_catalogue_and_canned_queries_too(site_server):
    catalog = httpx.get(site_server.url + "/catalog", headers={"accept": MANY})
    assert catalog.status_code == 200 and catalog.headers["content-type"].startswith("text/turtle")
    canned = httpx.get(site_server.url + "/queries/members-per-network",
                       headers={"accept": ", ".join(f"x/y{i}" for i in range(499)) + ", text/csv;q=0.5"})
    assert canned.status_code == 200 and canned.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize("path", [DOC, "/", "/id/municipality/0136", "/catalog", "/queries",
                                  "/queries/members-per-network", "/data/observations.csv",
                                  "/dumps/klimatsamarbeten.ttl", "/nowhere"])
@pytest.mark.parametrize("header", ["accept", "accept-language"])
def test_an_over_long_negotiation_header_is_refused_with_431_saying_why(site_server, path, header):
    item = "text/html" if header == "accept" else "en"
    # just over the negotiation limit, under the 32 KB of header fields the HTTP layer refuses itself
    value = ", ".join([item] * (MAX_HEADER // (len(item) + 2) + 10))
    for method in ("GET", "HEAD"):
        r = httpx.request(method, site_server.url + path, headers={header: value})
        assert r.status_code == 431, (method, path)
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        if method == "GET":
            assert f"{len(value)} characters" in r.text and f"at most {MAX_HEADER}" in r.text
    assert httpx.get(site_server.url + path, headers={header: value[:MAX_HEADER].rstrip(", ")}).status_code != 431
