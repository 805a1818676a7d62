"""The DCAT-AP-SE shapes (generated and harvest rules), checked against hand-written examples.

Parallel to tests/test_shapes.py: every node shape in shapes/catalog/ has, under
tests/shape_examples/dcat-ap-se/, ``<prefix>-<Shape>.valid.ttl`` (conforms to the whole
DCAT-AP-SE shapes graph: no violation) and ``<prefix>-<Shape>.invalid.ttl`` (its first line says
which constraint it breaks; a result of that severity comes from that shape). Shapes with only
recommended properties are "violated" by a warning.
"""

from __future__ import annotations

from functools import cache

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from publisher.dataset.conformance import se_shapes

from .conftest import ROOT

EXAMPLES = ROOT / "tests" / "shape_examples" / "dcat-ap-se"
SHAPES = se_shapes(ROOT / "shapes")
PREFIXES = {
    "se": "https://w3id.org/klimatsamarbeten/shapes/dcat-ap-se#",
    "seh": "https://w3id.org/klimatsamarbeten/shapes/dcat-ap-se-harvest#",
}
# 20 shapes generated from DIGG's bundle + 5 hand-written harvest-rule shapes.
EXPECTED_NODE_SHAPE_COUNT = 25


def _name(shape: URIRef) -> str:
    for prefix, ns in PREFIXES.items():
        if str(shape).startswith(ns):
            return f"{prefix}-{str(shape)[len(ns):]}"
    raise AssertionError(f"node shape {shape} outside the se:/seh: namespaces")


NODE_SHAPES = {_name(s): s for s in sorted(SHAPES.subjects(RDF.type, SH.NodeShape)) if isinstance(s, URIRef)}


def _own(shape: URIRef) -> set:
    return {shape, *SHAPES.objects(shape, SH.property)}


@cache
def _validate(name: str, kind: str) -> tuple[bool, Graph, str]:
    data = Graph().parse(EXAMPLES / f"{name}.{kind}.ttl", format="turtle")
    conforms, report, text = pyshacl.validate(data, shacl_graph=SHAPES, inference="none", allow_warnings=True)
    return bool(conforms), report, text


def test_every_shape_has_a_conforming_and_a_violating_example():
    assert len(NODE_SHAPES) == EXPECTED_NODE_SHAPE_COUNT, sorted(NODE_SHAPES)
    files = {p.name.rsplit(".", 2)[0] for p in EXAMPLES.glob("*.ttl")}
    assert files == set(NODE_SHAPES)
    for name in NODE_SHAPES:
        for kind in ("valid", "invalid"):
            assert (EXAMPLES / f"{name}.{kind}.ttl").is_file(), f"{name}.{kind}.ttl"


@pytest.mark.parametrize("name", list(NODE_SHAPES))
def test_conforming_example_conforms(name):
    conforms, report, text = _validate(name, "valid")
    assert conforms, text
    own = _own(NODE_SHAPES[name])
    mine = [r for r in report.subjects(RDF.type, SH.ValidationResult) if report.value(r, SH.sourceShape) in own]
    severities = {report.value(r, SH.resultSeverity) for r in mine}
    assert SH.Violation not in severities, text


@pytest.mark.parametrize("name", list(NODE_SHAPES))
def test_violating_example_is_caught_by_its_shape(name):
    first = (EXAMPLES / f"{name}.invalid.ttl").read_text(encoding="utf-8").splitlines()[0]
    prefix, local = name.split("-", 1)
    assert first.startswith(f"# Violates {prefix}:{local}:"), first
    warning_only = "(warning)" in first
    conforms, report, text = _validate(name, "invalid")
    own = _own(NODE_SHAPES[name])
    caught = [r for r in report.subjects(RDF.type, SH.ValidationResult) if report.value(r, SH.sourceShape) in own]
    severities = {report.value(r, SH.resultSeverity) for r in caught}
    if warning_only:
        assert conforms and SH.Warning in severities, text
    else:
        assert not conforms and SH.Violation in severities, text


def test_every_constraint_has_a_message():
    shapes = set(SHAPES.objects(None, SH.property)) | set(NODE_SHAPES.values())
    constrained = [s for s in shapes if any(
        (s, p, None) in SHAPES for p in (SH.minCount, SH.maxCount, SH.nodeKind, SH.pattern, SH["in"],
                                         SH.hasValue, SH.qualifiedValueShape, SH["or"], SH.datatype))]
    assert len(constrained) > 100
    assert [s for s in constrained if SHAPES.value(s, SH.message) is None] == []
