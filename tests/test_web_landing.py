"""`publisher serve` on a real uvicorn: landing page and dumps over real HTTP."""

from __future__ import annotations

import hashlib

import httpx


def test_landing_page_lists_every_dump_with_checksum(live_server, settings):
    r = httpx.get(live_server.url + "/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for name in ("klimatsamarbeten.ttl", "klimatsamarbeten.nt", "klimatsamarbeten.jsonld", "klimatsamarbeten.rdf"):
        assert f'href="/dumps/{name}"' in r.text
        digest = hashlib.sha256((settings.current_release / name).read_bytes()).hexdigest()
        assert digest in r.text


def test_dump_is_served_byte_for_byte_with_its_media_type(live_server, settings):
    r = httpx.get(live_server.url + "/dumps/klimatsamarbeten.ttl")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == (settings.current_release / "klimatsamarbeten.ttl").read_bytes()
    gz = httpx.get(live_server.url + "/dumps/klimatsamarbeten.nt.gz")
    assert gz.headers["content-type"] == "application/gzip"


def test_unknown_or_traversing_dump_names_are_404_not_500(live_server):
    for path in ("/dumps/nope.ttl", "/dumps/..%2F..%2Fpyproject.toml", "/dumps/%2e%2e/manifest.json",
                 "/dumps/current", "/nowhere"):
        r = httpx.get(live_server.url + path)
        assert r.status_code == 404, path
        assert "Traceback" not in r.text


def test_serve_without_a_build_exits_2_with_a_hint(tmp_path):
    import subprocess
    import sys

    from .conftest import ROOT

    result = subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "--dist", str(tmp_path),
                             "serve", "--port", "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "run `publisher build`" in result.stderr


def test_serve_refuses_a_release_built_by_an_older_publisher(tmp_path):
    import json
    import subprocess
    import sys

    from .conftest import ROOT

    release = tmp_path / "releases" / "old"
    release.mkdir(parents=True)
    (release / "manifest.json").write_text(json.dumps({"version": "old", "base_uri": "http://x/", "files": {}}))
    (tmp_path / "current").symlink_to("releases/old")
    result = subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "--dist", str(tmp_path),
                             "serve", "--port", "1"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "built by an older publisher" in result.stderr
    assert "Traceback" not in result.stderr


def test_landing_page_for_people_void_description_for_rdf_clients(live_server):
    for accept in (None, "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"):
        page = httpx.get(live_server.url + "/", headers={"accept": accept} if accept else {})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "Accept" in page.headers["vary"] and "Accept-Language" in page.headers["vary"]
    for accept, media_type in (("text/turtle", "text/turtle"), ("application/ld+json", "application/ld+json"),
                               ("application/rdf+xml;q=1, text/html;q=0.5", "application/rdf+xml")):
        first = httpx.get(live_server.url + "/", headers={"accept": accept})
        assert first.status_code == 303 and first.headers["location"] == "/.well-known/void"
        assert first.headers["vary"] == "Accept"
        void = httpx.get(live_server.url + "/", headers={"accept": accept}, follow_redirects=True)
        assert void.status_code == 200 and void.headers["content-type"].startswith(media_type)
        assert b"void" in void.content.lower()
