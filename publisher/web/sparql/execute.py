"""Evaluating one query job on a pyoxigraph store: the answer's status, media type and bytes.

Runs in a thread of the serving process (engine.py); imports only pyoxigraph and the pure
formatting modules. Also makes the in-memory copy of the store the supervisor forks from.
"""

from __future__ import annotations

import re
from itertools import islice

import pyoxigraph as ox

from ...release.formats import BY_KEY
from .formats import choose, offered
from .results import BOOLEANS, SOLUTIONS
from .syntax import explain

MEMORY_COPY_LOADED = "in-memory copy of the store loaded"
_PATH_RE = re.compile(r"(/[\w.\-]+){2,}")
NATIVE_RESULTS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                  "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
BYTES_PER_ROW = 4096  # byte budget per row of the cap for a result serialised whole, natively
MIN_BUDGET = 1 << 20


def clean(message: str) -> str:
    """An engine message fit for a client: no file paths, bounded length."""
    return _PATH_RE.sub("…", message)[:1000]


def error(status: int, message: str) -> dict:
    return {"status": status, "error": message}


def _graphs(iris: list[str] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


class _Bounded:
    """A binary writer for pyoxigraph's serialisers that refuses to hold more than `limit` bytes."""

    def __init__(self, limit: int):
        self.parts: list[bytes] = []
        self.size, self.limit, self.over = 0, limit, False

    def write(self, chunk) -> int:
        self.size += len(chunk)
        if self.size > self.limit:
            self.over = True
            raise OSError("over the byte budget")
        self.parts.append(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass


def _native(result, fmt, limit: int) -> bytes | None:
    """The whole result serialised by pyoxigraph, or None when it is larger than `limit` bytes."""
    out = _Bounded(limit)
    try:
        result.serialize(out, format=fmt)
    except OSError:
        if out.over:
            return None
        raise
    return b"".join(out.parts)


def _lines(data: bytes, n: int) -> bytes:
    """The first `n` lines of `data`."""
    end = -1
    for _ in range(n):
        end = data.find(b"\n", end + 1)
    return data[:end + 1]


def _solutions(result, key: str, cap: int, again) -> tuple[bytes, int | None]:
    """SELECT results in format `key`, cut at `cap` rows.

    pyoxigraph serialises them as TSV (one line per row, newlines in literals escaped, so the
    lines count the rows exactly); under the cap, TSV is converted to the wanted format by
    pyoxigraph too, all without the GIL. Only a result over the cap takes the slower way through
    Python objects, to write a document that says it was cut.
    """
    variables = [v.value for v in result.variables]
    tsv = _native(result, ox.QueryResultsFormat.TSV, max(cap * BYTES_PER_ROW, MIN_BUDGET))
    if tsv is not None and tsv.count(b"\n") - 1 <= cap:
        if key == "tsv":
            return tsv, None
        parsed = ox.parse_query_results(tsv, format=ox.QueryResultsFormat.TSV)
        return parsed.serialize(format=NATIVE_RESULTS[key]), None
    if tsv is not None:
        rows = [tuple(s) for s in ox.parse_query_results(_lines(tsv, cap + 1), format=ox.QueryResultsFormat.TSV)]
    else:  # larger than the byte budget: evaluate again, keeping only the first rows
        rows = [tuple(solution) for solution in islice(again(), cap + 1)][:cap]
    return SOLUTIONS[key](variables, rows, cap), cap


def _graph(result, key: str, cap: int, prefixes: dict | None, again) -> tuple[bytes, int | None]:
    """CONSTRUCT/DESCRIBE results in format `key`, cut at `cap` triples (N-Triples lines count them)."""
    nt = _native(result, ox.RdfFormat.N_TRIPLES, max(cap * BYTES_PER_ROW, MIN_BUDGET))
    truncated = None
    if nt is None:
        nt = ox.serialize(list(islice(again(), cap + 1))[:cap], format=ox.RdfFormat.N_TRIPLES)
        truncated = cap
    elif nt.count(b"\n") > cap:
        nt, truncated = _lines(nt, cap), cap
    if key == "nt":
        body = nt
    else:
        body = ox.serialize(ox.parse(nt, format=ox.RdfFormat.N_TRIPLES), format=BY_KEY[key].ox_format,
                            prefixes=prefixes)
    if truncated is not None and key in ("ttl", "nt"):
        body = f"# result truncated to the first {cap} triples (the endpoint's cap)\n".encode() + body
    return body, truncated


def execute(store: ox.Store, job: dict) -> dict:
    """Run one query job; return status, content type, body and whether the result was cut."""
    try:
        kwargs = {}
        default, named = _graphs(job.get("default_graphs")), _graphs(job.get("named_graphs"))
        if default is not None or named is not None:  # a protocol dataset replaces the query's
            kwargs["default_graph"] = default if default else []
            kwargs["named_graphs"] = named if named else []
    except ValueError as exc:
        return error(400, f"invalid graph IRI: {clean(str(exc))}")
    try:
        result = store.query(job["query"], base_iri=job.get("base_iri"), **kwargs)
    except SyntaxError as exc:
        return error(400, explain(job["query"], clean(str(exc))))
    except (ValueError, TypeError) as exc:
        return error(400, f"query refused: {clean(str(exc))}")
    kind = ("boolean" if isinstance(result, ox.QueryBoolean)
            else "solutions" if isinstance(result, ox.QuerySolutions) else "graph")
    fmt = choose(kind, job.get("accept"), job.get("hint"))
    if fmt is None:
        return error(406, f"none of the formats for this query form is acceptable: {', '.join(offered(kind))}")
    cap = job["max_rows"]
    truncated = None

    def again():
        return store.query(job["query"], base_iri=job.get("base_iri"), **kwargs)

    try:
        if kind == "boolean":
            body = BOOLEANS[fmt.key](bool(result))
        elif kind == "solutions":
            body, truncated = _solutions(result, fmt.key, cap, again)
        else:
            prefixes = job.get("prefixes") if fmt.key in ("ttl", "rdf") else None
            body, truncated = _graph(result, fmt.key, cap, prefixes, again)
    except OSError as exc:
        return error(503, f"the store could not be read: {clean(str(exc))}")
    except (SyntaxError, ValueError, TypeError, RuntimeError) as exc:
        return error(400, f"query evaluation failed: {clean(str(exc))}")
    return {"status": 200, "content_type": fmt.content_type, "body": body, "truncated": truncated, "kind": kind}


def load_memory_copy(store: ox.Store) -> ox.Store:
    """An in-memory copy of the read-only store (queries on it run several times faster).

    The N-Quads dump between the two goes through an unnamed temporary file (reached by its
    /proc/self/fd path), so a process killed while loading leaves nothing behind on disk.
    """
    import tempfile

    with tempfile.TemporaryFile(prefix="sparql-copy-") as dump:
        path = f"/proc/self/fd/{dump.fileno()}"
        store.dump(output=path, format=ox.RdfFormat.N_QUADS)
        copy = ox.Store()
        # load, not bulk_load: the bulk loader's large buffers and threads do not fit a small memory cap
        copy.load(path=path, format=ox.RdfFormat.N_QUADS)
        return copy
