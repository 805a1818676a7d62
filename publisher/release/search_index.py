"""The search index of a release: `pages/search.sqlite`, written by the build, read by /search and /reconcile.

One row per resource that has a page, every name it can be found by, and the words of those names:

    entities(id INTEGER PRIMARY KEY, key TEXT UNIQUE, iri TEXT, kind TEXT, rank INTEGER,
             label_sv TEXT, label_en TEXT, description_sv TEXT, description_en TEXT,
             extension TEXT)        -- JSON: codes, county, Wikidata id, memberships (data extension)
    names(id INTEGER PRIMARY KEY, entity INTEGER, field TEXT, lang TEXT, text TEXT, norm TEXT)
                                    -- field: label | alt | code; norm: `fold(text)`; index on norm
    words(word TEXT, name INTEGER)  -- each word of each norm; index on word
    grams                           -- FTS5 `trigram` over names.norm: substrings of three or more letters

Matching is on `fold`ed text (case, diacritics and punctuation ignored: "Södertälje", "SÖDERTÄLJE"
and "sodertalje" are all "sodertalje"), and ranks EXACT > PREFIX > WORD (a whole word) > WORD_PREFIX
> SUBSTRING. Every level is one indexed SQLite lookup with a LIMIT, so a query reads a bounded
number of rows whatever the size of the release; nothing is loaded into memory at start.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SEARCH_FILE = "pages/search.sqlite"
EXACT, PREFIX, WORD, WORD_PREFIX, SUBSTRING = range(5)
MATCH_NAMES = {EXACT: "exact", PREFIX: "prefix", WORD: "word", WORD_PREFIX: "word-prefix", SUBSTRING: "substring"}
FIELD_ORDER = {"label": 0, "alt": 1, "code": 2}
MAX_QUERY = 200  # characters of a query that are read
_NON_WORD = re.compile(r"[^0-9a-z]+")
_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l", "–": " ", "—": " "})


def fold(text: str) -> str:
    """Lower case, no diacritics, words separated by single spaces: what matching compares."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD_EXTRA))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


@dataclass(frozen=True)
class Entry:
    """One resource to index: `names` are (field, lang or "", text)."""

    key: str
    iri: str
    kind: str
    rank: int  # order of kinds among equally good matches (municipality 0, county 1, …)
    label: dict[str, str]
    description: dict[str, str]
    names: list[tuple[str, str, str]]
    extension: dict


class SearchIndexWriter:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE"):
            self._db.execute(f"PRAGMA {pragma}")
        self._db.execute("BEGIN")
        for statement in (
            "CREATE TABLE entities (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, iri TEXT NOT NULL, "
            "kind TEXT NOT NULL, rank INTEGER NOT NULL, label_sv TEXT NOT NULL, label_en TEXT NOT NULL, "
            "description_sv TEXT NOT NULL, description_en TEXT NOT NULL, extension TEXT NOT NULL)",
            "CREATE TABLE names (id INTEGER PRIMARY KEY, entity INTEGER NOT NULL, field TEXT NOT NULL, "
            "lang TEXT NOT NULL, text TEXT NOT NULL, norm TEXT NOT NULL)",
            "CREATE TABLE words (word TEXT NOT NULL, name INTEGER NOT NULL)",
            "CREATE VIRTUAL TABLE grams USING fts5(norm, content='names', content_rowid='id', tokenize='trigram')",
        ):
            self._db.execute(statement)
        self.count = 0

    def add(self, entry: Entry) -> None:
        cur = self._db.execute(
            "INSERT INTO entities (key, iri, kind, rank, label_sv, label_en, description_sv, description_en, "
            "extension) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry.key, entry.iri, entry.kind, entry.rank, entry.label["sv"], entry.label["en"],
             entry.description.get("sv", ""), entry.description.get("en", ""),
             json.dumps(entry.extension, ensure_ascii=False, sort_keys=True)))
        entity = cur.lastrowid
        seen = set()
        for field, lang, text in entry.names:
            norm = fold(text)
            if not norm or (field, lang, norm) in seen:
                continue
            seen.add((field, lang, norm))
            name = self._db.execute("INSERT INTO names (entity, field, lang, text, norm) VALUES (?, ?, ?, ?, ?)",
                                    (entity, field, lang, text, norm)).lastrowid
            self._db.executemany("INSERT INTO words VALUES (?, ?)", [(w, name) for w in sorted(set(norm.split()))])
        self.count += 1

    def close(self) -> None:
        for statement in ("CREATE INDEX names_norm ON names (norm)", "CREATE INDEX words_word ON words (word)",
                          "INSERT INTO grams (grams) VALUES ('rebuild')", "COMMIT"):
            self._db.execute(statement)
        self._db.execute("VACUUM")
        self._db.close()

    def abort(self) -> None:
        self._db.close()
        self.path.unlink(missing_ok=True)


def _all_words_begin(words: list[str], norm: str) -> bool:
    """Whether every word of the query begins some word of the (folded) name."""
    have = norm.split()
    return all(any(h.startswith(w) for h in have) for w in words)


@dataclass(frozen=True)
class Hit:
    key: str
    iri: str
    kind: str
    label: dict[str, str]
    description: dict[str, str]
    match: int  # EXACT … SUBSTRING
    field: str  # which name matched: label | alt | code
    name: str  # the name as written
    kind_rank: int
    literal: bool = False  # the name is the query as typed (up to case): "Håbo" over "Habo" for "håbo"

    def sort_key(self) -> tuple:
        return (self.match, not self.literal, FIELD_ORDER.get(self.field, 9), self.kind_rank, len(self.name),
                self.label["sv"], self.key)


_ENTITY = ("SELECT e.key, e.iri, e.kind, e.label_sv, e.label_en, e.description_sv, e.description_en, e.rank, "
           "n.field, n.text, n.norm FROM names n JOIN entities e ON e.id = n.entity ")


class SearchIndex:
    """Read-only queries on a release's search index (one connection per thread and process)."""

    def __init__(self, path: Path):
        if not path.exists():
            raise FileNotFoundError(path)
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a new thread, or a process forked from ours
            local.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            local.pid = os.getpid()
        return local.db

    def search(self, query: str, limit: int = 20, kinds: tuple[str, ...] = ()) -> list[Hit]:
        """The best `limit` resources for `query`, best first; `kinds` keeps only those kinds."""
        norm = fold(query[:MAX_QUERY])
        if not norm or limit < 1:
            return []
        typed = " ".join(query[:MAX_QUERY].casefold().split())
        where = ""
        params: list = []
        if kinds:
            where = f" AND e.kind IN ({','.join('?' * len(kinds))})"
            params = list(kinds)
        want = limit * 4 + 20  # rows read per level: a resource has several names
        best: dict[str, Hit] = {}
        upper = norm + "\U0010ffff"
        levels = [
            (EXACT, "WHERE n.norm = ?", [norm], ""),
            (PREFIX, "WHERE n.norm > ? AND n.norm < ?", [norm, upper], " ORDER BY n.norm"),
        ]
        words = norm.split()
        if len(words) == 1:
            levels += [(WORD, "JOIN words w ON w.name = n.id WHERE w.word = ?", [norm], ""),
                       (WORD_PREFIX, "JOIN words w ON w.name = n.id WHERE w.word > ? AND w.word < ?", [norm, upper],
                        " ORDER BY w.word")]
        else:  # every word of the query begins a word of the name, in any order: the names read are those
            # with a word beginning with the query's longest (likely rarest) word, the others checked here
            driver = max(words, key=len)
            levels.append((WORD_PREFIX, "JOIN words w ON w.name = n.id WHERE w.word >= ? AND w.word < ?",
                           [driver, driver + "\U0010ffff"], " ORDER BY w.word"))
        longest = max(words, key=len) if words else ""
        if len(longest) >= 3:  # the trigram index is asked for the longest word (a long phrase of common
            # trigrams reads their whole posting lists); the whole query is checked on the rows read
            levels.append((SUBSTRING, "WHERE n.id IN (SELECT rowid FROM grams WHERE grams MATCH ? LIMIT ?)",
                           [f'"{longest}"', want * 4], ""))
        for level, clause, args, order in levels:
            rows = self._db().execute(_ENTITY + clause + where + order + " LIMIT ?", [*args, *params, want]).fetchall()
            for key, iri, kind, sv, en, dsv, den, rank, field, text, name_norm in rows:
                if (level == WORD_PREFIX and len(words) > 1 and not _all_words_begin(words, name_norm)) or (
                        level == SUBSTRING and norm not in name_norm):
                    continue
                hit = Hit(key, iri, kind, {"sv": sv, "en": en}, {"sv": dsv, "en": den}, level, field, text, rank,
                          " ".join(text.casefold().split()) == typed)
                if key not in best or hit.sort_key() < best[key].sort_key():
                    best[key] = hit
            if len(best) >= limit and level >= PREFIX:
                break
        return sorted(best.values(), key=Hit.sort_key)[:limit]

    def by_code(self, code: str) -> list[Hit]:
        """Resources whose code (municipality or county code, organisation number, …) is `code`."""
        norm = fold(code[:MAX_QUERY])
        rows = self._db().execute(_ENTITY + "WHERE n.norm = ? AND n.field = 'code' LIMIT 50", [norm]).fetchall()
        return [Hit(key, iri, kind, {"sv": sv, "en": en}, {"sv": dsv, "en": den}, EXACT, field, text, rank, True)
                for key, iri, kind, sv, en, dsv, den, rank, field, text, _ in rows]

    def entity(self, key: str) -> dict | None:
        row = self._db().execute("SELECT key, iri, kind, label_sv, label_en, description_sv, description_en, "
                                 "extension FROM entities WHERE key = ?", [key]).fetchone()
        if row is None:
            return None
        key, iri, kind, sv, en, dsv, den, extension = row
        return {"key": key, "iri": iri, "kind": kind, "label": {"sv": sv, "en": en},
                "description": {"sv": dsv, "en": den}, "extension": json.loads(extension)}

    def first(self, key_prefix: str) -> dict | None:
        """The entity with the smallest key that starts with `key_prefix` (e.g. "contact/"), or None."""
        row = self._db().execute("SELECT key FROM entities WHERE key >= ? AND key < ? ORDER BY key LIMIT 1",
                                 [key_prefix, key_prefix + "\U0010ffff"]).fetchone()
        return self.entity(row[0]) if row else None

    def kinds(self) -> list[tuple[str, int]]:
        return self._db().execute(
            "SELECT kind, count(*) FROM entities GROUP BY kind ORDER BY min(rank), kind").fetchall()
