"""A mixed load of many clients against a real server, counting what went wrong (used by
tests/test_load.py and bench/load_faults.py).

Each client keeps one connection alive and sends, in turn: a resource by its URI (303, then the
document) in HTML, Turtle or JSON-LD, a dump, the catalogue, a SPARQL lookup that differs each time
(so the cache does not answer it), an aggregate, and now and then a query refused by the guard.
Every client names itself in `X-Forwarded-For`, as visitors behind a reverse proxy would
(the server must trust 127.0.0.1 for that: `--forwarded-allow-ips 127.0.0.1`).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "*/*"]


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)  # transport errors by kind (resets, timeouts)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + sum(self.errors.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else 0.0

    def summary(self) -> str:
        return (f"{self.requests} requests in {self.seconds:.0f} s ({self.requests / max(self.seconds, 1e-9):.0f}/s), "
                f"p50 {self.percentile(50):.1f} ms, p99 {self.percentile(99):.1f} ms, "
                f"statuses {dict(sorted(self.statuses.items()))}, transport errors {dict(self.errors)}")


def resource_paths(url: str, base_uri: str, limit: int = 300) -> list[str]:
    """Paths of resources of the release, found with SPARQL."""
    query = (f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), \"{base_uri}id/\")) }} "
             f"LIMIT {limit}")
    rows = httpx.get(url + "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"},
                     timeout=30).json()["results"]["bindings"]
    return ["/" + row["s"]["value"][len(base_uri):] for row in rows]


def requests_for(paths: list[str], rng: random.Random, i: int) -> tuple[str, str, dict, dict]:
    """(method, path, params, headers) of a client's i-th request."""
    kind = i % 8
    accept = {"Accept": rng.choice(ACCEPTS)}
    if kind in (0, 1, 2):
        return "GET", rng.choice(paths), {}, accept
    if kind == 3:
        return "GET", "/dumps/klimatsamarbeten.ttl", {}, {}
    if kind == 4:
        return "GET", "/catalog", {}, {"Accept": rng.choice(["text/turtle", "application/ld+json"])}
    if kind == 5:
        text = "".join(rng.choice("aeiklmnorst") for _ in range(2))
        return "GET", "/sparql", {"query": f"SELECT ?s ?l WHERE {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> "
                                           f"?l FILTER(CONTAINS(LCASE(STR(?l)), \"{text}\")) }} LIMIT 20"}, {}
    if kind == 6:
        return "GET", "/sparql", {"query": f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }} GROUP BY ?p "
                                           f"ORDER BY DESC(?n) LIMIT {rng.randint(1, 50)}"}, {}
    return "GET", "/sparql", {"query": "SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}, {}


async def _client(url: str, paths: list[str], stop: float, n: int, outcome: Outcome) -> None:
    rng = random.Random(n)
    headers = {"X-Forwarded-For": f"198.51.100.{n % 250 + 1}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30, follow_redirects=True) as client:
        i = n
        while time.monotonic() < stop:
            method, path, params, extra = requests_for(paths, rng, i)
            i += 1
            started = time.monotonic()
            try:
                response = await client.request(method, path, params=params, headers=extra)
                outcome.statuses[response.status_code] += 1
                outcome.latencies.append(time.monotonic() - started)
            except httpx.TransportError as exc:
                outcome.errors[type(exc).__name__] += 1


def run_load(url: str, paths: list[str], clients: int, seconds: float) -> Outcome:
    """`clients` clients for `seconds` seconds; what they got."""
    outcome = Outcome()

    async def main() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(_client(url, paths, stop, n, outcome) for n in range(clients)))

    started = time.monotonic()
    asyncio.run(main())
    outcome.seconds = time.monotonic() - started
    return outcome
