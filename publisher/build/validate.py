"""The SHACL gate, plus the check that every term of our own namespace is defined."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import RDF, RDFS, SH, SKOS

from ..namespaces import bind_all, vocab


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


def undefined_terms(data: Graph, ontology: Graph, base_uri: str) -> list[str]:
    """Terms of our namespace used as predicate or class in `data` but not defined in `ontology`."""
    ns = str(vocab(base_uri))
    used = {p for p in data.predicates() if str(p).startswith(ns)}
    used |= {o for o in data.objects(None, RDF.type) if str(o).startswith(ns)}
    return sorted(str(t) for t in used if (t, RDFS.label, None) not in ontology)


def validate(data: Graph, shapes: Graph, ontology: Graph, base_uri: str) -> ValidationResult:
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    assert isinstance(report, Graph)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    severities = [report.value(r, SH.resultSeverity) for r in results]
    violations = sum(1 for s in severities if s == SH.Violation)
    warnings = len(results) - violations

    missing = undefined_terms(data, ontology, base_uri)
    if missing:
        conforms = False
        violations += len(missing)
        text += "\nTerms used but not defined in ontology/ (add them with sv and en labels):\n"
        text += "".join(f"  {t}\n" for t in missing)
        root = next(report.subjects(RDF.type, SH.ValidationReport))
        report.set((root, SH.conforms, Literal(False)))
        for term in missing:
            report.add((URIRef(term), SKOS.note, Literal("used in the data but not defined in the vocabulary")))
    canonical = bind_all(Graph(), base_uri)
    for triple in to_canonical_graph(report):
        canonical.add(triple)
    canonical.bind("sh", SH)
    return ValidationResult(bool(conforms), canonical, text, violations, warnings)
