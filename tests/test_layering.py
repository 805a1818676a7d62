"""Data flows one way: publisher/dataset writes dist/, publisher/web only reads it; publisher/release,
the format between them, imports neither."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize(("layer", "forbidden"), [("dataset", "web"), ("web", "dataset"),
                                                  ("release", "dataset"), ("release", "web"),
                                                  # the static export reads the release through the web layer
                                                  ("static", "dataset"), ("web", "static"), ("dataset", "static")])
def test_build_and_web_never_import_each_other(layer, forbidden):
    files = sorted((PACKAGE / layer).glob("*.py"))
    assert files
    for path in files:
        for name in imports_of(path):
            assert f"{forbidden}" not in name.split("."), f"{path.name} imports {name}"


def test_nothing_reads_the_environment_at_import_time():
    for path in PACKAGE.rglob("*.py"):
        assert "os.environ" not in path.read_text(encoding="utf-8"), path
