"""Checks on a SPARQL query's text made before any parser sees it. Pure functions.

- Length and bracket nesting are bounded first: pyoxigraph's parser recurses and kills the whole
  process (SIGSEGV) at a few thousand nested brackets.
- `SERVICE` is refused: the engine would send a request to any IRI the query names. The check is
  syntactic, on the query with strings, IRIs and comments blanked out, after the \\u escapes that
  SPARQL resolves before parsing; it errs on the side of refusing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_IRI_RE = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_SERVICE_RE = re.compile(r"(?<![\w:?$\-])SERVICE(?![\w:\-])", re.IGNORECASE)
_OPENERS, _CLOSERS = "({[", ")}]"


class QueryRejected(ValueError):
    """The query is refused before parsing; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Scan:
    code: str  # the query with strings, IRIs and comments replaced by blanks
    depth: int  # deepest bracket nesting


def unescape_codepoints(query: str) -> str:
    def repl(m: re.Match) -> str:
        value = int(m.group(1) or m.group(2), 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"

    return _ESCAPE_RE.sub(repl, query)


def scan(query: str) -> Scan:
    """Blank out strings, IRIs and comments; measure bracket nesting in what remains."""
    out: list[str] = []
    i, n, depth, deepest = 0, len(query), 0, 0
    while i < n:
        ch = query[i]
        if ch in "'\"":
            quote = ch * 3 if query.startswith(ch * 3, i) else ch
            j = i + len(quote)
            while j < n and not query.startswith(quote, j):
                if query[j] == "\\":
                    j += 1
                elif len(quote) == 1 and query[j] in "\r\n":
                    break
                j += 1
            j = min(n, j + len(quote))
            out.append('""')
            i = j
        elif ch == "<" and (m := _IRI_RE.match(query, i)):
            out.append("<>")
            i = m.end()
        elif ch == "#":
            j = query.find("\n", i)
            i = n if j < 0 else j
            out.append(" ")
        else:
            if ch in _OPENERS:
                depth += 1
                deepest = max(deepest, depth)
            elif ch in _CLOSERS:
                depth = max(0, depth - 1)
            out.append(ch)
            i += 1
    return Scan("".join(out), deepest)


def check_query(query: str, max_length: int, max_depth: int) -> Scan:
    """Raise QueryRejected when the query is too long, too deeply nested or federated."""
    if len(query) > max_length:
        raise QueryRejected(f"query is {len(query)} characters long; this endpoint accepts at most {max_length}")
    result = scan(unescape_codepoints(query))
    if result.depth > max_depth:
        raise QueryRejected(
            f"query nests brackets {result.depth} deep; this endpoint accepts at most {max_depth}")
    if _SERVICE_RE.search(result.code):
        raise QueryRejected(
            "SERVICE (federated query) is not supported: this endpoint never sends requests to other servers")
    return result
