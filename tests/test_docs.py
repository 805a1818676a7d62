"""Docs that cannot drift: every CLI exit code, setting and make target is in the README."""

from __future__ import annotations

import dataclasses
import re

from publisher import cli, errors
from publisher.settings import Settings
from publisher.web import supervisor

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_exit_code_is_documented():
    codes = {v for k, v in vars(cli).items() if k.startswith("EXIT_")}
    assert codes == {0, 1, 2, 3, 4, 5, 6, 130}
    assert supervisor.EXIT_NO_SERVER == cli.EXIT_NO_SERVER
    assert errors.ReleaseIOError.exit_code == cli.EXIT_RELEASE_IO
    from publisher.store_load import StoreLoadError

    assert StoreLoadError.exit_code == cli.EXIT_STORE_LOAD
    assert errors.SourceDataError.exit_code == errors.ConfigError.exit_code == cli.EXIT_BAD_INPUT
    for code in codes:
        assert re.search(rf"^\| {code} \|", README, re.MULTILINE), code


def test_every_setting_and_option_is_documented():
    for field in dataclasses.fields(Settings):
        assert f"`{field.name}`" in README, field.name
    for action in cli.parser()._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in README, option


def test_the_two_commands_and_ci_agree():
    assert "make run" in README and "make test" in README
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    for target in ("run", "test", "build", "help"):
        assert re.search(rf"^{target}:.*## ", makefile, re.MULTILINE), target
