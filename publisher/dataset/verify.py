"""Verifying what the build wrote: every payload is parsed back by pyoxigraph, an independent parser,
and must hold exactly the intended triples. Small payloads are compared as sets of triples; a large
file against an order-free digest of them (`TripleDigest`), so no second copy of a big graph is made.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from ..errors import DumpMismatch

if TYPE_CHECKING:
    from ..release.formats import RdfFormat


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


def verify(payload: bytes, fmt: RdfFormat, expected: set[ox.Triple], name: str) -> None:
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


def verify_file(path: Path, fmt: RdfFormat, expected: set[ox.Triple], name: str) -> None:
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
_BATCH = 50_000  # triples serialised at a time: the memory a digest takes does not grow with the graph
_SALT = b"\x00"


@dataclass
class TripleDigest:
    """An order-independent fingerprint of a set of triples: their count and two sums of 64-bit
    hashes of their canonical N-Triples lines, as pyoxigraph writes them. Both sides go through
    pyoxigraph's writer in batches, so the per-triple work is in Rust and in C (`map(hash, …)`):
    comparing two costs no copy of either."""

    count: int = 0
    total: int = 0
    mixed: int = 0

    def add_lines(self, lines: list[bytes]) -> None:
        self.count += len(lines)
        self.total = (self.total + sum(map(hash, lines))) & _MASK  # fixed within a process: both sides are here
        self.mixed = (self.mixed + sum(map(hash, map(_SALT.__add__, lines)))) & _MASK  # a second, independent sum

    def add(self, statements: Iterable[ox.Triple] | Iterable[ox.Quad], quads: bool = False) -> None:
        """Add a batch: triples, or quads in the default graph (whose N-Quads lines are N-Triples lines)."""
        text = ox.serialize(statements, format=ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES)
        lines = text.split(b"\n")
        lines.pop()  # after the last newline
        self.add_lines(lines)

    @classmethod
    def of(cls, triples: Iterable[tuple]) -> TripleDigest:
        """The digest of rdflib triples (converted to pyoxigraph terms, an independent model)."""
        digest, it = cls(), iter(triples)
        while batch := [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in itertools.islice(it, _BATCH)]:
            digest.add(batch)
        return digest

    def add_ntriples(self, texts: Iterable[str], per_batch: int = 4096) -> None:
        """Add the triples of N-Triples texts (each whole lines), parsed by pyoxigraph, `per_batch` texts at a time."""
        it = iter(texts)
        while batch := "".join(itertools.islice(it, per_batch)):
            self.add(ox.parse(batch.encode(), format=ox.RdfFormat.N_TRIPLES), quads=True)

    @classmethod
    def of_file(cls, path: Path, fmt: RdfFormat) -> TripleDigest:
        """The digest of what pyoxigraph parses from a file, streamed. Raises SyntaxError."""
        digest = cls()
        quads = ox.parse(path=str(path), format=fmt.ox_format, without_named_graphs=True)
        while True:
            before = digest.count
            digest.add(itertools.islice(quads, _BATCH), quads=True)
            if digest.count == before:
                return digest


def verify_digest(path: Path, fmt: RdfFormat, expected: TripleDigest, name: str,
                  triples: Callable[[], Iterable[tuple]]) -> None:
    """`verify_file` for a large file: the triples parsed from it must have the expected digest.
    Only when they do not are the expected triples made again (`triples`), to say which differ."""
    try:
        found = TripleDigest.of_file(path, fmt)
    except SyntaxError as exc:
        raise DumpMismatch(f"{name}: pyoxigraph cannot parse what we wrote: {exc}") from exc
    if found != expected:
        verify_file(path, fmt, {ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in triples()}, name)
        raise DumpMismatch(f"{name}: re-parsed graph differs ({found.count} triples, expected {expected.count})")


