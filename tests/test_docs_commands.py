"""Every command of README.md and docs/*.md runs: the lines of the fenced `sh` blocks and the inline
code spans that are commands (tests/docs_commands.py says which are), and every SPARQL query there
answers.

How a command is run (one *unit* each: a whole block when its lines share state — a variable, a
file, a process started with `&` — else each line or inline command on its own; a unit written
several times is run once):
- first SUBSTITUTIONS (placeholders and the venv's programs) and ALIASES (a command named in
  passing, such as `publisher load`, stands for the documented command it refers to) are applied;
- curl against the real thing: `127.0.0.1:8000` is a real `publisher serve` of the test release
  (conftest's `live_server`), `127.0.0.1:8080` the static site under nginx that `make serve-static`
  started (`static_server`); each curl must get a status below 400, or the one its comment names;
- a unit that starts a server (`publisher serve`, `make run|serve|serve-static`, `oxigraph serve`,
  a recipe ending in one) is started in a process group of its own, each of its documented ports
  replaced by a free one (a server without a port gets the default's replacement), probed over
  HTTP and stopped; a SPARQL backend recipe must answer a query through `/sparql`;
- everything runs in a scratch copy of the project (every top-level entry linked, `data/` and
  `shapes/` copied, `../shared` beside it): READ's `dist` is the test release, BUILD's an empty
  folder that the build commands write into; the working copy is never written to;
- the importers and the SHACL shapes generator must rewrite the committed files byte for byte.

A command that cannot run here is in NOT_RUN with the reason and, where it exists, what is checked
instead (a benchmark's make target by `make -n`, its script's options against its `--help`). A
command of the documents that is neither run nor listed fails the test, and so does an entry of
the lists that no document has.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .conftest import ROOT, SHARED, free_port
from .docs_commands import Block, blocks, commands, expected_status, instrumented, statuses_by_line, strip_comment

ALL = commands(ROOT)
SPARQL = [b for b in blocks(ROOT) if b.language == "sparql"]
VENV_BIN = ".venv/bin/"

# placeholder or shorthand in the documents → the concrete text run, and why
SUBSTITUTIONS: list[tuple[str, str, str]] = [
    (r"^publisher\b", VENV_BIN + "publisher", "the documents say `publisher` for the program `make setup` "
     "installs into .venv/bin (on PATH once the venv is activated)"),
    (r"^python\b", VENV_BIN + "python", "the same: the venv's Python"),
    (r"…/dumps/", "http://127.0.0.1:8000/dumps/", "… is the server's address"),
    (r"HOST=… PORT=…", "HOST=127.0.0.1 PORT=8080", "the static site's host and port, as in docs/deployment.md"),
    (r"--host … --port … --sparql URL", "--host 127.0.0.1 --port 8080 --sparql http://127.0.0.1:8000/sparql",
     "the same host and port; URL is where /sparql goes"),
    (r"\b(export-static|static-config) DIR\b", r"\1 dist/static", "the export folder: `make serve-static`'s default"),
    (r"SCRATCH/root", ".", "the benchmark's scratch copy of a project: here the test's scratch copy"),
    (r"/var/lib/", "var-lib/", "the engines' database folders: scratch folders"),
]
OXIGRAPH_LOAD = VENV_BIN + "publisher load --into http://127.0.0.1:7878/store"
OXIGRAPH_SERVE = (VENV_BIN + "publisher serve --sparql-backend http://127.0.0.1:7878/query "
                  "--sparql-backend-engine oxigraph --query-timeout 10")
# a command written in passing (a subcommand's name, an option with a placeholder) → the documented
# command it stands for, which is run
ALIASES = {
    "publisher load": OXIGRAPH_LOAD,
    "publisher load --into": OXIGRAPH_LOAD,
    "publisher load --into URL": OXIGRAPH_LOAD,
    "publisher load --into …": OXIGRAPH_LOAD,
    "publisher serve --sparql-backend": OXIGRAPH_SERVE,
    "publisher serve --sparql-backend URL": OXIGRAPH_SERVE,
    "oxigraph serve": VENV_BIN + "oxigraph serve --location var-lib/klimat-oxigraph --bind 127.0.0.1:7878 "
                      "--timeout-s 10 &",
    "publisher export-static": VENV_BIN + "publisher export-static dist/static",
    "publisher static-config": VENV_BIN + "publisher static-config dist/static --host 127.0.0.1 --port 8080 "
                               "--sparql http://127.0.0.1:8000/sparql",
    "publisher import scb": VENV_BIN + "publisher import scb $X/scb-municipalities-2025/municipalities.csv "
                            "$X/scb-municipalities-2025/counties.csv",
    "sha256sum -c": "sha256sum -c SHA256SUMS",
}

# documented command (as written, comment left out) → why it is not run here, and what checks it
NOT_RUN = {
    "make test": "it is this test suite (.ci/run runs it), with any make variables",
    "make virtuoso": "installs Debian's Virtuoso with apt-get when missing (root, network); `make test` runs it "
                     "before the suite, which starts Virtuoso (the recipe below runs it)",
    "nginx -s reload": "signals the system's nginx through its pid file; tests/test_static_export.py reloads the "
                       "test's own nginx under load",
    "isql-vt 1111 dba dba": "an interactive SQL session, to change a password by hand",
    ".venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/sparql_bench.py":
        "installs the benchmark's packages from PyPI (network); its script's options are checked against --help",
}
# benchmarks: minutes of load on the shared machine, results into bench/results/; their make target
# is checked with `make -n` and their script's options against its `--help`
BENCHMARKS = re.compile(r"^(make bench-[\w-]+( [A-Z]+=\S+)*|\.venv/bin/python bench/\w+\.py( --?[\w-]+( [\w,]+)?)*)$")
# installers that do nothing when their program is there: run when it is, else the test says so
INSTALLERS = {"make browser": "/usr/bin/chromium", "make nginx-js": "/usr/sbin/nginx"}

SERVER = re.compile(r"(^|\s)(make (run|serve|serve-static)\b|\S*publisher( --\S+ \S+)* serve\b|\S*oxigraph serve\b)")
PORTS = ("8000", "8001", "8002", "8080", "7878", "8890", "1111")


def not_run(bare: str) -> str | None:
    """Why a documented command is not run (None: it is), with or without make variables after it."""
    for command, reason in NOT_RUN.items():
        if bare == command or re.fullmatch(re.escape(command) + r"( [A-Z_]+=\S*)+", bare):
            return reason
    return None


def concrete(text: str) -> str:
    """A documented command as it is run: aliases and substitutions applied (a comment is kept: it may
    name the status a curl gets)."""
    text = ALIASES.get(strip_comment(text), text)
    for pattern, replacement, _ in SUBSTITUTIONS:
        text = re.sub(pattern, replacement, text)
    return text


@dataclass(frozen=True)
class Unit:
    """What runs at once: a block that is a script, or one command."""

    lines: tuple[str, ...]  # concrete
    where: str  # file:line of its first occurrence

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _key(lines: tuple[str, ...]) -> str:
    """Units that differ only in their comments are one."""
    return "\n".join(strip_comment(line) for line in lines)


def _is_script(block: Block) -> bool:
    return any(re.search(r"\$|&$|^\w+=", strip_comment(c.strip())) for c in block.commands())


def units() -> tuple[list[Unit], dict[str, str]]:
    """The units to run, and every documented command (as written) → the unit that runs it or why not."""
    runs: dict[str, Unit] = {}
    fate: dict[str, str] = {}
    done_blocks: set[Block] = set()
    for command in ALL:
        bare = strip_comment(command.text)
        if not_run(bare):
            fate[str(command)] = "not run: " + not_run(bare)
            continue
        if command.block is not None and _is_script(command.block):
            if command.block not in done_blocks:
                done_blocks.add(command.block)
                lines = tuple(concrete(c) for c in command.block.commands() if not not_run(strip_comment(c)))
                runs.setdefault(_key(lines), Unit(lines, f"{command.file}:{command.line}"))
            fate[str(command)] = "run in its block"
            continue
        unit = Unit((concrete(command.text),), f"{command.file}:{command.line}")
        benchmark = BENCHMARKS.match(unit.text) is not None
        fate[str(command)] = ("checked, not run (a benchmark): " if benchmark else "run: ") + unit.text
        runs.setdefault(_key(unit.lines), unit)
    # an inline command that is a line of a block run as a script is run there
    script_lines = {strip_comment(line) for u in runs.values() if len(u.lines) > 1 for line in u.lines}
    for key in [k for k, u in runs.items() if len(u.lines) == 1 and k in script_lines]:
        del runs[key]
    return list(runs.values()), fate


UNITS, FATE = units()


def _kind(unit: Unit) -> str:
    text = unit.text
    if len(unit.lines) == 1 and BENCHMARKS.match(text):
        return "benchmark"
    if text in INSTALLERS:
        return "installer"
    if SERVER.search(text):
        return "server"
    if "publisher import " in text:
        return "import"
    if "publisher.dataset.se_shapes" in text or re.search(r"publisher( --\S+ \S+)* (build|validate)$", text) \
            or text.startswith("make build"):
        return "build"
    return "command"


# --- the scratch copies of the project -----------------------------------------------------------


def _scratch(base: Path, dist: Path | None) -> Path:
    root = base / "root"
    root.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name in {"dist", "data", "shapes", ".git"}:
            continue
        (root / entry.name).symlink_to(entry)
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "shapes", root / "shapes")
    if dist is not None:
        (root / "dist").symlink_to(dist)
    (root / "var-lib").mkdir()  # the engines' database folders go in it (SUBSTITUTIONS)
    (base / "shared").symlink_to(SHARED)
    return root


@pytest.fixture(scope="module")
def read_root(tmp_path_factory, settings, built) -> Path:
    """A scratch copy whose dist/ is the test release (the one `live_server` serves)."""
    return _scratch(tmp_path_factory.mktemp("docs-read"), settings.dist_dir)


@pytest.fixture(scope="module")
def build_root(tmp_path_factory) -> Path:
    """A scratch copy with an empty dist/ of its own, for the commands that build."""
    return _scratch(tmp_path_factory.mktemp("docs-build"), None)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0"}


# --- the tests -----------------------------------------------------------------------------------


def test_every_documented_command_is_run_or_listed():
    assert len(ALL) >= 140, len(ALL)  # fenced and inline, README and docs/ (147 when written)
    inline = [c for c in ALL if c.block is None]
    assert len(inline) >= 100, len(inline)
    for command in ALL:
        assert str(command) in FATE, f"neither run nor listed: {command}"
    written = {c.bare for c in ALL}
    for listed in [*NOT_RUN, *ALIASES, *INSTALLERS]:
        assert listed in written, f"a list names a command no document has: {listed}"
    for pattern, _, _ in SUBSTITUTIONS:
        assert any(re.search(pattern, c.bare) or re.search(pattern, ALIASES.get(c.bare, "")) for c in ALL), pattern
    kinds = [_kind(u) for u in UNITS]
    print(f"{len(ALL)} commands ({len(inline)} inline), {len(UNITS)} units: "
          + ", ".join(f"{k} {kinds.count(k)}" for k in sorted(set(kinds))) + f"; {len(NOT_RUN)} not run")
    assert kinds.count("server") >= 8 and kinds.count("build") >= 4, kinds


def _curl_statuses(unit: Unit, script: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run(["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=180, env=env)
    assert done.returncode == 0, f"{unit.where}:\n{script}\n{done.stdout[-1000:]}\n{done.stderr[-2000:]}"
    found = statuses_by_line(done.stderr)
    for n, line in enumerate(unit.lines):
        if "curl " not in line:
            continue
        statuses = found.get(n)
        assert statuses, f"{unit.where}: no answer for {line}"
        wanted = expected_status(line)
        if wanted is None:
            assert all(s < 400 for s in statuses), (line, statuses)
        else:
            assert statuses[-1] == wanted, (line, statuses)


def _with_ports(text: str, ports: dict[str, int]) -> str:
    """Each documented port that `ports` replaces, in an address, a PORT=, a --port or deploy/virtuoso-run's."""
    text = re.sub(r"(127\.0\.0\.1:|PORT=|--port )(\d{4})\b",
                  lambda m: m.group(1) + str(ports.get(m.group(2), m.group(2))), text)
    return re.sub(r"(virtuoso-run \S+) (\d+) (\d+)\b",
                  lambda m: f"{m.group(1)} {ports.get(m.group(2), m.group(2))} {ports.get(m.group(3), m.group(3))}",
                  text)


def _server_lines(unit: Unit) -> list[str]:
    """The unit with a port on every server that has none (its default, 8000, to be replaced)."""
    out = []
    for line in map(strip_comment, unit.lines):
        if re.search(r"\bmake (run|serve|serve-static)\b", line) and "PORT=" not in line:
            line += " PORT=8000"
        elif re.search(r"publisher( --\S+ \S+)* serve\b", line) and "--port" not in line:
            line = re.sub(r"(\s*&)?$", lambda m: " --port 8000" + (m.group(1) or ""), line, count=1)
        out.append(line)
    return out


def _probe(url: str, process: subprocess.Popen, seconds: float, log: Path) -> httpx.Response:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(url, timeout=5)
            if answer.status_code < 500:
                return answer
        except httpx.TransportError:
            pass
        if process.poll() is not None and process.returncode != 0:
            break
        time.sleep(0.2)
    raise AssertionError(f"nothing answered {url} within {seconds} s:\n{log.read_text()[-3000:]}")


def _run_server(unit: Unit, root: Path, tmp_path: Path, live_url: str) -> None:
    lines = _server_lines(unit)
    text = "\n".join(lines)
    ports = {p: free_port() for p in PORTS if re.search(rf"(:|=| ){p}\b", text)}
    lines = [_with_ports(line, ports) for line in lines]
    script = "set -eu\n" + "\n".join(lines) + "\nwait\n"
    log = tmp_path / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(["bash", "-c", script], cwd=root, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, env=_env())
    try:
        for line in lines:
            match = re.search(r"(?:PORT=|--port |--bind 127\.0\.0\.1:)(\d+)", line)
            if not SERVER.search(line) or not match:
                continue
            base = f"http://127.0.0.1:{match.group(1)}"
            if "oxigraph serve" in line:
                answer = _probe(base + "/query?query=ASK%7B%7D", process, 60, log)
            else:
                answer = _probe(base + "/healthz", process, 300 if "make run" in line else 120, log)
            assert answer.status_code == 200, (line, answer.status_code, answer.text[:300], log.read_text()[-2000:])
            if "--sparql-backend" in line:
                answer = _probe(base + "/sparql?query=ASK%7B%7D", process, 60, log)
                assert answer.status_code == 200, (line, answer.text[:300], log.read_text()[-2000:])
            if re.search(r"make (run|serve)\b|publisher( --\S+ \S+)* serve\b", line):
                page = httpx.get(base + "/doc/municipality/0136", headers={"Accept": "text/html"}, timeout=30)
                assert page.status_code == 200 and "Haninge" in page.text, (line, page.status_code)
        assert process.poll() is None or process.returncode == 0, log.read_text()[-3000:]
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _make_target(text: str) -> str:
    return text.split()[1]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: f"{_kind(u)}:{u.where}:{u.lines[0][:50]}")
def test_documented_command_runs(unit: Unit, request, tmp_path):
    kind = _kind(unit)
    if kind == "benchmark":
        return _check_benchmark(unit)
    if kind == "installer" and not Path(INSTALLERS[unit.text]).exists():
        pytest.fail(f"{INSTALLERS[unit.text]} is missing: `make test` installs it ({unit.text})")
    read_root = request.getfixturevalue("read_root")
    if re.search(r"\bmake (setup|build|validate|run|serve|serve-static)\b", unit.text):
        _require_current_setup(read_root)
    if kind == "server":
        build = re.search(r"make run\b|--build\b", unit.text) is not None
        root = request.getfixturevalue("build_root") if build else read_root
        return _run_server(unit, root, tmp_path, request.getfixturevalue("live_server").url)
    if kind == "build":
        return _run_build(unit, request)
    if kind == "import":
        _run_in(unit, read_root, check_data=True)
        return None
    # curl and the rest: against the live server (:8000) and the static site (:8080)
    text = unit.text
    if "127.0.0.1:8000" in text or "8080" in text:
        live = request.getfixturevalue("live_server")
        ports = {"8000": live.port}
        if "127.0.0.1:8080" in text:
            ports["8080"] = request.getfixturevalue("static_server").port
        lines = [_with_ports(line, ports) for line in unit.lines]
        cwd = tmp_path if "curl " in text else read_root
        return _curl_statuses(Unit(tuple(lines), unit.where), instrumented(lines), cwd, _env())
    _run_in(unit, read_root)
    return None


def _require_current_setup(root: Path) -> None:
    """These targets depend on `make setup`, which installs from PyPI and npm when .venv or node_modules is
    older than pyproject.toml or package.json: the test must not reach the network, so it stops first."""
    if subprocess.run(["make", "-q", "setup"], cwd=root, capture_output=True, timeout=60).returncode != 0:
        pytest.fail("`make setup` is not up to date (pyproject.toml or package.json changed): run it, then the tests")


def _run_in(unit: Unit, root: Path, check_data: bool = False) -> str:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", unit.text], cwd=root, capture_output=True, text=True,
                          timeout=600, env=_env())
    assert done.returncode == 0, f"{unit.where}: {unit.text}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    if unit.text == "make help":
        assert "$(" not in done.stdout and "make run" in done.stdout and "PORT=8000" in done.stdout, done.stdout
    if check_data:
        written = sorted((root / "data").glob("import-*.yaml"))
        assert written
        for path in written:
            assert path.read_bytes() == (ROOT / "data" / path.name).read_bytes(), path.name
    return done.stdout + done.stderr


def _run_build(unit: Unit, request) -> None:
    root = request.getfixturevalue("build_root")
    if "se_shapes" in unit.text:
        root = request.getfixturevalue("read_root")
    output = _run_in(unit, root)
    if "se_shapes" in unit.text:
        out = unit.text.split()[-1]
        assert (root / out).read_bytes() == (ROOT / out).read_bytes(), out
    elif unit.text.endswith("build"):
        assert "built release" in output and (root / "dist" / "current" / "manifest.json").exists(), output[-2000:]


def _check_benchmark(unit: Unit) -> None:
    """A benchmark is not run (minutes of load): its make target must exist and what it runs must be
    the script the documents name; a script's options must be the ones its --help lists."""
    text = unit.text
    if text.startswith("make "):
        args = text.split()[1:]
        dry = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert dry.returncode == 0 and "bench/" in dry.stdout, (text, dry.stdout, dry.stderr)
        return
    script = text.split()[1]
    assert (ROOT / script).is_file(), script
    compile((ROOT / script).read_text(encoding="utf-8"), script, "exec")
    if "argparse" not in (ROOT / script).read_text(encoding="utf-8"):
        assert text == VENV_BIN + "python " + script, f"{script} takes no options: {text}"
        return
    helped = subprocess.run([str(ROOT / VENV_BIN / "python"), script, "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert helped.returncode == 0, (script, helped.stderr[-1000:])
    for option in re.findall(r"(?<!\S)(--?[\w-]+)", text):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", helped.stdout), (option, helped.stdout)


@pytest.mark.parametrize("block", SPARQL, ids=lambda b: b.file)
def test_documented_sparql_queries_answer_with_rows(block, live_server):
    answer = httpx.post(live_server.url + "/sparql", data={"query": block.text},
                        headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.json()["results"]["bindings"], "the documented query found nothing"


def test_make_run_is_serve_build_on_the_documented_address():
    dry = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "publisher --base-uri http://127.0.0.1:8000/ serve --build --host 127.0.0.1 --port 8000" in dry, dry


def test_every_benchmark_script_the_documents_name_is_checked():
    named = {u.text.split()[1] for u in UNITS if _kind(u) == "benchmark" and u.text.startswith(VENV_BIN)}
    assert {"bench/deref_bench.py", "bench/scale_bench.py", "bench/sparql_bench.py"} <= named, named
