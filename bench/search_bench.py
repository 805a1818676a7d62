"""Search and reconciliation latency on the release's index (SQLite: B-tree + FTS5 trigram), today's data
and SYNTHETIC releases up to ~1M triples, against an in-memory scan baseline measured in the same run.

    .venv/bin/python bench/search_bench.py --sizes today,1m      # today = the project's own data/

For each size: build a release (synthetic ones with bench/synthetic.py, as bench/scale_bench.py does),
open its pages/search.sqlite and time, per query, `SearchIndex.search` (limit 10) over every
municipality name as written, folded, cut to a 4-letter prefix, as a 4-letter inner substring and as
its code; and a reconciliation batch of 10 names (OpenRefine's batch size) with and without a code
property. The baseline holds every (folded) name in a Python list loaded at start and ranks by a
linear scan with the same levels: what "an in-memory index built at start" costs in memory and time.
`index-<n>` (e.g. index-300000) times a SYNTHETIC index of n invented entities written by the real
index writer, for the engine at sizes the data here does not reach (at 1M triples the index holds
only the ~2,000 named resources: observations have no names).
Results: a table on stdout and bench/results/search.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))
from synthetic import SIZES, generate  # noqa: E402

from publisher.release.search_index import SEARCH_FILE, Entry, SearchIndex, SearchIndexWriter, fold  # noqa: E402
from publisher.web.reconcile_service import reconcile  # noqa: E402

BIN = Path(sys.executable).parent


class ScanBaseline:
    """Every name in memory, ranked by a linear scan: exact, prefix, word, word prefix, substring."""

    def __init__(self, path: Path):
        db = sqlite3.connect(path)
        self.rows = [(norm, key, len(text)) for norm, key, text in
                     db.execute("SELECT n.norm, e.key, n.text FROM names n JOIN entities e ON e.id = n.entity")]
        db.close()

    def search(self, query: str, limit: int = 10) -> list[str]:
        q = fold(query)
        best: dict[str, tuple] = {}
        for norm, key, length in self.rows:
            words = norm.split()
            level = (0 if norm == q else 1 if norm.startswith(q) else 2 if q in words
                     else 3 if any(w.startswith(q) for w in words) else 4 if len(q) >= 3 and q in norm else None)
            if level is not None and (key not in best or (level, length) < best[key]):
                best[key] = (level, length)
        return sorted(best, key=lambda k: best[k])[:limit]


def queries(index_path: Path, n: int, seed: int = 5) -> dict[str, list[str]]:
    db = sqlite3.connect(index_path)
    rows = db.execute("SELECT e.key, n.text FROM names n JOIN entities e ON e.id = n.entity "
                      "WHERE e.kind = 'municipality' AND n.field IN ('label', 'alt')").fetchall()
    codes = [r[0] for r in db.execute("SELECT n.text FROM names n JOIN entities e ON e.id = n.entity "
                                      "WHERE e.kind = 'municipality' AND n.field = 'code'")]
    db.close()
    rnd = random.Random(seed)
    names = [text for _, text in rnd.sample(rows, min(n, len(rows)))]
    return {"as written": names, "folded": [fold(x) for x in names], "prefix (4)": [fold(x)[:4] for x in names],
            "substring (4)": [fold(x)[1:5] for x in names if len(fold(x)) >= 5],
            "code": rnd.sample(codes, min(n, len(codes)))}


def timed(fn, items) -> dict:
    for item in items[:5]:  # warm the page cache
        fn(item)
    times = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50_ms": round(statistics.median(times), 3), "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
            "max_ms": round(times[-1], 3), "n": len(times)}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


SYLLABLES = ("ha", "ni", "ge", "sö", "der", "tä", "lje", "gö", "te", "borg", "mal", "å", "vä", "ster", "ås", "by",
             "berg", "hol", "lund", "kö", "ping", "ar", "ne", "o", "sa", "la", "stad", "rum", "ed", "sjö")


def synthetic_index(entities: int, work: Path, seed: int = 13) -> Path:
    """A SYNTHETIC search index of `entities` invented municipality-like names (two names and a code each),
    written by the real SearchIndexWriter: the engine at a size no real data set here reaches."""
    rnd = random.Random(seed)
    release = work / f"index-{entities}"
    writer = SearchIndexWriter(release / SEARCH_FILE)
    for i in range(entities):
        name = "".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 4))).capitalize()
        label = f"{name} kommun" if i % 3 else f"{name} {rnd.choice(('Nätverk', 'Samarbete', 'Förbund'))}"
        code = f"{i:07d}"
        writer.add(Entry(f"municipality/{code}", f"http://example.org/id/municipality/{code}", "municipality", 0,
                         {"sv": label, "en": label}, {"sv": "SYNTETISK", "en": "SYNTHETIC"},
                         [("label", "sv", label), ("alt", "sv", name), ("code", "", code)], {"code": [code]}))
    writer.close()
    (release / "manifest.json").write_text(json.dumps({"triples": {"klimatsamarbeten": 0}}))
    return release


def release_for(size: str, work: Path) -> tuple[Path, float, list[str]]:
    """(the release, seconds to make it, the CLI's global options that select it, [] for an index alone)."""
    started = time.perf_counter()
    if size.startswith("index-"):  # index-300000: a synthetic index only, no release around it
        return synthetic_index(int(size.split("-", 1)[1]), work), time.perf_counter() - started, []
    if size == "today":
        where = ["--root", str(ROOT), "--dist", str(work / "today-dist")]
        current = work / "today-dist" / "current"
    else:
        root = generate(work / size, size)
        where = ["--root", str(root)]
        current = root / "dist" / "current"
    log = work / f"build-{size}.log"
    with log.open("wb") as out:
        if subprocess.run([str(BIN / "publisher"), *where, "build"], stdout=out, stderr=subprocess.STDOUT).returncode:
            raise SystemExit(f"build failed:\n{log.read_text()[-3000:]}")
    return current.resolve(), time.perf_counter() - started, where


def over_http(where: list[str], names: list[str], work: Path) -> dict:
    """The same searches and batches through `publisher serve` (uvicorn, FastAPI), one keep-alive client."""
    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    log = (work / f"serve-{port}.log").open("wb")
    proc = subprocess.Popen([str(BIN / "publisher"), *where, "serve", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    client.get("/search?q=x", headers={"Accept": "application/json"})
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit("the server did not start") from None
                    time.sleep(0.2)
            search = timed(lambda q: client.get("/search", params={"q": q, "limit": "10"},
                                                headers={"Accept": "application/json"}).raise_for_status(), names)
            batches = ["{" + ",".join(f'"q{i}":{json.dumps({"query": n, "type": "municipality"})}'
                                      for i, n in enumerate(names[start:start + 10])) + "}"
                       for start in range(0, len(names) - 9, 10)]
            batch = timed(lambda b: client.post("/reconcile", data={"queries": b}).raise_for_status(), batches)
        return {"http_search": search, "http_reconcile_batch_of_10": batch}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def bench_size(size: str, work: Path, n: int) -> dict:
    release, build_s, where = release_for(size, work)
    manifest = json.loads((release / "manifest.json").read_text())
    path = release / SEARCH_FILE
    db = sqlite3.connect(path)
    entities, names = (db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("entities", "names"))
    db.close()
    result = {"size": size, "triples": manifest["triples"]["klimatsamarbeten"], "build_s": round(build_s, 1),
              "entities": entities, "names": names, "index_mb": round(path.stat().st_size / 1e6, 2)}
    rss_before = rss_mb()
    index = SearchIndex(path)
    qs = queries(path, n)
    result["search"] = {kind: timed(lambda q: index.search(q, 10), items) for kind, items in qs.items()}
    result["index_rss_mb"] = round(rss_mb() - rss_before, 1)
    batches = [{f"q{i}": {"query": name, "type": "municipality", "type_strict": "should"}
                for i, name in enumerate(qs["as written"][start:start + 10])}
               for start in range(0, len(qs["as written"]) - 9, 10)]
    result["reconcile_batch_of_10"] = timed(lambda b: reconcile(index, b, "sv"), batches)
    coded = [{f"q{i}": {"query": "", "properties": [{"pid": "code", "v": code}]}
              for i, code in enumerate(qs["code"][start:start + 10])} for start in range(0, len(qs["code"]) - 9, 10)]
    result["reconcile_codes_batch_of_10"] = timed(lambda b: reconcile(index, b, "sv"), coded)
    if where:
        result.update(over_http(where, qs["as written"], work))
    tracemalloc.start()
    started = time.perf_counter()
    baseline = ScanBaseline(path)
    result["baseline_load_s"] = round(time.perf_counter() - started, 3)
    result["baseline_memory_mb"] = round(tracemalloc.get_traced_memory()[0] / 1e6, 2)
    tracemalloc.stop()
    # the scan costs ~1 µs per name: at most 30 queries of each kind, so a big index does not take an hour
    result["baseline_search"] = {kind: timed(baseline.search, items[:30]) for kind, items in qs.items()}
    result["ratio_p50_baseline_over_index"] = {
        kind: round(result["baseline_search"][kind]["p50_ms"] / max(result["search"][kind]["p50_ms"], 1e-6), 1)
        for kind in qs}
    return result


def table(rows: list[dict]) -> str:
    lines = ["| size | triples | entities / names | index MB | query kind | index p50 / p95 ms | scan p50 ms | "
             "scan / index |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        for kind, t in r["search"].items():
            lines.append(f"| {r['size']} | {r['triples']:,} | {r['entities']:,} / {r['names']:,} | {r['index_mb']} | "
                         f"{kind} | {t['p50_ms']} / {t['p95_ms']} | {r['baseline_search'][kind]['p50_ms']} | "
                         f"{r['ratio_p50_baseline_over_index'][kind]}× |")
        for name in ("reconcile_batch_of_10", "reconcile_codes_batch_of_10", "http_search",
                     "http_reconcile_batch_of_10"):
            if name not in r:
                continue
            t = r[name]
            lines.append(f"| {r['size']} | | | | {name.replace('_', ' ')} | {t['p50_ms']} / {t['p95_ms']} | | |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="today,1m", help=f"comma-separated, of today, {', '.join(SIZES)}, "
                    "index-<n> (a synthetic index of n entities alone)")
    ap.add_argument("--queries", type=int, default=200, help="names drawn per size")
    ap.add_argument("--keep", action="store_true", help="keep the generated releases")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    rows = []
    try:
        for size in args.sizes.split(","):
            rows.append(bench_size(size, work, args.queries))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    out = BENCH / "results" / "search.json"
    out.parent.mkdir(exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(json.dumps({"runs": rows, "cpu_count": os.cpu_count()}, indent=1) + "\n")
    tmp.replace(out)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
