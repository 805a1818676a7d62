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
