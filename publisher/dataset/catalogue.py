"""Build step: describe the release (DCAT-AP-SE, DCAT-AP, VoID), validate, write into the release.

Runs after the dumps are written (the catalogue lists their sizes and checksums), in three steps
so the build can check the profiles (pyshacl, seconds) and write the pages beside the documents it
writes meanwhile: `describe_catalogue`, `check_and_page`, `write_catalogue`. Each profile
is written whole as catalog-<profile>.{ttl,nt,jsonld,rdf}, and page by page as `/catalog` serves it
(catalogue_pages.py), and the VoID description as void.{ttl,nt,jsonld,rdf}, all through the
ReleaseWriter (so they are in the manifest) and all verified by re-parsing with pyoxigraph like the
dumps. A catalogue that does not conform to its profile fails the build: nothing is published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rdflib import Graph

from ..errors import ValidationFailure
from ..release.labels import TermLabels
from ..settings import Settings
from . import conformance
from .catalogue_pages import write_catalogue_model, write_catalogue_pages
from .describe import PROFILE_IRIS, PROFILES, describe, dump_sets
from .dump import ReleaseWriter, write_graph
from .load import SourceData
from .void import void_graph


@dataclass
class CatalogueDraft:
    graphs: dict[str, Graph]  # profile -> the catalogue in it
    datasets: int


def describe_catalogue(writer: ReleaseWriter, settings: Settings, data: SourceData, ontology: Graph, version: str,
                       data_stem: str, ontology_stem: str) -> CatalogueDraft:
    """The catalogue in each profile, describing the files written so far (their sizes and checksums)."""
    files = writer.file_table()
    sets = dump_sets(data, ontology, settings.base_uri, data_stem, ontology_stem)
    return CatalogueDraft({p: describe(data, sets, files, settings.base_uri, version, p) for p in PROFILES},
                          len(sets))


def check_catalogue(settings: Settings, graphs: dict[str, Graph]) -> list[conformance.ProfileCheck]:
    """Both profiles' checks (pyshacl): the slow part, which the build runs beside the documents."""
    return [conformance.check_se(graphs["dcat-ap-se"], conformance.se_shapes(settings.shapes_dir)),
            conformance.check_ap(graphs["dcat-ap"], conformance.ap_shapes(settings.dcat_ap_shapes_dir),
                                 settings.dcat_ap_shapes_dir)]


def check_and_page(writer: ReleaseWriter, settings: Settings, graphs: dict[str, Graph],
                   context: dict) -> tuple[list[conformance.ProfileCheck], dict[str, int]]:
    """Both profiles' checks and every page of the catalogue (`catalogue_pages`; each profile's page
    count): what the build runs beside the documents. The pages are published only if the checks pass."""
    return (check_catalogue(settings, graphs),
            write_catalogue_pages(writer, graphs, settings.base_uri, settings.catalog_page_size, context))


def write_catalogue(writer: ReleaseWriter, settings: Settings, data: SourceData, stats: dict,
                    draft: CatalogueDraft, checks: list[conformance.ProfileCheck], pages: dict[str, int],
                    data_stem: str,
                    context: dict, terms: TermLabels, progress: Callable[[str], None]) -> dict:
    """Report the checks; raise ValidationFailure if a profile does not conform; else write the
    catalogue in both profiles (whole, and the HTML page's model: `check_and_page` wrote its pages
    and counted them) and the VoID description. Returns the manifest's "catalog" entry."""
    files = writer.file_table()
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

    for profile, g in draft.graphs.items():
        write_graph(writer, f"catalog-{profile}", g, context)
    write_catalogue_model(writer, draft.graphs[PROFILES[0]], settings.base_uri, terms)
    void = void_graph(stats, data.dataset["id"], data.dataset["title"], files, data_stem, settings.base_uri)
    write_graph(writer, "void", void, context)
    return {
        "profiles": {c.profile: {**c.summary(), "uri": PROFILE_IRIS[c.profile],
                                 "stem": f"catalog-{c.profile}", "pages": pages[c.profile]} for c in checks},
        "default_profile": PROFILES[0],
        "page_size": settings.catalog_page_size,
        "void": "void",
        "datasets": draft.datasets,
    }
