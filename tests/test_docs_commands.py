"""Every shell command of README.md and docs/*.md runs, and every SPARQL query there answers.

Commands that talk to `http://127.0.0.1:8000` run against a real `publisher serve` of the test
release (the port rewritten); each curl must get a status below 400, or the one its line's comment
names (`# 406`). Commands that cannot run inside the suite are listed in NOT_RUN_HERE with what
runs them instead, and the list must match the documents exactly, so a new command cannot slip
past unrun.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import httpx
import pytest

from .conftest import ROOT, SHARED
from .docs_commands import Block, blocks, expected_status, instrumented, statuses_by_line

ALL = blocks(ROOT)
SHELL = [b for b in ALL if b.language == "sh"]
SPARQL = [b for b in ALL if b.language == "sparql"]

# command -> why it is not run by this test, and what runs it instead
NOT_RUN_HERE = {
    "make run     # set up .venv, build + validate the dataset, serve it on http://127.0.0.1:8000":
        "serves until stopped and builds into the working copy's dist/: "
        "test_make_run_is_serve_build_on_the_documented_address checks what it runs",
    "make test    # set up everything the tests need and run the whole test suite":
        "it is this suite (.ci/run runs it)",
}


def _runnable(block: Block) -> bool:
    return not all(c in NOT_RUN_HERE for c in block.commands())


def test_the_documents_have_the_commands_this_test_expects():
    commands = [c for b in SHELL for c in b.commands()]
    assert len(SHELL) >= 5 and len(commands) >= 15, (len(SHELL), len(commands))
    assert len(SPARQL) >= 1
    for command in NOT_RUN_HERE:
        assert command in commands, f"NOT_RUN_HERE names a command no document has: {command}"
    for block in SHELL:
        if not _runnable(block):
            assert all(c in NOT_RUN_HERE for c in block.commands()), block


@pytest.mark.parametrize("block", [b for b in SHELL if _runnable(b) and "127.0.0.1:8000" in b.text],
                         ids=lambda b: f"{b.file}:{b.commands()[0][:40]}")
def test_documented_curl_commands_get_the_documented_answers(block, live_server, tmp_path):
    script = instrumented(block, live_server.port)
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{block.file}:\n{script}\n{done.stderr[-2000:]}"
    found = statuses_by_line(done.stderr)
    for n, command in enumerate(block.commands()):
        if not command.lstrip().startswith("curl") and "curl " not in command:
            continue
        statuses = found.get(n)
        assert statuses, f"{block.file}: no answer for {command}"
        wanted = expected_status(command)
        if wanted is None:
            assert all(s < 400 for s in statuses), (command, statuses)
        else:
            assert statuses[-1] == wanted, (command, statuses)


@pytest.mark.parametrize("block", [b for b in SHELL if _runnable(b) and "publisher import" in b.text],
                         ids=lambda b: b.file)
def test_documented_import_commands_rewrite_the_committed_files_unchanged(block, tmp_path):
    """Run as written, from a copy of the project beside ../shared, so the working copy is untouched."""
    root = tmp_path / "root"
    shutil.copytree(ROOT / "data", root / "data")
    (root / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "shared").symlink_to(SHARED)
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", "\n".join(block.commands())], cwd=root,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONHASHSEED": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    for written in sorted((root / "data").glob("import-*.yaml")):
        assert written.read_bytes() == (ROOT / "data" / written.name).read_bytes(), written.name


@pytest.mark.parametrize("block", SPARQL, ids=lambda b: b.file)
def test_documented_sparql_queries_answer_with_rows(block, live_server):
    answer = httpx.post(live_server.url + "/sparql", data={"query": block.text},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["results"]["bindings"], "the documented query found nothing"


def test_make_run_is_serve_build_on_the_documented_address():
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "publisher --base-uri http://127.0.0.1:8000/ serve --build --host 127.0.0.1 --port 8000" in dry, dry
