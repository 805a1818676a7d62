"""The set-at-a-time SHACL validator on Oxigraph gives pyshacl's results, result for result.

Compared on: every example in tests/shape_examples/ (conforming and violating), the real data as
the build makes it, and a corpus of broken data made from the real data by deterministic
mutations (a triple removed, a value duplicated, a literal's datatype changed, an IRI replaced by
a literal, a type removed, a label's language changed, ...). A result is compared by its focus
node, path, value, source shape, constraint component, severity and message.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from publisher.dataset.shacl_store import StoreValidator, Unsupported, report_graph
from publisher.dataset.validate import shapes_graph

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "tests" / "shape_examples"
BASE = "http://127.0.0.1:8000/"


@cache
def _shapes() -> Graph:
    return shapes_graph(REPO / "shapes", BASE)


def _ox(term):
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    return ox.NamedNode(str(term))


def _store(graph: Graph) -> ox.Store:
    store = ox.Store()
    store.bulk_extend(ox.Quad(_ox(s), _ox(p), _ox(o), ox.DefaultGraph()) for s, p, o in graph)
    return store


def _pyshacl(graph: Graph) -> set[tuple]:
    _, report, _ = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none", allow_warnings=True,
                                    advanced=True)
    out = set()
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.add((report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.value),
                 report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent),
                 report.value(r, SH.resultSeverity), str(report.value(r, SH.resultMessage) or ""),
                 report.value(r, SH.sourceConstraint)))
    return out


def _ours(graph: Graph) -> set[tuple]:
    return {r.key() for r in StoreValidator(_shapes()).validate(_store(graph))}


def _same(graph: Graph) -> set[tuple]:
    expected, got = _pyshacl(graph), _ours(graph)
    assert got == expected, (f"only pyshacl: {sorted(map(str, expected - got))}\n"
                             f"only the store: {sorted(map(str, got - expected))}")
    return got


def test_the_project_shapes_are_fully_supported():
    StoreValidator(_shapes())  # raises Unsupported otherwise


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ttl")), ids=lambda p: p.name)
def test_same_results_as_pyshacl_on_every_shape_example(path: Path):
    results = _same(Graph().parse(path, format="turtle", publicID=BASE))
    assert bool(results) == path.name.endswith(".invalid.ttl")


@cache
def _real_graph() -> Graph:
    from publisher.dataset.cube import cube_to_rdf
    from publisher.dataset.load import load
    from publisher.dataset.observations import load_observations
    from publisher.dataset.to_rdf import to_rdf

    data = load(REPO / "data")
    graph = to_rdf(data, BASE, "test")
    graph += cube_to_rdf(load_observations(REPO / "data", data), data, BASE)
    return graph


def test_same_results_as_pyshacl_on_the_real_data():
    assert _same(_real_graph()) == set()


def _mutations(graph: Graph, n: int, seed: int) -> list[tuple[str, Graph]]:
    """`n` broken copies of `graph`, each with one deterministic mutation."""
    rnd = random.Random(seed)
    triples = sorted(graph, key=lambda t: (str(t[0]), str(t[1]), str(t[2])))
    out = []
    for i in range(n):
        g = Graph()
        for t in triples:
            g.add(t)
        s, p, o = triples[rnd.randrange(len(triples))]
        kind = i % 9
        if kind == 0:
            g.remove((s, p, o))
            what = f"removed {p}"
        elif kind == 1:
            g.add((s, p, Literal("extra") if isinstance(o, Literal) else URIRef(str(o) + "-extra")))
            what = f"second value of {p}"
        elif kind == 2 and isinstance(o, Literal):
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o), datatype=XSD.integer)))
            what = f"datatype of {p}"
        elif kind == 3 and isinstance(o, URIRef):
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o))))
            what = f"IRI of {p} as a literal"
        elif kind == 4:
            for t in list(g.triples((s, RDF.type, None))):
                g.remove(t)
            what = "types removed"
        elif kind == 5 and isinstance(o, Literal) and o.language:
            g.remove((s, p, o))
            g.add((s, p, Literal(str(o), lang="de")))
            what = f"language of {p}"
        elif kind == 6 and isinstance(o, Literal):
            g.remove((s, p, o))
            g.add((s, p, Literal("not a value", datatype=o.datatype) if o.datatype else Literal(str(o) + " again",
                                                                                                 lang=o.language)))
            what = f"ill-typed or second-language value of {p}"
        elif kind == 7:
            b = BNode()
            for q, v in list(g.predicate_objects(s)):
                g.add((b, q, v))
            for q, v in list(g.predicate_objects(s)):
                g.remove((s, q, v))
            what = "subject as a blank node"
        else:
            g.add((s, RDFS.label, Literal("x", lang="sv")))
            g.add((URIRef(str(s) + "-twin"), RDF.type, next(graph.objects(s, RDF.type), RDFS.Resource)))
            what = "second Swedish label and an empty twin"
        out.append((f"{i}: {what} on {s}", g))
    return out


@cache
def _sample_graph() -> Graph:
    """Every tenth resource of the real data with all its triples (pyshacl takes ~1 s a run on all of it)."""
    roots = sorted({str(s).split("#", 1)[0] for s in _real_graph().subjects()})
    kept = set(roots[::10])
    sample = Graph()
    for t in _real_graph():
        if str(t[0]).split("#", 1)[0] in kept:
            sample.add(t)
    return sample


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_same_results_as_pyshacl_on_broken_data(seed: int):
    broken = 0
    for name, graph in _mutations(_sample_graph(), 12, seed):
        try:
            broken += bool(_same(graph))
        except AssertionError as exc:
            raise AssertionError(f"mutation {name}: {exc}") from None
    assert broken >= 3  # the corpus does break things


def test_unsupported_features_are_refused_not_skipped():
    shapes = Graph()
    shape = URIRef("http://example.org/S")
    shapes.add((shape, RDF.type, SH.NodeShape))
    shapes.add((shape, SH.targetClass, URIRef("http://example.org/C")))
    shapes.add((shape, SH.closed, Literal(True)))
    with pytest.raises(Unsupported):
        StoreValidator(shapes)


def test_the_report_has_one_result_per_finding():
    graph = Graph().parse(EXAMPLES / "ObservationShape.invalid.ttl", format="turtle", publicID=BASE)
    results = StoreValidator(_shapes()).validate(_store(graph))
    report = report_graph(results, conforms=False)
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == len(results) > 0
    assert (None, SH.conforms, Literal(False)) in report


def test_a_violation_names_the_resource_the_shape_and_the_source_line():
    from rdflib.namespace import DCTERMS

    from publisher.dataset.load import load
    from publisher.dataset.to_rdf import ontology_graph, to_rdf
    from publisher.dataset.validate import validate

    where: dict[str, str] = {}
    graph = to_rdf(load(REPO / "data"), BASE, "test", where)
    haninge = URIRef(BASE + "id/municipality/0136")
    graph.remove((haninge, DCTERMS.identifier, None))
    result = validate(_store(graph), _shapes(), ontology_graph(REPO / "ontology", BASE), BASE, where.get)
    assert not result.conforms and result.violations >= 1
    assert f"Focus Node: <{haninge}> (from {where[str(haninge)]})" in result.text
    assert where[str(haninge)].startswith("data/") and ":" in where[str(haninge)]
    assert "Source Shape: kss:MunicipalityShape, property dcterms:identifier" in result.text


def test_counts_of_all_property_shapes_in_one_query_give_pyshacls_results():
    """A node shape's minCount and maxCount are checked together (one grouped query): bounds other
    than 1, two shapes on one path, a maximum of 0, a blank focus node, against pyshacl (each shape
    has its own message: pyshacl makes one up where there is none, this validator does not)."""
    ex = "http://example.org/"
    shapes = Graph().parse(data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{ex}> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
          sh:property [ sh:path ex:p ; sh:minCount 2 ; sh:maxCount 3 ; sh:message "two or three p" ] ,
                      [ sh:path ex:p ; sh:maxCount 1 ; sh:severity sh:Warning ; sh:message "one p" ] ,
                      [ sh:path ex:q ; sh:minCount 0 ; sh:maxCount 0 ; sh:message "no q" ] ,
                      [ sh:path ex:r ; sh:minCount 1 ; sh:message "an r" ] .
        """, format="turtle")
    data = Graph()
    for n in range(6):
        node = BNode() if n == 5 else URIRef(f"{ex}n{n}")
        data.add((node, RDF.type, URIRef(ex + "C")))
        for k in range(n):
            data.add((node, URIRef(ex + "p"), Literal(k)))
        if n % 2:
            data.add((node, URIRef(ex + "q"), Literal("q")))
            data.add((node, URIRef(ex + "r"), URIRef(ex + "r")))
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    expected = {(report.value(r, SH.focusNode), report.value(r, SH.resultPath),
                 report.value(r, SH.sourceConstraintComponent), report.value(r, SH.resultSeverity),
                 str(report.value(r, SH.resultMessage) or "")) for r in report.subjects(RDF.type, SH.ValidationResult)}
    got = {(r.focus, r.path, r.component, r.severity, r.message) for r in StoreValidator(shapes).validate(_store(data))}
    # pyshacl names a blank focus node by its own label: compare those by everything else
    blank = lambda rows: {row[1:] if isinstance(row[0], BNode) else row for row in rows}  # noqa: E731
    assert blank(got) == blank(expected)
    assert len(got) == len(expected) > 8


def test_validation_leaves_the_store_as_it_found_it():
    """The focus nodes are kept in a named graph while their shape is checked, then removed."""
    graph = Graph().parse(EXAMPLES / "ObservationShape.invalid.ttl", format="turtle", publicID=BASE)
    store = _store(graph)
    before = set(store)
    assert StoreValidator(_shapes()).validate(store)
    assert set(store) == before and not list(store.named_graphs())
