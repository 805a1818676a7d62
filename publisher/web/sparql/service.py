"""The endpoint's pipeline, one query at a time, top to bottom:

    parse      the protocol's parameters (time limit, format hint, dataset) → a `Job`   (`plan`)
    cache      an answer to the same job already evaluated, kept while the release is served (cache.py)
    guard      lexed and checked before any engine sees it: no SERVICE, no Update, bounded (guard.py)
    execute    in the engine, within the client's budget and the time limit (engine.py, or backend.py
               for an external engine); it parses, evaluates and serialises in the chosen format,
               cut at the row cap (execute.py, formats.py, results.py) → an `Answer`
    reply      HTTP: validators, 304, Result-Truncated, Server-Timing (caching.py's functions)

The protocol's HTTP side (GET, POST, the service description) is protocol.py; fastpath.py calls
`SparqlService.answer` straight from the ASGI scope.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.requests import Request

from ...namespaces import REUSED, vocab
from ...release.manifest import Release
from ..caching import is_not_modified, strong_etag, validator_headers
from .cache import ResultCache
from .config import SparqlConfig, store_for
from .engine import EngineStopped, QueryEngine, QueryTimeout, StoreUnavailable
from .guard import QueryRejected, check_query

CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag, Last-Modified, Result-Truncated, Retry-After, Server-Timing",
        "Timing-Allow-Origin": "*"}
INLINE_CHECK = 4096  # characters: a query this short is checked in the event loop (well under a millisecond)


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
class Job:
    """One query to evaluate and how to answer it: what the protocol hands to the engine."""

    query: str
    max_rows: int
    prefixes: Mapping[str, str]  # for Turtle and RDF/XML answers
    accept: str | None = None
    hint: str | None = None  # format=, output= or results=
    base_iri: str | None = None
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    def key(self) -> tuple:
        """What makes two jobs the same query (the cache's key)."""
        return (self.query, self.accept, self.hint, self.base_iri, self.max_rows, self.default_graphs,
                self.named_graphs)

    def wire(self) -> dict:
        """The job as the engine's functions read it (execute.py, backend.py: plain mappings, so they
        run in the engine's threads and are tested alone)."""
        return {"query": self.query, "accept": self.accept, "hint": self.hint, "base_iri": self.base_iri,
                "default_graphs": self.default_graphs, "named_graphs": self.named_graphs,
                "max_rows": self.max_rows, "prefixes": self.prefixes}


@dataclass(frozen=True)
class Answer:
    """A complete answer to a job (a 200): what the cache keeps and the reply sends."""

    body: bytes
    content_type: str
    truncated: int | None  # the row cap it was cut at, or None
    etag: str
    timing: str  # Server-Timing


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    media_type: str | None

    def response(self) -> Response:
        return Response(self.body, status_code=self.status, media_type=self.media_type, headers=self.headers)


class SparqlService:
    """The endpoint's state: config, query engine, answer cache, per-client counters."""

    def __init__(self, release: Release, config: SparqlConfig, base_uri: str):
        self.release, self.config = release, config
        self.last_modified = release.last_modified  # the release is pinned: read once
        self.quads = release.manifest.get("store", {}).get("quads")
        if config.backend is not None:  # an external engine answers (backend.py)
            from .backend import BackendEngine

            self.store_path = None
            self.engine = BackendEngine(config.backend, release.version, config.workers, config.max_waiting)
        else:
            store_dir = release.path / release.manifest.get("store", {}).get("path", "store")
            self.store_path = store_for(store_dir, config.extra_graphs)
            # attached to its store by the serving process (supervisor.py)
            self.engine = QueryEngine(config.workers, config.max_waiting, config.memory_mb, config.max_query_length)
        self.cache = ResultCache(config.cache_mb * 2**20)
        self.clients: Counter[str] = Counter()
        self.handlers: dict = {}  # method -> handler, set by protocol.sparql_router
        self.prefixes = {p: str(ns) for p, ns in REUSED.items()} | {"ks": str(vocab(base_uri))}
        # the configured address, never the request's Host: answers are cached publicly
        self.endpoint = base_uri.rstrip("/") + "/sparql"

    async def answer(self, call: Call, query: str, params: list[tuple[str, str]]) -> Reply:
        """The protocol's query operation, every stage in order."""
        timeout, job = self.plan(call, query, params)
        answer = self.cached(job)  # a query answered before was checked before
        if answer is None:
            await self.guard(query)
            answer = await self.evaluate(call.client, job, timeout)
        return self.reply(call, answer)

    def plan(self, call: Call, query: str, params: list[tuple[str, str]]) -> tuple[float, Job]:
        """The time limit and the job of a request: a client may lower the limit, never raise it."""
        timeout = self.config.timeout
        for value in _all(params, "timeout"):
            try:
                asked = float(value)
            except ValueError:
                raise HTTPException(400, f"timeout={value!r} is not a number of seconds", headers=CORS) from None
            if asked > 0:
                timeout = min(timeout, asked)
        hint = next((v for k in ("format", "output", "results") for v in _all(params, k)), None)
        default, named = _all(params, "default-graph-uri"), _all(params, "named-graph-uri")
        return timeout, self.job(query, accept=call.headers.get("accept"), hint=hint, base_iri=self.endpoint,
                                 default_graphs=tuple(default) or None, named_graphs=tuple(named) or None)

    def job(self, query: str, **how) -> Job:
        """A job with this endpoint's row cap and prefixes (canned queries make theirs here too)."""
        return Job(query, self.config.max_rows, self.prefixes, **how)

    async def guard(self, query: str) -> None:
        try:
            if len(query) > INLINE_CHECK:  # a long query is checked off the event loop
                await asyncio.to_thread(check_query, query, self.config.limits)
            else:
                check_query(query, self.config.limits)
        except QueryRejected as exc:
            raise HTTPException(400, str(exc), headers=CORS) from None

    def reply(self, call: Call, answer: Answer) -> Reply:
        headers = {**CORS, "X-Content-Type-Options": "nosniff", "Server-Timing": answer.timing}
        if answer.truncated is not None:
            headers["Result-Truncated"] = f"limit={answer.truncated}"
        if call.method in ("GET", "HEAD"):
            headers |= validator_headers(answer.etag, self.last_modified, vary=("Accept",))
            if is_not_modified(call.headers, answer.etag, self.last_modified):
                return Reply(304, headers, b"", None)
        else:
            headers |= {"Vary": "Accept", "Cache-Control": "no-store"}
        return Reply(200, headers, answer.body, answer.content_type)

    def cached(self, job: Job) -> Answer | None:
        answer = self.cache.get(job.key())
        return None if answer is None else replace(answer, timing='cache;desc="hit"')

    async def run(self, client: str, job: Job, timeout: float) -> Answer:
        """Answer a job from the cache or the engine, within the client's budget; errors become HTTP errors."""
        return self.cached(job) or await self.evaluate(client, job, timeout)

    async def evaluate(self, client: str, job: Job, timeout: float) -> Answer:
        """Answer a job from the engine (and keep the answer), within the client's budget."""
        config = self.config
        if self.clients[client] >= config.per_client:
            raise HTTPException(429, f"at most {config.per_client} queries per client at once; retry shortly",
                                headers={"Retry-After": "1", **CORS})
        if self.engine.busy:
            raise HTTPException(503, "the endpoint is busy; retry shortly", headers={"Retry-After": "2", **CORS})
        self.clients[client] += 1
        started = time.perf_counter()
        try:
            reply = await self.engine.run(job.wire(), timeout, client)
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
        answer = Answer(reply["body"], reply["content_type"], reply["truncated"], strong_etag(reply["body"]), "")
        self.cache.put(job.key(), answer)
        return replace(answer, timing=f"engine;dur={(time.perf_counter() - started) * 1000:.2f}")


def _all(params: list[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in params if k == name]
