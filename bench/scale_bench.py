"""Build and serve generated SYNTHETIC releases of growing size; report what each costs.

    make bench-scale                                  # 10k and 100k triples
    .venv/bin/python bench/scale_bench.py --sizes 10k,100k,1m --label after

For each size, `bench/synthetic.py` writes a labelled synthetic project into a scratch folder
(never `data/`), and this script runs, one thing at a time:

- `publisher --root SCRATCH build`: wall time, CPU seconds (user + system, the build's children
  included: `os.wait4`), peak RSS (the largest resident set of the build or any child it waited
  for), the release's size on disk (and its parts: documents, store, the N-Triples dump);
- `publisher serve` on it: time from start to the first answer (`GET /`), then, once it serves
  SPARQL from its in-memory copy (the default), the PSS of all its processes (supervisor and
  serving process: pages they share are counted once; /proc/PID/smaps_rollup);
- dereferencing throughput with `wrk` (`make bench-scale` installs Debian's wrk): each request
  a *random* document or thing URI (every fifth a `303`), in a random format and language, drawn
  from all the release's documents (a pool of 4 requests per document, at least 20,000), so no
  hot set; against bare uvicorn answering constant bytes
  (`bench/constant_app.py`) in the same run, taking turns; best round of each, and the ratio;
  and the PSS of the serving processes again after the load.

Results go to `bench/results/scale.json` (merged by label and size) and a Markdown table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from deref_bench import ACCEPTS, LANGS, free_port, run_wrk, wrk_script  # noqa: E402
from sparql_bench import rss_mb as pss_mb  # noqa: E402
from synthetic import SIZES, generate  # noqa: E402

BIN = Path(sys.executable).parent
SERVING_COPY = "serves from the in-memory copy"  # publisher.web.supervisor.SERVING_COPY


def run_measured(args: list[str], log: Path) -> dict:
    """Run a command to its end; wall, CPU (user + system, waited-for children included), peak RSS."""
    started = time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
    return {"wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def release_sizes(release: Path) -> dict:
    total = folder_bytes(release)
    store = folder_bytes(release / "store")
    nt = (release / "klimatsamarbeten.nt").stat().st_size
    pages = folder_bytes(release / "pages") if (release / "pages").is_dir() else 0
    return {"release_mb": round(total / 1e6, 1), "pages_mb": round(pages / 1e6, 1), "store_mb": round(store / 1e6, 1),
            "nt_mb": round(nt / 1e6, 1), "release_over_nt_plus_store": round(total / (nt + store), 2)}


def random_requests(keys: list[str], n: int, seed: int = 3) -> list[tuple[str, str, str]]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        key = rnd.choice(keys)
        thing = ("/" + key + "/") if key == "def" else ("/" + key if key.startswith("def/") else f"/id/{key}")
        out.append((thing if rnd.random() < 0.2 else f"/doc/{key}", rnd.choice(ACCEPTS), rnd.choice(LANGS)))
    return out


def first_answer(url: str, proc: subprocess.Popen, started: float, limit: float = 300) -> float:
    while time.perf_counter() - started < limit:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"{url}: no answer within {limit} s")


def serve_and_load(root: Path, work: Path, args: argparse.Namespace) -> dict:
    release = (root / "dist" / "current").resolve()
    keys = json.loads((release / "pages" / "site.json").read_text())["documents"]
    documents_file = release / "pages" / "documents.sqlite"
    if documents_file.is_file():  # observations are documents too, assembled on request: ask for them as often
        import sqlite3

        with sqlite3.connect(f"file:{documents_file}?mode=ro", uri=True) as db:
            if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'uniform'").fetchone():
                keys += [key for (key,) in db.execute("SELECT key FROM uniform")]
    requests = random_requests(keys, min(400_000, max(args.requests, 4 * len(keys))))
    script = work / "random.lua"
    wrk_script(requests, script)  # the pool is random already: sent in turn, each pass asks every entry once
    port, ceiling_port = free_port(), free_port()
    log = work / "serve.log"
    with log.open("wb") as out:
        started = time.perf_counter()
        ours = subprocess.Popen([str(BIN / "publisher"), "--root", str(root), "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT)
    ceiling = subprocess.Popen(
        [sys.executable, "-c", "import sys, uvicorn; sys.path.insert(0, sys.argv[1]); from constant_app import app; "
         "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='info', proxy_headers=False)",
         str(BENCH), str(ceiling_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    result: dict = {"documents": len(keys)}
    try:
        result["first_answer_s"] = round(first_answer(f"http://127.0.0.1:{port}/", ours, started), 2)
        result["pss_start_mb"] = round(pss_mb(ours.pid), 1)
        while SERVING_COPY not in log.read_text(errors="replace"):  # SPARQL's in-memory copy (default)
            if time.perf_counter() - started > 600 or ours.poll() is not None:
                raise RuntimeError(f"no in-memory copy:\n{log.read_text()[-2000:]}")
            time.sleep(0.1)
        result["copy_loaded_s"] = round(time.perf_counter() - started, 1)
        result["pss_idle_mb"] = round(pss_mb(ours.pid), 1)
        first_answer(f"http://127.0.0.1:{ceiling_port}/", ceiling, time.perf_counter())
        run_wrk(f"http://127.0.0.1:{port}", script, 3, args.connections)  # warm-up
        best = {"ceiling": 0.0, "ours": 0.0}
        for _ in range(args.rounds):
            for name, p in (("ceiling", ceiling_port), ("ours", port)):
                best[name] = max(best[name], run_wrk(f"http://127.0.0.1:{p}", script, args.seconds, args.connections))
        result["deref_rps"] = round(best["ours"])
        result["uvicorn_rps"] = round(best["ceiling"])
        result["deref_ratio"] = round(best["ours"] / best["ceiling"], 2)
        result["pss_after_load_mb"] = round(pss_mb(ours.pid), 1)
        result["uvicorn_pss_mb"] = round(pss_mb(ceiling.pid), 1)
    finally:
        for proc in (ours, ceiling):
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    return result


def bench_size(size: str, work: Path, args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    root = generate(work / size, size)
    print(f"[{size}] generated {root} in {time.perf_counter() - started:.1f} s", flush=True)
    build = run_measured([str(BIN / "publisher"), "--root", str(root), "build"], work / f"build-{size}.log")
    release = (root / "dist" / "current").resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    result = {"size": size, "triples": manifest["triples"]["klimatsamarbeten"], **build, **release_sizes(release)}
    print(f"[{size}] build: {json.dumps(result)}", flush=True)
    if not args.no_serve:
        result.update(serve_and_load(root, work, args))
        print(f"[{size}] serve: {json.dumps(result)}", flush=True)
    if not args.keep:
        shutil.rmtree(work / size, ignore_errors=True)
    return result


COLUMNS = (("triples", "triples"), ("wall_s", "build wall s"), ("cpu_s", "build CPU s"),
           ("peak_rss_mb", "build peak RSS MB"), ("release_mb", "release MB"),
           ("release_over_nt_plus_store", "release / (nt + store)"), ("first_answer_s", "first answer s"),
           ("pss_idle_mb", "serve PSS MB"), ("pss_after_load_mb", "PSS after load MB"),
           ("deref_rps", "deref req/s"), ("uvicorn_rps", "bare uvicorn req/s"), ("deref_ratio", "ratio"))


def table(rows: list[dict]) -> str:
    lines = ["| label | " + " | ".join(h for _, h in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for r in rows:
        lines.append(f"| {r.get('label', '')} | " + " | ".join(
            f"{r[k]:,}" if isinstance(r.get(k), int) else str(r.get(k, "")) for k, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10k,100k", help=f"comma-separated, of {', '.join(SIZES)}")
    ap.add_argument("--label", default="current", help="name of this run in bench/results/scale.json")
    ap.add_argument("--seconds", type=int, default=10, help="seconds per wrk round")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--requests", type=int, default=20_000,
                    help="random requests in the wrk script, at least (4 per document, at most 400,000)")
    ap.add_argument("--no-serve", action="store_true", help="build only")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folders")
    ap.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = ap.parse_args(argv)
    if not args.no_serve and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: `make bench-scale` installs it (apt-get install wrk)")
    work = args.work or Path(tempfile.mkdtemp(prefix="scale-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes.split(","):
        rows.append({"label": args.label, **bench_size(size.strip().lower(), work, args)})
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    out = BENCH / "results" / "scale.json"
    out.parent.mkdir(exist_ok=True)
    saved = json.loads(out.read_text()) if out.exists() else {}
    for row in rows:
        saved[f"{row['label']}/{row['size']}"] = row
    out.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
