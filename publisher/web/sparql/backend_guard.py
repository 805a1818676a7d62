"""What a query must be before it is forwarded to an external SPARQL engine. Pure functions.

The embedded endpoint's guard (guard.py) runs first, as for every query; this adds what an
engine we do not control makes necessary, on the query's tokens (lexer.py), before a byte is sent:

- the request is a *query*: after the prologue (BASE, PREFIX) comes SELECT, CONSTRUCT, DESCRIBE or
  ASK. An engine's query endpoint may also run updates (Virtuoso runs SPARQL Update sent as
  `query=` when its user may write), so read-only cannot be left to the engine's configuration;
- no engine pragmas: Virtuoso reads `DEFINE get:soft "replace"` before a query as an order to
  fetch the FROM graphs from the web (its "sponger"); DEFINE is not SPARQL, and is refused;
- no engine built-ins reached through IRIs: Virtuoso maps the `bif:` and `sql:` namespaces to its
  SQL functions and procedures (some read files or the web). They mean nothing in standard SPARQL.

`names_dataset` says whether the query names its own dataset (FROM / FROM NAMED); only a query that
does not, and comes without protocol dataset parameters, is pointed at the release's graph.
"""

from __future__ import annotations

from .guard import QueryRejected
from .lexer import LexError, tokens

FORMS = frozenset({"SELECT", "CONSTRUCT", "DESCRIBE", "ASK"})
UPDATES = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"})
ENGINE_NAMESPACES = ("http://www.openlinksw.com/schemas/bif#", "http://www.openlinksw.com/schemas/sql#")
ENGINE_PREFIXES = ("bif:", "sql:")


def _words(query: str):
    try:
        yield from tokens(query)
    except LexError as exc:
        raise QueryRejected(f"malformed query: {exc}") from None


def query_form(query: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK; QueryRejected for anything that is not a plain query."""
    expect = None  # what the prologue needs next
    form = None
    for tok in _words(query):
        text = tok.text.upper()
        if tok.kind == "pname" and tok.text.lower().startswith(ENGINE_PREFIXES):  # even declared: Virtuoso's win
            raise QueryRejected(f"{tok.text.split(':', 1)[0]}: names an engine's built-in functions, which this "
                                "endpoint does not pass on: use the SPARQL functions")
        if tok.kind == "iri" and tok.text[1:-1].startswith(ENGINE_NAMESPACES):
            raise QueryRejected(f"{tok.text} names an engine's built-in functions, which this endpoint does not "
                                "pass on: use the SPARQL functions")
        if form is not None:
            continue
        if expect == "prefix-name":
            expect = "iri"
            continue
        if expect == "iri":
            expect = None
            continue
        if tok.kind == "word" and text == "PREFIX":
            expect = "prefix-name"
        elif tok.kind == "word" and text == "BASE":
            expect = "iri"
        elif tok.kind == "word" and text in FORMS:
            form = text
        elif tok.kind == "word" and text in UPDATES:
            raise QueryRejected("this endpoint is read-only: SPARQL Update is not accepted")
        elif tok.kind == "word" and text == "DEFINE":
            raise QueryRejected("DEFINE is an engine pragma, not SPARQL: it is not accepted")
        else:
            raise QueryRejected(f"a query starts with SELECT, CONSTRUCT, DESCRIBE or ASK (after BASE and PREFIX); "
                                f"found {tok.text[:40]!r}")
    if form is None:
        raise QueryRejected("malformed query: no SELECT, CONSTRUCT, DESCRIBE or ASK")
    return form


def names_dataset(query: str) -> bool:
    """True when the query has its own FROM or FROM NAMED clause."""
    return any(tok.kind == "word" and tok.text.upper() == "FROM" for tok in _words(query))
