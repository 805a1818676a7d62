"""`publisher load --into URL`: a release into an external SPARQL store, over the SPARQL 1.1 Graph
Store HTTP Protocol (URL is the store's Graph Store endpoint, e.g. Oxigraph server's /store).

A release goes into a fresh named graph of its own (release_graphs.release_graph), never over the
graph of a release being served:

1. the release's store (data and vocabulary, the default graph) is written to a temporary
   N-Triples file, whose lines are counted against the release's manifest;
2. that file is PUT into the release's graph (streamed);
3. the graph is read back (GET) and its triples counted: a short count is an error, the graph is
   deleted again, and nothing else changes;
4. only then the register graph (release_graphs.SERIES) is replaced, in one PUT, by the list of
   complete releases with this one added and made `dcat:last`: that PUT is the switch. Readers
   that follow the register see the old release or the new one, never part of one;
5. releases beyond the `keep` newest are dropped from the register, then their graphs deleted.

`publisher serve --sparql-backend` queries the graph of the release it serves, and only once
the register lists it (web/sparql/backend.py). A release already registered with the right count is
not written again (its graph may be in use); it is only made `dcat:last`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

from .errors import ConfigError, PublisherError
from .release.formats import BY_KEY, GRAPH_ACCEPT, GRAPH_ACCEPT_ORDER, parsers
from .release_graphs import DCAT, DCTERMS_ISSUED, OWL_VERSION_INFO, RDF_TYPE, SERIES, VOID_TRIPLES, release_graph

NT = BY_KEY["nt"].media_type
READ_BACK = GRAPH_ACCEPT
PARSERS = parsers(tuple(k for k, _ in GRAPH_ACCEPT_ORDER))  # what READ_BACK asks for
XSD = "http://www.w3.org/2001/XMLSchema#"


class StoreLoadError(PublisherError):
    """The external store refused or lost part of a release; the store's register is unchanged."""

    exit_code = 6


@dataclass(frozen=True)
class Loaded:
    version: str
    graph: str
    triples: int
    written: bool  # False: it was already there, complete
    dropped: tuple[str, ...]


class GraphStore:
    """The few Graph Store Protocol requests a load needs, on one httpx client."""

    def __init__(self, url: str, auth: httpx.Auth | None = None, timeout: float = 600.0):
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"--into {url!r}: expected the store's http(s) Graph Store endpoint")
        self.url = url
        self.http = httpx.Client(trust_env=False, follow_redirects=False, auth=auth,
                                 timeout=httpx.Timeout(timeout, connect=5.0))

    def _check(self, response: httpx.Response, what: str) -> httpx.Response:
        if response.status_code >= 300:
            raise StoreLoadError(f"{what}: the store answered {response.status_code}: {response.text[:300].strip()}")
        return response

    def put_file(self, graph: str, path: Path) -> None:
        with path.open("rb") as body:
            self._check(self.http.put(self.url, params={"graph": graph}, content=body,
                                      headers={"Content-Type": NT}), f"writing graph <{graph}>")

    def put_triples(self, graph: str, triples: list[ox.Triple]) -> None:
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        self._check(self.http.put(self.url, params={"graph": graph}, content=data, headers={"Content-Type": NT}),
                    f"writing graph <{graph}>")

    def triples(self, graph: str) -> list[ox.Triple] | None:
        """The graph's triples, or None when the store has no such graph (404)."""
        response = self.http.get(self.url, params={"graph": graph}, headers={"Accept": READ_BACK})
        if response.status_code == 404:
            return None
        self._check(response, f"reading graph <{graph}>")
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in PARSERS:
            raise StoreLoadError(f"reading graph <{graph}>: the store answered {media_type or 'no type'}")
        try:
            return [q.triple for q in ox.parse(response.content, format=PARSERS[media_type])]
        except SyntaxError as exc:
            raise StoreLoadError(f"reading graph <{graph}>: {exc}") from None

    def delete(self, graph: str) -> None:
        response = self.http.delete(self.url, params={"graph": graph})
        if response.status_code != 404:
            self._check(response, f"deleting graph <{graph}>")


def _dump(store_dir: Path, target: Path) -> int:
    store = ox.Store.read_only(str(store_dir))
    store.dump(output=str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    with target.open("rb") as f:
        return sum(1 for _ in f)


def _register(triples: list[ox.Triple] | None) -> dict[str, dict]:
    """The register's entries: release graph -> {version, triples, issued}."""
    entries: dict[str, dict] = {}
    for t in triples or []:
        if t.subject.value == SERIES:
            continue
        entry = entries.setdefault(t.subject.value, {})
        key = {OWL_VERSION_INFO: "version", VOID_TRIPLES: "triples", DCTERMS_ISSUED: "issued"}.get(t.predicate.value)
        if key:
            entry[key] = t.object.value
    return {g: e for g, e in entries.items() if {"version", "triples", "issued"} <= e.keys()}


def _register_triples(entries: dict[str, dict], last: str) -> list[ox.Triple]:
    series = ox.NamedNode(SERIES)
    out = [ox.Triple(series, ox.NamedNode(RDF_TYPE), ox.NamedNode(DCAT + "DatasetSeries")),
           ox.Triple(series, ox.NamedNode(DCAT + "last"), ox.NamedNode(last))]
    for graph, e in entries.items():
        g = ox.NamedNode(graph)
        out += [ox.Triple(g, ox.NamedNode(DCAT + "inSeries"), series),
                ox.Triple(g, ox.NamedNode(OWL_VERSION_INFO), ox.Literal(e["version"])),
                ox.Triple(g, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(e["triples"]),
                                                                    datatype=ox.NamedNode(XSD + "integer"))),
                ox.Triple(g, ox.NamedNode(DCTERMS_ISSUED), ox.Literal(e["issued"],
                                                                      datatype=ox.NamedNode(XSD + "dateTime")))]
    return out


def load_release(release_dir: Path, manifest: dict, store: GraphStore, keep: int = 2, progress=print) -> Loaded:
    """Load the release at `release_dir` into `store`, switch to it, keep the `keep` newest releases."""
    if keep < 1:
        raise ConfigError("--keep must be 1 or more: the release just loaded is kept")
    version = manifest["version"]
    graph = release_graph(version)
    expected = manifest.get("store", {}).get("quads")
    entries = _register(store.triples(SERIES))
    written = False
    if graph in entries and int(entries[graph]["triples"]) == expected and \
            len(store.triples(graph) or []) == expected:
        progress(f"release {version} is already loaded in full ({expected} triples)")
    else:
        if graph in entries:  # registered but not as it should be: unregister before writing over it
            del entries[graph]
            store.put_triples(SERIES, _register_triples(entries, max(entries, key=lambda g: entries[g]["issued"]))
                              if entries else [])
        with tempfile.TemporaryDirectory(prefix="publisher-load-") as tmp:
            dump = Path(tmp) / "release.nt"
            lines = _dump(release_dir / manifest.get("store", {}).get("path", "store"), dump)
            if expected is not None and lines != expected:
                raise StoreLoadError(f"the release's store holds {lines} triples, its manifest says {expected}")
            expected = lines
            progress(f"writing {lines} triples into <{graph}>")
            store.put_file(graph, dump)
        found = len(store.triples(graph) or [])
        if found != expected:
            store.delete(graph)
            raise StoreLoadError(f"the store holds {found} of the {expected} triples written into <{graph}>; "
                                 "the graph was deleted again and the current release is unchanged")
        written = True
    issued = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # orders loads within one second too
    entries[graph] = {"version": version, "triples": expected, "issued": issued}
    newest = sorted(entries, key=lambda g: entries[g]["issued"], reverse=True)
    dropped = tuple(g for g in newest[keep:] if g != graph)
    kept = {g: e for g, e in entries.items() if g not in dropped}
    store.put_triples(SERIES, _register_triples(kept, graph))  # the switch
    progress(f"release {version} is current in the store ({expected} triples, <{graph}>)")
    for old in dropped:
        store.delete(old)
        progress(f"deleted the older release graph <{old}>")
    return Loaded(version, graph, expected, written, dropped)
