"""The build publishes verified, reproducible dumps atomically, or nothing at all."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from publisher.dataset.dump import FORMATS, DumpMismatch
from publisher.dataset.pipeline import build
from publisher.dataset.verify import expected_triples, verify
from publisher.errors import ValidationFailure
from publisher.settings import Settings

from .conftest import BASE, ROOT

DUMP_NAMES = [f"{stem}.{fmt.suffix}" for stem in ("klimatsamarbeten", "ontology") for fmt in FORMATS]


def test_release_holds_every_format_with_gzip_and_checksums(built, settings: Settings):
    release = settings.current_release
    store = json.loads((release / "manifest.json").read_text())["store"]["path"]
    folders = {p.name for p in release.iterdir() if p.is_dir()}
    assert folders == {store, "pages"}  # the query store and the precomputed documents
    names = {str(p.relative_to(release)) for p in release.rglob("*")
             if p.is_file() and p.relative_to(release).parts[0] != store}  # pages/… too
    for name in DUMP_NAMES:
        assert name in names and name + ".gz" in names
        assert gzip.decompress((release / (name + ".gz")).read_bytes()) == (release / name).read_bytes()
    assert {"context.jsonld", "validation-report.ttl", "SHA256SUMS", "manifest.json"} <= names
    sums = dict(reversed(line.split("  ")) for line in (release / "SHA256SUMS").read_text().splitlines())
    assert len(sums) == len(names) - 2  # all but SHA256SUMS and manifest.json
    for name, digest in sums.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((release / "manifest.json").read_text())
    assert manifest["version"] == built.version == release.resolve().name
    assert manifest["files"]["klimatsamarbeten.ttl"]["bytes"] == (release / "klimatsamarbeten.ttl").stat().st_size


@pytest.mark.parametrize("fmt", FORMATS, ids=[f.suffix for f in FORMATS])
def test_every_dump_holds_the_same_graph_for_rdflib_and_oxigraph(built, settings: Settings, fmt):
    reference = Graph().parse(settings.current_release / "klimatsamarbeten.nt", format="nt")
    path = settings.current_release / f"klimatsamarbeten.{fmt.suffix}"
    assert isomorphic(Graph().parse(path, format=fmt.rdflib_format), reference)
    found = {q.triple for q in ox.parse(path=str(path), format=fmt.ox_format)}
    assert found == expected_triples(reference)
    assert len(reference) == built.triples


def test_jsonld_dump_is_compact_with_an_embedded_context_and_needs_no_network(built, settings):
    doc = json.loads((settings.current_release / "klimatsamarbeten.jsonld").read_text())
    published = json.loads((settings.current_release / "context.jsonld").read_text())
    assert doc["@context"] == published["@context"]
    assert doc["@context"]["org"] == "http://www.w3.org/ns/org#"
    assert isinstance(doc["@graph"], list) and len(doc["@graph"]) > 100


def test_validation_report_is_published_and_conforms(built, settings):
    report = Graph().parse(settings.current_release / "validation-report.ttl", format="turtle")
    query = "PREFIX sh: <http://www.w3.org/ns/shacl#> SELECT ?c { ?r a sh:ValidationReport ; sh:conforms ?c }"
    rows = list(report.query(query))
    assert [bool(r[0]) for r in rows] == [True]


def _build_in_subprocess(dist: Path, seed: str, one_core: bool = False) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    pin = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if one_core else None
    return subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri", BASE,
                           "--dist", str(dist), "build"], capture_output=True, text=True, env=env, timeout=300,
                          preexec_fn=pin)


def test_same_input_gives_byte_identical_dumps_across_processes(tmp_path: Path, built, settings):
    """Whatever the hash seed, and whether the build's steps ran side by side in forked processes
    (publisher/dataset/side_by_side.py) or, on one core, one after the other."""
    first = _build_in_subprocess(tmp_path / "a", "1")
    second = _build_in_subprocess(tmp_path / "b", "4242", one_core=True)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    a = (tmp_path / "a" / "current" / "SHA256SUMS").read_bytes()
    b = (tmp_path / "b" / "current" / "SHA256SUMS").read_bytes()
    assert a == b == (settings.current_release / "SHA256SUMS").read_bytes()
    assert "[5/5] publishing the release" in first.stderr  # long steps show progress


def test_rebuilding_the_same_input_reuses_the_release(private_settings: Settings):
    one = build(private_settings, progress=lambda _: None)
    two = build(private_settings, progress=lambda _: None)
    assert one.version == two.version
    assert os.readlink(private_settings.current_release) == f"releases/{one.version}"
    assert not list(private_settings.dist_dir.glob(".build-*"))


def test_changed_data_gives_a_new_version_and_switches_current(private_settings: Settings):
    first = build(private_settings, progress=lambda _: None)
    path = private_settings.data_dir / "municipalities.yaml"
    path.write_text(path.read_text().replace("short_name: Salem", "short_name: Salem kommun"))
    second = build(private_settings, progress=lambda _: None)
    assert second.version != first.version
    assert private_settings.current_release.resolve().name == second.version
    assert (private_settings.dist_dir / "releases" / first.version).is_dir()  # kept for rollback


def test_non_conforming_data_publishes_nothing_and_keeps_the_last_release(private_settings: Settings, tmp_path):
    good = build(private_settings, progress=lambda _: None)
    strict = tmp_path / "strict-shapes"
    shutil.copytree(ROOT / "shapes", strict)
    (strict / "extra.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        <shapes/NeedsDepiction> a sh:NodeShape ; sh:targetClass <def/Municipality> ;
          sh:property [ sh:path foaf:depiction ; sh:minCount 1 ; sh:message "needs a picture" ] .
    """)
    with pytest.raises(ValidationFailure) as caught:
        build(replace(private_settings, shapes_dir=strict), progress=lambda _: None)
    assert "needs a picture" in str(caught.value)
    assert private_settings.current_release.resolve().name == good.version
    assert not list(private_settings.dist_dir.glob(".build-*"))


def test_cli_exit_code_1_when_data_does_not_conform(tmp_path: Path):
    root = tmp_path / "project"
    root.mkdir()
    for folder in ("data", "ontology"):
        (root / folder).symlink_to(ROOT / folder)
    shutil.copytree(ROOT / "shapes", root / "shapes")
    (root / "shapes" / "extra.ttl").write_text("""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <shapes/NoCounties> a sh:NodeShape ; sh:targetClass <def/County> ;
          sh:property [ sh:path <http://purl.org/dc/terms/identifier> ; sh:maxCount 0 ; sh:message "no codes" ] .
    """)
    result = subprocess.run([sys.executable, "-m", "publisher", "--root", str(root), "build"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    assert "no codes" in result.stderr and "Traceback" not in result.stderr
    assert not (root / "dist" / "current").exists()


def test_dump_verification_catches_a_corrupted_serialisation(built, settings):
    nt = FORMATS[1]
    payload = (settings.current_release / "klimatsamarbeten.nt").read_bytes()
    expected = expected_triples(Graph().parse(data=payload, format="nt"))
    verify(payload, nt, expected, "ok.nt")
    damaged = b"\n".join(payload.splitlines()[1:]) + b"\n"
    with pytest.raises(DumpMismatch, match="1 missing"):
        verify(damaged, nt, expected, "damaged.nt")


def test_bad_base_uri_is_a_config_error_with_exit_code_2():
    result = subprocess.run([sys.executable, "-m", "publisher", "--root", str(ROOT), "--base-uri",
                             "ftp://example.org/x", "validate"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "must be an http(s) URI" in result.stderr
