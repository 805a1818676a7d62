"""/sparql: the SPARQL 1.1 Protocol query operation, read-only, over the release's store.

GET ?query=, POST form, POST application/sparql-query; default-graph-uri / named-graph-uri;
updates refused; limits checked before the engine sees the query (see sparql_config.SparqlConfig).
GET without a query answers the service description, or the query page to a browser.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

from ..namespaces import REUSED, vocab
from ..release.formats import BY_KEY
from ..release.manifest import Release
from .caching import DEFAULT_CACHE_CONTROL, is_not_modified, strong_etag, validator_headers
from .conneg import negotiate, rdf_offers
from .sparql_cache import ResultCache
from .sparql_config import SparqlConfig, store_for
from .sparql_engine import EngineStopped, QueryEngine, QueryTimeout, StoreUnavailable
from .sparql_guard import QueryRejected, check_query
from .sparql_sd import service_description

ALLOW = "GET, HEAD, POST, OPTIONS"
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Result-Truncated, Retry-After, Server-Timing",
        "Timing-Allow-Origin": "*"}
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
INLINE_CHECK = 4096  # characters: a query this short is checked in the event loop (well under a millisecond)
PRIVATE_CACHE_CONTROL = "private, max-age=300"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


@dataclass(frozen=True)
class Call:
    """What the endpoint needs of a request, from Starlette's Request or straight from ASGI."""

    method: str
    headers: Mapping[str, str]  # lower-case names
    client: str

    @classmethod
    def of(cls, request: Request) -> Call:
        return cls(request.method, request.headers, request.client.host if request.client else "unknown")


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    media_type: str | None

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.media_type, headers=self.headers)


class SparqlService:
    """The endpoint's state: config, query engine, per-client counters."""

    def __init__(self, release: Release, config: SparqlConfig, base_uri: str):
        self.release, self.config = release, config
        self.last_modified = release.last_modified  # the release is pinned: read once
        self.quads = release.manifest.get("store", {}).get("quads")
        if config.backend is not None:  # an external engine answers (sparql_backend)
            from .sparql_backend import BackendEngine

            self.store_path = None
            self.engine = BackendEngine(config.backend, release.version, config.workers, config.max_waiting)
        else:
            store_dir = release.path / release.manifest.get("store", {}).get("path", "store")
            self.store_path = store_for(store_dir, config.extra_graphs)
            # attached to its store by the serving process (supervisor.py)
            self.engine = QueryEngine(config.workers, config.max_waiting, config.memory_mb, config.max_query_length)
        self.cache = ResultCache(config.cache_mb * 2**20)
        self.clients: Counter[str] = Counter()
        self.handlers: dict = {}  # method -> handler, set by sparql_router
        self.prefixes = {p: str(ns) for p, ns in REUSED.items()} | {"ks": str(vocab(base_uri))}
        # the configured address, never the request's Host: answers are cached publicly
        self.endpoint = base_uri.rstrip("/") + "/sparql"

    async def answer(self, call: Call, query: str, params: list[tuple[str, str]]) -> Reply:
        config = self.config
        timeout = config.timeout
        for value in _all(params, "timeout"):
            try:
                asked = float(value)
            except ValueError:
                raise HTTPException(400, f"timeout={value!r} is not a number of seconds", headers=CORS) from None
            if asked > 0:
                timeout = min(timeout, asked)
        hint = next((v for k in ("format", "output", "results") for v in _all(params, k)), None)
        job = self.complete({"query": query, "base_iri": self.endpoint, "accept": call.headers.get("accept"),
                             "hint": hint, "default_graphs": _all(params, "default-graph-uri") or None,
                             "named_graphs": _all(params, "named-graph-uri") or None})
        reply = self.cached(job)  # a query answered before was checked before
        if reply is None:
            try:
                if len(query) > INLINE_CHECK:  # a long query is checked off the event loop
                    await asyncio.to_thread(check_query, query, config.limits)
                else:
                    check_query(query, config.limits)
            except QueryRejected as exc:
                raise HTTPException(400, str(exc), headers=CORS) from None
            reply = await self.evaluate(call.client, job, timeout)
        body = reply["body"]
        headers = {**CORS, "X-Content-Type-Options": "nosniff", "Server-Timing": reply["timing"]}
        if reply["truncated"] is not None:
            headers["Result-Truncated"] = f"limit={reply['truncated']}"
        if call.method in ("GET", "HEAD"):
            etag = reply["etag"]
            headers |= validator_headers(etag, self.last_modified, vary=("Accept",))
            if is_not_modified(call.headers, etag, self.last_modified):
                return Reply(304, headers, b"", None)
        else:
            headers |= {"Vary": "Accept", "Cache-Control": "no-store"}
        return Reply(200, headers, body, reply["content_type"])

    def complete(self, job: dict) -> dict:
        return {"max_rows": self.config.max_rows, "prefixes": self.prefixes, **job}

    def cached(self, job: dict) -> dict | None:
        reply = self.cache.get(ResultCache.key(job))
        return None if reply is None else {**reply, "timing": 'cache;desc="hit"'}

    async def run(self, client: str, job: dict, timeout: float) -> dict:
        """Answer a job from the cache or the engine, within the client's budget; errors become HTTP errors."""
        job = self.complete(job)
        return self.cached(job) or await self.evaluate(client, job, timeout)

    async def evaluate(self, client: str, job: dict, timeout: float) -> dict:
        """Answer a completed job from the engine (and keep the answer), within the client's budget."""
        config = self.config
        key = ResultCache.key(job)
        if self.clients[client] >= config.per_client:
            raise HTTPException(429, f"at most {config.per_client} queries per client at once; retry shortly",
                                headers={"Retry-After": "1", **CORS})
        if self.engine.busy:
            raise HTTPException(503, "the endpoint is busy; retry shortly", headers={"Retry-After": "2", **CORS})
        self.clients[client] += 1
        started = time.perf_counter()
        try:
            reply = await self.engine.run(job, timeout, client)
        except QueryTimeout:
            raise HTTPException(503, f"the query ran longer than the time limit of {timeout:g} s and was "
                                "stopped; make it more selective (LIMIT, fewer unbound patterns)",
                                headers={"Retry-After": "5", **CORS}) from None
        except StoreUnavailable as exc:
            raise HTTPException(503, f"{exc}; the rest of the site is served",
                                headers={"Retry-After": "5", **CORS}) from None
        except EngineStopped as exc:
            if exc.blamed:
                raise HTTPException(400, f"the query needed more than the {config.memory_mb} MB of memory "
                                    "the query engine may use, and was stopped", headers=CORS) from None
            raise HTTPException(503, "the query engine was restarted while this query ran (another query "
                                f"needed more than {config.memory_mb} MB); retry",
                                headers={"Retry-After": "1", **CORS}) from None
        finally:
            self.clients[client] -= 1
            if not self.clients[client]:
                del self.clients[client]
        if reply["status"] != 200:
            raise HTTPException(reply["status"], reply["error"], headers=CORS)
        reply["etag"] = strong_etag(reply["body"])
        self.cache.put(key, reply)
        return {**reply, "timing": f"engine;dur={(time.perf_counter() - started) * 1000:.2f}"}


def _all(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]


def _one_query(params: list[tuple[str, str]]) -> str | None:
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
        query = _one_query(params)
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
            query = _one_query(params)
            if query is None:
                raise HTTPException(400, "the form has no query parameter", headers=CORS)
        else:
            if _one_query(params) is not None:
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

