"""The SHACL gate, plus the check that every term of our own namespace is defined."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SH, SKOS

from ..namespaces import bind_all, vocab
from .shacl_store import Result, StoreValidator, Unsupported, report_graph, to_rdflib


@dataclass(frozen=True)
class ValidationResult:
    conforms: bool
    report: Graph  # the SHACL validation report (canonical blank-node labels)
    text: str  # human-readable report
    violations: int
    warnings: int


def shapes_graph(shapes_dir: Path, base_uri: str) -> Graph:
    graph = Graph()
    for path in sorted(shapes_dir.glob("*.ttl")):
        graph.parse(path, format="turtle", publicID=base_uri)
    return graph


def undefined_terms(store: ox.Store, ontology: Graph, base_uri: str) -> list[str]:
    """Terms of our namespace used as predicate or class in the store's data but not defined in `ontology`."""
    ns = str(vocab(base_uri))
    used = {str(r["p"].value) for r in store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?p), {_quoted(ns)})) }}")}
    used |= {str(r["c"].value) for r in store.query(
        f"SELECT DISTINCT ?c WHERE {{ ?s a ?c FILTER(isIRI(?c) && STRSTARTS(STR(?c), {_quoted(ns)})) }}")}
    return sorted(t for t in used if (URIRef(t), RDFS.label, None) not in ontology)


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def data_store(*parts: Iterable[ox.Quad]) -> ox.Store:
    """An in-memory Oxigraph store with the data in its default graph (what the shapes are checked on)."""
    store = ox.Store()
    for quads in parts:
        store.bulk_extend(quads)
    return store


def validate(store: ox.Store, shapes: Graph, ontology: Graph, base_uri: str,
             where: Callable[[str], str | None] = lambda iri: None) -> ValidationResult:
    """Check the data in `store`'s default graph against `shapes`; `where` names a resource's source line.

    The shapes run set-at-a-time on the store (publisher/dataset/shacl_store.py, checked against
    pyshacl by the tests); a shapes graph using a SHACL feature that validator does not implement
    is run by pyshacl instead, on a copy of the data."""
    try:
        results = StoreValidator(shapes).validate(store)
    except Unsupported:
        results = _pyshacl_results(store, shapes)
    violations = sum(1 for r in results if r.severity == SH.Violation)
    warnings = len(results) - violations
    missing = undefined_terms(store, ontology, base_uri)
    conforms = violations == 0 and not missing
    report = report_graph(results, conforms)
    text = report_text(results, conforms, shapes, where)
    if missing:
        violations += len(missing)
        text += "\nTerms used but not defined in ontology/ (add them with sv and en labels):\n"
        text += "".join(f"  {t}\n" for t in missing)
        for term in missing:
            report.add((URIRef(term), SKOS.note, Literal("used in the data but not defined in the vocabulary")))
    canonical = bind_all(Graph(), base_uri)
    for triple in to_canonical_graph(report):
        canonical.add(triple)
    canonical.bind("sh", SH)
    return ValidationResult(conforms, canonical, text, violations, warnings)


SHOWN = 100  # results spelled out in the text; the rest are counted (all are in the report)


def report_text(results: list[Result], conforms: bool, shapes: Graph,
                where: Callable[[str], str | None] = lambda iri: None) -> str:
    """The results for a person: what, where in the data, which shape, in which source line."""
    lines = ["Validation Report", f"Conforms: {conforms}", f"Results ({len(results)}):"]
    nm = bind_all(Graph(), "http://127.0.0.1:8000/").namespace_manager
    for shape, prefix in shapes.namespaces():
        nm.bind(shape, prefix, override=False)

    def show(term) -> str:
        if isinstance(term, BNode):
            owner = next(iter(shapes.subjects(SH.property, term)), None)
            path = shapes.value(term, SH.path)
            if owner is not None and path is not None:
                return f"{owner.n3(nm)}, property {path.n3(nm)}"
            owner = next(iter(shapes.subjects(SH.sparql, term)), None)
            return f"{owner.n3(nm)}, SPARQL constraint" if owner is not None else "a blank shape"
        return term.n3(nm)

    ordered = sorted(results, key=lambda r: (str(r.focus), str(r.shape), str(r.component), str(r.value)))
    for r in ordered[:SHOWN]:
        severity = "Violation" if r.severity == SH.Violation else str(r.severity).rsplit("#", 1)[-1]
        component = str(r.component).rsplit("#", 1)[-1]
        lines.append(f"Constraint {severity} in {component}:")
        located = where(str(r.focus)) if isinstance(r.focus, URIRef) else None
        lines.append(f"\tFocus Node: {r.focus.n3()}" + (f" (from {located})" if located else ""))
        lines.append(f"\tSource Shape: {show(r.shape)}")
        if r.path is not None:
            lines.append(f"\tResult Path: {r.path.n3(nm)}")
        if r.value is not None:
            lines.append(f"\tValue Node: {r.value.n3()}")
        lines.append(f"\tMessage: {r.message}")
    if len(results) > SHOWN:
        lines.append(f"... and {len(results) - SHOWN} more results (all of them are in the validation report)")
    return "\n".join(lines) + "\n"


def _pyshacl_results(store: ox.Store, shapes: Graph) -> list[Result]:
    graph = Graph()
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    _, report, _ = pyshacl.validate(graph, shacl_graph=shapes, ont_graph=None, inference="none",
                                    allow_warnings=True, advanced=True)
    assert isinstance(report, Graph)
    return [Result(report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.value),
                   report.value(r, SH.sourceShape), report.value(r, SH.sourceConstraintComponent),
                   report.value(r, SH.resultSeverity), str(report.value(r, SH.resultMessage) or ""),
                   report.value(r, SH.sourceConstraint))
            for r in report.subjects(RDF.type, SH.ValidationResult)]
