"""Shared fixtures: one real build per test session, and a real uvicorn server on 127.0.0.1."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from publisher.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BASE = "http://127.0.0.1:8000/"
START_SECONDS = 120  # how long a test server may take to answer its first request
CHROMIUM = Path("/usr/bin/chromium")  # Debian's, installed by `make browser` (part of `make test`)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-gpu"]


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright (`playwright install` cannot download browsers here)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the real data, building into a private dist/ folder."""
    dist = tmp_path_factory.mktemp("dist")
    return Settings.from_root(ROOT, base_uri=BASE, dist_dir=dist)


@pytest.fixture(scope="session")
def built(settings: Settings):
    """The real dataset, built once for the whole session."""
    from publisher.dataset.pipeline import build

    return build(settings, progress=lambda _: None)


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


@pytest.fixture
def private_settings(tmp_path: Path, data_copy: Path) -> Settings:
    """Settings over a private copy of the data and a private dist/."""
    return replace(Settings.from_root(ROOT, base_uri=BASE), data_dir=data_copy, dist_dir=tmp_path / "dist")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`publisher serve` as a real process on 127.0.0.1."""

    def __init__(self, settings: Settings, extra_args: list[str] | None = None, port: int | None = None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", settings.base_uri,
                "--dist", str(settings.dist_dir), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                *(extra_args or [])]
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.log: list[str] = []
        # generous: it returns as soon as the server answers, and a loaded machine starts slowly
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out = self.process.stdout.read().decode() if self.process.stdout else ""
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{out}")
            try:
                httpx.get(self.url + "/", timeout=1)
                # keep reading the server's log: a full pipe would block the server at its next log line
                threading.Thread(target=self._drain, daemon=True).start()
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start within {START_SECONDS} s")

    def _drain(self) -> None:
        for line in iter(self.process.stdout.readline, b""):
            if len(self.log) < 100_000:
                self.log.append(line.decode(errors="replace"))

    def wait_for_log(self, text: str, timeout: float = 30) -> str:
        """The first line of the server's log containing `text`, waiting for it up to `timeout` s."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = next((line for line in list(self.log) if text in line), None)
            if line is not None:
                return line
            time.sleep(0.05)
        raise AssertionError(f"no {text!r} in the server's log within {timeout} s:\n{''.join(self.log[-20:])}")

    def children(self) -> list[int]:
        """Process ids of the serving processes the supervisor has forked (and not yet reaped)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except FileNotFoundError:
            return []

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def live_server(settings: Settings, built) -> Iterator[LiveServer]:
    server = LiveServer(settings)
    yield server
    server.stop()


class StaticServer:
    """The static export under nginx, started as the README says: `make serve-static HOST=… PORT=…`
    (it exports the release when it has not been exported yet, and installs nginx when missing)."""

    def __init__(self, settings: Settings, sparql_url: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.static_dir = settings.dist_dir / "static"
        flags = f"--root {ROOT} --base-uri {settings.base_uri} --dist {settings.dist_dir}"
        args = ["make", "--no-print-directory", "-C", str(ROOT), "serve-static", "HOST=127.0.0.1",
                f"PORT={self.port}", f"STATIC={self.static_dir}", f"SPARQL_URL={sparql_url}",
                f"PUBLISHER_FLAGS={flags}"]
        # a session of its own: stopping it stops make's nginx too, and nothing else
        self.process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        deadline = time.monotonic() + 120  # the first start exports the release
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                time.sleep(0.2)
                raise RuntimeError(f"make serve-static exited with {self.process.returncode}:\n{''.join(self.log)}")
            try:
                httpx.get(self.url + "/healthz", timeout=1)
                return
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"nginx did not start within 120 s:\n{''.join(self.log)}")

    def _drain(self) -> None:
        for line in iter(self.process.stdout.readline, b""):
            self.log.append(line.decode(errors="replace"))

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def static_server(settings: Settings, live_server: LiveServer) -> Iterator[StaticServer]:
    """nginx serving the export of the same release as `live_server`; /sparql goes to `live_server`."""
    server = StaticServer(settings, f"{live_server.url}/sparql")
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["publisher-serve", "static-nginx"])
def site_server(request: pytest.FixtureRequest):
    """Each of the two ways of serving a release, for the tests that must hold for both."""
    if request.param == "publisher-serve":
        return request.getfixturevalue("live_server")
    return request.getfixturevalue("static_server")

# --- external SPARQL engines (tests/backends.py), each started once per session when a test asks ---


@pytest.fixture(scope="session")
def oxigraph_memory():
    from .backends import start_oxigraph

    engine = start_oxigraph(None)
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def oxigraph_disk(tmp_path_factory):
    from .backends import start_oxigraph

    engine = start_oxigraph(tmp_path_factory.mktemp("oxigraph") / "store")
    yield engine
    engine.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    from .backends import start_virtuoso

    engine = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield engine
    engine.stop()
