"""Data flows one way: publisher/dataset writes dist/, publisher/web only reads it, and both import
publisher/release, the format between them, which imports neither."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "publisher"
LAYERS = ("dataset", "web", "release", "static")
# what each layer may import of the others: dataset and web → release, never the other way; the
# static export reads the release through the web layer. The modules at the top of the package
# (settings, uris, errors, store_load, …) are shared by all and import no layer but the release;
# the CLI puts the layers together.
ALLOWED = {"dataset": {"release"}, "web": {"release"}, "release": set(), "static": {"web", "release"}, "": {"release"}}
COMPOSERS = ("cli.py", "__main__.py")


def layer_of(path: Path) -> str:
    """The layer a module is in ("" for the shared modules at the top of the package)."""
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else ""


def imported_layers(path: Path) -> set[tuple[str, str]]:
    """(layer, import as written) for each import of a publisher layer, relative ones resolved."""
    package = [PACKAGE.name, *path.relative_to(PACKAGE).parts[:-1]]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            names = [[*base, *(node.module or "").split(".")]]
            if not node.module:  # from . import x, from .. import web
                names = [[*base, alias.name] for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        else:
            continue
        for name in names:
            name = [part for part in name if part]
            if len(name) > 1 and name[0] == PACKAGE.name and name[1] in LAYERS:
                found.add((name[1], ".".join(name)))
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name not in COMPOSERS or p.parent != PACKAGE)


def test_every_layer_has_modules_in_subpackages_too():
    assert {layer_of(p) for p in MODULES} >= {*LAYERS, ""}
    assert any(len(p.relative_to(PACKAGE).parts) > 2 for p in MODULES)  # web/sparql/…: checked as well


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_dataset_and_web_import_only_the_release_never_each_other(path):
    layer = layer_of(path)
    for imported, written in imported_layers(path):
        if imported != layer:
            assert imported in ALLOWED[layer], f"{path.relative_to(PACKAGE)} ({layer or 'shared'}) imports {written}"


def rdflib_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
        found += [name for name in names if name.split(".")[0] == "rdflib"]
    return found


def test_web_never_parses_or_serialises_what_the_build_wrote():
    """The documents, the catalogue's pages and VoID are sent as the build wrote them: no web module
    but the SPARQL package (which writes its own service description and query answers) imports
    rdflib, the parser and serialiser it would need to re-read or re-write one."""
    web = [p for p in MODULES if layer_of(p) == "web" and "sparql" not in p.relative_to(PACKAGE).parts]
    assert any(p.name == "catalog.py" for p in web)
    assert {str(p.relative_to(PACKAGE)): rdflib_imports(p) for p in web if rdflib_imports(p)} == {}


def test_nothing_reads_the_environment_at_import_time():
    """Import every module of the package with an os.environ that notes who reads it: a read made
    while a publisher module's top-level code runs (directly, through os.getenv or a helper) fails.
    The libraries are imported first, so what they read of the environment does not count."""
    code = textwrap.dedent(f"""
        import importlib, os, sys, pkgutil
        sys.path.insert(0, {str(PACKAGE.parent)!r})
        names = ["publisher"] + [m.name for m in pkgutil.walk_packages([{str(PACKAGE)!r}], "publisher.")
                                 if not m.name.endswith("__main__")]
        for name in names:
            importlib.import_module(name)  # loads the libraries they use
        for name in names:
            del sys.modules[name]
        reads = []

        def note(key):
            frame = sys._getframe(2)
            while frame is not None:
                if frame.f_code.co_name == "<module>" and frame.f_globals.get("__name__", "").startswith("publisher"):
                    reads.append((frame.f_globals["__name__"], frame.f_lineno, key))
                    return
                frame = frame.f_back

        class Watched(type(os.environ)):
            def __getitem__(self, key):  # also os.environ.get, os.getenv, `in`
                note(key)
                return super().__getitem__(key)

            def __iter__(self):  # dict(os.environ), os.environ.items(), copy()
                note("*")
                return super().__iter__()

        real = os.environ
        os.environ = Watched(real._data, real.encodekey, real.decodekey, real.encodevalue, real.decodevalue)
        for name in names:
            importlib.import_module(name)
        os.environ = real
        print(reads)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"read at import time (module, line, variable): {done.stdout}"
