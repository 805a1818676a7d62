"""`publisher export-static`: what it writes, that it writes it whole, and only once per release."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

import httpx

from publisher.static.export import export_static, map_key
from publisher.web.caching import strong_etag

from .conftest import ROOT


def etag_map(folder) -> dict[str, str]:
    text = (folder / "nginx" / "etags.map").read_text(encoding="utf-8")
    pairs = re.findall(r'^"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)";$', text, re.MULTILINE)
    return {re.sub(r"\\(.)", r"\1", k): re.sub(r"\\(.)", r"\1", v) for k, v in pairs}


def test_every_exported_file_is_in_the_map_with_its_own_strong_etag(static_server, settings):
    current = static_server.static_dir / "current"
    version = json.loads((current / "release.json").read_text())["version"]
    etags = etag_map(current)
    files = [p for p in (current / "site").rglob("*") if p.is_file()]
    assert len(files) > 5000
    for path in files:
        url = "/" + str(path.relative_to(current / "site"))
        if url == "/dumps-index.json" or url.startswith("/dumps/"):
            assert etags[map_key(url)] == strong_etag(path.read_bytes(), version), url
        elif url.startswith(("/catalog/", "/.well-known/")):  # the catalogue's ETags carry no version
            assert etags[map_key(url)] == strong_etag(path.read_bytes()), url
        else:
            assert etags[map_key(url)] == strong_etag(path.read_bytes(), version), url
    assert etags[map_key("/doc/def/Commitment.ttl")] != etags[map_key("/doc/def/commitment.ttl")]


def test_an_export_of_the_current_release_is_not_written_again(static_server, settings):
    before = (static_server.static_dir / "current").resolve()
    folder, written = export_static(settings, static_server.static_dir)
    assert not written and folder == before
    assert not [p for p in static_server.static_dir.iterdir() if p.name.startswith(".export-")]


def test_a_new_export_and_an_nginx_reload_under_load_cost_no_request(static_server, settings):
    """The site being served is never written over: a forced export goes into a new folder, current
    is switched with one rename, nginx keeps serving what it loaded until it is told to reload."""
    before = (static_server.static_dir / "current").resolve()
    stop, results, retried = threading.Event(), [], []

    def load() -> None:
        with httpx.Client(base_url=static_server.url) as client:
            while not stop.is_set():
                for path in ("/doc/municipality/0136", "/id/municipality/0136", "/catalog", "/dumps/SHA256SUMS"):
                    try:
                        results.append(client.get(path, headers={"accept": "text/turtle"}).status_code)
                    except (httpx.ReadError, httpx.RemoteProtocolError):
                        # a kept-alive connection the old worker closed as the request went out: the
                        # race of HTTP/1.1 persistence (RFC 9112 §9.3.1), after which clients retry an
                        # idempotent request on a new connection, as browsers do. Once, and counted.
                        retried.append(path)
                        try:
                            results.append(httpx.get(static_server.url + path,
                                                     headers={"accept": "text/turtle"}).status_code)
                        except httpx.HTTPError as exc:
                            results.append(repr(exc))
                    except httpx.HTTPError as exc:
                        results.append(repr(exc))

    runner = threading.Thread(target=load)
    runner.start()
    try:
        folder, written = export_static(settings, static_server.static_dir, force=True)
        pid = int(next(static_server.static_dir.glob(f"run/127.0.0.1-{static_server.port}/nginx.pid")).read_text())
        os.kill(pid, signal.SIGHUP)  # nginx -s reload
        time.sleep(1.0)
    finally:
        stop.set()
        runner.join(timeout=30)
    assert written and folder != before and (static_server.static_dir / "current").resolve() == folder
    assert before.is_dir(), "the export nginx was serving stays until the next one"
    assert len(results) > 50 and set(results) == {200, 303}, [r for r in results if r not in (200, 303)][:5]
    assert len(retried) <= 8, f"{len(retried)} requests needed a second connection"  # one per connection at most
    assert not [p for p in static_server.static_dir.iterdir() if p.name.startswith(".export-")]


def test_static_config_refuses_a_sparql_service_that_is_not_an_http_url(tmp_path):
    done = subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "static-config", str(tmp_path),
                           "--sparql", "file:///etc/passwd"], capture_output=True, text=True)
    assert done.returncode == 2 and "http(s) URL" in done.stderr
