"""/dumps/ as download scripts, mirrors and harvesters use it, over real HTTP against `publisher serve`.

A checksum file that verifies, conditional requests so a nightly harvest downloads only what
changed, byte ranges so a broken download resumes, and the documented handling of gzip.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from publisher.web.caching import strong_etag

SHA256SUM = shutil.which("sha256sum")
DUMP = "/dumps/klimatsamarbeten.ttl"


def fetch_listed(client: httpx.Client, server: str, target: Path) -> list[str]:
    """SHA256SUMS and every file it lists, downloaded into `target` at the same relative paths."""
    sums = client.get(server + "/dumps/SHA256SUMS")
    assert sums.status_code == 200
    (target / "SHA256SUMS").write_bytes(sums.content)
    names = [line.split("  ", 1)[1] for line in sums.text.splitlines()]
    for name in names:
        response = client.get(f"{server}/dumps/{name}")
        assert response.status_code == 200, name
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(response.content)
    return names


@pytest.mark.skipif(SHA256SUM is None, reason="coreutils' sha256sum is not installed")
def test_sha256sums_verifies_with_sha256sum_over_files_fetched_over_http(live_server, tmp_path):
    with httpx.Client(timeout=30) as client:
        names = fetch_listed(client, live_server.url, tmp_path)
    assert len(names) > 100 and any(n.startswith("pages/") for n in names)
    result = subprocess.run([SHA256SUM, "--check", "--strict", "SHA256SUMS"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    assert result.stdout.count(": OK\n") == len(names)


def test_manifest_and_file_table_list_exactly_what_sha256sums_lists(live_server):
    with httpx.Client(timeout=30) as client:
        sums = {line.split("  ", 1)[1]: line.split("  ", 1)[0]
                for line in client.get(live_server.url + "/dumps/SHA256SUMS").text.splitlines()}
        manifest = client.get(live_server.url + "/dumps/manifest.json").json()
        table = client.get(live_server.url + "/dumps/").json()
        assert {n: i["sha256"] for n, i in manifest["files"].items()} == sums
        assert table == {"version": manifest["version"], "files": manifest["files"]}
        for name, info in manifest["files"].items():
            head = client.head(f"{live_server.url}/dumps/{name}")
            assert head.status_code == 200 and int(head.headers["content-length"]) == info["bytes"], name


def test_only_listed_names_resolve_under_dumps(live_server):
    for path in ("/dumps/pages", "/dumps/pages/", "/dumps/pages/%2E%2E/manifest.json", "/dumps/store",
                 "/dumps/pages%2Fhtml.json%00", "/dumps//etc/passwd", "/dumps/pages/nope.json"):
        r = httpx.get(live_server.url + path)
        assert r.status_code == 404, path


def test_dump_has_the_sites_strong_etag_and_release_date(live_server, settings):
    r = httpx.get(live_server.url + DUMP)
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    assert r.headers["etag"] == strong_etag(r.content, manifest["version"])
    slice_ = httpx.get(live_server.url + "/data/observations.csv")
    same = httpx.get(live_server.url + "/dumps/cube-observations.csv")
    assert slice_.content == same.content and slice_.headers["etag"] == same.headers["etag"]
    assert r.headers["last-modified"] == httpx.get(live_server.url + "/catalog").headers["last-modified"]
    assert r.headers["cache-control"] == "public, max-age=300, must-revalidate"


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 200),
    ({"if-none-match": "ETAG"}, 304),
    ({"if-none-match": 'W/ETAG'}, 304),  # If-None-Match compares weakly
    ({"if-none-match": '"older", ETAG'}, 304),
    ({"if-none-match": "*"}, 304),
    ({"if-none-match": '"older"'}, 200),
    ({"if-modified-since": "LAST_MODIFIED"}, 304),
    ({"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),
    ({"if-none-match": '"older"', "if-modified-since": "LAST_MODIFIED"}, 200),  # If-None-Match wins
    ({"if-match": "ETAG"}, 200),
    ({"if-match": "*"}, 200),
    ({"if-match": '"older"'}, 412),
    ({"if-match": "W/ETAG"}, 412),  # If-Match compares strongly
    ({"if-unmodified-since": "LAST_MODIFIED"}, 200),
    ({"if-unmodified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 412),
    ({"if-unmodified-since": "not a date"}, 200),  # ignored
    ({"if-match": "ETAG", "if-unmodified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}, 200),  # If-Match wins
    ({"if-match": "ETAG", "if-none-match": "ETAG"}, 304),
    ({"if-none-match": "ETAG", "range": "bytes=0-9"}, 304),
    ({"if-match": '"older"', "range": "bytes=0-9"}, 412),
])
def test_conditional_requests_on_a_dump(live_server, headers, status):
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        full = client.get(DUMP)
        sent = {k: v.replace("ETAG", full.headers["etag"]).replace("LAST_MODIFIED", full.headers["last-modified"])
                for k, v in headers.items()}
        for method in ("GET", "HEAD"):
            r = client.request(method, DUMP, headers=sent)
            assert r.status_code == status, (method, sent)
            assert r.headers["etag"] == full.headers["etag"]
            if status == 304:
                assert r.content == b"" and "content-length" not in r.headers
            if status == 412 and method == "GET":
                assert "precondition failed" in r.text and full.headers["etag"] in r.text


def test_a_nightly_harvest_downloads_nothing_that_did_not_change(live_server):
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        names = [line.split("  ", 1)[1] for line in client.get("/dumps/SHA256SUMS").text.splitlines()]
        first = {n: client.get(f"/dumps/{n}") for n in names}
        again = [client.get(f"/dumps/{n}", headers={"if-none-match": r.headers["etag"],
                                                   "if-modified-since": r.headers["last-modified"]})
                 for n, r in first.items()]
        assert [r.status_code for r in again] == [304] * len(names)
        assert sum(len(r.content) for r in again) == 0


def test_a_broken_download_resumes_with_range_and_if_range(live_server, settings):
    whole = (settings.current_release / "klimatsamarbeten.nt.gz").read_bytes()
    url = "/dumps/klimatsamarbeten.nt.gz"
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        first = client.get(url, headers={"range": "bytes=0-999"})
        assert first.status_code == 206 and first.content == whole[:1000]
        assert first.headers["content-range"] == f"bytes 0-999/{len(whole)}"
        assert first.headers["accept-ranges"] == "bytes" and first.headers["content-length"] == "1000"
        assert first.headers["repr-digest"] == httpx.get(live_server.url + url).headers["repr-digest"]
        rest = client.get(url, headers={"range": "bytes=1000-", "if-range": first.headers["etag"]})
        assert rest.status_code == 206 and first.content + rest.content == whole
        by_date = client.get(url, headers={"range": "bytes=1000-", "if-range": first.headers["last-modified"]})
        assert by_date.status_code == 206 and by_date.content == whole[1000:]
        stale = client.get(url, headers={"range": "bytes=1000-", "if-range": '"an-older-release-abc"'})
        assert stale.status_code == 200 and stale.content == whole  # the file changed: all of it
        suffix = client.get(url, headers={"range": "bytes=-100"})
        assert suffix.status_code == 206 and suffix.content == whole[-100:]
        several = client.get(url, headers={"range": "bytes=0-9, 20-29"})
        assert several.status_code == 206
        assert several.headers["content-type"].startswith("multipart/byteranges; boundary=")
        assert whole[:10] in several.content and whole[20:30] in several.content


@pytest.mark.parametrize("value", [f"bytes={10**9}-", "bytes=-0"])
def test_an_unsatisfiable_range_is_416_with_the_size(live_server, settings, value):
    size = (settings.current_release / "klimatsamarbeten.ttl").stat().st_size
    for method in ("GET", "HEAD"):
        r = httpx.request(method, live_server.url + DUMP, headers={"range": value})
        assert r.status_code == 416, method
        assert r.headers["content-range"] == f"bytes */{size}"
        assert r.headers["access-control-allow-origin"] == "*" and r.headers["accept-ranges"] == "bytes"


def test_a_range_in_another_unit_is_ignored(live_server, settings):
    r = httpx.get(live_server.url + DUMP, headers={"range": "items=0-5"})
    assert r.status_code == 200 and r.content == (settings.current_release / "klimatsamarbeten.ttl").read_bytes()


def test_gzip_is_offered_as_gz_files_never_as_content_encoding(live_server, settings):
    """The bytes a client stores are the bytes SHA256SUMS names, whatever Accept-Encoding says."""
    for name in ("klimatsamarbeten.ttl", "klimatsamarbeten.nt.gz", "ontology.rdf.gz", "cube-observations.csv"):
        on_disk = (settings.current_release / name).read_bytes()
        for encoding in ("gzip", "gzip, deflate, br", "identity", None):
            headers = {"accept-encoding": encoding} if encoding else {}
            with httpx.Client(timeout=30, headers=headers) as client:
                r = client.get(f"{live_server.url}/dumps/{name}")
            assert "content-encoding" not in r.headers, (name, encoding)
            assert r.content == on_disk and int(r.headers["content-length"]) == len(on_disk)
            assert hashlib.sha256(r.content).hexdigest() in httpx.get(live_server.url + "/dumps/SHA256SUMS").text
        if name.endswith(".gz"):
            assert r.headers["content-type"] == "application/gzip"
            assert gzip.decompress(on_disk) == (settings.current_release / name[:-3]).read_bytes()
