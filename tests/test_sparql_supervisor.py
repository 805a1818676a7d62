"""The serving process and its supervisor: replacement after a time limit, in-flight answers kept,
the switch from the on-disk store to the in-memory copy, the result cache, clean exits."""

from __future__ import annotations

import os
import shutil
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from .conftest import LiveServer
from .sparql_support import start_server

pytestmark = pytest.mark.slow
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def ask(url: str, **params) -> httpx.Response:
    return httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }", **params}, timeout=60)


def wait_gone(pid: int, timeout: float = 15) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):  # exited, not yet reaped
                    return True
        except (FileNotFoundError, ProcessLookupError):  # gone between the open and the read: ESRCH
            return True
        time.sleep(0.05)
    return False


def only_child(server, timeout: float = 5) -> int:
    """The one serving process, once the supervisor has reaped any that ended."""
    deadline = time.monotonic() + timeout
    while len(children := server.children()) != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(children) == 1, children
    return children[0]


@pytest.fixture(scope="module")
def server(settings, built):
    s = start_server(settings, {}, "--query-timeout", "4", "--per-client", "8")
    yield s
    s.stop()


def test_a_timed_out_query_gets_its_process_replaced_and_others_in_flight_still_get_answers(server) -> None:
    assert ask(server.url).status_code == 200
    first = only_child(server)
    with ThreadPoolExecutor(2) as pool:
        # in flight on the first process when it retires: must still get its own answer from it
        earlier = pool.submit(httpx.get, server.url + "/sparql", params={"query": SLOW, "timeout": "2.5"}, timeout=60)
        time.sleep(0.3)
        started = time.monotonic()
        trigger = httpx.get(server.url + "/sparql", params={"query": SLOW + " # b", "timeout": "0.5"}, timeout=60)
        assert trigger.status_code == 503 and "time limit of 0.5 s" in trigger.text
        assert time.monotonic() - started < 2.0
        # the replacement serves at once, while the first process still finishes its last request
        fast = ask(server.url, x="after")
        assert fast.status_code == 200 and fast.json()["boolean"] is True
        assert time.monotonic() - started < 2.5
        response = earlier.result()
    assert response.status_code == 503 and "time limit of 2.5 s" in response.text
    assert wait_gone(first), "the retired process is still running"
    second = only_child(server)
    assert second != first
    server.wait_for_log(f"serving process {first} retires (it gave up on a query); {second} takes over")


def test_keep_alive_clients_see_no_error_while_processes_are_replaced(server) -> None:
    """A retiring process closes a kept-alive connection only after an answer with `Connection: close`."""
    stop = time.monotonic() + 6
    outcomes: list[str] = []

    def client(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            n = 0
            while time.monotonic() < stop:
                n += 1
                try:
                    r = c.get(server.url + "/sparql", params={"query": f"ASK {{ ?s ?p ?o }} # {i} {n}"})
                    outcomes.append(str(r.status_code))
                except httpx.TransportError as exc:
                    outcomes.append(type(exc).__name__)

    def timeouts() -> int:
        count = 0
        while time.monotonic() < stop - 1:
            r = httpx.get(server.url + "/sparql", params={"query": f"{SLOW} # {time.time()}", "timeout": "0.4"},
                          timeout=30)
            count += r.status_code == 503
            time.sleep(0.3)
        return count

    with ThreadPoolExecutor(5) as pool:
        clients = [pool.submit(client, i) for i in range(4)]
        replaced = pool.submit(timeouts).result()
        for c in clients:
            c.result()
    assert replaced >= 3
    errors = [o for o in outcomes if o != "200"]
    assert not errors and len(outcomes) > 100, (errors[:5], len(outcomes))


def test_the_same_query_again_is_answered_from_the_cache(server) -> None:
    query = f"SELECT ?s WHERE {{ ?s ?p ?o }} ORDER BY ?s LIMIT 3 # {time.time()}"
    json_ = {"accept": "application/sparql-results+json"}
    first = httpx.get(server.url + "/sparql", params={"query": query}, headers=json_)
    again = httpx.get(server.url + "/sparql", params={"query": query}, headers=json_)
    assert first.status_code == again.status_code == 200
    assert first.headers["server-timing"].startswith("engine;dur=")
    assert again.headers["server-timing"] == 'cache;desc="hit"'
    assert "Server-Timing" in again.headers["access-control-expose-headers"]  # readable from a web page
    assert again.content == first.content and again.headers["etag"] == first.headers["etag"]
    assert again.headers["content-type"] == first.headers["content-type"]
    # another format is another answer
    xml = httpx.get(server.url + "/sparql", params={"query": query},
                    headers={"accept": "application/sparql-results+xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")
    assert xml.headers["server-timing"].startswith("engine;dur=")
    # a failed query is never kept
    for _ in range(2):
        bad = httpx.get(server.url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
        assert bad.status_code == 400 and "server-timing" not in bad.headers


def test_without_a_cache_every_answer_comes_from_the_engine(settings, built) -> None:
    s = start_server(settings, {}, "--query-cache-mb", "0")
    try:
        for _ in range(3):
            r = ask(s.url, x="same")
            assert r.status_code == 200 and r.headers["server-timing"].startswith("engine;dur=")
    finally:
        s.stop()


def test_a_large_store_is_served_from_disk_until_its_copy_is_loaded(settings, built) -> None:
    s = start_server(settings, {}, "--copy-first-below", "0")  # every store counts as large here
    try:
        answers = []
        with httpx.Client(timeout=30) as kept_alive:  # across the switch, on one connection while it lasts
            deadline = time.monotonic() + 30
            while not any("serves from the in-memory copy" in line for line in s.log) and time.monotonic() < deadline:
                answers.append(kept_alive.get(s.url + "/sparql", params={"query": "ASK { ?s ?p ?o }",
                                                                        "n": str(len(answers))}))
            answers += [kept_alive.get(s.url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "n": f"after{i}"})
                        for i in range(20)]
        line = s.wait_for_log("serves from the in-memory copy")
        assert all(a.status_code == 200 and a.json()["boolean"] is True for a in answers)
        assert "retires (the in-memory copy is ready)" in "".join(s.log)
        new = int(line.split("serving process ")[1].split()[0])
        assert s.children() == [new] or wait_gone(next(c for c in s.children() if c != new))
    finally:
        s.stop()


def test_stopping_the_supervisor_stops_its_serving_process(settings, built) -> None:
    s = start_server(settings, {})
    child = only_child(s)
    s.stop()
    assert s.process.returncode == 0
    assert wait_gone(child)


def test_a_killed_supervisor_takes_its_serving_process_with_it(settings, built) -> None:
    s = start_server(settings, {})
    child = only_child(s)
    os.kill(s.process.pid, signal.SIGKILL)
    s.process.wait(10)
    assert wait_gone(child), "an orphaned serving process kept running"


def test_a_store_that_cannot_be_opened_leaves_the_pages_up_and_sparql_says_why(settings, built, tmp_path) -> None:
    release = settings.current_release.resolve()
    dist = tmp_path / "dist"
    shutil.copytree(release, dist / "releases" / release.name, symlinks=True)
    (dist / "current").symlink_to(Path("releases") / release.name)
    store = dist / "releases" / release.name / "store"
    shutil.rmtree(store)
    store.mkdir()
    (store / "CURRENT").write_text("not a database\n")
    s = LiveServer(replace(settings, dist_dir=dist), [])
    try:
        assert httpx.get(s.url + "/", headers={"accept": "text/html"}).status_code == 200
        r = ask(s.url)
        assert r.status_code == 503 and "could not be opened" in r.text
        assert len(s.children()) == 1  # no crash loop
    finally:
        s.stop()
