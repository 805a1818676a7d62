"""The static export under nginx answers as `publisher serve` does.

For every URL in the sitemap (and the other read-only URLs of the site), crossed with the Accept
and Accept-Language headers real clients send, both servers give the same status, Content-Type,
Location, ETag, the same negotiation and caching headers, and the same body bytes. The intended
differences are listed in docs/deployment.md ("What the static site answers differently").

Where the headers come from:
- browsers: MDN, "List of default Accept values" (Firefox 92+, Safari/Chrome)
  https://developer.mozilla.org/en-US/docs/Web/HTTP/Content_negotiation/List_of_default_Accept_values
  and Chrome's navigation header as Chromium sends it (tests/test_deref_http.py);
- curl: `*/*` (its default; MDN's Accept page shows it);
- rdflib 7.6.0, `Graph().parse(url)`: rdflib/parser.py URLInputSource, the media types of every
  registered parser (recorded from a real run against a loopback server), and with format="turtle";
- SPARQLWrapper 2.0.0, CONSTRUCT/DESCRIBE with its default XML return format: Wrapper.py
  `_getAcceptHeader` -> `_RDF_XML`;
- Comunica 4 (`@comunica/query-sparql`, ActorHttpFetch 4.5.0) dereferencing a document: recorded
  from a real run against a loopback server (Accept and Accept-Language);
- YASGUI (`@zazuko/yasgui` in node_modules): `acceptHeaderGraph`;
- a DCAT harvester (the catalogue tests' header) and the plain RDF types.
"""

from __future__ import annotations

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import httpx
import pytest

from .test_conneg import CASES as CONNEG_CASES
from .test_conneg import GRAMMAR_CASES

FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
          "application/signed-exchange;v=b3;q=0.7")
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDFLIB = ("application/rdf+xml, text/n3, text/turtle, application/n-triples, application/ld+json, "
          "application/n-quads, application/trix, application/trig")
RDFLIB_TURTLE = "text/turtle, application/x-turtle, */*;q=0.1"
SPARQLWRAPPER = "application/rdf+xml"
COMUNICA = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
            "text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,application/xml;q=0.3,image/svg+xml;q=0.3,"
            "text/xml;q=0.3,text/html;q=0.2,application/xhtml+xml;q=0.18,application/json;q=0.135,"
            "text/shaclc;q=0.1,text/shaclc-ext;q=0.05")
YASGUI = "application/n-triples,*/*;q=0.9"
HARVESTER = "application/rdf+xml, text/turtle;q=0.9, */*;q=0.1"

# (name, Accept, Accept-Language); None: the header is not sent
CLIENTS = [
    ("firefox-sv", FIREFOX, "sv-SE,sv;q=0.8,en-US;q=0.5,en;q=0.3"),
    ("chrome-en", CHROME, "en-US,en;q=0.9"),
    ("safari", SAFARI, "en-GB,en;q=0.9"),
    ("curl", "*/*", None),
    ("no-headers", None, None),
    ("rdflib", RDFLIB, None),
    ("rdflib-turtle", RDFLIB_TURTLE, None),
    ("sparqlwrapper", SPARQLWRAPPER, None),
    ("comunica", COMUNICA, "*"),
    ("yasgui", YASGUI, "sv"),
    ("harvester", HARVESTER, None),
    ("jsonld-expanded", 'application/ld+json;profile="http://www.w3.org/ns/json-ld#expanded"', None),
    ("nothing-we-have", "image/png", "de"),
]
COMPARED = ("content-type", "location", "etag", "last-modified", "cache-control", "vary", "link",
            "content-location", "content-language", "content-profile", "access-control-allow-origin",
            "access-control-expose-headers", "x-content-type-options", "allow", "release-version",
            "repr-digest")


class Client:
    """A keep-alive HTTP/1.1 client with little overhead per request (the standard library's
    http.client: tens of thousands of requests are compared, httpx would take most of the time)."""

    def __init__(self, base: str):
        self.base = base
        self.host, self.port = urlsplit(base).hostname, urlsplit(base).port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def answer(self, path: str, headers: dict, method: str = "GET") -> dict:
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()  # the server closed a kept-alive connection: once more
                if attempt == 2:
                    raise
        if response.getheader("connection", "").lower() == "close":
            self.connection.close()
        out = {"status": response.status, "body": body}
        out.update({name: response.headers.get_all(name) or [] for name in COMPARED})
        # an absolute Location (Starlette's slash redirects) names the host the client asked: this server
        out["location"] = [v.replace(self.base, "<this server>") for v in out["location"]]
        # Starlette lists a route's methods from a set, in an order that varies by process: compare the set
        out["allow"] = sorted(m.strip() for value in out["allow"] for m in value.split(","))
        return out


def compare(serve: str, static: str, requests: list[tuple[str, dict[str, str], str]]) -> list[str]:
    """Each request against both servers; a line per difference."""
    def run(base: str) -> list[dict]:
        client = Client(base)
        try:
            return [client.answer(path, headers, method) for path, headers, method in requests]
        finally:
            client.connection.close()

    with ThreadPoolExecutor(2) as pool:
        a, b = pool.map(run, (serve, static))
    problems = []
    for (path, headers, method), x, y in zip(requests, a, b, strict=True):
        for field in ("status", *COMPARED, "body"):
            if x[field] != y[field]:
                shown = (x[field][:120], y[field][:120]) if field == "body" else (x[field], y[field])
                asked = str(headers) if len(str(headers)) < 300 else str(headers)[:300] + "…"
                problems.append(f"{method} {path} {asked}: {field} differs: serve={shown[0]!r} static={shown[1]!r}")
                break
    return problems


def client_headers() -> list[dict[str, str]]:
    out = []
    for _, accept, language in CLIENTS:
        h = {}
        if accept is not None:
            h["accept"] = accept
        if language is not None:
            h["accept-language"] = language
        out.append(h)
    return out


@pytest.fixture(scope="module")
def sitemap_paths(live_server) -> list[str]:
    import re

    text = httpx.get(live_server.url + "/sitemap.xml").text
    paths = [urlsplit(u).path for u in re.findall(r"<loc>([^<]+)</loc>", text)]
    assert len(paths) > 600, "the sitemap lists every document"
    return paths


def test_every_sitemap_url_answers_alike_for_every_client(live_server, static_server, sitemap_paths):
    requests = [(path, headers, "GET") for path in sitemap_paths for headers in client_headers()]
    assert len(requests) == len(sitemap_paths) * len(CLIENTS)
    problems = compare(live_server.url, static_server.url, requests)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:15])


OTHER_PATHS = [
    "/id/municipality/0136", "/id/", "/id", "/def/", "/def/Commitment", "/def/commitment", "/def/nothing",
    "/id/municipality/0136.ttl", "/id/nothing/here", "/doc/municipality/0136.html", "/doc/municipality/0136.ttl",
    "/doc/municipality/0136?lang=en", "/doc/municipality/0136.html?lang=sv", "/doc/municipality/0136?format=ttl",
    "/doc/municipality/0136?format=text/turtle", "/doc/municipality/0136?format=application/ld+json",
    "/doc/municipality/0136?format=bogus", "/doc/municipality/0136?page=1", "/doc/municipality/0136?page=2",
    "/doc/municipality/0136?page=0", "/doc/municipality/0136?page=x%27y", "/doc/nothing", "/doc/municipality/0136.xyz",
    "/id/municipality/0136?lang=en", "/?lang=en", "/", "/sitemap.xml", "/robots.txt",
    "/catalog", "/catalog?page=2", "/catalog?page=0", "/catalog?_profile=dcat-ap", "/catalog?_profile=nope",
    "/catalog?_mediatype=text/turtle", "/catalog?_profile=dcat-ap&_mediatype=application/ld%2Bjson",
    "/catalog?_mediatype=image/png", "/.well-known/void", "/.well-known/void?_mediatype=nt", "/dumps/",
    "/dumps/klimatsamarbeten.ttl", "/dumps/klimatsamarbeten.ttl.gz", "/dumps/manifest.json", "/dumps/SHA256SUMS",
    "/dumps/nothing.ttl", "/data/observations.csv", "/data/observations.json", "/data/nothing/here.csv",
    "/data/observations.xml", "/no/such/page", "/dumps", "/catalog/", "/.well-known/void/", "/sparql/",
    "/catalog/?page=2", "/catalog?lang=en", "/catalog?lang=sv&page=2", "/catalog?lang=EN", "/catalog?page=x",
    # spelled otherwise than the catalogue's links spell them: the page whose links use the canonical spelling
    "/catalog?_profile=https://semiceu.github.io/DCAT-AP/releases/3.0.1", "/catalog?_mediatype=ttl",
    "/catalog?_profile=https%3A%2F%2Fdocs.dataportal.se%2Fdcat%2Fen%2F&_mediatype=application/x-turtle&page=1",
    "/catalog?_mediatype=application/ld%20json",
]


def test_the_other_read_only_urls_answer_alike(live_server, static_server):
    requests = [(path, headers, "GET") for path in OTHER_PATHS for headers in client_headers()]
    requests += [(path, {"accept": "text/turtle"}, method) for path in OTHER_PATHS for method in ("HEAD", "OPTIONS")]
    problems = compare(live_server.url, static_server.url, requests)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:15])


def test_slices_charts_and_multi_page_documents_answer_alike(live_server, static_server):
    files = httpx.get(live_server.url + "/dumps/").json()["files"]
    paths = [f"/dumps/{name}" for name in files if name.endswith(".svg")][:20]
    paths += [f"/data/{name[5:].replace('--', '/', 1)}" for name in files
              if name.startswith(("cube-indicator--", "cube-municipality--")) and name.endswith((".csv", ".json"))
              and name.count("--") == 1]
    paths += ["/doc/indicator/vaxthusgaser-per-invanare", "/doc/indicator/vaxthusgaser-per-invanare?page=2"]
    paths += [f"/releases/{files and httpx.get(live_server.url + '/dumps/').json()['version']}/klimatsamarbeten.nt",
              "/releases/0000/klimatsamarbeten.nt"]
    requests = [(path, headers, "GET") for path in paths for headers in client_headers()[:4]]
    problems = compare(live_server.url, static_server.url, requests)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:15])


def test_conditional_requests_answer_alike(live_server, static_server):
    etag = httpx.get(live_server.url + "/doc/municipality/0136.ttl").headers["etag"]
    since = httpx.get(live_server.url + "/doc/municipality/0136.ttl").headers["last-modified"]
    conditions = [{"if-none-match": etag}, {"if-none-match": f'W/{etag}, "x"'}, {"if-none-match": '"other"'},
                  {"if-none-match": "*"}, {"if-match": etag}, {"if-match": f'"other", {etag}'}, {"if-match": '"other"'},
                  {"if-match": f"W/{etag}"}, {"if-match": "*"},
                  {"if-modified-since": since}, {"if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT"},
                  {"if-unmodified-since": "Thu, 01 Jan 1970 00:00:00 GMT"}, {"if-unmodified-since": since},
                  {"if-none-match": '"other"', "if-modified-since": since}]
    paths = ["/doc/municipality/0136.ttl", "/doc/municipality/0136", "/catalog", "/dumps/klimatsamarbeten.nt",
             "/data/observations.csv", "/sitemap.xml", "/"]
    requests = [(path, {"accept": "text/turtle", **c}, "GET") for path in paths for c in conditions]
    problems = compare(live_server.url, static_server.url, requests)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:15])


def test_negotiation_table_chooses_alike(live_server, static_server):
    """Every Accept header of the conneg unit tests (hostile ones included), on a document and on /id/."""
    accepts = sorted({case[1] for case in [*CONNEG_CASES, *GRAMMAR_CASES] if isinstance(case[1], str)})
    assert len(accepts) > 20
    # a field value's surrounding whitespace is not part of it (RFC 9110 §5.5): h11 refuses to send it
    requests = [(path, {"accept": accept.strip().encode()}, "GET") for accept in accepts
                for path in ("/doc/municipality/0136", "/id/municipality/0136", "/", "/catalog")]
    problems = compare(live_server.url, static_server.url, requests)
    assert not problems, f"{len(problems)} differences, first ones:\n" + "\n".join(problems[:15])


def test_sparql_is_proxied_to_the_sparql_service(live_server, static_server):
    query = "ASK { ?s ?p ?o }"
    a = httpx.get(live_server.url + "/sparql", params={"query": query},
                  headers={"accept": "application/sparql-results+json"})
    b = httpx.get(static_server.url + "/sparql", params={"query": query},
                  headers={"accept": "application/sparql-results+json"})
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json() == {"head": {}, "boolean": True}
