"""The four attacks of issue 17 against a real `publisher serve`: no request crashes a serving
process, none makes the supervisor give up, none makes the server send a request anywhere, and
none buys quadratic work. After them the same server still answers."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from publisher.web import net_fence
from publisher.web.sparql.execute import execute

from .sparql_support import start_server
from .test_sparql_safety import Listener

pytestmark = pytest.mark.slow
MAX_LENGTH = 50_000  # the endpoint's default query length limit


def nest(n: int, inner: str = "1") -> str:
    return "(" * n + inner + ")" * n


def crash_payloads(length: int) -> dict[str, str]:
    """Requests that crashed a serving process (SIGSEGV) before, and their variants, at `length`."""
    depth = (length - 200) // 2
    return {
        "nest read as an IRI": f"SELECT * {{ ?s ?p ?o FILTER(?o<{nest(depth)}>0) }}",
        "escaped # before a nest": f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a\\# }} "
                                   f"FILTER({nest(depth)}) }}",
        "escaped ' before a nest": f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a\\' }} "
                                   f"FILTER({nest(depth)}) }} #'",
        "flat chain of 8,000 terms": "SELECT (" + "+".join(["1"] * 8000) + " AS ?x) {}",
        "flat chain at the length limit": "SELECT (" + "+".join(["1"] * ((length - 40) // 2)) + " AS ?x) {}",
        "group nest": "SELECT * " + "{" * depth + "}" * depth,
        "negations": "SELECT (" + "!" * (length - 40) + "true AS ?x) {}",
        # the guard reads `<'>` as an IRI and the nest as a string; the engine reads `<` and a
        # string '>' followed by the nest: the deepest query of this length that reaches the engine
        "nest hidden in a string": "SELECT * { FILTER(?o<'>' + " + nest(depth + 80) + ") } #'",
    }


@pytest.fixture(scope="module")
def server(settings, built):
    s = start_server(settings, {}, "--query-timeout", "5", "--per-client", "8")
    yield s
    s.stop()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def post(server, query: str) -> httpx.Response:
    return httpx.post(server.url + "/sparql", data={"query": query}, timeout=60)


def test_no_request_at_any_accepted_length_crashes_the_serving_process(server) -> None:
    assert post(server, "ASK {}").status_code == 200
    before = server.children()
    for name, query in crash_payloads(MAX_LENGTH).items():
        assert len(query) <= MAX_LENGTH, name
        response = post(server, query)
        assert response.status_code in (200, 400), (name, response.status_code, response.text[:200])
        assert server.children() == before, f"{name}: the serving process died"
    assert post(server, "ASK { ?s ?p ?o }").json()["boolean"] is True
    assert not [line for line in server.log if "ended unexpectedly" in line or "died" in line]


def test_the_deepest_query_the_engine_can_be_given_parses_on_a_query_thread(server) -> None:
    """The nest the guard cannot see reaches the engine, at the length limit, and is answered."""
    query = crash_payloads(MAX_LENGTH)["nest hidden in a string"]
    assert MAX_LENGTH - 100 < len(query) <= MAX_LENGTH
    pid = server.children()
    assert post(server, query).status_code == 200
    assert server.children() == pid


def test_cheap_requests_cannot_buy_quadratic_work(server) -> None:
    started = time.monotonic()
    for query in ["SELECT (" + "+".join(["1"] * 25_000) + " AS ?x) {}",
                  "SELECT * { ?s " + "/".join(["<http://e/p>"] * 2000) + " ?o }",
                  "SELECT * { " + " ".join(f"?s <http://e/p{i}> ?o{i} ." for i in range(300)) + " }",
                  "SELECT * " + " UNION ".join(["{ ?s ?p ?o }"] * 3000)]:
        response = post(server, query[:MAX_LENGTH])
        assert response.status_code == 400, response.text[:200]
        assert "this endpoint accepts at most" in response.text
    assert time.monotonic() - started < 5  # each is refused on its tokens, not after engine work


def service_payloads(url: str) -> dict[str, str]:
    return {
        "escaped # hides the rest of the line from a text scan":
            f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a\\# }} SERVICE <{url}> {{ ?x ?y ?secret }} }}",
        "escaped ' opens a string for a text scan":
            f"PREFIX ex: <http://e/> SELECT * {{ OPTIONAL {{ ?s ?p ex:a\\' }} SERVICE <{url}> {{ ?x ?y ?z }} }} #'",
        "keyword glued to a prefixed name": f"PREFIX x: <{url}> SELECT * {{ SERVICEx: {{ ?a ?b ?c }} }}",
        "keyword glued to the empty prefix": f"PREFIX : <{url}> SELECT * {{ SERVICE:x {{ ?a ?b ?c }} }}",
        "< read as an operator before a string": f"SELECT * {{ FILTER(?o<'>') SERVICE <{url}> {{}} }} #'",
        "< read as an operator before a comment":
            f"SELECT * {{ BIND(<{url}> AS ?x) FILTER(?o<1)SERVICE?x#>0)\n{{ ?a ?b ?c }} }}",
        "plain": f"SELECT * {{ SERVICE SILENT <{url}> {{ ?a ?b ?c }} }}",
    }


def test_no_query_makes_the_server_send_a_request(server, listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/sparql"
    for name, query in service_payloads(url).items():
        response = post(server, query)
        assert response.status_code == 400 and "SERVICE" in response.text, (name, response.text[:200])
    time.sleep(0.3)
    assert listener.hits == 0


def test_the_serving_process_cannot_open_a_network_socket(server) -> None:
    """The second fence: seccomp mode 2 (filter) in every serving process."""
    for pid in server.children():
        status = Path(f"/proc/{pid}/status").read_text()
        assert "Seccomp:\t2" in status, status


def test_the_fence_stops_the_engine_itself_from_reaching_a_server(listener) -> None:
    """Even a SERVICE query handed straight to the engine, past the guard, sends nothing."""
    url = f"http://127.0.0.1:{listener.port}/sparql"
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a process like a serving one: fenced, then the engine
        code = 1
        try:
            os.close(read)
            fenced = net_fence.install() is None
            reply = execute(ox.Store(), {"query": f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", "max_rows": 10})
            os.write(write, f"{fenced} {reply['status']} {reply.get('error', '')}".encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    os.waitpid(pid, 0)
    fenced, status, message = os.read(read, 4096).decode().split(" ", 2)
    os.close(read)
    time.sleep(0.3)
    assert fenced == "True" and status in ("400", "503") and "Permission denied" in message, message
    assert listener.hits == 0


def test_the_supervisor_never_gives_up_on_a_server_that_was_healthy(settings, built) -> None:
    """Serving processes killed as fast as they come up (more than the old limit of five in a row):
    the supervisor backs off, keeps the port and serves again."""
    server = start_server(settings, {})
    try:
        assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
        killed: set[int] = set()
        deadline = time.monotonic() + 20
        while len(killed) < 8 and time.monotonic() < deadline:
            for pid in server.children():
                if pid not in killed:
                    os.kill(pid, signal.SIGKILL)
                    killed.add(pid)
            time.sleep(0.02)
        assert len(killed) >= 8
        assert server.process.poll() is None, "the supervisor gave up"
        response = httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert response.status_code == 200
    finally:
        server.stop()


def test_a_serving_process_that_dies_in_a_query_is_named_with_its_client(settings, built) -> None:
    server = start_server(settings, {}, "--query-timeout", "8")
    try:
        [pid] = server.children()
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } # who"
        with httpx.Client(timeout=30) as client:
            answer: list[httpx.Response | Exception] = []

            def ask() -> None:
                try:
                    answer.append(client.get(server.url + "/sparql", params={"query": slow}))
                except httpx.TransportError as exc:
                    answer.append(exc)

            t = threading.Thread(target=ask)
            t.start()
            time.sleep(1.0)
            os.kill(pid, signal.SIGSEGV)  # as a crash in the engine would
            t.join()
        line = server.wait_for_log(f"serving process {pid} died (signal SIGSEGV) while answering")
        assert "[127.0.0.1 SELECT (COUNT(*) AS ?n)" in line
        assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
    finally:
        server.stop()
