"""Many clients at once against a real `publisher serve`, and a serving process killed under load
(issue 17). Bounded in time; the same load with more clients and longer is bench/load_faults.py."""

from __future__ import annotations

import os
import signal
import threading
import time

import httpx
import pytest

from .conftest import BASE
from .load_client import resource_paths, run_load
from .sparql_support import start_server
from .test_faults import LOG_LINE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(settings, built):
    s = start_server(settings, {}, "--forwarded-allow-ips", "127.0.0.1")
    yield s
    s.stop()


def test_fifty_mixed_clients_get_no_5xx_no_reset_and_leave_no_traceback(server) -> None:
    paths = resource_paths(server.url, BASE)
    assert len(paths) > 100
    outcome = run_load(server.url, paths, clients=50, seconds=30)
    print(outcome.summary())
    assert outcome.requests > 1000
    assert outcome.server_errors == 0, outcome.summary()
    assert not outcome.errors, outcome.summary()
    assert set(outcome.statuses) <= {200, 400}, outcome.summary()  # 400: the guard refusing SERVICE
    assert not [line for line in server.log if "Traceback" in line]
    assert not [line for line in server.log if line.strip() and not LOG_LINE.match(line)]


def test_a_serving_process_killed_under_load_is_replaced_within_a_second(server) -> None:
    paths = resource_paths(server.url, BASE)
    result: list = []
    load = threading.Thread(target=lambda: result.append(run_load(server.url, paths, clients=10, seconds=6)))
    load.start()
    time.sleep(2)
    [pid] = server.children()
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    while True:
        try:
            if httpx.get(server.url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() - killed < 1.0, "no answer within a second of the kill"
        time.sleep(0.01)
    load.join()
    [outcome] = result
    assert outcome.server_errors == 0, outcome.summary()
    # only requests in flight on the killed process can fail; the rest of the load is answered
    assert sum(outcome.errors.values()) <= 10, outcome.summary()
    assert server.process.poll() is None
    server.wait_for_log(f"serving process {pid} ended unexpectedly (signal SIGKILL); replacing it")
