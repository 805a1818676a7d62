"""`publisher load --into`: a release into an external store over the Graph Store Protocol, counted
back, switched in one PUT of the register graph; readers never see part of a release."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from publisher.release_graphs import SERIES, release_graph
from publisher.store_load import GraphStore, StoreLoadError, load_release
from publisher.web.sparql.backend import RECHECK_SECONDS

pytestmark = pytest.mark.slow
REGISTER = f"""SELECT ?g ?n ?last WHERE {{ GRAPH <{SERIES}> {{
  ?g <http://www.w3.org/ns/dcat#inSeries> <{SERIES}> ; <http://rdfs.org/ns/void#triples> ?n .
  <{SERIES}> <http://www.w3.org/ns/dcat#last> ?last }} }}"""


def register(engine) -> dict[str, tuple[int, str]]:
    r = httpx.post(engine.query_url, data={"query": REGISTER}, headers={"accept": "application/sparql-results+json"})
    rows = r.json()["results"]["bindings"]
    return {b["g"]["value"]: (int(b["n"]["value"]), b["last"]["value"]) for b in rows}


def count(engine, graph: str) -> int:
    q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    r = httpx.post(engine.query_url, data={"query": q}, headers={"accept": "application/sparql-results+json"})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


@pytest.fixture(params=["oxigraph_disk", "virtuoso"])
def engine(request, built):
    return request.getfixturevalue(request.param)


def manifest_of(built) -> dict:
    return json.loads((built.release / "manifest.json").read_text())


def test_load_writes_counts_and_registers_the_release_and_serve_answers_from_it(engine, settings, built) -> None:
    done = engine.load_release(settings)
    assert done.returncode == 0, done.stderr
    manifest = manifest_of(built)
    graph = release_graph(manifest["version"])
    quads = manifest["store"]["quads"]
    assert register(engine)[graph][0] == quads and count(engine, graph) == quads
    again = engine.load_release(settings)  # already there: not written over (a server may be reading it)
    assert again.returncode == 0 and "already loaded in full" in again.stderr
    server = engine.serve(settings)
    try:
        r = httpx.get(server.url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}, timeout=30)
        assert r.status_code == 200 and int(r.json()["results"]["bindings"][0]["n"]["value"]) == quads
    finally:
        server.stop()


def test_readers_see_the_old_release_or_the_new_one_never_part_of_one(engine, settings, built) -> None:
    """Two more releases are loaded while a reader keeps following the register: every release it
    finds there, and the one dcat:last names, is complete. --keep 2 then drops the oldest."""
    manifest = manifest_of(built)
    store = GraphStore(engine.store_url, engine.auth)
    seen, stop, problems = set(), threading.Event(), []

    def reader() -> None:
        while not stop.is_set() or not seen:
            entries = register(engine)
            for graph, (n, last) in entries.items():
                seen.add(graph)
                if last not in entries:
                    problems.append(f"dcat:last {last} is not registered")
                # a registered graph is complete (unless dropped meanwhile)
                if count(engine, graph) != n and graph in register(engine):
                    problems.append(f"{graph}: {count(engine, graph)} of {n} triples")

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        loaded = [load_release(built.release, {**manifest, "version": f"switch-test-{i}"}, store, keep=2,
                               progress=lambda _: None) for i in (1, 2)]
    finally:
        stop.set()
        thread.join()
    assert not problems, problems[:5]
    entries = register(engine)
    assert set(entries) == {loaded[0].graph, loaded[1].graph}  # the first release was dropped (keep 2)
    assert all(last == loaded[1].graph for _, last in entries.values())
    assert release_graph(manifest["version"]) in loaded[1].dropped or release_graph(manifest["version"]) in \
        loaded[0].dropped
    assert count(engine, release_graph(manifest["version"])) == 0
    assert seen  # the reader did look (at whichever releases were registered while it did)
    load_release(built.release, manifest, store, keep=3, progress=lambda _: None)  # the session's release, back


def test_a_release_whose_count_does_not_match_is_not_registered(oxigraph_disk, built) -> None:
    manifest = manifest_of(built)
    store = {**manifest["store"], "quads": manifest["store"]["quads"] + 1}
    wrong = {**manifest, "version": "wrong-count", "store": store}
    before = register(oxigraph_disk)
    with pytest.raises(StoreLoadError, match="manifest says"):
        load_release(built.release, wrong, GraphStore(oxigraph_disk.store_url), progress=lambda _: None)
    assert register(oxigraph_disk) == before
    assert count(oxigraph_disk, release_graph("wrong-count")) == 0


def test_serve_on_a_release_not_loaded_answers_503_and_serves_pages(settings, built) -> None:
    from .backends import start_oxigraph
    from .conftest import LiveServer

    empty = start_oxigraph(None)  # up and answering, but this release was never loaded into it
    server = LiveServer(settings, ["--sparql-backend", empty.query_url, "--query-timeout", "3"])
    try:
        r = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert r.status_code == 503 and r.headers["retry-after"], r.text
        assert "publisher load --into" in r.text
        assert httpx.get(server.url + "/", headers={"accept": "text/html"}).status_code == 200
        loaded = empty.load_release(settings)
        assert loaded.returncode == 0, loaded.stderr
        time.sleep(RECHECK_SECONDS)  # the endpoint looks again after this long
        r = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10)
        assert r.status_code == 200 and r.json()["boolean"] is True
    finally:
        server.stop()
        empty.stop()
