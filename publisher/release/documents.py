"""Every resource's document in every representation, in one SQLite file of the release.

`pages/documents.sqlite` holds one row per (document key, representation):

    representations(key TEXT, format TEXT, body BLOB)     -- body: zlib-compressed bytes
        format: ttl | nt | jsonld | rdf   the RDF document, exactly the bytes served
                page                      the HTML page model (JSON), rendered by the web layer
                figures                   the statistics the page shows (JSON), for pages that have any
    uniform(key TEXT, triples BLOB, slots BLOB)
                                         -- the own triples (N-Triples, zlib) of each uniform resource
                                            (observation), whose document is assembled on request
                                            (publisher/release/uniform.py); compressed against a
                                            preset dictionary, the first row's own text (in `meta`,
                                            base64): observations share nearly all their text, so a
                                            row is a third of its size alone (45.8 -> 15.5 MB at 1M);
                                            `slots`: its class and slot values, for the templates
                                            (publisher/release/stored_slots.py), or NULL
    links(target TEXT, chunk INTEGER, count INTEGER, triples BLOB)
                                         -- the links from uniform resources to document `target`,
                                            in the order its pages list them, LINK_CHUNK a row
                                            (zlib of "subject predicate object" lines)

The build writes it once, in key order, into the release's temporary folder (so it is published
atomically with the rest and its bytes are reproducible: it is in SHA256SUMS). The server opens it
read-only and immutable (no locks, no journal), one connection per thread and process, and reads
a document when it is asked for: its memory does not grow with the number of documents.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from .formats import BY_KEY
from .preset_zlib import deflate, inflate
from .stored_slots import SlotReader

DOCUMENTS_FILE = "pages/documents.sqlite"
RDF_FORMATS = tuple(BY_KEY)  # the keys, in the table's order
PAGE, FIGURES = "page", "figures"
SCHEMA_VERSION = "4"  # 4: uniform.slots
LINK_CHUNK = 100  # links stored together (a page lists PAGE_SIZE of them)
_LEVEL = 6  # zlib: 5-8x smaller documents; decompressing one takes ~20 microseconds


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def document_rows(key: str, rdf: dict[str, bytes], page: dict, figures: dict | None = None
                  ) -> list[tuple[str, str, bytes]]:
    """The rows of one document (its representations compressed), ready for `DocumentWriter.add_rows`."""
    rows: list[tuple[str, str, bytes]] = [(key, fmt, zlib.compress(rdf[fmt], _LEVEL)) for fmt in RDF_FORMATS]
    rows.append((key, PAGE, zlib.compress(_json(page), _LEVEL)))
    if figures:
        rows.append((key, FIGURES, zlib.compress(_json(figures), _LEVEL)))
    return rows


def compress_uniform(rows: list[tuple[str, bytes]], dictionary: bytes) -> list[tuple[str, bytes]]:
    """Uniform rows (key, own triples as N-Triples) as `DocumentWriter.add_uniform_compressed` takes
    them: compressed against `dictionary` (the build does this in a process of its own)."""
    return [(key, deflate(nt, dictionary)) for key, nt in rows]


class DocumentWriter:
    """Writes the documents file; `add` in ascending key order, then `close`."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.count = 0
        self._last = ""
        self._db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("page_size=4096", "journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("BEGIN")
        self._db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
        self._db.execute("CREATE TABLE representations (key TEXT NOT NULL, format TEXT NOT NULL, body BLOB NOT NULL, "
                         "PRIMARY KEY (key, format))")
        self._db.execute("CREATE TABLE uniform (key TEXT PRIMARY KEY, triples BLOB NOT NULL, slots BLOB) WITHOUT ROWID")
        self._db.execute("CREATE TABLE links (target TEXT NOT NULL, chunk INTEGER NOT NULL, count INTEGER NOT NULL, "
                         "triples BLOB NOT NULL, PRIMARY KEY (target, chunk)) WITHOUT ROWID")
        self.uniform = 0
        self.dictionary: bytes | None = None
        self._db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", SCHEMA_VERSION), ("compression", "zlib")])

    def add(self, key: str, rdf: dict[str, bytes], page: dict, figures: dict | None = None) -> None:
        self.add_rows(key, document_rows(key, rdf, page, figures))

    def add_rows(self, key: str, rows: list[tuple[str, str, bytes]]) -> None:
        """A document's rows as `document_rows` made them (perhaps in another process)."""
        if key <= self._last and self.count:
            raise ValueError(f"documents must be added in ascending key order: {key!r} after {self._last!r}")
        self._db.executemany("INSERT INTO representations VALUES (?, ?, ?)", rows)
        self._last, self.count = key, self.count + 1

    def add_uniform(self, rows: list[tuple[str, bytes]]) -> None:
        """Uniform resources: (key, their own triples as N-Triples), in ascending key order; the
        first row's text is the dictionary all are compressed against."""
        if rows and self.dictionary is None:
            self.set_dictionary(rows[0][1])
        self.add_uniform_compressed(compress_uniform(rows, self.dictionary) if rows else [])

    def set_dictionary(self, dictionary: bytes) -> None:
        """The preset dictionary of the uniform rows (once, before the first of them)."""
        if self.dictionary is not None:
            raise ValueError("the uniform rows' dictionary is set already")
        self.dictionary = dictionary
        self._db.execute("INSERT INTO meta VALUES ('uniform_dictionary', ?)", (base64.b64encode(dictionary).decode(),))

    def add_uniform_compressed(self, rows: list[tuple[str, bytes]], slots: list[bytes | None] | None = None) -> None:
        """Uniform rows as `compress_uniform` made them with this writer's dictionary, in ascending key
        order, and each one's stored slots as `stored_slots.pack_slots` made them (or none)."""
        if rows and self.dictionary is None:
            raise ValueError("set_dictionary before the first uniform row")
        if slots is not None and len(slots) != len(rows):
            raise ValueError(f"{len(rows)} uniform rows, {len(slots)} rows of slots")
        stored = slots if slots is not None else [None] * len(rows)
        self._db.executemany("INSERT INTO uniform VALUES (?, ?, ?)",
                             ((key, blob, packed) for (key, blob), packed in zip(rows, stored, strict=True)))
        self.uniform += len(rows)

    def set_slot_classes(self, table: list[list], dictionary: bytes) -> None:
        """The stored slots' class table and preset dictionary (`stored_slots.pack_slots`)."""
        self._db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("uniform_classes", json.dumps(table, ensure_ascii=False, separators=(",", ":"))),
            ("uniform_slots_dictionary", base64.b64encode(dictionary).decode())])

    def add_links(self, target: str, triples: list[tuple]) -> None:
        """The links from uniform resources to the document `target`, in the order its pages list them."""
        rows = []
        for n, start in enumerate(range(0, len(triples), LINK_CHUNK)):
            chunk = triples[start:start + LINK_CHUNK]
            text = "".join(f"{s} {p} {o}\n" for s, p, o in chunk).encode()
            rows.append((target, n, start + len(chunk), zlib.compress(text, _LEVEL)))
        self._db.executemany("INSERT INTO links VALUES (?, ?, ?, ?)", rows)

    def close(self) -> None:
        self._db.execute("INSERT INTO meta VALUES ('documents', ?)", (str(self.count),))
        self._db.execute("INSERT INTO meta VALUES ('uniform', ?)", (str(self.uniform),))
        self._db.execute("COMMIT")
        self._db.close()

    def abort(self) -> None:
        self._db.close()


class DocumentReader:
    """Read-only access to a release's documents file, safe across threads and forked processes."""

    def __init__(self, path: Path):
        if not path.is_file():
            raise FileNotFoundError(path)
        self.path = path
        self._uri = f"file:{quote(str(path.resolve()))}?mode=ro&immutable=1"
        self._local = threading.local()
        meta = dict(self._connection().execute("SELECT name, value FROM meta").fetchall())
        if meta.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"{path}: documents file of schema {meta.get('schema')!r}, expected {SCHEMA_VERSION}")
        self.count = int(meta.get("documents", "0"))
        self.uniform_count = int(meta.get("uniform", "0"))
        self.dictionary = base64.b64decode(meta.get("uniform_dictionary", ""))
        self.slot_reader = SlotReader(meta["uniform_classes"], base64.b64decode(meta["uniform_slots_dictionary"])) \
            if "uniform_classes" in meta else None

    def _connection(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or a process forked from ours
            local.db = sqlite3.connect(self._uri, uri=True)
            local.pid = os.getpid()
        return local.db

    def body(self, key: str, fmt: str) -> bytes | None:
        row = self._connection().execute(
            "SELECT body FROM representations WHERE key = ? AND format = ?", (key, fmt)).fetchone()
        return zlib.decompress(row[0]) if row else None

    def __contains__(self, key: str) -> bool:
        """A precomputed document (not a uniform resource: see `is_uniform`)."""
        return self._connection().execute(
            "SELECT 1 FROM representations WHERE key = ? AND format = ?", (key, PAGE)).fetchone() is not None

    def uniform(self, key: str) -> bytes | None:
        """The own triples (N-Triples) of the uniform resource `key`, or None."""
        row = self._uniform_row(key)
        return inflate(row[0], self.dictionary) if row is not None else None

    def stored_slots(self, key: str) -> tuple[tuple, dict] | None:
        """The class and slots the build stored for the uniform resource `key`, or None (none stored)."""
        row = self._uniform_row(key)
        if row is None or row[1] is None or self.slot_reader is None:
            return None
        return self.slot_reader.read(key, row[1])

    def is_uniform(self, key: str) -> bool:
        return self._uniform_row(key) is not None

    def _uniform_row(self, key: str) -> tuple[bytes, bytes | None] | None:
        """The compressed row (triples, slots) of `key`; the thread's last one is kept, so that asking
        whether a key is uniform and then reading it (as a request does) is one look-up."""
        local = self._local
        last = getattr(local, "last_uniform", None)
        if last is not None and last[0] == key and local.pid == os.getpid():
            return last[1]
        row = self._connection().execute("SELECT triples, slots FROM uniform WHERE key = ?", (key,)).fetchone()
        local.last_uniform = (key, row)
        return row

    def link_count(self, target: str) -> int:
        row = self._connection().execute("SELECT MAX(count) FROM links WHERE target = ?", (target,)).fetchone()
        return 0 if row is None or row[0] is None else row[0]

    def links(self, target: str, offset: int, limit: int) -> list[tuple[str, ...]]:
        """Links `offset` to `offset + limit` (IRIs: subject, predicate, object) of `target`."""
        first, last = offset // LINK_CHUNK, (offset + limit - 1) // LINK_CHUNK
        out: list[tuple[str, ...]] = []
        for chunk, blob in self._connection().execute(
                "SELECT chunk, triples FROM links WHERE target = ? AND chunk BETWEEN ? AND ? ORDER BY chunk",
                (target, first, last)):
            lines = zlib.decompress(blob).decode().splitlines()
            base = chunk * LINK_CHUNK
            out += [tuple(line.split(" ")) for n, line in enumerate(lines, base) if offset <= n < offset + limit]
        return out

    def uniform_keys(self) -> Iterator[str]:
        for (key,) in self._connection().execute("SELECT key FROM uniform ORDER BY key"):
            yield key

    def page(self, key: str) -> dict | None:
        body = self.body(key, PAGE)
        return json.loads(body) if body is not None else None

    def figures(self, key: str) -> dict | None:
        body = self.body(key, FIGURES)
        return json.loads(body) if body is not None else None

    def __iter__(self) -> Iterator[str]:
        """Every document key, in order (streamed, for the sitemap)."""
        cursor = self._connection().execute("SELECT key FROM representations WHERE format = ? ORDER BY key", (PAGE,))
        for (key,) in cursor:
            yield key
