"""What runs inside a query worker process: open the store read-only, answer jobs from a pipe.

A worker may be killed at any moment (time limit); it holds nothing the server needs. It imports
only pyoxigraph and the pure formatting modules, so a replacement starts in a fraction of a second.
"""

from __future__ import annotations

import re
import sys
import time
from itertools import islice

import pyoxigraph as ox

from .sparql_formats import choose, offered
from .sparql_results import BOOLEANS, SOLUTIONS

MEMORY_COPY_LOADED = "in-memory copy of the store loaded"
_PATH_RE = re.compile(r"(/[\w.\-]+){2,}")
OX_FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML,
              "jsonld": ox.RdfFormat.JSON_LD}


def clean(message: str) -> str:
    """An engine message fit for a client: no file paths, bounded length."""
    return _PATH_RE.sub("…", message)[:1000]


def error(status: int, message: str) -> dict:
    return {"status": status, "error": message}


def _graphs(iris: list[str] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


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
        return error(400, f"malformed query: {clean(str(exc))}")
    except (ValueError, TypeError) as exc:
        return error(400, f"query refused: {clean(str(exc))}")
    kind = ("boolean" if isinstance(result, ox.QueryBoolean)
            else "solutions" if isinstance(result, ox.QuerySolutions) else "graph")
    fmt = choose(kind, job.get("accept"), job.get("hint"))
    if fmt is None:
        return error(406, f"none of the formats for this query form is acceptable: {', '.join(offered(kind))}")
    cap = job["max_rows"]
    truncated = None
    try:
        if kind == "boolean":
            body = BOOLEANS[fmt.key](bool(result))
        elif kind == "solutions":
            variables = [v.value for v in result.variables]
            rows = [tuple(solution) for solution in islice(result, cap + 1)]
            if len(rows) > cap:
                rows, truncated = rows[:cap], cap
            body = SOLUTIONS[fmt.key](variables, rows, truncated)
        else:
            triples = list(islice(result, cap + 1))
            if len(triples) > cap:
                triples, truncated = triples[:cap], cap
            prefixes = job.get("prefixes") if fmt.key in ("ttl", "rdf") else None
            body = ox.serialize(triples, format=OX_FORMATS[fmt.key], prefixes=prefixes)
            if truncated is not None and fmt.key == "ttl":
                body = f"# result truncated to the first {cap} triples (the endpoint's cap)\n".encode() + body
    except OSError as exc:
        return error(503, f"the store could not be read: {clean(str(exc))}")
    except (SyntaxError, ValueError, TypeError, RuntimeError) as exc:
        return error(400, f"query evaluation failed: {clean(str(exc))}")
    return {"status": 200, "content_type": fmt.content_type, "body": body, "truncated": truncated, "kind": kind}


def load_memory_copy(store: ox.Store) -> ox.Store:
    """An in-memory copy of the read-only store (queries on it run several times faster).

    The N-Quads dump between the two goes through an unnamed temporary file (reached by its
    /proc/self/fd path), so a worker killed while loading leaves nothing behind on disk.
    """
    import tempfile

    with tempfile.TemporaryFile(prefix="sparql-copy-") as dump:
        path = f"/proc/self/fd/{dump.fileno()}"
        store.dump(output=path, format=ox.RdfFormat.N_QUADS)
        copy = ox.Store()
        # load, not bulk_load: the bulk loader's large buffers and threads do not fit a small memory cap
        copy.load(path=path, format=ox.RdfFormat.N_QUADS)
        return copy


def worker_main(store_path: str, conns: list, memory_mb: int | None = None, memory_copy: bool = True) -> None:
    """Process entry point: one thread per connection serves jobs until its pipe closes.

    The process answers at once from the on-disk store (opened read-only) and, when `memory_copy`
    is set, switches to an in-memory copy as soon as a background thread has loaded it.
    pyoxigraph releases the GIL while it evaluates, so the threads run queries in parallel.
    `memory_mb` caps the process's address space: a query that would need more makes the
    allocator fail and the worker die, which the pool reports and repairs like a crash.
    """
    import threading

    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    current = [ox.Store.read_only(store_path)]

    def load() -> None:
        started = time.monotonic()
        try:
            current[0] = load_memory_copy(current[0])
        except (OSError, MemoryError, ValueError, SyntaxError) as exc:
            print(f"sparql worker: no in-memory copy ({clean(str(exc))}); answering from disk",
                  file=sys.stderr, flush=True)
            return
        print(f"sparql worker: {MEMORY_COPY_LOADED} in {time.monotonic() - started:.1f} s",
              file=sys.stderr, flush=True)

    def serve(conn) -> None:
        conn.send({"ready": True})
        while True:
            try:
                job = conn.recv()
            except (EOFError, OSError):
                return
            try:
                reply = execute(current[0], job)
            except Exception as exc:  # noqa: BLE001 - a worker must answer, whatever the engine raised
                reply = error(400, f"query evaluation failed: {clean(type(exc).__name__ + ': ' + str(exc))}")
            try:
                conn.send(reply)
            except (EOFError, OSError):
                return

    if memory_copy:
        threading.Thread(target=load, name="memory-copy", daemon=True).start()
    threads = [threading.Thread(target=serve, args=(c,), daemon=True) for c in conns[1:]]
    for t in threads:
        t.start()
    serve(conns[0])
