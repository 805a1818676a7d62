"""Which release a server serves, for load balancers and for people comparing replicas.

Every answer carries `Release-Version: <version>` (the version is also the prefix of each
document's ETag). `/healthz` is the probe a load balancer calls: 200 with the version while the
release this process pinned at start-up is still complete on disk and its documents file and
SPARQL store can be opened; 503 with `Retry-After` when any of them cannot (a release directory
removed under a running server, a disk gone read-only or unreadable). A process answers nothing
before its release is loaded: the socket is listened on only after the app is built, so a probe
waits or is refused, never told "healthy" early. The check is remembered for a second, so
frequent probes cost nothing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

CHECK_EVERY = 1.0  # seconds a result is reused


class ReleaseLayer:
    """ASGI layer: answers /healthz, and adds Release-Version to every other answer."""

    def __init__(self, app, release, store_path: Path | None):
        self.app = app
        self.release = release
        self.store_path = store_path
        self.header = (b"release-version", release.version.encode())
        self._checked: tuple[float, str | None] = (0.0, None)

    def problem(self) -> str | None:
        """Why this release cannot be served now, or None."""
        checked_at, found = self._checked
        if time.monotonic() - checked_at < CHECK_EVERY:
            return found
        found = check(self.release.path, self.store_path)
        self._checked = (time.monotonic(), found)
        return found

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/healthz":
            problem = self.problem()
            body = {"status": "ok" if problem is None else "unavailable", "release": self.release.version}
            if problem:
                body["problem"] = problem
            payload = (json.dumps(body) + "\n").encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()),
                       (b"cache-control", b"no-store"), self.header]
            if problem:
                headers.append((b"retry-after", b"5"))
            await send({"type": "http.response.start", "status": 503 if problem else 200, "headers": headers})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else payload})
            return

        async def send_with_release(message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, send_with_release)


def check(release_dir: Path, store_path: Path | None) -> str | None:
    if not (release_dir / "manifest.json").is_file():
        return f"the release at {release_dir} is gone"
    documents = release_dir / "pages" / "documents.sqlite"
    try:
        db = sqlite3.connect(f"file:{quote(str(documents))}?mode=ro", uri=True)
        try:
            db.execute("SELECT 1 FROM meta LIMIT 1").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        return f"the documents file cannot be read: {exc}"
    if store_path is not None and not (Path(store_path) / "CURRENT").is_file():
        return f"the SPARQL store at {store_path} cannot be opened"
    return None
