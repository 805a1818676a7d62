"""Load and fault report: what `publisher serve` holds, measured on this machine (issue 17).

Builds the release into a scratch folder, starts `publisher serve` on 127.0.0.1 (trusting 127.0.0.1
as a proxy, so that every simulated visitor has its own address), and runs, in turn:

1. the mixed load of tests/load_client.py: CLIENTS clients for SECONDS seconds;
2. the same load with 300 slowloris connections open (heads sent a byte at a time);
3. the same load while the serving process is killed with SIGKILL: time until answers resume;
4. hostile requests: 1 MB header lines, 100,000 header fields, a 200 KB target, the SSRF and
   crash payloads of tests/test_sparql_attacks.py;

and prints one table of clients, requests/s, p50/p99 latency, 5xx answers, reset connections and
whether the server was still serving at the end. Loopback only, bounded in time.

    .venv/bin/python bench/load_faults.py [--clients 50] [--seconds 60]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.load_client import Outcome, resource_paths, run_load  # noqa: E402
from tests.test_sparql_attacks import crash_payloads, service_payloads  # noqa: E402

BASE = "http://127.0.0.1:8000/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(dist: Path, port: int, log) -> subprocess.Popen:
    """The server, its log going to the file `log` (a pipe nobody reads would fill up and stop it)."""
    process = subprocess.Popen([sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", BASE,
                                "--dist", str(dist), "serve", "--port", str(port), "--forwarded-allow-ips",
                                "127.0.0.1"], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def children(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def slowloris(port: int, n: int, stop: threading.Event) -> None:
    socks = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        socks.append(s)
    while not stop.wait(1.0):
        for s in socks:
            with contextlib.suppress(OSError):
                s.sendall(b"X")
    for s in socks:
        s.close()


def hostile(port: int) -> dict[str, int]:
    url = f"http://127.0.0.1:{port}"
    refused = {"head": 0, "query": 0}
    heads = [b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * (1 << 20) + b"\r\n\r\n",
             b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % i for i in range(100_000)) + b"\r\n",
             b"GET /sparql?query=" + b"A" * 200_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"]
    for head in heads * 10:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            with contextlib.suppress(OSError):
                s.sendall(head)
            refused["head"] += s.recv(64).split(b" ")[1:2] in ([b"414"], [b"431"])
    for query in [*crash_payloads(50_000).values(), *service_payloads("http://127.0.0.1:9/").values()]:
        status = httpx.post(url + "/sparql", data={"query": query}, timeout=60).status_code
        refused["query"] += status < 500
    return refused


def row(name: str, clients: int, outcome: Outcome, note: str = "") -> str:
    resets = sum(outcome.errors.values())
    return (f"| {name} | {clients} | {outcome.requests / outcome.seconds:.0f} | {outcome.percentile(50):.1f} | "
            f"{outcome.percentile(99):.1f} | {outcome.server_errors} | {resets} | {note} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        dist = Path(scratch) / "dist"
        subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", BASE, "--dist",
                        str(dist), "build"], check=True, capture_output=True)
        port = free_port()
        log_path = Path(scratch) / "serve.log"
        log_file = log_path.open("wb")
        server = start(dist, port, log_file)
        url = f"http://127.0.0.1:{port}"
        try:
            paths = resource_paths(url, BASE)
            rows = [row("mixed load", args.clients, run_load(url, paths, args.clients, args.seconds))]

            stop = threading.Event()
            loris = threading.Thread(target=slowloris, args=(port, 300, stop))
            loris.start()
            time.sleep(1)
            rows.append(row("mixed load + 300 slowloris connections", args.clients,
                            run_load(url, paths, args.clients, min(args.seconds, 20))))
            stop.set()
            loris.join()

            result: list[Outcome] = []
            load = threading.Thread(target=lambda: result.append(run_load(url, paths, args.clients, 10)))
            load.start()
            time.sleep(3)
            os.kill(children(server.pid)[0], signal.SIGKILL)
            killed = time.monotonic()
            while True:
                try:
                    if httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.005)
            resumed = (time.monotonic() - killed) * 1000
            load.join()
            rows.append(row("mixed load, serving process SIGKILLed", args.clients, result[0],
                            f"answers again after {resumed:.0f} ms"))

            refused = hostile(port)
            alive = httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=10).status_code == 200
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
            log_file.close()
            log = log_path.read_text(errors="replace")
    print("| run | clients | requests/s | p50 ms | p99 ms | 5xx | resets | note |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nhostile heads refused with 414/431: {refused['head']} of 30; crash and SSRF queries answered "
          f"without a 5xx: {refused['query']} of {len(crash_payloads(50_000)) + len(service_payloads('x'))}; "
          f"server still answering: {alive}; tracebacks in the log: {log.count('Traceback')}; "
          f"supervisor exit code: {server.returncode}")


if __name__ == "__main__":
    main()
