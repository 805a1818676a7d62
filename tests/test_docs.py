"""Docs that cannot drift: every CLI exit code, setting and make target is in the README or the docs/ pages it links."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

from publisher import cli, errors
from publisher.settings import Settings
from publisher.web import supervisor

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
# the reference: the command line's page (options, settings, exit codes) and the SPARQL page (serve's options)
REFERENCE = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8") for name in ("build.md", "sparql.md"))
# where the options of `load`, `serve --sparql-backend`, `export-static`, `static-config` and
# `import-observations` are explained
EXTERNAL = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8")
                      for name in ("external-sparql.md", "deployment.md", "statistics.md"))


def test_every_exit_code_is_documented():
    codes = {v for k, v in vars(cli).items() if k.startswith("EXIT_")}
    assert codes == {0, 1, 2, 3, 4, 5, 6, 130}
    assert supervisor.EXIT_NO_SERVER == cli.EXIT_NO_SERVER
    assert errors.ReleaseIOError.exit_code == cli.EXIT_RELEASE_IO
    from publisher.store_load import StoreLoadError

    assert StoreLoadError.exit_code == cli.EXIT_STORE_LOAD
    assert errors.SourceDataError.exit_code == errors.ConfigError.exit_code == cli.EXIT_BAD_INPUT
    for code in codes:
        assert re.search(rf"^\| {code} \|", REFERENCE, re.MULTILINE), code


def test_every_setting_is_documented():
    for field in dataclasses.fields(Settings):
        assert f"`{field.name}`" in REFERENCE, field.name


def _help(*subcommand: str) -> str:
    done = subprocess.run([sys.executable, "-m", "publisher", *subcommand, "--help"], capture_output=True,
                          text=True, timeout=60, env={**os.environ, "COLUMNS": "200"})
    assert done.returncode == 0, (subcommand, done.stderr)
    return done.stdout


def _options_in_help(text: str) -> set[str]:
    """The options a real `--help` lists (the rows of its options section), --help left out."""
    section = text.split("\noptions:\n", 1)[1]
    return {m for m in re.findall(r"^\s{2}(?:-\w, )?(--[\w-]+)", section, re.MULTILINE)} - {"--help"}


def _synopsis() -> dict[str, set[str]]:
    """docs/build.md's command-line synopsis: each subcommand's options, and the global ones (as "")."""
    block = re.search(r"^## Command line\n\n```\n(.*?)^```", (ROOT / "docs" / "build.md").read_text(encoding="utf-8"),
                      re.MULTILINE | re.DOTALL).group(1)
    found: dict[str, set[str]] = {"": set()}
    current = ""
    for line in re.sub(r"\n\s+", " ", block).splitlines():
        globals_, sub, rest = re.match(r"publisher ((?:\[--[\w-]+ \w+\] )*)([\w-]+)(.*)", line).groups()
        found[""] |= set(re.findall(r"--[\w-]+", globals_))
        current = sub
        found[current] = set(re.findall(r"(?<![\w-])--[\w-]+", rest))
    return found


def test_the_command_line_synopsis_is_what_publisher_help_says():
    """Every subcommand and option of the real `publisher --help` (and of each subcommand's), no more and no
    fewer, is in docs/build.md's synopsis; every option is explained in the reference."""
    top = _help()
    subcommands = re.search(r"\{([\w,-]+)\}", top).group(1).split(",")
    assert len(subcommands) == 8, subcommands
    synopsis = _synopsis()
    assert set(synopsis) == {"", *subcommands}, sorted(synopsis)
    assert synopsis[""] == _options_in_help(top), synopsis[""]
    for sub in subcommands:
        assert synopsis[sub] == _options_in_help(_help(sub)), sub
        for option in synopsis[sub]:
            assert re.search(rf"`{option}\b|{option}[ `]", REFERENCE + EXTERNAL), (sub, option)


def test_every_option_a_documented_command_gives_publisher_exists():
    """The options of every `publisher` command in README.md and docs/ (fenced and inline), checked
    against the real `--help` of its subcommand (tests/test_docs_commands.py runs the commands)."""
    from .docs_commands import commands

    top = _options_in_help(_help())
    helps: dict[str, set[str]] = {}
    checked = 0
    for command in commands(ROOT):
        match = re.match(r"(?:\.venv/bin/)?publisher((?: --[\w-]+ \S+)*) ([\w-]+)(.*)", command.bare)
        if not match:
            continue
        globals_, sub, rest = match.groups()
        if sub not in helps:
            helps[sub] = _options_in_help(_help(sub))
        for option in re.findall(r"(?<!\S)--[\w-]+", globals_):
            assert option in top, (str(command), option)
        for option in re.findall(r"(?<!\S)--[\w-]+", rest):
            assert option in helps[sub], (str(command), option)
            checked += 1
    assert checked >= 15, checked


def test_the_two_commands_and_ci_agree():
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "build", "help"):
        assert re.search(rf"^{target}:.*## ", makefile, re.MULTILINE), target


def test_every_docs_page_is_linked_from_the_readme_and_every_link_resolves():
    assert len(DOC_PAGES) >= 9
    for page in DOC_PAGES:
        assert f"](docs/{page.name})" in README, page.name
    for source in [ROOT / "README.md", *DOC_PAGES]:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", source.read_text(encoding="utf-8")):
            assert (source.parent / target).exists(), (source.name, target)


def test_the_readme_top_is_short_and_the_layout_is_near_the_top():
    headings = re.findall(r"^## (.+)$", README, re.MULTILINE)
    assert headings[:4] == ["Two commands", "Five questions to start with", "Where to go next", "Layout"], headings
    assert len(README.splitlines()) < 150
