"""/dumps/: the release's files, byte for byte, for download scripts, mirrors and harvesters.

    /dumps/          the file table as JSON (name -> bytes, sha256, media_type), with the version
    /dumps/<name>    a file the manifest lists (pages/… included), manifest.json or SHA256SUMS
    /releases/<version>/<name>  the same file under a versioned path: `Cache-Control: immutable`

Everything SHA256SUMS and the manifest list is downloadable at that relative path, so
`sha256sum -c SHA256SUMS` verifies a copy fetched from here (the query store's database is in
neither: its bytes are not reproducible). No other name resolves, whatever its dots and slashes.

HTTP, the same for GET and HEAD: a strong ETag (the content hash with the dataset version, as on
every other route, so /data/observations.csv and /dumps/cube-observations.csv share one),
Last-Modified (when the release was published), Cache-Control, Repr-Digest (RFC 9530: SHA-256 of
the whole file, also on a 206). Preconditions in RFC 9110's order (caching.precondition):
If-Match / If-Unmodified-Since fail with 412, If-None-Match / If-Modified-Since answer 304. Then
byte ranges (Starlette's FileResponse): `Accept-Ranges: bytes`; `Range` gets 206 with
Content-Range (several ranges: multipart/byteranges); `If-Range` with the ETag or the Last-Modified
date of an older copy gets the whole file (200); 416 with `Content-Range: bytes */<size>` when the
range starts past the end; a Range in any other unit is ignored (RFC 9110 §14.2).

Compression is never applied on the fly and Accept-Encoding is ignored: each RDF dump has a `.gz`
twin, served as `application/gzip` without Content-Encoding, so the bytes a client stores are the
bytes SHA256SUMS names, and range offsets mean the same for every client (a broken download of
either file resumes).
"""

from __future__ import annotations

import base64

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from ..release.manifest import Release
from .caching import DEFAULT_CACHE_CONTROL, conditional_response, strong_etag, validator_headers

COMMON = {"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*",
          "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Range, Accept-Ranges, Repr-Digest"}
IMMUTABLE = "public, max-age=31536000, immutable"  # /releases/<version>/…: a release's files never change


class DumpFile(FileResponse):
    """Starlette's file response, with our headers on its own 416/400 answers too, and a Range in a
    unit other than bytes ignored (Starlette would answer 400)."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"]
                       if k != b"range" or v.split(b"=", 1)[0].strip().lower() == b"bytes"]
            scope = {**scope, "headers": headers}

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start" and message["status"] in (400, 416):
                extra = [(k.lower().encode(), v.encode()) for k, v in {**COMMON, "Accept-Ranges": "bytes"}.items()]
                message = {**message, "headers": [*message["headers"], *extra]}
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def media_type_of(name: str, info: dict) -> str:
    media_type = info.get("media_type") or ("application/json" if name.endswith(".json") else "text/plain")
    if media_type.startswith("text/") and "charset" not in media_type:
        media_type += "; charset=utf-8"
    return media_type


def dumps_router(release: Release) -> APIRouter:
    router = APIRouter()
    etags: dict[str, str] = {}  # computed on first use: a hash over the file's bytes
    index = JSONResponse({"version": release.version, "files": release.files}).body
    index_etag = strong_etag(index, release.version)

    def conditional(request: Request, etag: str, headers: dict[str, str]) -> Response | None:
        return conditional_response(request.headers, etag, release.last_modified, headers)

    @router.api_route("/dumps/", methods=["GET", "HEAD"])
    def dump_index(request: Request) -> Response:
        headers = {**COMMON, **validator_headers(index_etag, release.last_modified)}
        return conditional(request, index_etag, headers) or Response(index, media_type="application/json",
                                                                       headers=headers)

    @router.api_route("/dumps/{name:path}", methods=["GET", "HEAD"])
    def dump(name: str, request: Request) -> Response:
        return answer(name, request, DEFAULT_CACHE_CONTROL)

    @router.api_route("/releases/{version}/{name:path}", methods=["GET", "HEAD"])
    def versioned(version: str, name: str, request: Request) -> Response:
        """The same files under a path naming the release: they never change, so caches keep them."""
        if version != release.version:
            raise HTTPException(404, f"this server has release {release.version}, not {version}; "
                                     "the current files are listed at /dumps/")
        return answer(name, request, IMMUTABLE)

    def answer(name: str, request: Request, cache_control: str) -> Response:
        path = release.file(name)
        if path is None or not path.is_file():
            raise HTTPException(404, f"no file {name!r} in this release; the list is at /dumps/")
        if name not in etags:
            etags[name] = strong_etag(path.read_bytes(), release.version)
        etag = etags[name]
        info = release.files.get(name, {})
        headers = {**COMMON, **validator_headers(etag, release.last_modified, cache_control=cache_control),
                   "Accept-Ranges": "bytes"}
        if "sha256" in info:  # RFC 9530: base64 of the raw digest
            headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(info['sha256'])).decode()}:"
        return conditional(request, etag, headers) or DumpFile(path, media_type=media_type_of(name, info),
                                                                 headers=headers)

    return router
