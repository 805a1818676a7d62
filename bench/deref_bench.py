"""Dereferencing throughput against a ceiling measured in the same run.

Starts, on 127.0.0.1, (1) a minimal uvicorn app that answers constant bytes and (2) the real
`publisher serve` on a fresh build, both under the same uvicorn settings; loads each in turn with
the same mixed requests (document URLs with the Accept and Accept-Language headers real clients
send, plus thing URIs that answer 303) and prints requests/s of each and the ratio. The goal is a
ratio of at least 1/3. The load generator is `wrk` (Debian package) when installed, else a small
asyncio keep-alive client. Bounded: every load runs for a fixed number of seconds, loopback only.

    .venv/bin/python bench/deref_bench.py [--seconds 10] [--connections 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ACCEPTS = [
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # Firefox
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7",  # Chrome
    "*/*",  # curl
    "text/turtle",
    "application/ld+json",
    "application/rdf+xml, text/rdf+n3, application/xml",  # rdflib
    "application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,application/n-triples;q=0.8,"
    "text/turtle;q=0.6,application/rdf+xml;q=0.5,*/*;q=0.1",  # Comunica
    "application/n-triples",
]
LANGS = ["sv-SE,sv;q=0.9,en;q=0.8", "en-US,en;q=0.5"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def requests_for(keys: list[str]) -> list[tuple[str, str, str]]:
    """(path, accept, accept-language): mostly documents, every fifth a thing URI (303)."""
    out = []
    for i, key in enumerate(keys):
        for j, accept in enumerate(ACCEPTS):
            lang = LANGS[(i + j) % len(LANGS)]
            thing = ("/" + key + "/") if key == "def" else ("/" + key if key.startswith("def/") else f"/id/{key}")
            out.append((thing if (i + j) % 5 == 0 else f"/doc/{key}", accept, lang))
    return out


def wrk_script(requests: list[tuple[str, str, str]], path: Path, start: str = "random") -> None:
    """A wrk script sending `requests` in turn, from a random one on (`start="random"`) or the first.

    The requests go into a data file beside the script (`<script>.tsv`), which the script reads
    line by line: a script holding them as code stops loading beyond 65,536 constants (LuaJIT's
    limit), and wrk then silently sends `GET /` instead (`run_wrk` refuses any script error)."""
    data = path.with_suffix(".tsv")
    with data.open("w", encoding="utf-8") as out:
        for p, accept, lang in requests:
            assert not any(c in field for field in (p, accept, lang) for c in "\t\n")
            out.write(f"{p}\t{accept}\t{lang}\n")
    path.write_text("\n".join([
        "local reqs = {}",
        f"for line in io.lines({json.dumps(str(data))}) do",
        "  local p, accept, lang = line:match('^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)$')",
        "  reqs[#reqs+1] = wrk.format('GET', p, {['Host'] = '127.0.0.1', ['Accept'] = accept, "
        "['Accept-Language'] = lang})",
        "end",
        "local i = " + ("math.random(#reqs)" if start == "random" else "0"),
        "request = function()", "  i = i % #reqs + 1", "  return reqs[i]", "end"]) + "\n")


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> float:
    run = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-s", str(script), url],
                         capture_output=True, text=True, timeout=seconds + 60, check=True)
    if run.stderr.strip():  # a script that does not load: wrk goes on with `GET /`, which is not the benchmark
        raise RuntimeError(f"wrk: {run.stderr.strip()[:2000]}")
    out = run.stdout
    if "Non-2xx or 3xx responses" in out or "Socket errors" in out:
        raise RuntimeError(f"failed requests: errors are not throughput:\n{out}")
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(f"no Requests/sec in wrk output:\n{out}")


async def _asyncio_load(port: int, requests: list[tuple[str, str, str]], seconds: int, connections: int) -> float:
    payloads = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: {a}\r\nAccept-Language: {lang}\r\n\r\n".encode()
                for p, a, lang in requests]
    done = 0
    stop = time.monotonic() + seconds

    async def worker(offset: int) -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        i = offset
        while time.monotonic() < stop:
            writer.write(payloads[i % len(payloads)])
            i += 1
            length = 0
            status = await reader.readline()
            if status.split()[1:2] not in ([b"200"], [b"303"]):
                raise RuntimeError(f"failed request: {status!r}")
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker(k * 7) for k in range(connections)))
    return done / (time.monotonic() - started)


def load(port: int, requests, script: Path, seconds: int, connections: int) -> float:
    if shutil.which("wrk"):
        return run_wrk(f"http://127.0.0.1:{port}", script, seconds, connections)
    return asyncio.run(_asyncio_load(port, requests, seconds, connections))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2, help="alternate ceiling and ours this many times; best counts")
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="deref-bench-") as tmp:
        dist = Path(tmp) / "dist"
        base = "http://127.0.0.1:8000/"
        subprocess.run([py, "-m", "publisher", "--root", str(ROOT), "--base-uri", base, "--dist", str(dist), "build"],
                       check=True, capture_output=True)
        keys = json.loads((dist / "current" / "pages" / "site.json").read_text())["documents"]
        requests = requests_for(keys)
        script = Path(tmp) / "mixed.lua"
        wrk_script(requests, script)

        results = {"as shipped (access log on)": measure(py, dist, base, requests, script, args)}
    generator = "wrk" if shutil.which("wrk") else "asyncio client"
    print(f"\nload generator: {generator}, {args.connections} connections, {args.seconds} s x {args.rounds} rounds, "
          f"{len(requests)} distinct requests over {len(keys)} documents")
    for mode, best in results.items():
        best["ratio"] = best["ours"] / best["ceiling"]
        print(f"{mode}: ceiling (constant bytes) {best['ceiling']:7.0f} requests/s · publisher serve (mixed) "
              f"{best['ours']:7.0f} requests/s · ratio {best['ratio']:.2f} (goal >= 0.33)")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "deref.json").write_text(json.dumps({"generator": generator, **results}, indent=2) + "\n")
    return 0


def measure(py: str, dist: Path, base: str, requests, script: Path, args) -> dict[str, float]:
    """Start the ceiling and `publisher serve` with the same uvicorn settings (as `publisher serve` runs:
    log level info, access log on); best requests/s of each."""
    ceiling_port, ours_port = free_port(), free_port()
    ceiling = subprocess.Popen(
        [py, "-c", "import sys, uvicorn; sys.path.insert(0, sys.argv[1]); from constant_app import app; "
                   "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='info', proxy_headers=False)",
         str(ROOT / "bench"), str(ceiling_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours = subprocess.Popen(
        [py, "-m", "publisher", "--root", str(ROOT), "--base-uri", base, "--dist", str(dist), "serve",
         "--host", "127.0.0.1", "--port", str(ours_port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    label = "access log on"
    try:
        wait_up(f"http://127.0.0.1:{ceiling_port}/", ceiling)
        wait_up(f"http://127.0.0.1:{ours_port}/", ours)
        # warm up: every (document, format, language) reply is built once before measuring
        load(ours_port, requests, script, 3, args.connections)
        best = {"ceiling": 0.0, "ours": 0.0}
        for round_ in range(args.rounds):
            for name, port in (("ceiling", ceiling_port), ("ours", ours_port)):
                rps = load(port, requests, script, args.seconds, args.connections)
                best[name] = max(best[name], rps)
                print(f"{label}, round {round_ + 1}: {name:8s} {rps:8.0f} requests/s", flush=True)
    finally:
        for p in (ceiling, ours):
            p.terminate()
            p.wait(timeout=10)
    return best


if __name__ == "__main__":
    sys.exit(main())
