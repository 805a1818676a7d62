"""External SPARQL engines for the tests, each started once per test session on loopback, the way
docs/external-sparql.md starts them: Oxigraph server (`oxigraph serve`, installed into .venv from
PyPI by `make setup`) in memory and on disk, and Virtuoso Open Source (Debian's, installed by
`make virtuoso`, started by deploy/virtuoso-run with a generated virtuoso.ini in a scratch folder)."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, LiveServer, free_port

OXIGRAPH = Path(sys.executable).parent / "oxigraph"
VIRTUOSO_RUN = ROOT / "deploy" / "virtuoso-run"
ENGINE_SECONDS = 8  # the engines' own query time limit (Oxigraph --timeout-s, Virtuoso MaxQueryExecutionTime)
RDF_TYPES = {".nt": "application/n-triples", ".ttl": "text/turtle", ".rdf": "application/rdf+xml"}


@dataclass
class Engine:
    name: str  # oxigraph or virtuoso: --sparql-backend-engine
    query_url: str
    store_url: str  # the Graph Store endpoint
    process: subprocess.Popen
    user: str | None = None
    password: str | None = None
    _http: httpx.Client | None = None

    @property
    def auth(self):
        return httpx.DigestAuth(self.user, self.password) if self.user else None

    def put_graph(self, iri: str, path: Path) -> None:
        """A test fixture file into named graph `iri` (Graph Store PUT)."""
        if self._http is None:  # one client: digest authentication is negotiated once, not per request
            self._http = httpx.Client(auth=self.auth, timeout=60)
        response = self._http.put(self.store_url, params={"graph": iri}, content=path.read_bytes(),
                                  headers={"Content-Type": RDF_TYPES[path.suffix]})
        assert response.status_code < 300, (iri, response.status_code, response.text[:300])

    def settle(self) -> None:
        """Wait until queries a test left running in the engine are over (each ends by the engine's own
        limit at the latest): a cheap query answered quickly twice in a row. On a loaded 2-core machine
        the next test's 3-second query limit could otherwise be spent waiting behind them."""
        deadline = time.monotonic() + ENGINE_SECONDS + 1
        quick = 0
        while quick < 2 and time.monotonic() < deadline:
            started = time.monotonic()
            with contextlib.suppress(httpx.HTTPError):
                httpx.get(self.query_url, params={"query": "SELECT * { ?s ?p ?o } LIMIT 6"}, timeout=ENGINE_SECONDS)
            quick = quick + 1 if time.monotonic() - started < 0.25 else 0
            time.sleep(0.05)

    def load_release(self, settings, *extra: str) -> subprocess.CompletedProcess:
        """`publisher load --into` (the recipe's command) for the release `settings` built."""
        args = [sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", settings.base_uri,
                "--dist", str(settings.dist_dir), "load", "--into", self.store_url, *extra]
        if self.user:
            secret = Path(tempfile.mkdtemp(prefix="store-password-")) / "password"
            secret.write_text(self.password + "\n")
            args += ["--user", self.user, "--password-file", str(secret)]
        return subprocess.run(args, capture_output=True, text=True, timeout=300)

    def serve(self, settings, *extra: str) -> LiveServer:
        """`publisher serve --sparql-backend` in front of this engine."""
        return LiveServer(settings, ["--sparql-backend", self.query_url, "--sparql-backend-engine", self.name,
                                     *extra])

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _wait(url: str, process: subprocess.Popen, seconds: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the engine exited with {process.returncode}"
                               + (f":\n{log.read_text()[-2000:]}" if log and log.exists() else ""))
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{url}: the engine did not answer within {seconds} s")


def start_oxigraph(location: Path | None) -> Engine:
    if not OXIGRAPH.exists():
        pytest.fail("oxigraph (Oxigraph server) is missing from .venv: `make setup` installs it")
    port = free_port()
    args = [str(OXIGRAPH), "serve", "--bind", f"127.0.0.1:{port}", "--timeout-s", str(ENGINE_SECONDS)]
    if location is not None:
        args += ["--location", str(location)]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    _wait(base + "/query", process, 30)
    return Engine("oxigraph", base + "/query", base + "/store", process)


def start_virtuoso(folder: Path, seconds: int = ENGINE_SECONDS) -> Engine:
    """Virtuoso in `folder`, its own query time limit (MaxQueryExecutionTime) `seconds`."""
    if shutil.which("virtuoso-t") is None:
        pytest.fail("virtuoso-t is missing: `make test` installs it (make virtuoso)")
    http, sql = free_port(), free_port()
    log = folder / "virtuoso.log"
    process = subprocess.Popen([str(VIRTUOSO_RUN), str(folder), str(http), str(sql), str(seconds)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    _wait(base + "/sparql", process, 120, log)
    return Engine("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth", process, "dba", "dba")
