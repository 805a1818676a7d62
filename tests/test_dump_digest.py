"""Dumps are verified against a digest of the triples, so a large dump needs no second copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from publisher.dataset.dump import FORMATS, DumpMismatch
from publisher.dataset.verify import TripleDigest, verify_digest

EX = "http://example.org/"
TRIPLES = [(URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), Literal(f"value {i}", lang="sv")) for i in range(50)]
NT = next(f for f in FORMATS if f.suffix == "nt")


def _nt(triples) -> str:
    return "".join(f"<{s}> <{p}> \"{o}\"@sv .\n" for s, p, o in triples)


def test_the_digest_ignores_order_and_sees_every_change():
    digest = TripleDigest.of(TRIPLES)
    assert digest == TripleDigest.of(reversed(TRIPLES))
    assert digest != TripleDigest.of(TRIPLES[:-1])
    changed = [*TRIPLES[:-1], (TRIPLES[-1][0], TRIPLES[-1][1], Literal("value 49", lang="en"))]
    assert digest != TripleDigest.of(changed)
    swapped = [*TRIPLES[:2], (TRIPLES[2][0], TRIPLES[2][1], TRIPLES[3][2]), (TRIPLES[3][0], TRIPLES[3][1],
                                                                            TRIPLES[2][2]), *TRIPLES[4:]]
    assert digest != TripleDigest.of(swapped)  # same terms, paired otherwise


def test_a_dump_that_differs_is_refused_and_the_difference_named(tmp_path: Path):
    path = tmp_path / "d.nt"
    path.write_text(_nt(TRIPLES))
    verify_digest(path, NT, TripleDigest.of(TRIPLES), "d.nt", lambda: TRIPLES)  # passes
    path.write_text(_nt(TRIPLES).replace("value 7", "value 8"))
    with pytest.raises(DumpMismatch, match="value 7"):
        verify_digest(path, NT, TripleDigest.of(TRIPLES), "d.nt", lambda: TRIPLES)


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.suffix)
def test_every_format_parsed_back_has_the_digest_of_the_triples_written(tmp_path: Path, fmt):
    """Parsed quads and written triples are hashed by the same canonical lines, whatever the literal:
    escapes, datatypes, language tags and long text included."""
    from rdflib import Graph
    from rdflib.namespace import XSD

    g = Graph()
    for i, o in enumerate([Literal('say "hej"\nand\tgo \\ back'), Literal("12.5", datatype=XSD.decimal),
                           Literal("2007", datatype=XSD.gYear), Literal("Södertälje", lang="sv"),
                           Literal("x" * 5000), URIRef(f"{EX}o?a=1&b=ä")]):
        g.add((URIRef(f"{EX}s{i}"), URIRef(f"{EX}p"), o))
    path = tmp_path / f"d.{fmt.suffix}"
    g.serialize(path, format={"nt": "nt", "ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}[fmt.suffix])
    assert TripleDigest.of_file(path, fmt) == TripleDigest.of(g)
    g.remove((URIRef(f"{EX}s0"), None, None))
    assert TripleDigest.of_file(path, fmt) != TripleDigest.of(g)


def test_the_observations_text_and_triples_give_one_digest_and_the_jsonld_dump_holds_them_to_it(tmp_path: Path):
    """The bulk digest reads the observations from their N-Triples text (dump.bulk_digest); the
    JSON-LD dump, written from their rdflib triples, is verified against it, so a text that says
    otherwise than the triples fails the build."""
    from rdflib import Graph

    from bench.synthetic import generate
    from publisher.dataset.cube import observation_triples
    from publisher.dataset.dump import ReleaseWriter, bulk_digest, jsonld_context, write_bulk_jsonld
    from publisher.dataset.load import load
    from publisher.dataset.observations import load_observations

    from .conftest import BASE

    root = generate(tmp_path, "10k")  # GENERATED SYNTHETIC data, labelled so (bench/synthetic.py)
    data = load(root / "data")
    observations = list(observation_triples(load_observations(root / "data", data), data, BASE))
    extra = [t for _, triples, _ in observations for t in triples]
    graph = Graph()
    graph.add((URIRef(f"{EX}a"), URIRef(f"{EX}p"), Literal("a")))
    digest = bulk_digest(graph, (text for _, _, text in observations))
    assert digest == TripleDigest.of([*graph, *extra]) and digest.count > 5_000

    context = jsonld_context(BASE)
    writer = ReleaseWriter(tmp_path / "dist")
    write_bulk_jsonld(writer, "ok", graph, context, extra, digest)  # passes
    key, triples, text = observations[0]
    wrong = text.replace('"@sv', ' (fel)"@sv', 1)
    assert wrong != text
    with pytest.raises(DumpMismatch):
        write_bulk_jsonld(writer, "wrong", graph, context, extra,
                          bulk_digest(graph, [wrong, *(t for _, _, t in observations[1:])]))
    writer.discard()


def test_the_bulk_jsonld_keeps_a_falsy_value_among_others(tmp_path: Path):
    """A key holding a falsy value ("", 0, false) among others: rdflib's JSON-LD writer would lose
    it (it replaces a falsy first value); the bulk dump lists them all, and passes its verification."""
    import json

    from rdflib import Graph
    from rdflib.namespace import RDFS

    from publisher.dataset.dump import ReleaseWriter, bulk_digest, jsonld_context, write_bulk_jsonld

    from .conftest import BASE

    graph = Graph()
    graph.add((URIRef(f"{EX}a"), RDFS.label, Literal("a")))
    extra = [(URIRef(f"{EX}obs"), RDFS.comment, Literal("second")), (URIRef(f"{EX}obs"), RDFS.comment, Literal(""))]
    digest = bulk_digest(graph, (f"<{s}> <{p}> \"{o}\" .\n" for s, p, o in extra))
    writer = ReleaseWriter(tmp_path / "dist")
    path = write_bulk_jsonld(writer, "falsy", graph, jsonld_context(BASE), extra, digest)  # verified: no DumpMismatch
    text = path.read_text(encoding="utf-8")
    assert TripleDigest.of_file(path, next(f for f in FORMATS if f.suffix == "jsonld")) == TripleDigest.of(
        [*graph, *extra])
    assert json.loads(text)  # one JSON document
    writer.discard()
