"""/sparql: the SPARQL 1.1 Protocol query operation, read-only, over the release's store.

GET ?query=, POST form, POST application/sparql-query; default-graph-uri / named-graph-uri;
updates refused; limits checked before the engine sees the query (see config.SparqlConfig).
GET without a query answers the service description, or the query page to a browser. Each
request with a query goes through `SparqlService.answer` (service.py).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from ...release.formats import BY_KEY
from ...release.manifest import Release
from ..caching import DEFAULT_CACHE_CONTROL, is_not_modified, strong_etag, validator_headers
from ..conneg import negotiate, rdf_offers
from .config import SparqlConfig
from .sd import service_description
from .service import CORS, Call, SparqlService, _all

ALLOW = "GET, HEAD, POST, OPTIONS"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
PRIVATE_CACHE_CONTROL = "private, max-age=300"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


def one_query(params: list[tuple[str, str]]) -> str | None:
    """The one query of a request's parameters, or None; an update or two queries are refused."""
    if _all(params, "update") or _all(params, "using-graph-uri") or _all(params, "using-named-graph-uri"):
        raise HTTPException(400, READ_ONLY, headers=CORS)
    queries = _all(params, "query")
    if len(queries) > 1:
        raise HTTPException(400, "exactly one query parameter is allowed", headers=CORS)
    return queries[0] if queries else None


def _decode(body: bytes, content_type: str) -> str:
    charset = next((p.split("=", 1)[1].strip().strip('"').lower() for p in content_type.split(";")[1:]
                    if p.strip().lower().startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise HTTPException(415, f"charset {charset} is not accepted: send UTF-8", headers=CORS)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the request body is not valid UTF-8", headers=CORS) from None


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        raise HTTPException(413, f"request body over {limit} bytes", headers=CORS)
    chunks, size = [], 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, f"request body over {limit} bytes", headers=CORS)
            chunks.append(chunk)
    except ClientDisconnect:  # nobody to answer: no traceback in the log either
        raise HTTPException(400, "the client went away before its request body arrived", headers=CORS) from None
    return b"".join(chunks)


def sparql_router(release: Release, config: SparqlConfig, base_uri: str,
                  render_page) -> tuple[APIRouter, SparqlService]:
    """The /sparql routes. `render_page(request)` renders the browser query page (HTML)."""
    service = SparqlService(release, config, base_uri)
    router = APIRouter()

    @router.api_route("/sparql", methods=["GET", "HEAD"])
    async def sparql_get(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        query = one_query(params)
        if query is None:
            return describe(request)
        return (await service.answer(Call.of(request), query, params)).response()

    @router.post("/sparql")
    async def sparql_post(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        content_type = request.headers.get("content-type", "")
        media_type = content_type.split(";")[0].strip().lower()
        if media_type == UPDATE:
            raise HTTPException(415, READ_ONLY, headers=CORS)
        if media_type not in (FORM, DIRECT):
            raise HTTPException(415, f"POST a query as {FORM} (query=...) or as {DIRECT}; "
                                f"got {media_type or 'no Content-Type'}", headers=CORS)
        text = _decode(await _read_body(request, config.max_body), content_type)
        if media_type == FORM:
            params += parse_qsl(text, keep_blank_values=True)
            query = one_query(params)
            if query is None:
                raise HTTPException(400, "the form has no query parameter", headers=CORS)
        else:
            if one_query(params) is not None:
                raise HTTPException(400, f"a {DIRECT} body and a query parameter: send one query", headers=CORS)
            query = text
        return (await service.answer(Call.of(request), query, params)).response()

    @router.options("/sparql")
    async def sparql_options() -> Response:
        return Response(status_code=204, headers={
            **CORS, "Allow": ALLOW, "Access-Control-Allow-Methods": ALLOW,
            "Access-Control-Allow-Headers": "Accept, Content-Type, If-None-Match",
            "Access-Control-Max-Age": "86400"})

    @router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"])
    async def sparql_other(request: Request) -> Response:
        raise HTTPException(405, f"{request.method} is not part of the SPARQL query protocol; use GET or POST",
                            headers={"Allow": ALLOW, **CORS})

    def describe(request: Request) -> Response:
        offers = [*rdf_offers(with_aliases=False), "text/html"]
        chosen = negotiate(request.headers.get("accept"), offers)
        headers, cache = {**CORS}, DEFAULT_CACHE_CONTROL
        if chosen == "text/html":
            body, media_type = render_page(request).encode(), "text/html; charset=utf-8"
        elif chosen is None:
            raise HTTPException(406, f"the service description is available as {', '.join(offers)}", headers=CORS)
        else:
            fmt = next(f for f in BY_KEY.values() if f.media_type == chosen)
            title = release.manifest.get("title", {}).get("en", "SPARQL endpoint")
            # sd:endpoint is the URL the client asked (the W3C test "has-endpoint-triple"); one that
            # is not the configured address came from the request's Host: never kept by a shared cache
            endpoint = str(request.url.replace(query="", fragment=""))
            if endpoint != service.endpoint:
                cache = PRIVATE_CACHE_CONTROL
            graph = service_description(endpoint, title, release.manifest.get("store", {}).get("quads"))
            body, media_type = graph.serialize(format=fmt.rdflib, encoding="utf-8"), fmt.content_type
        etag = strong_etag(body)
        vary = ("Accept", "Accept-Language") if chosen == "text/html" else ("Accept",)
        headers |= validator_headers(etag, release.last_modified, vary=vary, cache_control=cache)
        if is_not_modified(request.headers, etag, release.last_modified):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media_type, headers=headers)

    # the same handlers, called directly by the plain ASGI layer in sparql_fastpath
    service.handlers = {"GET": sparql_get, "HEAD": sparql_get, "POST": sparql_post}
    return router, service

