"""Stable, readable URLs for the statistics cube's slices (the same bytes as /dumps/cube-*).

    /data/observations.csv|json                 every observation
    /data/indicator/<indicator>.csv|json        one indicator, every municipality and year
    /data/municipality/<code>.csv|json          one municipality, every indicator and year

CSV is `text/csv; charset=utf-8` with a header row, JSON `application/json`; every answer has a
strong ETag and Last-Modified (304 on a match), CORS and nosniff. Only files listed in the
release's manifest resolve; the bodies are read once and kept (they are small).
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..release.manifest import Release
from .caching import conditional_response, strong_etag, validator_headers

MEDIA = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
HEADERS = {"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
           "Access-Control-Expose-Headers": "ETag, Last-Modified"}


def release_name(kind: str, ident: str, ext: str) -> str | None:
    """The release file behind a /data/ URL, or None for a malformed one."""
    if ext not in MEDIA:
        return None
    if kind == "observations" and not ident:
        return f"cube-observations.{ext}"
    if kind in ("indicator", "municipality") and NAME_RE.match(ident):
        return f"cube-{kind}--{ident}.{ext}"
    return None


def cube_data_router(release: Release) -> APIRouter:
    router = APIRouter()
    memo: dict[str, tuple[bytes, str]] = {}

    def answer(request: Request, kind: str, ident: str, ext: str) -> Response:
        name = release_name(kind, ident, ext)
        path = release.file(name) if name else None
        if path is None:
            what = f"/data/{kind}/{ident}.{ext}" if ident else f"/data/{kind}.{ext}"
            raise HTTPException(404, f"no statistics slice {what} in this release; the list is on the home "
                                     "page (section Statistik / Statistics)")
        if name not in memo:
            body = path.read_bytes()
            memo[name] = (body, strong_etag(body, release.version))
        body, etag = memo[name]
        headers = {**HEADERS, **validator_headers(etag, release.last_modified)}
        conditional = conditional_response(request.headers, etag, release.last_modified, headers)
        if conditional is not None:
            return conditional
        return Response(body, media_type=MEDIA[ext], headers=headers)

    @router.api_route("/data/observations.{ext}", methods=["GET", "HEAD"])
    def observations(ext: str, request: Request) -> Response:
        return answer(request, "observations", "", ext)

    @router.api_route("/data/{kind}/{ident}.{ext}", methods=["GET", "HEAD"])
    def sliced(kind: str, ident: str, ext: str, request: Request) -> Response:
        return answer(request, kind, ident, ext)

    return router
