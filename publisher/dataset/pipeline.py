"""The build, step by step: load -> to_rdf -> validate -> dump -> publish."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..errors import ValidationFailure
from ..release.labels import TermLabels
from ..release.manifest import CONTEXT, DATASET_STEM
from ..settings import Settings
from ..uris import Minter
from .catalogue import check_and_page, describe_catalogue, write_catalogue
from .collector import fewer_collections
from .cube import CUBE_ID, cube_structure, observation_triples
from .downloads import write_cube_files
from .dump import (
    ReleaseWriter,
    bulk_digest,
    jsonld_context,
    write_bulk_from_ntriples,
    write_bulk_jsonld,
    write_bulk_ntriples,
    write_dumps,
)
from .integrity import ONTOLOGY_GRAPH, check_integrity, quads, with_integrity
from .load import SourceData, load
from .observations import Cube, load_observations
from .side_by_side import Forked
from .store import STORE_DIR, write_store
from .term_labels import FALLBACKS_FILE, REVIEWED_FILE, input_files, load_term_labels, report_fallbacks
from .to_rdf import ontology_graph, to_rdf
from .validate import ValidationResult, data_store, shapes_graph, validate
from .void import data_statistics
from .workspace import claim, io_error

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ONTOLOGY_STEM = "ontology"

Progress = Callable[[str], None]


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class BuildResult:
    version: str
    release: Path | None
    triples: int
    validation: ValidationResult
    catalogue: dict | None = None  # the manifest's "catalog": each profile's check, with its counts

    def summary(self) -> str:
        """What every check reported: the data's shapes, then each catalogue profile's."""
        checks = [("data", self.validation.violations, self.validation.warnings)]
        for token, profile in sorted(((self.catalogue or {}).get("profiles") or {}).items()):
            if profile.get("checked"):
                checks.append((f"catalogue {token}", profile.get("violations", 0), profile.get("warnings", 0)))
        warnings = sum(w for _, _, w in checks)
        parts = ", ".join(f"{name} {v} violation{'s' if v != 1 else ''}/{w} warning{'s' if w != 1 else ''}"
                          for name, v, w in checks)
        return f"{warnings} warning{'s' if warnings != 1 else ''} ({parts})"


def input_version(settings: Settings, data: SourceData, extra: dict[str, bytes] | None = None) -> str:
    """One identifier for everything that shapes the output: data, vocabulary, shapes, code, base,
    the catalogue's page size."""
    h = hashlib.sha256()
    h.update(settings.base_uri.encode())
    h.update(f"catalog_page_size={settings.catalog_page_size}\0".encode())
    for name, payload in sorted({**data.files, **(extra or {})}.items()):
        h.update(f"data/{name}\0".encode() + payload)
    for folder, pattern in (
        (settings.ontology_dir, "*.ttl"),
        (settings.ontology_dir, "*.yaml"),
        (settings.shapes_dir, "*.ttl"),
        (settings.shapes_dir, "catalog/*.ttl"),
        (PACKAGE_DIR, "**/*.py"),
        (PACKAGE_DIR, "**/templates/*"),
        (PACKAGE_DIR, "**/queries/*.rq"),
    ):
        for path in sorted(folder.glob(pattern)):
            h.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes())
    if settings.vocabularies_dir is not None:
        for path in input_files(settings.vocabularies_dir):
            h.update(f"vocabularies/{path.name}\0".encode() + (path.read_bytes() if path.exists() else b""))
    return h.hexdigest()[:16]


class _Steps:
    def __init__(self, progress: Progress, total: int):
        self.progress, self.total, self.n = progress, total, 0
        self.started = time.perf_counter()

    def __call__(self, message: str) -> None:
        self.n += 1
        self.progress(f"[{self.n}/{self.total}] {message}")

    def done(self, message: str) -> None:
        self.progress(f"      {message} ({time.perf_counter() - self.started:.1f} s)")


@dataclass
class Prepared:
    data: SourceData
    version: str
    graph: Graph  # everything but the observations
    observations: list[tuple[str, list[tuple], str]]  # (key, own triples, the same as N-Triples) of each
    ontology: Graph
    cube: Cube
    result: ValidationResult


def prepare(settings: Settings, step: _Steps) -> Prepared:
    """Load, build the graph and validate it (the `check` command, and the build's first steps)."""
    graph_ready = prepare_graph(settings, step)
    return graph_ready.validated(step)


@dataclass
class GraphReady:
    """The graph of the data, before validation (which the build runs side by side
    with the writing it does not gate: a release is published only once it passed)."""
    settings: Settings
    data: SourceData
    version: str
    graph: Graph
    observations: list[tuple[str, list[tuple], str]]
    ontology: Graph
    cube: Cube
    where: dict[str, str]

    def load_store(self) -> ox.Store:
        """The data in an in-memory Oxigraph store, for the shapes and the Data Cube checks; the
        observations straight from their N-Triples. Loaded by `validated`, after the build has
        forked the steps that need none of it."""
        store = data_store(quads(self.graph))
        for start in range(0, len(self.observations), 20_000):
            store.bulk_load("".join(nt for _, _, nt in self.observations[start:start + 20_000]).encode(),
                            ox.RdfFormat.N_TRIPLES)
        return store

    def validated(self, step: _Steps) -> Prepared:
        settings = self.settings
        step(f"validating against the SHACL shapes in {settings.shapes_dir}")
        store = self.load_store()
        result = validate(store, shapes_graph(settings.shapes_dir, settings.base_uri), self.ontology,
                          settings.base_uri, locator(self.where, self.cube, settings.base_uri))
        # the Data Cube's IC-1 … IC-21 read the vocabulary too: in a named graph, so the data stays apart
        store.bulk_extend(quads(self.ontology, ONTOLOGY_GRAPH))
        result = with_integrity(result, check_integrity(store))
        del store
        step.done(f"{result.violations} violations, {result.warnings} warnings")
        return Prepared(self.data, self.version, self.graph, self.observations, self.ontology, self.cube, result)


def prepare_graph(settings: Settings, step: _Steps) -> GraphReady:
    return graph_of(settings, step, *load_sources(settings, step))


def load_sources(settings: Settings, step: _Steps) -> tuple[SourceData, Cube, str]:
    """The YAML data, the observations and the input's version (every problem reported at once)."""
    step(f"loading {settings.data_dir}")
    data = load(settings.data_dir)
    records = sum(len(getattr(data, c)) for c in (
        "sources", "counties", "municipalities", "organisations", "schemes", "memberships", "publications"))
    cube = load_observations(settings.data_dir, data)
    step.done(f"{len(data.files)} files, {records} records, {len(cube.observations)} observations")
    return data, cube, input_version(settings, data, cube.files)


def graph_of(settings: Settings, step: _Steps, data: SourceData, cube: Cube, version: str) -> GraphReady:
    step("building the RDF graph")
    where: dict[str, str] = {}
    graph = to_rdf(data, settings.base_uri, version, where)
    graph += cube_structure(cube, data, settings.base_uri)
    # the observations never enter the rdflib graph: N-Triples, straight into the store
    observations = list(observation_triples(cube, data, settings.base_uri))
    ontology = ontology_graph(settings.ontology_dir, settings.base_uri)
    triples = len(graph) + sum(len(t) for _, t, _ in observations)
    step.done(f"{triples} triples of data ({len(observations)} observations), {len(ontology)} of vocabulary")
    return GraphReady(settings, data, version, graph, observations, ontology, cube, where)


def _new_files(writer: ReleaseWriter, fn: Callable, *args) -> tuple[object, dict[str, dict]]:
    """`fn(*args)` and the entries it added to the writer's file table (a forked step's own copy)."""
    before = set(writer.files)
    value = fn(*args)
    return value, {name: info for name, info in writer.files.items() if name not in before}


def _write_data_files(writer: ReleaseWriter, ready: GraphReady, context: dict) -> tuple[dict, list, dict, dict]:
    """The data set's and the vocabulary's dumps (streamed, gzipped, verified), the query store
    loaded from them and the JSON-LD context: (triple counts, N-Triples paths, the store's entry,
    the data set's statistics for VoID). Run in a forked step of its own, which forks again: the
    JSON-LD dump (which needs only the graph) and the store (which needs only the N-Triples) are
    written beside the Turtle, RDF/XML and statistics, so a large build keeps both cores busy."""
    extra = [t for _, triples, _ in ready.observations for t in triples]
    counts = {DATASET_STEM: len(ready.graph) + len(extra), ONTOLOGY_STEM: len(ready.ontology)}
    expected = bulk_digest(ready.graph, (text for _, _, text in ready.observations))
    jsonld = Forked("JSON-LD dump", _new_files, writer, write_bulk_jsonld, writer, DATASET_STEM, ready.graph,
                    context, extra, expected)
    store = None
    try:
        nt = [write_bulk_ntriples(writer, DATASET_STEM, ready.graph, (text for _, _, text in ready.observations),
                                  expected, extra),
              write_dumps(writer, ONTOLOGY_STEM, ready.ontology, context)["nt"]]
        store = Forked("store", write_store, writer.directory(STORE_DIR), nt)
        write_bulk_from_ntriples(writer, DATASET_STEM, nt[0], context, expected, ready.graph, extra)
        stats = data_statistics(ready.graph, ready.settings.base_uri, extra)
        del extra
        writer.write(CONTEXT, (json.dumps(context, indent=2) + "\n").encode())
        writer.files.update(jsonld.result()[1])
        store_info = store.result()
    except BaseException:
        for job in (jsonld, store):
            if job is not None:
                job.cancel()
        raise
    return counts, nt, store_info, stats


def locator(where: dict[str, str], cube: Cube, base_uri: str) -> Callable[[str], str | None]:
    """The `file:line` a resource's facts come from (for a validation failure), or None."""
    observations: dict[str, str] = {}

    def locate(iri: str) -> str | None:
        iri = iri.split("#", 1)[0]
        if iri in where:
            return where[iri]
        if not observations and cube.observations:  # made when first asked: only a failing build asks
            m = Minter(base_uri)
            observations.update((str(m.observation(CUBE_ID, o.indicator, o.municipality, o.year)),
                                 f"{o.file}:{o.line}") for o in cube.observations)
        return observations.get(iri)

    return locate


def check(settings: Settings, progress: Progress = stderr_progress) -> ValidationResult:
    """Load, build and validate without writing anything. Raises ValidationFailure."""
    step = _Steps(progress, 3)
    result = prepare(settings, step).result
    if not result.conforms:
        raise ValidationFailure(result.text)
    return result


def build(settings: Settings, progress: Progress = stderr_progress) -> BuildResult:
    lock = claim(settings.dist_dir)  # before the validation: a target that cannot be written is found now
    try:
        with fewer_collections():
            return _build(settings, progress)
    except OSError as exc:
        raise io_error("write the release", exc) from exc
    finally:
        os.close(lock)


def term_labels(settings: Settings, progress: Progress) -> TermLabels:
    if settings.vocabularies_dir is None:
        progress("      labels of reused terms: vocabularies_dir not set, only ontology/" + REVIEWED_FILE)
        return load_term_labels(None, settings.ontology_dir, settings.base_uri)
    return load_term_labels(settings.vocabularies_dir, settings.ontology_dir, settings.base_uri)


def _build(settings: Settings, progress: Progress) -> BuildResult:
    step = _Steps(progress, 5)
    data, cube, version = load_sources(settings, step)
    writer = ReleaseWriter(settings.dist_dir, progress)
    context = jsonld_context(settings.base_uri)
    # the dumps, the store and the statistics files need nothing of the validation, nor of each other:
    # they are written side by side with it, into the release's temporary folder (discarded on failure).
    # The statistics files need only the loaded data: they are written while the graph is built.
    statistics = Forked("statistics files", _new_files, writer, write_cube_files, writer, cube, data,
                        settings.base_uri)
    dumps = checks = None
    try:
        ready = graph_of(settings, step, data, cube, version)
        dumps = Forked("dumps and store", _new_files, writer, _write_data_files, writer, ready, context)
        prepared = ready.validated(step)
        data, version, graph, ontology, result = (prepared.data, prepared.version, prepared.graph,
                                                  prepared.ontology, prepared.result)
        if not result.conforms:
            failed = settings.dist_dir / "failed-validation-report.txt"
            failed.write_text(result.text, encoding="utf-8")
            raise ValidationFailure(result.text + f"\nNothing was published; report kept in {failed}")

        step("writing and verifying the dumps")
        (counts, nt, store_info, stats), files = dumps.result()
        writer.files.update(files)
        figures, files = statistics.result()
        writer.files.update(files)
        writer.write("validation-report.ttl", result.report.serialize(format="turtle", encoding="utf-8"))
        draft = describe_catalogue(writer, settings, data, ontology, version, DATASET_STEM, ONTOLOGY_STEM)
        # the profiles' checks and the catalogue's pages, beside the documents
        checks = Forked("catalogue checks and pages", _new_files, writer, check_and_page, writer, settings,
                        draft.graphs, context)
        from .representations import write_representations  # every document in every format (pages/)

        # the catalogue's distributions, services, publisher and contact dereference like everything else
        graph += draft.graphs["dcat-ap"]  # in place: a copy of a large graph costs as much memory again
        terms = term_labels(settings, progress)
        write_representations(writer, graph, ontology, settings.base_uri, version, context, figures,
                              prepared.observations, terms)
        writer.write(FALLBACKS_FILE, report_fallbacks(terms, settings.base_uri, progress).encode())
        (profile_checks, pages), files = checks.result()
        writer.files.update(files)
        catalog = write_catalogue(writer, settings, data, stats, draft, profile_checks, pages, DATASET_STEM,
                                  context, terms, progress)
        step.done(f"{len(writer.files)} files verified by re-parsing with pyoxigraph")

        step("publishing the release")
        manifest = {
            "base_uri": settings.base_uri,
            "dataset": data.dataset["id"],
            "title": data.dataset["title"],
            "description": data.dataset["description"],
            "triples": counts,
            "store": store_info,
            "validation": {"conforms": result.conforms, "violations": result.violations,
                           "warnings": result.warnings},
            "issued": data.dataset["issued"].text,
            "catalog": catalog,
        }
        release = writer.publish(version, manifest, settings.keep_releases)
    except BaseException:
        for job in (dumps, statistics, checks):
            if job is not None:
                job.cancel()
        writer.discard()
        raise
    step.done(f"release {version} is now {settings.current_release}")
    return BuildResult(version, release, counts[DATASET_STEM], result, catalog)
