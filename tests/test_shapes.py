"""The SHACL shapes, checked against hand-written examples.

Every node shape in shapes/ has two examples under tests/shape_examples/:

* ``<Shape>.valid.ttl`` conforms to the whole shapes graph;
* ``<Shape>.invalid.ttl`` breaks a constraint of that particular shape (its header comment says
  which).

The examples use the same relative-IRI convention as the shapes (``@prefix ks: <def/>``) and are
parsed against the same base URI, and validation runs exactly as in the build
(publisher.dataset.validate).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # the publisher package is used from the checkout, not installed
    sys.path.insert(0, str(REPO))

from publisher.dataset.validate import shapes_graph  # noqa: E402

SHAPES_DIR = REPO / "shapes"
SHAPES_FILE = SHAPES_DIR / "klimatsamarbeten-shapes.ttl"
EXAMPLES_DIR = REPO / "tests" / "shape_examples"
BASE = "http://127.0.0.1:8000/"
SHAPES_NS = BASE + "shapes/"

# How many node shapes shapes/klimatsamarbeten-shapes.ttl declares. Update when adding a shape (and
# write its two examples); it guards against a discovery that silently finds nothing.
EXPECTED_NODE_SHAPE_COUNT = 18

# Parameters of SHACL Core constraint components. A shape carrying one of these directly is a
# constraint and needs an sh:message. (sh:property and sh:sparql are checked on their own nodes.)
CONSTRAINT_PARAMETERS = (
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minExclusive,
    SH.minInclusive,
    SH.maxExclusive,
    SH.maxInclusive,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.languageIn,
    SH.uniqueLang,
    SH.equals,
    SH.disjoint,
    SH.lessThan,
    SH.lessThanOrEquals,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
    SH.node,
    SH.qualifiedValueShape,
    SH.closed,
    SH.hasValue,
    SH["in"],
)

SHAPES = shapes_graph(SHAPES_DIR, BASE)


def _node_shapes(shapes: Graph) -> dict[str, URIRef]:
    rows = shapes.query("SELECT ?s WHERE { ?s a sh:NodeShape }", initNs={"sh": SH})
    found: dict[str, URIRef] = {}
    for (shape,) in rows:
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), (
            f"node shape {shape!r} is not a named IRI in the kss: namespace"
        )
        found[str(shape)[len(SHAPES_NS) :]] = shape
    return dict(sorted(found.items()))


NODE_SHAPES = _node_shapes(SHAPES)


def _example_pairs() -> set[str]:
    valid = {p.name.removesuffix(".valid.ttl") for p in EXAMPLES_DIR.glob("*.valid.ttl")}
    invalid = {p.name.removesuffix(".invalid.ttl") for p in EXAMPLES_DIR.glob("*.invalid.ttl")}
    return valid | invalid


def _load_example(name: str, kind: str) -> Graph:
    return Graph().parse(EXAMPLES_DIR / f"{name}.{kind}.ttl", format="turtle", publicID=BASE)


@cache
def _validate(name: str, kind: str) -> tuple[bool, Graph, str]:
    conforms, report, text = pyshacl.validate(
        _load_example(name, kind),
        shacl_graph=SHAPES,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report, Graph)
    return bool(conforms), report, text


def _results(report: Graph) -> list[Node]:
    return list(report.subjects(RDF.type, SH.ValidationResult))


def _shapes_reachable_by_property(shape: Node) -> set[Node]:
    """The shape itself and every property shape reachable from it through sh:property."""
    seen: set[Node] = set()
    todo = [shape]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo.extend(SHAPES.objects(current, SH.property))
    return seen


def _has_message(node: Node) -> bool:
    return any(str(m).strip() for m in SHAPES.objects(node, SH.message))


def _describe(node: Node) -> str:
    if isinstance(node, URIRef):
        return node.n3(SHAPES.namespace_manager)
    path = SHAPES.value(node, SH.path)
    owners = [o.n3(SHAPES.namespace_manager) for o in SHAPES.subjects(SH.property, node)]
    owners += [o.n3(SHAPES.namespace_manager) for o in SHAPES.subjects(SH.sparql, node)]
    where = f" of {', '.join(sorted(owners))}" if owners else ""
    what = f"property shape on {path.n3(SHAPES.namespace_manager)}" if path else "constraint"
    return f"blank {what}{where}"


def test_every_shape_has_a_conforming_and_a_violating_example():
    declared = re.findall(
        r"^kss:(\w+)\s+a\s+sh:NodeShape\b", SHAPES_FILE.read_text(encoding="utf-8"), re.MULTILINE
    )
    assert len(NODE_SHAPES) == EXPECTED_NODE_SHAPE_COUNT, sorted(NODE_SHAPES)
    assert sorted(declared) == list(NODE_SHAPES), "the parsed shapes differ from the file's text"

    assert set(NODE_SHAPES) == _example_pairs()
    for name in NODE_SHAPES:
        for kind in ("valid", "invalid"):
            assert (EXAMPLES_DIR / f"{name}.{kind}.ttl").is_file(), f"missing {name}.{kind}.ttl"


@pytest.mark.parametrize("shape", list(NODE_SHAPES))
def test_conforming_example_conforms(shape: str):
    conforms, report, text = _validate(shape, "valid")
    violations = [r for r in _results(report) if report.value(r, SH.resultSeverity) == SH.Violation]
    assert conforms, text
    assert violations == [], text


@pytest.mark.parametrize("shape", list(NODE_SHAPES))
def test_violating_example_is_caught_by_its_shape(shape: str):
    conforms, report, text = _validate(shape, "invalid")
    assert not conforms, f"{shape}.invalid.ttl conforms but should violate {shape}"

    node_shape = NODE_SHAPES[shape]
    own_shapes = _shapes_reachable_by_property(node_shape)
    own_sparql = set(SHAPES.objects(node_shape, SH.sparql))
    results = _results(report)
    caught = [
        r
        for r in results
        if report.value(r, SH.sourceShape) in own_shapes
        or report.value(r, SH.sourceConstraint) in own_sparql
    ]
    assert caught, f"no result comes from {shape} or its property shapes:\n{text}"

    declared_messages = {str(m) for m in SHAPES.objects(None, SH.message)}
    for result in results:
        messages = [str(m) for m in report.objects(result, SH.resultMessage)]
        assert any(m.strip() for m in messages), f"result without sh:resultMessage:\n{text}"
        # A message pyshacl made up (no sh:message on the constraint) would not be in the shapes.
        assert set(messages) <= declared_messages, f"message not from an sh:message: {messages}"


def test_every_constraint_has_a_message():
    property_shapes = set(SHAPES.objects(None, SH.property))
    property_shapes |= set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    sparql_constraints = set(SHAPES.objects(None, SH.sparql))
    constrained_node_shapes = {
        shape
        for shape in NODE_SHAPES.values()
        if any((shape, parameter, None) in SHAPES for parameter in CONSTRAINT_PARAMETERS)
    }
    assert property_shapes and sparql_constraints and constrained_node_shapes  # discovery worked

    missing = sorted(
        _describe(node)
        for node in property_shapes | sparql_constraints | constrained_node_shapes
        if not _has_message(node)
    )
    assert missing == [], "constraints without sh:message:\n  " + "\n  ".join(missing)


def test_examples_use_the_relative_vocabulary_namespace():
    """Examples resolve ks: against the base URI as the shapes do, or no shape would target them."""
    for path in sorted(EXAMPLES_DIR.glob("*.ttl")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"@prefix ks:\s*<http", text), f"{path.name} uses an absolute ks: IRI"
        assert text.lstrip().startswith("#"), f"{path.name} has no explanatory comment at the top"


def test_violating_examples_say_which_constraint_they_break():
    for shape in NODE_SHAPES:
        path = EXAMPLES_DIR / f"{shape}.invalid.ttl"
        if not path.is_file():
            continue  # reported by test_every_shape_has_a_conforming_and_a_violating_example
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith(f"# Violates kss:{shape}"), f"{path.name}: {first_line!r}"
