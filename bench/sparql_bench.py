"""Benchmark /sparql against the standalone Oxigraph server and rdflib-endpoint, in one run.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python bench/sparql_bench.py            # ~1M triples (takes a few minutes)
    .venv/bin/python bench/sparql_bench.py --small    # ~50k triples, a quick check
    .venv/bin/python bench/sparql_bench.py --small --backends --no-rdflib
        # also /sparql forwarding to Oxigraph server and to Virtuoso (--sparql-backend, no answer
        # cache), and Virtuoso queried directly (its default graph: every graph, the release's only
        # one of size), all in the same interleaved run

The dataset is GENERATED and SYNTHETIC (labelled so in every label and in a dataset triple):
municipalities, networks, memberships with start years, and yearly key-figure observations. Every
server gets the same N-Triples file; each query runs at concurrency 1 (p50 latency) and the mix at
concurrency 4 (throughput). Ratios are against the standalone in-memory Oxigraph server measured in
the same run, because this machine is shared and absolute numbers are noisy: the Oxigraph servers
and ours (in-memory copy, and --query-store disk) run at once and take turns request by request;
ours is measured once its in-memory copy has loaded (the time to that is printed, as is the time to
its first answer, from disk). rdflib-endpoint, far slower, is measured on its own afterwards.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = "http://127.0.0.1:8000/"
KS = BASE + "def/"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
QB = "http://purl.org/linked-data/cube#"
BIN = Path(sys.executable).parent


# --- the synthetic dataset ----------------------------------------------------------------------


def generate(path: Path, scale: float, seed: int = 7) -> int:
    """Write a synthetic N-Triples file; return the number of triples."""
    rnd = random.Random(seed)
    n_muni, n_org, n_ind, years = 290, 40, max(2, int(20 * scale)), range(1990, 2020)
    lines: list[str] = []

    def t(s: str, p: str, o: str) -> None:
        lines.append(f"{s} {p} {o} .\n")

    def lit(v: str, lang: str | None = None, dt: str | None = None) -> str:
        return f'"{v}"@{lang}' if lang else (f'"{v}"^^<{dt}>' if dt else f'"{v}"')

    t(f"<{BASE}id/dataset/synthetic>", f"<{RDF_TYPE}>", "<http://www.w3.org/ns/dcat#Dataset>")
    t(f"<{BASE}id/dataset/synthetic>", "<http://purl.org/dc/terms/description>",
      lit("GENERATED SYNTHETIC benchmark data: not facts about any real municipality", "en"))
    for i in range(n_org):
        o = f"<{BASE}id/organisation/syntetiskt-natverk-{i:02d}>"
        t(o, f"<{RDF_TYPE}>", f"<{ORG}FormalOrganization>")
        t(o, f"<{SKOS}prefLabel>", lit(f"Syntetiskt nätverk {i:02d}", "sv"))
    for m in range(n_muni):
        code = f"{m:04d}"
        mu = f"<{BASE}id/municipality/{code}>"
        t(mu, f"<{RDF_TYPE}>", f"<{KS}Municipality>")
        t(mu, "<http://purl.org/dc/terms/identifier>", lit(code))
        t(mu, f"<{SKOS}prefLabel>", lit(f"Syntetisk kommun {code}", "sv"))
        t(mu, f"<{SKOS}prefLabel>", lit(f"Synthetic municipality {code}", "en"))
        for i in rnd.sample(range(n_org), 10):
            ms = f"<{BASE}id/membership/{code}--syntetiskt-natverk-{i:02d}>"
            period, start = ms[:-1] + "#period>", ms[:-1] + "#start>"
            t(ms, f"<{RDF_TYPE}>", f"<{ORG}Membership>")
            t(ms, f"<{ORG}member>", mu)
            t(ms, f"<{ORG}organization>", f"<{BASE}id/organisation/syntetiskt-natverk-{i:02d}>")
            t(mu, f"<{ORG}hasMembership>", ms)
            t(ms, f"<{ORG}memberDuring>", period)
            t(period, f"<{TIME}hasBeginning>", start)
            t(start, f"<{TIME}inXSDgYear>", lit(str(rnd.choice(years)), dt=XSD + "gYear"))
        for ind in range(n_ind):
            for year in years:
                ob = f"<{BASE}id/observation/{code}-{ind:02d}-{year}>"
                t(ob, f"<{RDF_TYPE}>", f"<{QB}Observation>")
                t(ob, f"<{KS}municipality>", mu)
                t(ob, f"<{KS}indicator>", f"<{BASE}id/concept/syntetisk-indikator/{ind:02d}>")
                t(ob, f"<{KS}year>", lit(str(year), dt=XSD + "integer"))
                t(ob, f"<{KS}value>", lit(f"{rnd.random() * 100:.3f}", dt=XSD + "decimal"))
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)


PREFIX = f"PREFIX org: <{ORG}> PREFIX time: <{TIME}> PREFIX skos: <{SKOS}> PREFIX ks: <{KS}> PREFIX qb: <{QB}>\n"
QUERIES = {
    "lookup": f"SELECT ?p ?o WHERE {{ <{BASE}id/municipality/0136> ?p ?o }}",
    "join": PREFIX + f"""SELECT ?m ?name ?year WHERE {{
  ?ms org:organization <{BASE}id/organisation/syntetiskt-natverk-07> ; org:member ?m ;
      org:memberDuring/time:hasBeginning/time:inXSDgYear ?year .
  ?m skos:prefLabel ?name FILTER(lang(?name) = "sv") FILTER(YEAR(?year) >= 2005) }} ORDER BY ?year""",
    "regex": PREFIX + """SELECT ?s ?l WHERE { ?s skos:prefLabel ?l FILTER(REGEX(?l, "kommun 01[0-4]", "i")) }""",
    "describe": f"DESCRIBE <{BASE}id/municipality/0136>",
    "construct": PREFIX + f"""CONSTRUCT {{ ?m org:memberOf <{BASE}id/organisation/syntetiskt-natverk-03> }}
  WHERE {{ ?ms org:organization <{BASE}id/organisation/syntetiskt-natverk-03> ; org:member ?m }}""",
    "group_by": PREFIX + """SELECT ?ind (AVG(?v) AS ?avg) (COUNT(*) AS ?n) WHERE {
  ?o ks:indicator ?ind ; ks:year 2010 ; ks:value ?v } GROUP BY ?ind ORDER BY ?ind""",
}
ACCEPT = {"describe": "application/n-triples", "construct": "application/n-triples"}


# --- servers ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url: str, proc: subprocess.Popen, limit: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {proc.returncode}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not start")


def rss_mb(pid: int) -> float:
    """Memory of a process and all its descendants, in MB: the sum of their proportional set sizes.

    PSS counts a page shared by n processes as 1/n in each, so pages the supervisor shares with
    the process it forked (the in-memory copy, copy-on-write) are counted once, not twice; for a
    single process it equals its resident size.
    """
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total / 1024


def our_release(synthetic: Path, work: Path) -> tuple[Path, Path]:
    """A real release (`publisher build`) whose store also holds the synthetic triples.

    The release is built from this project's data as usual; its prebuilt store is then rebuilt by
    the build's own store step from the release's data and vocabulary dumps plus the synthetic
    triples, so the server starts on a store of the benchmark's size exactly as in production.
    Returns the dist folder and one N-Triples file with those same triples, for the other servers.
    """
    from publisher.dataset.store import STORE_DIR, write_store

    dist = work / "dist"
    subprocess.run([str(BIN / "publisher"), "--root", str(ROOT), "--dist", str(dist), "build"], check=True,
                   stdout=subprocess.DEVNULL)
    release = (dist / "current").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    combined = work / "all.nt"
    combined.write_bytes(b"".join((release / name).read_bytes() for name in ("klimatsamarbeten.nt", "ontology.nt"))
                         + synthetic.read_bytes())
    shutil.rmtree(release / STORE_DIR)
    manifest["store"] = write_store(release / STORE_DIR, [combined.read_bytes()])
    (release / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return dist, combined


def start_ours(dist: Path, workers: int, store: str = "memory",
               cache_mb: int = 32) -> tuple[subprocess.Popen, str, float]:
    """Our server; with the in-memory store, returns once the worker has loaded its copy."""
    from publisher.web.supervisor import SERVING_COPY

    port = free_port()
    log = dist.parent / f"ours-{port}.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([str(BIN / "publisher"), "--root", str(ROOT), "--dist", str(dist), "serve",
                                 "--port", str(port), "--query-workers", str(workers), "--per-client", "16",
                                 "--max-rows", "1000000", "--query-timeout", "60", "--query-store", store,
                                 "--query-cache-mb", str(cache_mb)],
                                stdout=subprocess.DEVNULL, stderr=err)
    url = f"http://127.0.0.1:{port}/sparql"
    ready = wait_ready(url, proc)
    started = time.perf_counter() - ready
    if store == "memory":
        peak = 0.0
        while SERVING_COPY not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.perf_counter() - started > 600:
                raise RuntimeError("our server did not load its in-memory copy")
            peak = max(peak, rss_mb(proc.pid))
            time.sleep(0.1)
        print(f"ours: in-memory copy loaded {time.perf_counter() - started:.1f} s after start "
              f"(answering from disk before); memory (PSS) {rss_mb(proc.pid):.0f} MB, peak while loading "
              f"{peak:.0f} MB (sampled every 0.1 s)", flush=True)
    return proc, url, ready


def start_oxigraph(nt: Path, work: Path, on_disk: bool) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    args = [str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"]
    if on_disk:
        location = work / "oxigraph-disk"
        subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(location), "--file", str(nt)],
                       check=True, capture_output=True)
        args += ["--location", str(location)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    ready = wait_ready(url, proc)
    if not on_disk:
        with nt.open("rb") as f:
            httpx.post(f"http://127.0.0.1:{port}/store?default", content=f.read(),
                       headers={"content-type": "application/n-triples"}, timeout=600).raise_for_status()
    return proc, url, ready


def start_virtuoso(work: Path) -> tuple[subprocess.Popen, str, str, float]:
    """Virtuoso as docs/external-sparql.md starts it (deploy/virtuoso-run); its query and Graph Store URLs."""
    http, sql = free_port(), free_port()
    proc = subprocess.Popen([str(ROOT / "deploy" / "virtuoso-run"), str(work / "virtuoso"), str(http), str(sql), "60",
                             "2000000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{http}/sparql"
    return proc, url, f"http://127.0.0.1:{http}/sparql-graph-crud-auth", wait_ready(url, proc)


def load_into(dist: Path, store_url: str, user: str | None = None) -> float:
    """`publisher load --into` the release (with the synthetic triples); seconds taken."""
    started = time.perf_counter()
    secret = dist.parent / "store-password"
    secret.write_text("dba\n")  # the password of a new Virtuoso database (deploy/virtuoso-run)
    subprocess.run([str(BIN / "publisher"), "--root", str(ROOT), "--dist", str(dist), "load", "--into", store_url,
                    *(["--user", user, "--password-file", str(secret)] if user else [])], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def start_proxy(dist: Path, backend: str, engine: str) -> tuple[subprocess.Popen, str, float]:
    """Ours in front of `backend`, without our answer cache (the engine answers every query)."""
    port = free_port()
    proc = subprocess.Popen([str(BIN / "publisher"), "--root", str(ROOT), "--dist", str(dist), "serve",
                             "--port", str(port), "--query-workers", "4", "--per-client", "16",
                             "--max-rows", "1000000", "--query-timeout", "60", "--query-cache-mb", "0",
                             "--sparql-backend", backend, "--sparql-backend-engine", engine],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/sparql"
    return proc, url, wait_ready(url, proc)


def start_rdflib_endpoint(nt: Path) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    proc = subprocess.Popen([str(BIN / "rdflib-endpoint"), "serve", str(nt), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    return proc, url, wait_ready(url, proc, limit=1200)


# --- measuring ----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection (the standard library's http.client).

    httpx costs about a millisecond of client CPU per request here, as much as a lookup takes a
    server: that would make every server look alike. This client costs a tenth of it.
    """

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def get(self, query: str, accept: str) -> bytes:
        target = self.path + "?" + urllib.parse.urlencode({"query": query})
        for attempt in (1, 2):
            try:
                self.conn.request("GET", target, headers={"Accept": accept})
                response = self.conn.getresponse()
                body = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                if attempt == 2:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{self.host}:{self.port}: HTTP {response.status}: {body[:200]!r}")
        return body

    def close(self) -> None:
        self.conn.close()


def one(client: Client, url: str, name: str) -> float:
    accept = ACCEPT.get(name, "application/sparql-results+json")
    started = time.perf_counter()
    client.get(QUERIES[name], accept)
    return time.perf_counter() - started


def run_mix(url: str, jobs: list[str], concurrency: int = 4) -> float:
    """Queries/s of `jobs` sent by `concurrency` threads, each on its own connection."""
    todo = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)

    def worker() -> None:
        client = Client(url)
        try:
            while True:
                try:
                    name = todo.get_nowait()
                except queue.Empty:
                    return
                one(client, url, name)
        finally:
            client.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    return len(jobs) / (time.perf_counter() - started)


def measure(url: str, reps: int, mix_total: int) -> dict:
    client = Client(url)
    for name in QUERIES:  # warm-up
        one(client, url, name)
    p50 = {name: statistics.median(one(client, url, name) for _ in range(reps)) for name in QUERIES}
    client.close()
    jobs = [name for _ in range(max(1, mix_total // len(QUERIES))) for name in QUERIES]
    throughput = run_mix(url, jobs)
    return {"p50_ms": {k: round(v * 1000, 2) for k, v in p50.items()}, "throughput_qps": round(throughput, 1)}


def measure_interleaved(urls: dict[str, str], reps: int, mix_total: int, rounds: int = 3, block: int = 10) -> dict:
    """Like `measure`, for several servers running at once, taking turns block by block.

    The machine is shared and its load drifts within minutes: measuring one server after the other
    lets that drift decide the ratios. Here each query is sent to each server in blocks of `block`
    consecutive requests, the servers taking turns (in a rotating order), `reps` blocks each; the
    concurrency-4 mix runs `rounds` times per server, in turn, and the throughput is the median of
    the rounds. Blocks rather than single requests: a server in steady use stays warm. Switching
    servers at every request (this benchmark's earlier method) also measured how fast each one
    comes back from having its CPU caches evicted by four others: with it, the lookup took 0.82 ms
    on Oxigraph and 0.94 ms from our cache; in blocks, 0.44 and 0.58 ms (two runs, same code).
    """
    names = list(urls)
    clients = {n: Client(urls[n]) for n in names}
    for n in names:
        for q in QUERIES:  # warm-up
            one(clients[n], urls[n], q)
    times: dict[str, dict[str, list[float]]] = {n: {q: [] for q in QUERIES} for n in names}
    for q in QUERIES:
        for rep in range(reps):
            for n in names[rep % len(names):] + names[:rep % len(names)]:
                times[n][q] += [one(clients[n], urls[n], q) for _ in range(block)]
    for c in clients.values():
        c.close()
    jobs = [q for _ in range(max(1, mix_total // len(QUERIES))) for q in QUERIES]
    qps: dict[str, list[float]] = {n: [] for n in names}
    for _ in range(rounds):
        for n in names:
            qps[n].append(run_mix(urls[n], jobs))
    return {n: {"p50_ms": {q: round(statistics.median(times[n][q]) * 1000, 2) for q in QUERIES},
                "throughput_qps": round(statistics.median(qps[n]), 1)} for n in names}


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="~50k triples, few repetitions")
    parser.add_argument("--reps", type=int, default=None, help="blocks of 10 requests per query and server")
    parser.add_argument("--no-rdflib", action="store_true", help="leave out rdflib-endpoint (slow to load)")
    parser.add_argument("--backends", action="store_true",
                        help="also ours in front of Oxigraph server and of Virtuoso (--sparql-backend), and "
                             "Virtuoso directly (needs `make virtuoso`)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "sparql.json")
    args = parser.parse_args()
    scale, reps = (0.05, args.reps or 5) if args.small else (1.0, args.reps or 11)
    work = Path(tempfile.mkdtemp(prefix="sparql-bench-"))
    try:
        nt = work / "synthetic.nt"
        triples = generate(nt, scale)
        print(f"synthetic dataset: {triples} triples ({nt.stat().st_size / 1e6:.0f} MB N-Triples)", flush=True)
        t0 = time.perf_counter()
        dist, nt = our_release(nt, work)
        print(f"release built, prebuilt store rebuilt with the synthetic triples: {time.perf_counter() - t0:.1f} s "
              f"(every server gets the same {nt.stat().st_size / 1e6:.0f} MB of N-Triples)", flush=True)
        results: dict = {"triples": triples, "method": "interleaved: all servers up at once, taking turns"}
        servers = [("oxigraph-memory", lambda: start_oxigraph(nt, work, False)),
                   ("oxigraph-disk", lambda: start_oxigraph(nt, work, True)),
                   ("ours", lambda: start_ours(dist, 4)),
                   ("ours-nocache", lambda: start_ours(dist, 4, cache_mb=0)),
                   ("ours-disk", lambda: start_ours(dist, 4, "disk", cache_mb=0))]
        running: dict[str, tuple[subprocess.Popen, str, float]] = {}
        try:
            for name, start in servers:
                running[name] = start()
            if args.backends:  # the release goes into both engines by `publisher load`, the proxies query it
                oxigraph_url = running["oxigraph-memory"][1]
                took = load_into(dist, oxigraph_url.removesuffix("/query") + "/store")
                print(f"publisher load into Oxigraph server: {took:.1f} s", flush=True)
                proc, url, store_url, ready = start_virtuoso(work)
                running["virtuoso"] = (proc, url, ready)
                took = load_into(dist, store_url, "dba")
                print(f"publisher load into Virtuoso: {took:.1f} s", flush=True)
                for name, start in [("ours-via-oxigraph", lambda: start_proxy(dist, oxigraph_url, "oxigraph")),
                                    ("ours-via-virtuoso", lambda: start_proxy(dist, url, "virtuoso"))]:
                    running[name] = start()
                servers += [(n, None) for n in ("virtuoso", "ours-via-oxigraph", "ours-via-virtuoso")]
            measured = measure_interleaved({n: url for n, (_, url, _) in running.items()}, reps,
                                           60 * (1 if args.small else 4))
            for name, (proc, _, ready) in running.items():
                res = measured[name]
                res["startup_s"] = round(ready, 2)
                res["rss_mb"] = round(rss_mb(proc.pid), 0)
                results[name] = res
                print(name, json.dumps(res), flush=True)
        finally:
            for proc, _, _ in running.values():
                stop(proc)
        if not args.no_rdflib:  # far slower: measured on its own afterwards
            servers.append(("rdflib-endpoint", None))
            proc, url, ready = start_rdflib_endpoint(nt)
            try:
                res = measure(url, 1, 6)
                res["startup_s"] = round(ready, 2)
                res["rss_mb"] = round(rss_mb(proc.pid), 0)
                results["rdflib-endpoint"] = res
                print("rdflib-endpoint", json.dumps(res), flush=True)
            finally:
                stop(proc)
        base = results["oxigraph-memory"]
        print("\nratios vs standalone in-memory Oxigraph (p50: >1 = slower; throughput: >1 = more)")
        for name in [n for n, _ in servers if n != "oxigraph-memory"]:
            r = results[name]
            p50 = {q: round(r["p50_ms"][q] / base["p50_ms"][q], 2) for q in QUERIES}
            tp = round(r["throughput_qps"] / base["throughput_qps"], 2)
            results.setdefault("ratios", {})[name] = {"p50": p50, "throughput": tp}
            print(f"  {name:16} throughput x{tp}  p50 " + " ".join(f"{q}={v}" for q, v in p50.items()))
        print(f"  ours: startup {results['ours']['startup_s']} s to first answer, {results['ours']['rss_mb']} MB "
              "(PSS of the supervisor and the serving process together)")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1))
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
