"""Observations are described on request, and their documents are byte for byte the old ones.

The build keeps observations out of its rdflib graph: it writes their own triples into the
documents file and every triple into the store, and the server assembles an observation's
document (and the later pages of a long document) when asked. The reference here is the general
path the build used for everything before: every resource, observations included, in one rdflib
graph, described by the Describer with no store. For every document of a release, in every
format and for the page model, the release's answer must equal the reference.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.synthetic import generate
from publisher.dataset.cube import cube_to_rdf
from publisher.dataset.dump import representations
from publisher.dataset.load import load
from publisher.dataset.observations import load_observations
from publisher.dataset.pipeline import build
from publisher.dataset.to_rdf import ontology_graph, to_rdf
from publisher.release.assemble import Assembler, graph_from_ntriples
from publisher.release.describe import HYDRA, Describer
from publisher.release.documents import DOCUMENTS_FILE, RDF_FORMATS, DocumentReader
from publisher.release.labels import TERM_LABELS_FILE, TermLabels
from publisher.release.page_models import page_model
from publisher.release.serialise import Writers
from publisher.settings import Settings

from .conftest import BASE, ROOT


def _reference(root: Path, release: Path, version: str):
    """The old general path: observations in the graph, no store."""
    data = load(root / "data")
    graph = to_rdf(data, BASE, version)
    graph += cube_to_rdf(load_observations(root / "data", data), data, BASE)
    # the catalogue's resources are described too: take them from the release's context graph
    context_graph = graph_from_ntriples(release / "pages" / "context.nt")
    for triple in context_graph:
        graph.add(triple)
    ontology = ontology_graph(root / "ontology", BASE)
    return Describer(graph, ontology, BASE, version), graph, ontology


def _compare(root: Path, release: Path) -> int:
    manifest = json.loads((release / "manifest.json").read_text())
    version = manifest["version"]
    describer, graph, ontology = _reference(root, release, version)
    context = json.loads((release / "context.jsonld").read_text())
    writers = Writers(describer.namespaces.namespaces(), context)
    reader = DocumentReader(release / DOCUMENTS_FILE)
    terms = TermLabels.from_json((release / TERM_LABELS_FILE).read_bytes())
    assembler = Assembler(release, BASE, version, reader)
    keys = set(describer.keys)
    memo: dict = {}
    compared = 0
    paged = 0
    for key in describer.keys:
        doc = describer.document(key)
        pages = assembler.pages(key)
        if pages > 1:  # too long for one page: together, the pages say what the document said
            assert key in reader
            assert _content(doc.graph) == set().union(*(_content(assembler.document(key, n).graph)
                                                        for n in range(1, pages + 1))), key
            assert len(_content(assembler.document(key, pages).graph)) < len(_content(doc.graph))
            paged += 1
            continue
        want = representations(doc.graph, writers, context)
        want_page = page_model(doc, graph, ontology, BASE, keys, memo, terms)
        if key in reader:
            got = {fmt: reader.body(key, fmt) for fmt in RDF_FORMATS}
            got_page = reader.page(key)
        else:
            assert reader.is_uniform(key), f"{key}: neither a document nor a uniform resource"
            got = {fmt: assembler.rdf(key, fmt) for fmt in RDF_FORMATS}
            got_page = json.loads(json.dumps(assembler.model(key), ensure_ascii=False, sort_keys=True))
        want_page = json.loads(json.dumps(want_page, ensure_ascii=False, sort_keys=True))
        for fmt in RDF_FORMATS:
            assert got[fmt] == want[fmt], f"{key}.{fmt} differs"
        assert got_page == want_page, f"{key}: page model differs"
        compared += 1
    return compared, paged


def _content(graph) -> set:
    """What a document says about the data: not its own metadata, not the paging controls."""
    return {(s, p, o) for s, p, o in graph
            if not str(s).startswith(BASE + "doc/") and not str(p).startswith(str(HYDRA))}


@pytest.mark.slow
def test_every_document_of_the_real_data_is_unchanged(built):
    release = Path(built.release)
    compared, paged = _compare(ROOT, release)
    assert compared > 200 and paged == 0
    reader = DocumentReader(release / DOCUMENTS_FILE)
    assert reader.uniform_count == 24  # the real cube's observations are assembled on request


@pytest.mark.slow
def test_every_document_of_synthetic_data_is_unchanged(tmp_path: Path):
    root = generate(tmp_path, "10k")
    settings = Settings.from_root(root, base_uri=BASE, dist_dir=tmp_path / "dist")
    result = build(settings, progress=lambda message: None)
    compared, paged = _compare(root, Path(result.release))
    assert compared > 500 and paged > 0


def test_observation_triples_are_what_the_minter_and_the_cube_model_say(tmp_path: Path):
    """The fast observation writer (terms made once, IRIs built from a minted prefix, N-Triples by
    hand) against the plain way: every IRI minted, every literal made, rdflib's N-Triples rows."""
    from rdflib import Literal
    from rdflib.namespace import RDF, XSD
    from rdflib.plugins.serializers.nt import _nt_row

    from publisher.dataset.cube import CUBE_ID, decimal_literal, observation_triples
    from publisher.namespaces import QB, vocab
    from publisher.uris import Minter

    root = generate(tmp_path, "10k")
    data = load(root / "data")
    cube = load_observations(root / "data", data)
    m, ks = Minter(BASE), vocab(BASE)
    made = list(observation_triples(cube, data, BASE))
    assert len(made) == len(cube.observations) > 500
    for o, (key, triples, nt) in zip(cube.observations, made, strict=True):
        s = m.observation(CUBE_ID, o.indicator, o.municipality, o.year)
        assert key == str(s)[len(BASE) + 3:]
        plain = {(s, RDF.type, QB.Observation), (s, ks.refMunicipality, m.municipality(o.municipality)),
                 (s, ks.refYear, Literal(f"{o.year:04d}", datatype=XSD.gYear)),
                 (s, ks.value, decimal_literal(o.value)), (s, ks.confidence, ks[o.status])}
        assert plain <= set(triples) and len(triples) == 11
        assert nt == "".join(_nt_row(t) for t in triples)
