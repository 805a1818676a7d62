"""Faults and abuse against a real `publisher serve` and a real `publisher build` (issue 17): request
heads over the limits, slow heads, stops and hang-ups with queries running, a forged Host, proxies,
clients that go away, log lines, killed and failing builds."""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT
from .sparql_support import start_server

pytestmark = pytest.mark.slow
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOG_LINE = re.compile(r"^(INFO: {5}|WARNING: {2}|ERROR: {4}|publisher serve \[\d+\]: )")


@pytest.fixture(scope="module")
def server(settings, built):
    s = start_server(settings, {}, "--header-timeout", "2", "--per-client", "8")
    yield s
    s.stop()


def raw(port: int, data: bytes, read_timeout: float = 10) -> bytes:
    """Send `data` on a fresh connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            s.sendall(data)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
    return b"".join(chunks)


def rss_kb(pid: int) -> int:
    return int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0])


def test_oversized_heads_are_refused_quickly_with_bounded_memory(server) -> None:
    [pid] = server.children()
    before = rss_kb(pid)
    started = time.monotonic()
    huge = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"
    many = b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(100_000)) + b"\r\n"
    long_target = b"GET /sparql?query=" + b"A" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    for _ in range(10):
        assert raw(server.port, huge).startswith(b"HTTP/1.1 431 ")
    assert raw(server.port, many).startswith(b"HTTP/1.1 431 ")
    answer = raw(server.port, long_target)
    assert answer.startswith(b"HTTP/1.1 414 ") and b"POST" in answer
    assert time.monotonic() - started < 10
    assert rss_kb(pid) - before < 50_000, "a refused head grew the serving process"
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_head_that_never_ends_is_let_go_with_408(server) -> None:
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(3):  # slowloris: a header line now and then, never the end of the head
            time.sleep(0.5)
            s.sendall(b"X-a: b\r\n")
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert 1.5 < time.monotonic() - started < 5
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:  # nothing sent at all
        assert s.recv(4096).startswith(b"HTTP/1.1 408 ")


def read_answer(s: socket.socket) -> bytes:
    """One whole answer (head and Content-Length body) from a kept-alive connection."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += s.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
    while len(body) < length:
        body += s.recv(65536)
    return head


def test_each_request_of_a_kept_connection_gets_its_own_head_time(server) -> None:
    """The head limit (2 s here) runs from each request's first byte, not from the connection's
    start, and a late head after answered ones is still let go."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        for _ in range(4):  # 2.8 s of requests in all, each one's head sent at once
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert read_answer(s).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.7)
        started = time.monotonic()
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never ended
        answer = s.recv(4096)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert 1.5 < time.monotonic() - started < 5


def test_a_long_query_by_get_within_the_limit_still_works(server) -> None:
    query = "ASK { VALUES ?x { " + " ".join(f"<http://e/{i}>" for i in range(2000)) + " } }"
    assert len(query) > 30_000
    assert httpx.get(server.url + "/sparql", params={"query": query}, timeout=30).status_code == 200


def test_a_forged_host_cannot_poison_a_shared_cache(server) -> None:
    """The service description names the URL the client asked (W3C "has-endpoint-triple"); when that
    is not the configured address, the answer is private. Query answers never depend on Host."""
    turtle = {"Accept": "text/turtle"}
    forged = httpx.get(server.url + "/sparql", headers={**turtle, "Host": "evil.example"})
    assert forged.status_code == 200 and forged.headers["cache-control"].startswith("private")
    configured = httpx.get(server.url + "/sparql", headers={**turtle, "Host": "127.0.0.1:8000"})
    assert b"<http://127.0.0.1:8000/sparql>" in configured.content
    assert configured.headers["cache-control"].startswith("public")
    query = {"query": "SELECT ?x WHERE { BIND(<relative> AS ?x) }"}
    answers = [httpx.get(server.url + "/sparql", params=query, headers={"Host": host}).json()
               for host in ("evil.example", "127.0.0.1:8000")]
    assert answers[0] == answers[1]
    assert answers[0]["results"]["bindings"][0]["x"]["value"] == "http://127.0.0.1:8000/relative"


def test_a_client_that_goes_away_mid_body_leaves_no_traceback(server) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                  b"Content-Length: 1000\r\n\r\nASK {")
        time.sleep(0.2)
    time.sleep(0.5)
    assert httpx.get(server.url + "/sparql", params={"query": "ASK {}"}).status_code == 200
    assert not [line for line in server.log if "Traceback" in line or "ClientDisconnect" in line]


def test_every_log_line_is_whole(server) -> None:
    """Lines of the supervisor and of the serving processes never interleave mid-line."""
    def ask(i: int) -> None:
        for j in range(20):
            with contextlib.suppress(httpx.TransportError):  # a connection to a killed process
                httpx.get(server.url + "/sparql", params={"query": f"ASK {{}} # {i} {j}"})

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for _ in range(3):  # the supervisor logs each replacement while the serving process logs requests
        time.sleep(0.3)
        for pid in server.children():
            os.kill(pid, signal.SIGKILL)
    for t in threads:
        t.join()
    server.wait_for_log("replacing it")
    bad = [line for line in server.log if line.strip() and not LOG_LINE.match(line)]
    assert not bad, bad[:5]


def test_a_stop_lets_running_queries_finish_within_their_time_limit(settings, built) -> None:
    server = start_server(settings, {}, "--query-timeout", "12")
    answer: list = []

    def ask() -> None:
        try:
            answer.append(httpx.get(server.url + "/sparql", params={"query": SLOW, "timeout": "7"}, timeout=30))
        except httpx.TransportError as exc:
            answer.append(exc)

    t = threading.Thread(target=ask)
    t.start()
    time.sleep(0.5)
    server.process.send_signal(signal.SIGTERM)
    t.join()
    assert server.process.wait(timeout=30) == 0
    [response] = answer
    assert isinstance(response, httpx.Response), response  # an answer, not a reset connection
    assert response.status_code == 503 and "time limit of 7 s" in response.text


def test_a_hang_up_stops_the_server_cleanly(settings, built) -> None:
    server = start_server(settings, {})
    children = server.children()
    server.process.send_signal(signal.SIGHUP)
    assert server.process.wait(timeout=30) == 0
    server.wait_for_log("SIGHUP: stopping")
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_clients_behind_a_trusted_proxy_each_get_their_own_query_budget(settings, built) -> None:
    def two_at_once(server, first: str, second: str) -> list[int]:
        statuses: list[int] = []

        def ask(who: str) -> None:
            statuses.append(httpx.get(server.url + "/sparql", params={"query": f"{SLOW} # {who}", "timeout": "1.5"},
                                      headers={"X-Forwarded-For": who}, timeout=30).status_code)

        threads = [threading.Thread(target=ask, args=(w,)) for w in (first, second)]
        threads[0].start()
        time.sleep(0.3)
        threads[1].start()
        for t in threads:
            t.join()
        return sorted(statuses)

    trusting = start_server(settings, {}, "--per-client", "1", "--forwarded-allow-ips", "127.0.0.1")
    try:
        assert two_at_once(trusting, "203.0.113.1", "203.0.113.2") == [503, 503]  # both ran to their limit
        assert two_at_once(trusting, "203.0.113.3", "203.0.113.3") == [429, 503]
    finally:
        trusting.stop()
    plain = start_server(settings, {}, "--per-client", "1")
    try:  # no proxy configured: the header is a client's claim, and ignored
        assert two_at_once(plain, "203.0.113.1", "203.0.113.2") == [429, 503]
    finally:
        plain.stop()


def build_command(settings, dist: Path) -> list[str]:
    return [sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", settings.base_uri,
            "--dist", str(dist), "build"]


def test_a_build_killed_on_the_way_leaves_the_release_whole_and_the_next_build_cleans_up(settings, built,
                                                                                           tmp_path) -> None:
    dist = tmp_path / "dist"
    assert subprocess.run(build_command(settings, dist), capture_output=True).returncode == 0
    current = (dist / "current").resolve()
    sums = (current / "SHA256SUMS").read_bytes()
    for delay in (0.5, 2.0, 3.5):  # loading, validating, writing
        p = subprocess.Popen(build_command(settings, dist), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        p.kill()
        p.wait()
        assert (dist / "current").resolve() == current and (current / "SHA256SUMS").read_bytes() == sums
    leftovers = [p.name for p in dist.iterdir() if p.name.startswith(".build-")]
    result = subprocess.run(build_command(settings, dist), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not [p.name for p in dist.iterdir() if p.name.startswith(".build-")], leftovers


def test_a_target_that_cannot_be_written_is_found_before_validation(settings, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    started = time.monotonic()
    result = subprocess.run(build_command(settings, blocker / "dist"), capture_output=True, text=True)
    assert result.returncode == 5, result.stderr
    assert "could not prepare the output folder" in result.stderr and "Traceback" not in result.stderr
    assert "validat" not in result.stderr.lower()  # nothing ran before the check
    assert time.monotonic() - started < 5


def test_a_full_disk_during_a_build_is_a_clear_error_and_publishes_nothing(settings, tmp_path) -> None:
    """RLIMIT_FSIZE makes writes past 200 KB fail as a full disk would (EFBIG instead of ENOSPC)."""
    dist = tmp_path / "dist"

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = subprocess.run(build_command(settings, dist), capture_output=True, text=True, preexec_fn=small_files)
    assert result.returncode == 5, result.stderr[-2000:]
    assert "could not write the release" in result.stderr and "Traceback" not in result.stderr
    assert not (dist / "current").exists()
    assert not [p for p in dist.iterdir() if p.name.startswith(".build-")]



def test_the_memory_cap_holds_for_all_serving_processes_together() -> None:
    """Three real processes of 150 MB each against a cap of 400 MB: the supervisor kills retiring
    ones, the largest first, until the rest fit; the current one is left to its own watchdog."""
    from publisher.web.sparql.engine import QueryEngine
    from publisher.web.supervisor import Child, Supervisor, pss_mb

    grow = "import sys, time; x = bytearray(int(sys.argv[1]) * 2**20); x[::4096] = b'x' * len(x[::4096]); " \
           "print('ok', flush=True); time.sleep(60)"
    sizes = {"current": 150, "old": 150, "older": 170}
    procs = {name: subprocess.Popen([sys.executable, "-c", grow, str(mb)], stdout=subprocess.PIPE)
             for name, mb in sizes.items()}
    try:
        for p in procs.values():
            assert p.stdout.readline() == b"ok\n"
        supervisor = Supervisor.__new__(Supervisor)
        supervisor.engine = QueryEngine(1, 1, memory_mb=400)
        supervisor.current = Child(procs["current"].pid, None, True)
        supervisor.retiring = [Child(procs[name].pid, None, True, retired_at=time.monotonic())
                               for name in ("old", "older")]
        assert sum(pss_mb(p.pid) for p in procs.values()) > 400
        supervisor._hold_memory_cap()
        assert procs["older"].wait(timeout=5) == -signal.SIGKILL  # the largest retiring process
        assert procs["old"].poll() is None and procs["current"].poll() is None  # 300 MB fit the cap
    finally:
        for p in procs.values():
            p.kill()
            p.wait()


def test_slow_readers_of_a_dump_hold_neither_memory_nor_other_clients(server) -> None:
    """Twenty clients that read a dump a few bytes at a time: the serving process does not buffer the
    dump for them (flow control), and a normal request is still answered at once."""
    [pid] = server.children()
    before = rss_kb(pid)
    readers = []
    for _ in range(20):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.sendall(b"GET /dumps/klimatsamarbeten.jsonld HTTP/1.1\r\nHost: x\r\n\r\n")
        readers.append(s)
    try:
        for _ in range(10):
            for s in readers:
                s.recv(64)
            time.sleep(0.1)
        started = time.monotonic()
        assert httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=10).status_code == 200
        assert httpx.get(server.url + "/dumps/klimatsamarbeten.ttl", timeout=10).status_code == 200
        assert time.monotonic() - started < 2
        assert rss_kb(pid) - before < 20_000, "the slow readers' dumps are buffered in the server"
    finally:
        for s in readers:
            s.close()


def test_an_over_long_accept_on_sparql_is_refused_not_ignored(server) -> None:
    accept = ", ".join(["application/sparql-results+xml"] * 400)
    for method, kwargs in [("GET", {"params": {"query": "ASK {}"}}), ("GET", {}),
                           ("POST", {"data": {"query": "ASK {}"}})]:
        response = httpx.request(method, server.url + "/sparql", headers={"Accept": accept}, **kwargs)
        assert response.status_code == 431 and "Accept header has" in response.text, (method, response.text[:200])
