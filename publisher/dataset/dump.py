"""Serialise the graphs into a release folder, verify every dump, and switch `current` atomically.

A release is written into a fresh temporary folder inside dist/, each dump is parsed back by an
independent parser (pyoxigraph) and compared with the graph we meant to write, and only then is
the folder renamed to dist/releases/<version> and dist/current re-pointed with one rename.
Nothing half-written is ever visible under dist/current.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.plugins.serializers.nt import _nt_row

from ..errors import DumpMismatch
from ..namespaces import REUSED, vocab
from ..release.formats import BY_KEY, RdfFormat, media_type_of
from ..release.formats import DUMP_FORMATS as FORMATS
from ..release.manifest import MANIFEST, SUMS, manifest_text, sums_text
from ..release.serialise import Unsupported, Writers
from .verify import TripleDigest, expected_triples, verify, verify_digest


def jsonld_context(base_uri: str) -> dict:
    """The published @context: our prefixes. Dumps embed it so no parser has to fetch it."""
    prefixes = {prefix: str(ns) for prefix, ns in REUSED.items()}
    prefixes["ks"] = str(vocab(base_uri))
    return {"@context": dict(sorted(prefixes.items()))}


def canonical(graph: Graph) -> Graph:
    """A copy whose triples were inserted in sorted order, so serialisers iterate deterministically.

    rdflib's default store indexes triples in sets, whose order depends on the hash seed;
    SimpleMemory keeps nested dicts, which iterate in insertion order.
    """
    out = Graph(store="SimpleMemory")
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True, replace=True)
    for triple in sorted(graph, key=lambda t: tuple(x.n3() for x in t)):
        out.add(triple)
    # a name with no prefix bound gets one rdflib invents (ns1, ns2, …): in the order of the names,
    # not in that of the set RDF/XML's serialiser collects them in (its order varies by process)
    names = {p for _, p, _ in out} | {o for _, p, o in out if p == RDF.type and isinstance(o, URIRef)}
    for name in sorted(names):
        with contextlib.suppress(ValueError, KeyError):
            out.namespace_manager.compute_qname(name, generate=True)
    return out


def serialise(graph: Graph, fmt: RdfFormat, context: dict) -> bytes:
    if fmt.suffix == "nt":
        lines = {line for line in graph.serialize(format="nt").splitlines() if line.strip()}
        return ("\n".join(sorted(lines)) + "\n").encode("utf-8")
    if fmt.suffix == "jsonld":
        text = graph.serialize(format="json-ld", context=context["@context"], auto_compact=True)
        document = _ordered_jsonld(json.loads(text))
        return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()
    return graph.serialize(format=fmt.rdflib_format, encoding="utf-8")


def _ordered_jsonld(node):
    """Sort JSON-LD arrays whose order carries no meaning (all but @list), for stable bytes."""
    if isinstance(node, dict):
        return {k: (_ordered_jsonld(v) if k != "@list" else [_ordered_jsonld(x) for x in v])
                for k, v in node.items()}
    if isinstance(node, list):
        items = [_ordered_jsonld(x) for x in node]
        return sorted(items, key=lambda x: json.dumps(x, sort_keys=True, ensure_ascii=False))
    return node


def representations(graph: Graph, writers: Writers, context: dict) -> dict[str, bytes]:
    """A document in every format, by file suffix: the fast writers, or rdflib where they decline."""
    try:
        return writers.all(writers.canonical(graph))
    except Unsupported:
        ordered = canonical(graph)
        return {fmt.suffix: serialise(ordered, fmt, context) for fmt in FORMATS}


def write_graph(writer: ReleaseWriter, stem: str, graph: Graph, context: dict) -> None:
    """A small graph (the catalogue, VoID) as `<stem>.<suffix>` in every format, each verified: by
    the fast writers, or by rdflib where they decline (the same bytes)."""
    payloads = representations(graph, Writers(graph.namespaces(), context), context)
    expected = expected_triples(graph)
    for fmt in FORMATS:
        name = f"{stem}.{fmt.suffix}"
        verify(payloads[fmt.suffix], fmt, expected, name)
        writer.write(name, payloads[fmt.suffix])


GZIP_LEVEL = 6  # level 9: 6-13 % smaller dumps (+0.7 MB at 1M triples) for 2-3x the CPU (~2.5 s at 1M)


def write_dumps(writer: ReleaseWriter, stem: str, graph: Graph, context: dict) -> dict[str, Path]:
    """The four dumps of `graph` (the vocabulary; the data set's are written by the `write_bulk_*`
    parts, side by side) and their .gz, written as they are produced and each verified by
    re-parsing the file with pyoxigraph (against a digest of the triples, so no second copy of the
    graph is made). Returns their paths by file suffix."""
    expected = TripleDigest.of(graph)
    writers = Writers(graph.namespaces(), context)
    try:
        ordered: list | None = writers.canonical(graph)
    except Unsupported:
        ordered = None
    paths = {}
    for fmt in FORMATS:
        name = f"{stem}.{fmt.suffix}"
        try:
            if ordered is None:
                raise Unsupported("blank node")
            path = writer.write_text(name, writers.text(fmt.suffix, ordered), gz=True)
        except Unsupported:
            path = writer.write(name, serialise(canonical(graph), fmt, context), gz=True)
        verify_digest(path, fmt, expected, name, lambda: graph)
        paths[fmt.suffix] = path
    writers.forget()
    return paths


def bulk_digest(graph: Graph, extra_ntriples: Iterable[str]) -> TripleDigest:
    """The order-free digest every bulk dump is verified against: the graph's rdflib triples
    (converted to pyoxigraph's terms) and the extra triples' N-Triples text (the observations',
    parsed by pyoxigraph: ~1 s at a million triples, against ~5 s through rdflib's terms).

    The extra triples' text is also what the N-Triples dump, Turtle and RDF/XML are written from,
    so for those triples it is the JSON-LD dump, written from their rdflib triples by our own
    writer and verified against this digest, that holds the text to the triples: if the two
    disagreed, it would fail."""
    digest = TripleDigest.of(graph)
    digest.add_ntriples(extra_ntriples)
    return digest


def write_bulk_ntriples(writer: ReleaseWriter, stem: str, graph: Graph, extra_ntriples: Iterable[str],
                        expected: TripleDigest, extra: Sequence[tuple]) -> Path:
    """The N-Triples dump: the sorted, distinct lines of the graph and of the extra triples' text; verified."""
    lines = [_nt_row(t) for t in graph]
    for text in extra_ntriples:
        lines += text.splitlines(keepends=True)
    lines = sorted(set(lines))
    name = f"{stem}.nt"
    path = writer.write_text(name, ("".join(lines[i:i + 4096]) for i in range(0, len(lines), 4096)), gz=True)
    del lines
    verify_digest(path, BY_KEY["nt"], expected, name, lambda: itertools.chain(graph, extra))
    return path


def write_bulk_from_ntriples(writer: ReleaseWriter, stem: str, nt: Path, context: dict, expected: TripleDigest,
                             graph: Graph, extra: Sequence[tuple]) -> dict[str, Path]:
    """Turtle and RDF/XML, written by pyoxigraph from the N-Triples dump (streaming, in Rust); verified."""
    prefixes = dict(context["@context"])
    paths = {}
    for suffix in ("ttl", "rdf"):
        fmt, name = BY_KEY[suffix], f"{stem}.{suffix}"
        payload = ox.serialize(ox.parse(path=str(nt), format=ox.RdfFormat.N_TRIPLES),
                               format=fmt.ox_format, prefixes=prefixes)
        paths[suffix] = writer.write(name, payload, gz=True)
        del payload
        verify_digest(paths[suffix], fmt, expected, name, lambda: itertools.chain(graph, extra))
    return paths


def write_bulk_jsonld(writer: ReleaseWriter, stem: str, graph: Graph, context: dict, extra: Sequence[tuple],
                      expected: TripleDigest) -> Path:
    """JSON-LD by the fast writers, compacted with our context as the documents are, one node a line; verified.

    The triples are read as they come (the graph's, then the extra ones, the observations, which
    are distinct from them): nodes and their values are sorted when written, so no order is needed
    (putting a million triples in order cost ~4 s)."""
    name = f"{stem}.jsonld"
    writers = Writers(graph.namespaces(), context)
    nodes = writers.jsonld_nodes(itertools.chain(graph, extra))
    path = writer.write_text(name, writers.jsonld_nodes_text(nodes, node_lines=True), gz=True)
    del nodes
    writers.forget()
    verify_digest(path, BY_KEY["jsonld"], expected, name, lambda: itertools.chain(graph, extra))
    return path


def gzip_bytes(payload: bytes) -> bytes:
    """Deterministic gzip: no file name, mtime 0."""
    import io

    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=GZIP_LEVEL) as gz:
        gz.write(payload)
    return buf.getvalue()


class ReleaseWriter:
    """Collects files for one release in a temporary folder, then publishes it atomically.

    Files are written as they come; only their sizes and checksums are kept (the file table).
    """

    def __init__(self, dist_dir: Path, progress: Callable[[str], None] = lambda _: None):
        self.dist_dir = dist_dir
        self.progress = progress
        dist_dir.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=dist_dir))
        self.files: dict[str, dict] = {}

    def path(self, name: str) -> Path:
        """Where `name` goes in the release (its folder created); `register` it once written."""
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)  # e.g. pages/documents.sqlite
        return path

    def write(self, name: str, payload: bytes, gz: bool = False) -> Path:
        return self.write_text(name, [payload], gz)

    def write_text(self, name: str, pieces: Iterable[str | bytes], gz: bool = False) -> Path:
        """Write `name` (and `name.gz`) from pieces of text as they are produced."""
        path = self.path(name)
        digest, size = hashlib.sha256(), 0
        gz_file = (self.tmp / (name + ".gz")).open("wb") if gz else None
        try:
            with path.open("wb") as out, (gzip.GzipFile(filename="", mode="wb", fileobj=gz_file, mtime=0,
                                                        compresslevel=GZIP_LEVEL) if gz_file else _NoFile()) as packed:
                for piece in pieces:
                    data = piece.encode("utf-8", "replace") if isinstance(piece, str) else piece
                    out.write(data)
                    packed.write(data)
                    digest.update(data)
                    size += len(data)
        finally:
            if gz_file:
                gz_file.close()
        self.files[name] = {"bytes": size, "sha256": digest.hexdigest(), "media_type": media_type_of(name)}
        if gz:
            self.register(name + ".gz")
        return path

    def register(self, name: str) -> None:
        """Enter a file written into the release folder by other means in the file table."""
        digest, size = hashlib.sha256(), 0
        with (self.tmp / name).open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
                size += len(block)
        self.files[name] = {"bytes": size, "sha256": digest.hexdigest(), "media_type": media_type_of(name)}

    def directory(self, name: str) -> Path:
        """A fresh sub-folder of the release for a tool that writes files itself (the query store).

        Its files are published atomically with the rest but are not in SHA256SUMS: a database's
        bytes are not reproducible; the manifest describes what is in it instead.
        """
        path = self.tmp / name
        path.mkdir()
        return path

    def file_table(self) -> dict[str, dict]:
        return {name: dict(info) for name, info in sorted(self.files.items())}

    def publish(self, version: str, manifest: dict, keep: int) -> Path:
        table = self.file_table()
        sums = sums_text(table)
        self.write(SUMS, sums.encode())
        self.write(MANIFEST, manifest_text({**manifest, "version": version, "files": table}).encode())

        releases = self.dist_dir / "releases"
        releases.mkdir(exist_ok=True)
        final = releases / version
        if final.exists():
            old = (final / SUMS).read_bytes() if (final / SUMS).exists() else b""
            if old != sums.encode():
                self.discard()
                raise DumpMismatch(
                    f"release {version} already exists with different content: the same input "
                    "produced different bytes (the build is not deterministic)"
                )
            self.discard()
        else:
            os.chmod(self.tmp, 0o755)
            os.rename(self.tmp, final)
        link_tmp = self.dist_dir / f".current-{os.getpid()}"
        if link_tmp.is_symlink() or link_tmp.exists():
            link_tmp.unlink()
        os.symlink(Path("releases") / version, link_tmp)
        os.replace(link_tmp, self.dist_dir / "current")
        self._prune(releases, version, keep)
        return final

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _prune(self, releases: Path, current: str, keep: int) -> None:
        others = [p for p in releases.iterdir() if p.is_dir() and p.name != current]
        others.sort(key=lambda p: p.stat().st_mtime, reverse=True)
        for old in others[keep:]:
            shutil.rmtree(old, ignore_errors=True)


class _NoFile:
    """Stands in for the .gz file when there is none."""

    def __enter__(self) -> _NoFile:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def write(self, data: bytes) -> None:
        pass
