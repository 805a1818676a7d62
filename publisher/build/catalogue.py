"""Build step: describe the release (DCAT-AP-SE, DCAT-AP, VoID), validate, write into the release.

Runs after the dumps are written (the catalogue lists their sizes and checksums). Each profile
is written as catalog-<profile>.{ttl,nt,jsonld,rdf} and the VoID description as
void.{ttl,nt,jsonld,rdf}, all through the ReleaseWriter (so they are in the manifest) and all
verified by re-parsing with pyoxigraph like the dumps. A catalogue that does not conform to its
profile fails the build: nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rdflib import Graph

from ..errors import ValidationFailure
from ..settings import Settings
from . import conformance
from .describe import PROFILE_IRIS, PROFILES, describe, dump_sets
from .dump import FORMATS, ReleaseWriter, canonical, serialise
from .load import SourceData
from .verify import expected_triples, verify
from .void import void_graph


def _write_graph(writer: ReleaseWriter, stem: str, graph: Graph, context: dict) -> None:
    ordered = canonical(graph)
    expected = expected_triples(graph)
    for fmt in FORMATS:
        name = f"{stem}.{fmt.suffix}"
        payload = serialise(ordered, fmt, context)
        verify(payload, fmt, expected, name)
        writer.write(name, payload)


def write_catalogue(writer: ReleaseWriter, settings: Settings, data: SourceData, graph: Graph,
                    ontology: Graph, version: str, data_stem: str, ontology_stem: str, context: dict,
                    progress: Callable[[str], None], extra: Sequence[tuple] = ()) -> tuple[dict, Graph]:
    """Describe, validate and write. Raises ValidationFailure.

    Returns the manifest's "catalog" entry and the DCAT-AP graph (so its resources get pages).
    """
    files = writer.file_table()
    sets = dump_sets(data, ontology, settings.base_uri, data_stem, ontology_stem)
    graphs = {p: describe(data, sets, files, settings.base_uri, version, p) for p in PROFILES}

    checks = [conformance.check_se(graphs["dcat-ap-se"], conformance.se_shapes(settings.shapes_dir)),
              conformance.check_ap(graphs["dcat-ap"], conformance.ap_shapes(settings.dcat_ap_shapes_dir),
                                   settings.dcat_ap_shapes_dir)]
    for check in checks:
        if not check.checked:
            progress(f"      WARNING: {check.text}")
        else:
            progress(f"      catalogue {check.profile}: {check.violations} violations, {check.warnings} warnings")
    failed = [c for c in checks if not c.conforms]
    if failed:
        text = "\n".join(f"The {c.profile} catalogue does not conform:\n{c.text}" for c in failed)
        report = settings.dist_dir / "failed-validation-report.txt"
        report.write_text(text, encoding="utf-8")
        raise ValidationFailure(text + f"\nNothing was published; report kept in {report}")

    for profile, g in graphs.items():
        _write_graph(writer, f"catalog-{profile}", g, context)
    void = void_graph(graph, data.dataset["id"], data.dataset["title"], files, data_stem, settings.base_uri, extra)
    _write_graph(writer, "void", void, context)
    entry = {
        "profiles": {c.profile: {**c.summary(), "uri": PROFILE_IRIS[c.profile],
                                 "stem": f"catalog-{c.profile}"} for c in checks},
        "default_profile": PROFILES[0],
        "void": "void",
        "datasets": len(sets),
    }
    return entry, graphs["dcat-ap"]
