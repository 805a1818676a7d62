"""The SPARQL endpoint's limits and the store it serves, decided once at start-up."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import ConfigError
from .guard import Limits

RDF_SUFFIXES = {".nt": "N_TRIPLES", ".ttl": "TURTLE", ".rdf": "RDF_XML", ".owl": "RDF_XML",
                ".jsonld": "JSON_LD", ".nq": "N_QUADS", ".trig": "TRIG"}


@dataclass(frozen=True)
class SparqlConfig:
    """Limits of /sparql. Clients may lower the time limit (`timeout=` seconds), never raise it.

    - workers: query slots: queries evaluated at once, threads of the serving process.
    - timeout: wall-clock seconds a query may run; past it the answer is 503 and the serving
      process is replaced (see supervisor.py).
    - max_rows: rows (SELECT) or triples (CONSTRUCT/DESCRIBE) returned; more are cut, and the
      response says so (`Result-Truncated` header, and a note in JSON, XML and Turtle).
    - max_query_length, max_depth, max_chain, max_patterns: checked on the query's tokens before
      the engine parses it (characters; bracket nesting; operators in one flat chain; triple
      patterns). See guard.py for why each is bounded.
    - max_body: bytes of a POST body (413 beyond).
    - per_client: queries one client address may have running or waiting at once (429 beyond).
    - max_waiting: queries waiting for a slot, all clients together (503 beyond).
    - memory_mb: resident memory of the serving process past which its queries are stopped
      (the longest-running one 400, the others 503) and it is replaced.
    - memory_copy: the supervisor loads an in-memory copy of the store and the serving process
      answers from it once loaded (several times faster than the on-disk store; see README, SPARQL speed).
    - copy_first_below: a store of fewer quads is copied into memory before the first request
      (well under a second); a larger one is served from disk until its copy has loaded.
    - cache_mb: answers kept for queries asked again (cache.py; 0: none). The store is
      read-only, so a kept answer is always the engine's answer.
    - extra_graphs: (graph IRI, RDF file) pairs served as named graphs beside the release, for
      test fixtures (`publisher serve --extra-graph IRI=FILE`); never a write API.
    - backend: an external SPARQL engine answers instead of the embedded store
      (`--sparql-backend URL`, backend.BackendConfig); every limit above still applies,
      except memory_mb, memory_copy and copy_first_below, which concern the embedded store.
    """

    workers: int = 4
    timeout: float = 10.0
    max_rows: int = 10_000
    max_query_length: int = 50_000
    max_depth: int = 100
    max_chain: int = 128
    max_patterns: int = 100
    max_body: int = 256 * 1024
    per_client: int = 4
    max_waiting: int = 32
    memory_mb: int = 2048
    memory_copy: bool = True
    cache_mb: int = 32
    copy_first_below: int = 20_000
    extra_graphs: tuple[tuple[str, Path], ...] = ()
    yasgui_dir: Path | None = None  # default: the project's node_modules/@zazuko/yasgui/build
    backend: object | None = None  # a backend.BackendConfig: an external engine answers

    @property
    def limits(self) -> Limits:
        return Limits(self.max_query_length, self.max_depth, self.max_chain, self.max_patterns)

    def __post_init__(self) -> None:
        if self.workers < 1 or self.timeout <= 0 or self.max_rows < 1 or self.cache_mb < 0:
            raise ConfigError("SPARQL workers, timeout and max_rows must be positive, the cache size not negative")
        if self.backend is not None and self.extra_graphs:
            raise ConfigError("--extra-graph serves files from the embedded store: with --sparql-backend, load "
                              "them into the backend (its Graph Store endpoint) instead")


def parse_extra_graph(text: str) -> tuple[str, Path]:
    """`IRI=FILE` from the command line."""
    iri, sep, file = text.rpartition("=")
    path = Path(file)
    if not sep or not iri.startswith(("http://", "https://", "urn:", "file:")):
        raise ConfigError(f"--extra-graph {text!r}: expected IRI=FILE, e.g. http://example.org/g=data.nt")
    if not path.is_file():
        raise ConfigError(f"--extra-graph {text!r}: no file {path}")
    if path.suffix not in RDF_SUFFIXES:
        raise ConfigError(f"--extra-graph {text!r}: unknown RDF format {path.suffix!r} "
                          f"(known: {', '.join(RDF_SUFFIXES)})")
    return iri, path


def store_for(release_store: Path, extra_graphs: tuple[tuple[str, Path], ...]) -> Path:
    """The store to serve: the release's own, or a private copy with the extra named graphs."""
    if not extra_graphs:
        return release_store
    import pyoxigraph as ox

    folder = Path(tempfile.mkdtemp(prefix="sparql-fixture-"))
    atexit.register(shutil.rmtree, folder, True)
    store = ox.Store(str(folder / "store"))
    store.bulk_extend(ox.Store.read_only(str(release_store)).quads_for_pattern(None, None, None, None))
    for iri, path in extra_graphs:
        fmt = getattr(ox.RdfFormat, RDF_SUFFIXES[path.suffix])
        try:
            store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(iri),
                            base_iri=path.resolve().as_uri())
        except (SyntaxError, ValueError) as exc:
            raise ConfigError(f"--extra-graph {iri}={path}: {exc}") from exc
    store.flush()
    del store
    return folder / "store"
