"""/healthz fails when the release a server pinned cannot be served; Release-Version on every answer."""

from __future__ import annotations

import asyncio
import shutil

import httpx

from publisher.release.manifest import open_release
from publisher.web import health


async def plain_app(scope, receive, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def ask(layer, path: str) -> httpx.Response:
    async def run():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=layer), base_url="http://t") as client:
            return await client.get(path)

    return asyncio.run(run())


def test_healthz_is_503_with_retry_after_once_the_release_or_its_store_is_gone(settings, built, tmp_path,
                                                                              monkeypatch):
    monkeypatch.setattr(health, "CHECK_EVERY", 0.0)
    copy = tmp_path / "release"
    shutil.copytree(settings.current_release.resolve(), copy)
    release = open_release(copy)
    layer = health.ReleaseLayer(plain_app, release, copy / "store")
    ok = ask(layer, "/healthz")
    assert ok.status_code == 200 and ok.json() == {"status": "ok", "release": release.version}
    assert ask(layer, "/anything").headers["release-version"] == release.version

    (copy / "store" / "CURRENT").unlink()
    gone = ask(layer, "/healthz")
    assert gone.status_code == 503 and gone.headers["retry-after"] == "5"
    assert gone.json()["status"] == "unavailable" and "SPARQL store" in gone.json()["problem"]

    shutil.rmtree(copy)
    gone = ask(layer, "/healthz")
    assert gone.status_code == 503 and "is gone" in gone.json()["problem"]
    assert gone.headers["release-version"] == release.version
