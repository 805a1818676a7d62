"""The static export under nginx vs `publisher serve` vs a bare uvicorn app, in the same run.

Builds the real data into a temporary dist/, exports it (`publisher export-static`), and starts on
127.0.0.1: nginx on the export (one worker, as `publisher serve` has one serving process),
`publisher serve`, and a minimal uvicorn app answering constant bytes (bench/constant_app.py, the
ceiling of a Python server). Each gets the same mixed dereferencing load (documents with the Accept
and Accept-Language headers of real clients, every fifth request a thing URI answering 303: the
requests of bench/deref_bench.py), with `wrk`, in alternating rounds; the best requests/s of each
and the ratios are printed and written to bench/results/static.json. Loopback only, bounded.

    .venv/bin/python bench/static_bench.py [--seconds 10] [--connections 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from deref_bench import ROOT, free_port, requests_for, run_wrk, wait_up, wrk_script


def start_all(py: str, dist: Path, base: str, tmp: Path) -> dict[str, tuple[int, subprocess.Popen]]:
    flags = ["--root", str(ROOT), "--base-uri", base, "--dist", str(dist)]
    subprocess.run([py, "-m", "publisher", *flags, "export-static", str(tmp / "static")], check=True,
                   capture_output=True)
    sys.path.insert(0, str(ROOT))
    from publisher.static.nginx_conf import write_main_config

    ports = {name: free_port() for name in ("static nginx", "publisher serve", "bare uvicorn")}
    conf = write_main_config(tmp / "static", "127.0.0.1", ports["static nginx"],
                             f"http://127.0.0.1:{ports['publisher serve']}/sparql", workers=1)
    processes = {
        "static nginx": subprocess.Popen(["nginx", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL),
        "publisher serve": subprocess.Popen([py, "-m", "publisher", *flags, "serve", "--host", "127.0.0.1",
                                             "--port", str(ports["publisher serve"])],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        "bare uvicorn": subprocess.Popen(
            [py, "-c", "import sys, uvicorn; sys.path.insert(0, sys.argv[1]); from constant_app import app; "
                       "uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[2]), log_level='warning')",
             str(ROOT / "bench"), str(ports["bare uvicorn"])], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
    }
    return {name: (ports[name], processes[name]) for name in ports}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="static-bench-") as name:
        tmp = Path(name)
        dist, base = tmp / "dist", "http://127.0.0.1:8000/"
        subprocess.run([py, "-m", "publisher", "--root", str(ROOT), "--base-uri", base, "--dist", str(dist), "build"],
                       check=True, capture_output=True)
        keys = json.loads((dist / "current" / "pages" / "site.json").read_text())["documents"]
        requests = requests_for(keys)
        script = tmp / "mixed.lua"
        wrk_script(requests, script)
        servers = start_all(py, dist, base, tmp)
        best = {name: 0.0 for name in servers}
        try:
            for port, process in servers.values():
                wait_up(f"http://127.0.0.1:{port}/", process)
                run_wrk(f"http://127.0.0.1:{port}", script, 3, args.connections)  # warm up every answer once
            for round_ in range(args.rounds):
                for name, (port, _) in servers.items():
                    rps = run_wrk(f"http://127.0.0.1:{port}", script, args.seconds, args.connections)
                    best[name] = max(best[name], rps)
                    print(f"round {round_ + 1}: {name:16s} {rps:9.0f} requests/s", flush=True)
        finally:
            for _, process in servers.values():
                process.terminate()
                process.wait(timeout=10)
    ratios = {"static nginx / publisher serve": best["static nginx"] / best["publisher serve"],
              "static nginx / bare uvicorn": best["static nginx"] / best["bare uvicorn"],
              "publisher serve / bare uvicorn": best["publisher serve"] / best["bare uvicorn"]}
    print(f"\nwrk, {args.connections} connections, {args.seconds} s x {args.rounds} rounds, {len(requests)} distinct "
          f"requests over {len(keys)} documents; best of the rounds:")
    for name, rps in best.items():
        print(f"  {name:16s} {rps:9.0f} requests/s")
    for name, ratio in ratios.items():
        print(f"  {name}: {ratio:.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "static.json").write_text(json.dumps({"connections": args.connections, "seconds": args.seconds,
                                                 "rounds": args.rounds, "requests_per_second": best,
                                                 "ratios": ratios}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
