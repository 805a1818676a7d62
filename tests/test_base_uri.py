"""A server whose release names another address says so at start-up, with the fix; `make help`
prints the real values."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from publisher.web.base_check import mismatch_warning

from .conftest import ROOT, free_port

BASE = "http://127.0.0.1:8000/"


@pytest.mark.parametrize(("base", "host", "port", "explicit", "dev", "warns"), [
    (BASE, "127.0.0.1", 8000, False, False, False),
    (BASE, "localhost", 8000, False, False, False),
    (BASE, "0.0.0.0", 8000, False, False, False),
    (BASE, "127.0.0.1", 8001, False, False, True),   # make serve PORT=8001 on an :8000 release
    (BASE, "0.0.0.0", 8001, False, False, True),
    ("https://data.example.se/klimat/", "127.0.0.1", 8000, False, False, True),
    ("https://data.example.se/klimat/", "127.0.0.1", 8000, True, False, False),  # --base-uri: behind a proxy
    (BASE, "127.0.0.1", 8001, False, True, False),   # --dev
])
def test_a_release_for_another_address_is_a_warning_unless_chosen(base, host, port, explicit, dev, warns):
    assert (mismatch_warning(base, host, port, explicit, dev) is not None) == warns


def test_the_warning_spells_out_the_fix():
    text = mismatch_warning(BASE, "127.0.0.1", 8001, False, False)
    assert "publisher --base-uri http://127.0.0.1:8001/ serve --build --host 127.0.0.1 --port 8001" in text
    assert "make run HOST=127.0.0.1 PORT=8001" in text and "--dev" in text


def _startup_output(settings, extra: list[str]) -> str:
    port = free_port()
    args = [sys.executable, "-m", "publisher", "--root", str(ROOT), "--dist", str(settings.dist_dir),
            *([extra[0]] if extra[0] else []), "serve", "--host", "127.0.0.1", "--port", str(port), *extra[1:]]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "serving on http://" in line or not line:  # the supervisor's "serving on …" line
                break
        return "".join(lines)
    finally:
        process.kill()  # only its start-up was wanted; the serving process dies with it (PR_SET_PDEATHSIG)
        process.wait(timeout=15)


def test_serving_the_release_on_another_port_warns_at_start_up(settings, built):
    out = _startup_output(settings, [""])
    assert "warning: the release was built with the base URI http://127.0.0.1:8000/" in out, out
    out = _startup_output(settings, ["", "--dev"])
    assert "warning:" not in out, out


def test_make_help_prints_the_real_values():
    out = subprocess.run(["make", "help", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "$(" not in out
    assert "http://127.0.0.1:8001/" in out and "PORT=8001" in out
