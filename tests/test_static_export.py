"""`publisher export-static`: what it writes, that it writes it whole, and only once per release."""

from __future__ import annotations

import json
import re
import subprocess
import sys

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


def test_a_forced_export_is_renamed_into_place_and_current_switched_atomically(settings, built, tmp_path):
    target = tmp_path / "static"
    first, written = export_static(settings, target)
    assert written and (target / "current").is_symlink() and (target / "current").resolve() == first
    again, written = export_static(settings, target, force=True)
    assert written and again == first and (target / "current" / "site" / "sitemap.xml").is_file()
    assert sorted(p.name for p in target.iterdir()) == sorted(["current", first.name])


def test_static_config_refuses_a_sparql_service_that_is_not_an_http_url(tmp_path):
    done = subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "static-config", str(tmp_path),
                           "--sparql", "file:///etc/passwd"], capture_output=True, text=True)
    assert done.returncode == 2 and "http(s) URL" in done.stderr
