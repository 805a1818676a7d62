"""Validate the catalogue against its two profiles: DCAT-AP-SE 3.0.1 and DCAT-AP 3.0.1.

* DCAT-AP-SE: our shapes in shapes/catalog/ (generated from DIGG's bundle, plus the harvest rules).
* DCAT-AP: SEMIC's published shapes, read where they lie (the `dcat_ap_shapes_dir` setting,
  by default ../shared/conformance/dcat-ap-3.0.1/html/shacl): Base (shapes.ttl), Range
  (range.ttl) and Deprecated (deprecateduris.ttl) are the gate; shapes_recommended.ttl gives
  warnings, which are counted and reported. They are not copied into the project; when the
  folder is absent the DCAT-AP check is skipped and the build says so (the DCAT-AP-SE check, on
  our own shapes, always runs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import Graph
from rdflib.namespace import RDF, SH

DCAT_AP_GATE = ("shapes.ttl", "range.ttl", "deprecateduris.ttl")
DCAT_AP_RECOMMENDED = "shapes_recommended.ttl"


@dataclass(frozen=True)
class ProfileCheck:
    profile: str
    checked: bool  # False when the shapes were not available (DCAT-AP without the shared folder)
    conforms: bool
    violations: int
    warnings: int
    text: str
    results: tuple[tuple[str, str, str], ...] = ()  # (severity, focus node, path) of every result

    def summary(self) -> dict:
        return {"checked": self.checked, "conforms": self.conforms, "violations": self.violations,
                "warnings": self.warnings}


def se_shapes(shapes_dir: Path) -> Graph:
    graph = Graph()
    folder = shapes_dir / "catalog"
    paths = sorted(folder.glob("*.ttl"))
    if not paths:
        raise FileNotFoundError(f"no DCAT-AP-SE shapes in {folder}")
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def ap_shapes(dcat_ap_dir: Path | None) -> tuple[Graph, Graph] | None:
    """(gate shapes, recommended shapes), or None when the folder or a file is missing."""
    if dcat_ap_dir is None:
        return None
    names = (*DCAT_AP_GATE, DCAT_AP_RECOMMENDED)
    if not all((dcat_ap_dir / n).is_file() for n in names):
        return None
    gate = Graph()
    for name in DCAT_AP_GATE:
        gate.parse(dcat_ap_dir / name, format="turtle")
    return gate, Graph().parse(dcat_ap_dir / DCAT_AP_RECOMMENDED, format="turtle")


def _run(data: Graph, shapes: Graph, severity: str | None = None):
    _, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                       allow_warnings=True, advanced=True)
    assert isinstance(report, Graph)
    results = tuple(sorted(
        (severity or str(report.value(r, SH.resultSeverity)), str(report.value(r, SH.focusNode)),
         str(report.value(r, SH.resultPath)))
        for r in report.subjects(RDF.type, SH.ValidationResult)))
    violations = sum(1 for r in results if r[0] == str(SH.Violation))
    return violations, len(results) - violations, text, results


def check_se(catalogue: Graph, shapes: Graph) -> ProfileCheck:
    violations, warnings, text, results = _run(catalogue, shapes)
    return ProfileCheck("dcat-ap-se", True, violations == 0, violations, warnings, text, results)


def check_ap(catalogue: Graph, shapes: tuple[Graph, Graph] | None, where: Path | None) -> ProfileCheck:
    if shapes is None:
        return ProfileCheck("dcat-ap", False, True, 0, 0,
                            f"DCAT-AP 3.0.1 shapes not found in {where}: the DCAT-AP profile was NOT "
                            "validated (set dcat_ap_shapes_dir to SEMIC's html/shacl folder)")
    gate, recommended = shapes
    violations, gate_warnings, text, results = _run(catalogue, gate)
    _, rec_warnings, rec_text, rec_results = _run(catalogue, recommended, severity=str(SH.Warning))
    warnings = gate_warnings + rec_warnings  # the recommended shapes only ever warn
    return ProfileCheck("dcat-ap", True, violations == 0, violations, warnings,
                        text + ("\nRecommended (warnings):\n" + rec_text if rec_warnings else ""),
                        results + rec_results)
