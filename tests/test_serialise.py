"""The fast writers write exactly the bytes rdflib's serialisers wrote, document by document and dump by dump.

The reference is the previous path: `dump.canonical` (a sorted rdflib copy) and rdflib's Turtle,
N-Triples, JSON-LD and RDF/XML serialisers (`dump.serialise`). Compared on hand-made graphs with
the awkward cases, on every document and dump of the real data, and on generated synthetic data.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from bench.synthetic import generate
from publisher.dataset.cube import cube_to_rdf
from publisher.dataset.dump import (
    FORMATS,
    DumpMismatch,
    ReleaseWriter,
    canonical,
    gzip_bytes,
    jsonld_context,
    representations,
    serialise,
    write_dumps,
)
from publisher.dataset.load import load
from publisher.dataset.observations import load_observations
from publisher.dataset.to_rdf import ontology_graph, to_rdf
from publisher.dataset.verify import expected_triples, verify_file
from publisher.namespaces import bind_all
from publisher.release.describe import describe
from publisher.release.serialise import Unsupported, Writers

from .conftest import BASE, ROOT

EX = "http://example.org/"
KS = BASE + "def/"
A, B, C = URIRef(BASE + "id/thing/a"), URIRef(BASE + "id/thing/b"), URIRef(EX + "c")
CONTEXT = jsonld_context(BASE)


def rdflib_bytes(graph: Graph) -> dict[str, bytes]:
    ordered = canonical(graph)
    return {fmt.suffix: serialise(ordered, fmt, CONTEXT) for fmt in FORMATS}


def fast_bytes(graph: Graph) -> dict[str, bytes]:
    writers = Writers(graph.namespaces(), CONTEXT)
    return writers.all(writers.canonical(graph))


def graph_of(*triples) -> Graph:
    g = bind_all(Graph(), BASE)
    for t in triples:
        g.add(t)
    return g


CASES = {
    "plain, tagged and typed literals": [
        (A, RDFS.label, Literal("Haninge kommun", lang="sv")), (A, RDFS.label, Literal("Haninge", lang="en")),
        (A, SKOS.notation, Literal("0136")), (A, URIRef(KS + "value"), Literal("3833.0", datatype=XSD.decimal)),
        (A, URIRef(KS + "value"), Literal(".5", datatype=XSD.decimal, normalize=False)),
        (A, URIRef(KS + "year"), Literal("2007", datatype=XSD.gYear)),
        (A, URIRef(KS + "count"), Literal("01", datatype=XSD.integer, normalize=False)),
        (A, URIRef(KS + "count"), Literal(7)), (A, URIRef(KS + "flag"), Literal(True)),
        (A, URIRef(KS + "ratio"), Literal("1e3", datatype=XSD.double)),
        (A, URIRef(KS + "name"), Literal("typed string", datatype=XSD.string)),
        (A, URIRef(KS + "when"), Literal("2018-05-17", datatype=XSD.date)),
        (A, URIRef(KS + "odd"), Literal("x", datatype=URIRef(EX + "customType")))],
    "escapes and non-ASCII": [
        (A, RDFS.comment, Literal('quote " backslash \\ newline \n tab \t return \r end')),
        (A, RDFS.comment, Literal('"""triple""" and <tag> & amp')),
        (A, RDFS.label, Literal("Södertälje – miljö ✓ 🌍", lang="sv"))],
    "IRIs that do and do not shorten": [
        (A, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q113692")),
        (A, RDFS.seeAlso, URIRef(EX + "with(parens)")), (A, RDFS.seeAlso, URIRef(EX + "100%25done")),
        (A, RDFS.seeAlso, URIRef(KS + "ends.")), (A, RDFS.seeAlso, URIRef(KS)),
        (A, RDFS.seeAlso, URIRef(BASE + "id/municipality/0136")), (A, RDFS.seeAlso, URIRef(EX + "x#frag")),
        (URIRef(KS), RDF.type, OWL.Ontology)],
    "subject order: classes, references, IRIs": [
        (C, RDF.type, RDFS.Class), (B, RDF.type, RDFS.Class), (A, RDFS.seeAlso, B), (B, RDFS.seeAlso, C),
        (URIRef(EX + "z"), RDFS.seeAlso, A), (URIRef(EX + "z"), RDFS.seeAlso, C), (A, RDF.type, OWL.Thing),
        (A, RDF.type, SKOS.Concept), (A, SKOS.related, Literal("a")), (A, SKOS.related, B)],
    "one subject (JSON-LD without @graph)": [
        (A, RDF.type, SKOS.Concept), (A, SKOS.prefLabel, Literal("a", lang="sv"))],
    "empty graph": [],
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_fast_writers_write_rdflibs_bytes(case):
    graph = graph_of(*CASES[case])
    assert fast_bytes(graph) == rdflib_bytes(graph)


@pytest.mark.parametrize(("case", "triples"), [
    ("a blank node", [(A, RDFS.seeAlso, BNode("b1"))]),
    ("a predicate without a prefix, for which rdflib invents one", [(A, URIRef("http://nowhere.example/p#q"), B)]),
    ("an RDF list", [(A, RDF.first, B)]),
])
def test_graphs_the_fast_writers_decline_are_written_by_rdflib(case, triples):
    graph = graph_of(*triples)
    with pytest.raises(Unsupported):
        fast_bytes(graph)
    assert representations(graph, Writers(graph.namespaces(), CONTEXT), CONTEXT) == rdflib_bytes(graph)


def _project_graphs(root: Path) -> tuple[Graph, Graph]:
    data = load(root / "data")
    graph = to_rdf(data, BASE, "test-version")
    graph += cube_to_rdf(load_observations(root / "data", data), data, BASE)
    return graph, ontology_graph(ROOT / "ontology", BASE)


def _assert_every_document_and_dump_identical(graph: Graph, ontology: Graph) -> int:
    docs = describe(graph, ontology, BASE, "test-version")
    writers = Writers(next(iter(docs.values())).graph.namespaces(), CONTEXT)
    for key, doc in docs.items():
        assert representations(doc.graph, writers, CONTEXT) == rdflib_bytes(doc.graph), key
    for g in (graph, ontology):
        assert fast_bytes(g) == rdflib_bytes(g)
    return len(docs)


def test_every_document_and_dump_of_the_real_data_is_byte_identical():
    assert _assert_every_document_and_dump_identical(*_project_graphs(ROOT)) > 200


def test_every_document_and_dump_of_synthetic_data_is_byte_identical(tmp_path):
    root = generate(tmp_path, "10k")  # GENERATED SYNTHETIC data, labelled so (bench/synthetic.py)
    assert "SYNTHETIC" in (root / "SYNTHETIC.txt").read_text()
    assert _assert_every_document_and_dump_identical(*_project_graphs(root)) > 800


@pytest.mark.parametrize("stem", ["catalog-dcat-ap-se", "catalog-dcat-ap", "void"])
def test_the_release_catalogue_and_void_are_the_bytes_rdflib_writes(built, settings, stem):
    """dump.write_graph writes them with the fast writers (rdflib where they decline): the same bytes."""
    graph = Graph().parse(settings.current_release / f"{stem}.ttl", format="turtle")  # with its prefixes
    for suffix, payload in rdflib_bytes(graph).items():
        assert (settings.current_release / f"{stem}.{suffix}").read_bytes() == payload, suffix


def test_streamed_dumps_and_their_gzip_equal_the_one_shot_bytes(tmp_path):
    # (no xsd:double: rdflib's Turtle writes 1e3 as 1e+03, which the verification rightly rejects)
    graph = graph_of(*CASES["escapes and non-ASCII"], *CASES["subject order: classes, references, IRIs"])
    writer = ReleaseWriter(tmp_path / "dist")
    paths = write_dumps(writer, "x", graph, CONTEXT)
    expected = rdflib_bytes(graph)
    for suffix, path in paths.items():
        assert path.read_bytes() == expected[suffix]
        assert (path.parent / (path.name + ".gz")).read_bytes() == gzip_bytes(expected[suffix])
        assert writer.files[path.name]["bytes"] == len(expected[suffix])
    writer.discard()


def test_verify_file_names_a_dump_that_lost_or_gained_a_triple(tmp_path):
    graph = graph_of(*CASES["plain, tagged and typed literals"])
    expected = expected_triples(graph)
    nt = FORMATS[1]
    lines = rdflib_bytes(graph)["nt"].decode().splitlines(keepends=True)
    (tmp_path / "short.nt").write_text("".join(lines[1:]))
    (tmp_path / "long.nt").write_text("".join(lines) + f"<{EX}s> <{EX}p> <{EX}o> .\n")
    for name in ("short.nt", "long.nt"):
        with pytest.raises(DumpMismatch, match=name):
            verify_file(tmp_path / name, nt, expected, name)
    (tmp_path / "same.nt").write_bytes(gzip.decompress(gzip_bytes("".join(lines).encode())))
    verify_file(tmp_path / "same.nt", nt, expected, "same.nt")


@pytest.mark.parametrize("iri", [
    "http://127.0.0.1:8000/id/observation/miljonyckeltal/kolada-n00401/0126/2019",  # splits: a prefix would be made
    "http://127.0.0.1:8000/id/municipality/0126",
    "http://127.0.0.1:8000/id/",
    "http://example.org/a b",                       # not a valid IRI for rdflib
    "urn:x-local:123",                              # does not split into namespace and name
    "http://example.org/",
    "http://www.w3.org/2000/01/rdf-schema#label",   # under a bound namespace: rdflib's own path
    "http://127.0.0.1:8000/def/refYear",
])
def test_an_iri_under_no_bound_namespace_gets_rdflibs_answer_without_rdflib(iri):
    """The Turtle writer answers for an IRI under no bound namespace itself (rdflib's
    compute_qname would insert into its namespace trie and cache the IRI for ever); the answer is
    the one rdflib's path gives."""
    namespaces = [("rdfs", RDFS._NS), ("ks", URIRef(BASE + "def/"))]
    fast, slow = Writers(namespaces, {"@context": {}}), Writers(namespaces, {"@context": {}})
    slow._bound = ("",)  # every IRI starts with "": always rdflib's path
    assert fast._pname_parts(iri) == slow._pname_parts(iri)


def test_documents_with_new_iris_do_not_grow_rdflibs_namespace_trie():
    """A server assembles documents for ever: serialising one more resource (an observation's IRI
    has a namespace of its own per indicator and municipality) must not insert one more namespace
    into rdflib's namespace manager, nor cost a walk of it."""
    writers = Writers([("rdfs", RDFS._NS)], {"@context": {}})
    trie = writers._nm._NamespaceManager__strie

    def document(i: int) -> list:
        s = URIRef(f"{BASE}id/observation/x/{i}/2019")
        return writers.canonical([(s, RDFS.label, Literal(f"obs {i}")), (s, RDFS.seeAlso, URIRef(f"{BASE}id/y/{i}"))])

    writers.turtle(document(0))
    before = len(trie)
    for i in range(1, 200):
        writers.turtle(document(i))
    assert len(trie) == before


def _jsonld_lines(writers: Writers, nodes: dict) -> str:
    return "".join(writers.jsonld_nodes_text(nodes, node_lines=True))


@pytest.mark.parametrize("seed", [1, 2])
def test_the_bulk_jsonld_of_triples_in_any_order_is_that_of_canonical_order(tmp_path, seed):
    """The data set's JSON-LD dump puts only the graph in canonical order (dump.write_bulk_jsonld):
    the same text for the graph and the observations of generated data, shuffled."""
    import random

    root = generate(tmp_path, "10k")  # GENERATED SYNTHETIC data, labelled so (bench/synthetic.py)
    graph, _ = _project_graphs(root)
    triples = list(graph)
    random.Random(seed).shuffle(triples)
    writers = Writers(graph.namespaces(), CONTEXT)
    expected = _jsonld_lines(writers, writers.jsonld_nodes(writers.canonical(graph)))
    assert _jsonld_lines(writers, writers.jsonld_nodes(triples)) == expected
    assert expected.count("\n") > 1500  # node objects, one a line


def test_jsonld_lists_a_falsy_value_among_others_in_any_order_where_rdflib_loses_it():
    """rdflib's JSON-LD writer replaces a falsy first value (0, "", false) by the next one instead of
    listing both, so its document loses a triple (and fails the re-parsing check). The fast writer
    lists every value, in the same text whatever the order of the triples."""
    import pyoxigraph as ox

    count = URIRef(KS + "count")
    for first, second in [(Literal(0), Literal(7)), (Literal(""), Literal("x")), (Literal(False), Literal(True))]:
        graph = graph_of((A, count, first), (A, count, second))
        writers = Writers(graph.namespaces(), CONTEXT)
        text = _jsonld_lines(writers, writers.jsonld_nodes([(A, count, first), (A, count, second)]))
        assert text == _jsonld_lines(writers, writers.jsonld_nodes([(A, count, second), (A, count, first)]))
        parsed = {str(q.object.value) for q in ox.parse(text.encode(), ox.RdfFormat.JSON_LD)}
        assert parsed == {str(first), str(second)}, (text, parsed)
        rdflib_parsed = Graph().parse(data=rdflib_bytes(graph)["jsonld"], format="json-ld")
        assert len(rdflib_parsed) == 1  # rdflib's own writer lost one
