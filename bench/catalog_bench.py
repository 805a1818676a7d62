"""How much the catalogue costs: in the build, and per request. Prints ratios, not just times.

    .venv/bin/python bench/catalog_bench.py

Build: the time of the catalogue checks (both profiles, pyshacl) and pages (run beside the documents)
against the whole build, measured in the same run. Web: /catalog (the first request reads the page
the build wrote; later ones come from the in-process cache) against the static dump file of similar
size, both from the same real uvicorn server on 127.0.0.1, median of N requests.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from publisher.dataset import pipeline  # noqa: E402
from publisher.settings import Settings  # noqa: E402

N = 50


def main() -> None:
    dist = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    settings = Settings.from_root(ROOT, dist_dir=dist)
    spent_file = dist / "catalogue-check-seconds"  # the step runs in a forked process: its time comes back in a file
    original = pipeline.check_and_page

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent_file.write_text(str(time.perf_counter() - t))

    pipeline.check_and_page = timed
    t0 = time.perf_counter()
    pipeline.build(settings, progress=lambda _: None)
    total = time.perf_counter() - t0
    pipeline.check_and_page = original
    spent = [float(spent_file.read_text())]
    print(f"build: {total:.2f} s, catalogue checks and pages {spent[0]:.2f} s "
          "(beside the documents, in a forked process)")

    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "publisher", "--root", str(ROOT), "--dist", str(dist),
                             "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(timeout=30) as client:
            t = time.perf_counter()
            client.get(url + "/catalog")
            first = time.perf_counter() - t

            def median(path: str) -> float:
                times = []
                for _ in range(N):
                    t = time.perf_counter()
                    r = client.get(url + path)
                    times.append(time.perf_counter() - t)
                    assert r.status_code == 200
                return statistics.median(times)

            cached = median("/catalog")
            static = median("/dumps/catalog-dcat-ap-se.rdf")
        print(f"/catalog first request {first * 1000:.1f} ms; cached median {cached * 1000:.2f} ms; "
              f"static file of the same catalogue {static * 1000:.2f} ms")
        print(f"ratios: first/static = {first / static:.1f}x, cached/static = {cached / static:.2f}x")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
