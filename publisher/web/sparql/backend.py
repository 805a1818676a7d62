"""/sparql answered by an external SPARQL 1.1 engine (`publisher serve --sparql-backend URL`).

`BackendEngine` stands where the embedded QueryEngine stands (`run(job, timeout, client)`, `busy`,
`close()`), so SparqlService keeps doing everything around it unchanged: the query guard, time-limit
parameters, per-client limits and 429, the answer cache, ETags, conneg of the service description.
What is particular to an engine we do not run:

- forwarded only after backend_guard.py: a plain query, no engine pragmas or built-ins;
- to the one configured URL, by one httpx client made for it: no proxies from the environment, no
  redirects followed, at most `workers` connections, strict connect/read/pool timeouts, and the
  whole exchange bounded by the query's time limit too (asyncio.wait_for);
- the time limit is also passed on in the engine's own way (BackendConfig.engine): Virtuoso takes
  `timeout=<milliseconds>` with each query, and its partial "anytime" answers (X-SQL-State
  header) are refused rather than served as if complete; Oxigraph server has no per-query
  parameter, only its own `--timeout-s` (docs/external-sparql.md starts it with ours);
- a query that names no dataset (no FROM, no protocol dataset) is asked of the served release's
  graph (release_graphs), which must be registered as completely loaded; a release that is not
  gets 503 saying how to load it;
- a backend that is down, slow or broken answers 503 with Retry-After (502 for an answer that
  cannot be read); the rest of the site never depends on it.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from ...release_graphs import is_loaded_query, release_graph
from .backend_guard import names_dataset, query_form
from .backend_results import accept_for, budget, chosen_format, convert
from .engine import QueryTimeout, StoreUnavailable
from .execute import clean, error
from .guard import QueryRejected

ENGINES = ("oxigraph", "virtuoso", "other")
CONNECT_SECONDS = 2.0
NO_NAMED_GRAPHS = "urn:x-klimatsamarbeten:no-named-graphs"  # a graph never written: an empty set of named graphs
RECHECK_SECONDS = 2.0  # a release found not loaded is looked for again after this long
ERROR_BYTES = 4096  # of an engine's error message read
INLINE_BYTES = 64 * 1024  # answers up to this size are re-served in the event loop (well under a millisecond)
# Oxigraph server streams its answer, and when its own --timeout-s passes it ends the 200 body with this
CANCELLED = b"The SPARQL operation has been cancelled"


class BackendUnavailable(StoreUnavailable):
    """The backend could not be reached or failed; the message says how, without its address."""


class BackendTimeout(QueryTimeout):
    """The backend did not answer within the query's time limit."""


@dataclass(frozen=True)
class BackendConfig:
    """url: the engine's SPARQL query endpoint; engine: how to pass the time limit (ENGINES)."""

    url: str
    engine: str = "other"

    def __post_init__(self) -> None:
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"--sparql-backend {self.url!r}: expected the engine's http(s) query endpoint")
        if self.engine not in ENGINES:
            raise ValueError(f"--sparql-backend-engine {self.engine!r}: one of {', '.join(ENGINES)}")


class BackendEngine:
    """Forwards query jobs to the backend, at most `slots` at once, `max_waiting` more queued."""

    memory_mb = None  # the engine's memory is the engine's own business

    def __init__(self, config: BackendConfig, version: str, slots: int, max_waiting: int):
        self.config, self.slots, self.max_waiting = config, slots, max_waiting
        self.graph = release_graph(version)
        self.version = version
        self.waiting = 0
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._loaded_at: float | None = None  # when the release was last found registered
        self._missing_at = -RECHECK_SECONDS

    @property
    def busy(self) -> bool:
        return self.waiting >= self.max_waiting

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:  # made in the serving process, on its event loop
            self._client = httpx.AsyncClient(
                trust_env=False, follow_redirects=False, http2=False,
                limits=httpx.Limits(max_connections=self.slots, max_keepalive_connections=self.slots),
                timeout=httpx.Timeout(30.0, connect=CONNECT_SECONDS),
                headers={"User-Agent": "klimatsamarbeten-publisher (SPARQL proxy)"})
            self._slots = asyncio.Semaphore(self.slots)
        return self._client

    async def run(self, job: dict, timeout: float, client: str) -> dict:
        try:
            form = query_form(job["query"])
        except QueryRejected as exc:
            return error(400, str(exc))
        _, refused = chosen_format(form, job)  # 406 before the engine does any work
        if refused:
            return refused
        own_dataset = job.get("default_graphs") is not None or job.get("named_graphs") is not None \
            or names_dataset(job["query"])
        http = self._http()
        deadline = time.monotonic() + timeout
        self.waiting += 1
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout)
        except TimeoutError:
            raise BackendTimeout() from None
        finally:
            self.waiting -= 1
        try:
            if not own_dataset:
                await self._check_loaded(http, deadline - time.monotonic())
            params = self._params(job, own_dataset, timeout)
            left = deadline - time.monotonic()
            if left <= 0:
                raise BackendTimeout()
            status, ctype, body, cut, state = await asyncio.wait_for(
                self._post(http, params, accept_for(form), job["max_rows"], left), left)
        except TimeoutError:
            raise BackendTimeout() from None
        finally:
            self._slots.release()
        if state:  # Virtuoso's "anytime" answer: what it found before its own time limit
            raise BackendTimeout()
        if status == 200 and body.rstrip().endswith(CANCELLED):  # Oxigraph server past its --timeout-s
            raise BackendTimeout()
        if status == 200 and len(body) > INLINE_BYTES:  # parsing and writing a large answer: off the event loop
            return await asyncio.to_thread(convert, body, ctype, form, job, cut)
        if status == 200:
            return convert(body, ctype, form, job, cut)
        message = clean(body[:ERROR_BYTES].decode("utf-8", "replace").strip()) or f"status {status}"
        if 400 <= status < 500:
            return error(400, f"malformed query, or one the SPARQL engine refuses: {message}")
        raise BackendUnavailable(f"the SPARQL backend failed ({status}): {message[:300]}")

    def _params(self, job: dict, own_dataset: bool, timeout: float) -> list[tuple[str, str]]:
        query = job["query"]
        if job.get("base_iri"):  # relative IRIs resolve against our endpoint, as in the embedded store
            query = f"BASE <{job['base_iri']}> {query}"  # same line: the engine's line numbers stay right
        params = [("query", query)]
        if own_dataset:
            params += [("default-graph-uri", g) for g in job.get("default_graphs") or ()]
            params += [("named-graph-uri", g) for g in job.get("named_graphs") or ()]
        else:  # the release's graph, and no named graphs (Virtuoso would otherwise offer every graph it has)
            params += [("default-graph-uri", self.graph), ("named-graph-uri", NO_NAMED_GRAPHS)]
        if self.config.engine == "virtuoso":
            params.append(("timeout", str(max(1, int(timeout * 1000)))))
        return params

    async def _post(self, http: httpx.AsyncClient, params, accept: str, max_rows: int, left: float):
        limit = budget(max_rows)
        try:
            async with http.stream("POST", self.config.url, data=dict_or_list(params),
                                   headers={"Accept": accept}, timeout=httpx.Timeout(left, connect=CONNECT_SECONDS)
                                   ) as response:
                chunks, size, cut = [], 0, False
                async for chunk in response.aiter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > limit or (response.status_code != 200 and size > ERROR_BYTES):
                        cut = True
                        break
                body = b"".join(chunks)
                if cut and response.status_code == 200:
                    body = body[:limit]
                state = response.headers.get("x-sql-state") if self.config.engine == "virtuoso" else None
                return response.status_code, response.headers.get("content-type", ""), body, cut, state
        except httpx.TimeoutException:
            raise BackendTimeout() from None
        except httpx.HTTPError as exc:
            raise BackendUnavailable(f"the SPARQL backend cannot be reached ({type(exc).__name__})") from None

    async def _check_loaded(self, http: httpx.AsyncClient, left: float) -> None:
        """The served release must be registered as loaded in full (publisher load --into)."""
        if self._loaded_at is not None:
            return
        now = time.monotonic()
        if now - self._missing_at < RECHECK_SECONDS:
            raise BackendUnavailable(self._not_loaded())
        status, ctype, body, _, _ = await asyncio.wait_for(
            self._post(http, [("query", is_loaded_query(self.version))], accept_for("ASK"), 1, left), left)
        if status != 200:
            raise BackendUnavailable(f"the SPARQL backend failed ({status})")
        try:
            import pyoxigraph as ox

            from .backend_results import RESULT_TYPES

            loaded = bool(ox.parse_query_results(body, format=RESULT_TYPES[ctype.split(";")[0].strip().lower()]))
        except (KeyError, SyntaxError):
            raise BackendUnavailable("the SPARQL backend's answer could not be read") from None
        if not loaded:
            self._missing_at = now
            raise BackendUnavailable(self._not_loaded())
        self._loaded_at = now

    def _not_loaded(self) -> str:
        return (f"release {self.version} is not (yet) loaded in full into the SPARQL backend "
                "(publisher load --into <its Graph Store endpoint>)")


def dict_or_list(params: list[tuple[str, str]]):
    """httpx form data: repeated keys as lists."""
    out: dict[str, list[str]] = {}
    for k, v in params:
        out.setdefault(k, []).append(v)
    return out
