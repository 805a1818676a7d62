"""Docs that cannot drift: every CLI exit code, setting and make target is in the README or the docs/ pages it links."""

from __future__ import annotations

import dataclasses
import re

from publisher import cli, errors
from publisher.settings import Settings
from publisher.web import supervisor

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
# the reference: the command line's page (options, settings, exit codes) and the SPARQL page (serve's options)
REFERENCE = "\n".join((ROOT / "docs" / name).read_text(encoding="utf-8") for name in ("build.md", "sparql.md"))


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


def test_every_setting_and_option_is_documented():
    for field in dataclasses.fields(Settings):
        assert f"`{field.name}`" in REFERENCE, field.name
    for action in cli.parser()._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in REFERENCE, option


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
