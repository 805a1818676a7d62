"""Verifying what the build wrote: every payload is parsed back by pyoxigraph, an independent parser,
and must hold exactly the intended triples. Small payloads are compared as sets of triples; a large
file against an order-free digest of them (`TripleDigest`), so no second copy of a big graph is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import DumpMismatch

if TYPE_CHECKING:
    from .dump import Format


def _to_ox(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    try:
        return _OX_TERMS[term]
    except KeyError:
        if len(_OX_TERMS) > 200_000:  # a memo for the terms that recur across documents, bounded
            _OX_TERMS.clear()
        found = _OX_TERMS[term] = _convert(term)
        return found


_OX_TERMS: dict = {}


def _convert(term) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        raise DumpMismatch(f"unexpected blank node {term.n3()} in a published graph")
    assert isinstance(term, Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def expected_triples(graph: Graph) -> set[ox.Triple]:
    return {ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in graph}


def verify(payload: bytes, fmt: Format, expected: set[ox.Triple], name: str) -> None:
    """Parse `payload` with pyoxigraph and require exactly the expected triples."""
    try:
        found = {q.triple for q in ox.parse(payload, fmt.ox_format, without_named_graphs=True)}
    except SyntaxError as exc:
        raise DumpMismatch(f"{name}: pyoxigraph cannot parse what rdflib wrote: {exc}") from exc
    if found != expected:
        missing, extra = expected - found, found - expected
        sample = [str(t) for t in list(missing)[:3]] + [str(t) for t in list(extra)[:3]]
        raise DumpMismatch(
            f"{name}: re-parsed graph differs ({len(missing)} missing, {len(extra)} extra): {sample}"
        )


def verify_file(path: Path, fmt: Format, expected: set[ox.Triple], name: str) -> None:
    """`verify` for a written file, parsed as a stream: the triples found are checked off a set of
    references to the expected ones, so no second copy of the graph is built."""
    remaining = set(expected)
    extra: list[ox.Triple] = []
    try:
        for quad in ox.parse(path=str(path), format=fmt.ox_format, without_named_graphs=True):
            triple = quad.triple
            if triple in expected:
                remaining.discard(triple)
            elif len(extra) < 3:
                extra.append(triple)
    except SyntaxError as exc:
        raise DumpMismatch(f"{name}: pyoxigraph cannot parse what we wrote: {exc}") from exc
    if remaining or extra:
        sample = [str(t) for t in list(remaining)[:3]] + [str(t) for t in extra]
        raise DumpMismatch(f"{name}: re-parsed graph differs ({len(remaining)} missing, "
                           f"{'some' if extra else 'no'} extra): {sample}")


_MASK = (1 << 64) - 1


@dataclass
class TripleDigest:
    """An order-independent fingerprint of a set of triples (their count and two sums of 64-bit
    hashes of their N-Triples form): comparing two costs no copy of either."""

    count: int = 0
    total: int = 0
    mixed: int = 0

    def add(self, triple: ox.Triple) -> None:
        h = hash(str(triple)) & _MASK  # str hashes are fixed within a process: both sides are computed here
        self.count += 1
        self.total = (self.total + h) & _MASK
        self.mixed = (self.mixed + (((h * 0x9E3779B97F4A7C15) & _MASK) ^ (h >> 29))) & _MASK  # order-free too

    @classmethod
    def of(cls, triples: Iterable[tuple]) -> TripleDigest:
        digest = cls()
        for s, p, o in triples:
            digest.add(ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)))
        return digest


def verify_digest(path: Path, fmt: Format, expected: TripleDigest, name: str,
                  triples: Callable[[], Iterable[tuple]]) -> None:
    """`verify_file` for a large file: the triples parsed from it must have the expected digest.
    Only when they do not are the expected triples made again (`triples`), to say which differ."""
    found = TripleDigest()
    try:
        for quad in ox.parse(path=str(path), format=fmt.ox_format, without_named_graphs=True):
            found.add(quad.triple)
    except SyntaxError as exc:
        raise DumpMismatch(f"{name}: pyoxigraph cannot parse what we wrote: {exc}") from exc
    if found != expected:
        verify_file(path, fmt, {ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in triples()}, name)
        raise DumpMismatch(f"{name}: re-parsed graph differs ({found.count} triples, expected {expected.count})")


