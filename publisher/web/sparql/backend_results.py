"""An external engine's answer, re-served in the format our client negotiated and cut at our row cap.

The engine is asked for formats every SPARQL engine writes (ACCEPT); its answer is parsed by
pyoxigraph, as a stream, and written again by the same serialisers as the embedded endpoint's
answers (execute.py, results.py), so both answer alike: same formats per query form, same
truncation notes. The body read from the engine is bounded in bytes (budget): an answer cut there is
parsed up to the cut, and the rows before it are served, marked truncated. Pure functions.
"""

from __future__ import annotations

import re
from itertools import islice

import pyoxigraph as ox

from ...release.formats import BY_KEY, GRAPH_ACCEPT, GRAPH_ACCEPT_ORDER, parsers
from .execute import BYTES_PER_ROW, MIN_BUDGET, NATIVE_RESULTS, clean, error
from .formats import choose, offered
from .results import BOOLEANS, SOLUTIONS

# per form, so an engine that negotiates without looking at the form (Virtuoso) still answers right
ACCEPT = {"results": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
          "graph": GRAPH_ACCEPT}
RESULT_TYPES = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                "application/json": ox.QueryResultsFormat.JSON,
                "application/sparql-results+xml": ox.QueryResultsFormat.XML}
GRAPH_TYPES = parsers(tuple(k for k, _ in GRAPH_ACCEPT_ORDER))  # what ACCEPT asks for
# Virtuoso labels blank nodes `nodeID://b10001` in its results, which is no blank node label
VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*"|<bnode>)nodeID://')
KINDS = {"ASK": "boolean", "SELECT": "solutions", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def accept_for(form: str) -> str:
    return ACCEPT["graph" if KINDS[form] == "graph" else "results"]


def fix_bnode_labels(body: bytes) -> bytes:
    """Blank node labels an engine wrote as no label is allowed to be (Virtuoso's nodeID://…), made valid."""
    return VIRTUOSO_BNODE.sub(rb"\1", body) if b"nodeID://" in body else body


def budget(cap: int) -> int:
    """Bytes of an engine's answer read at most, for a row cap of `cap`."""
    return max(cap * BYTES_PER_ROW, MIN_BUDGET)


def chosen_format(form: str, job: dict):
    """The format our client gets for a query of this form, or an error reply (406)."""
    kind = KINDS[form]
    fmt = choose(kind, job.get("accept"), job.get("hint"))
    if fmt is None:
        return None, error(406, f"none of the formats for this query form is acceptable: {', '.join(offered(kind))}")
    return fmt, None


def _prefix(items, cap: int, cut: bool) -> tuple[list, bool]:
    """The first cap + 1 items; an answer cut at the byte budget ends in a parse error, which ends the list."""
    out: list = []
    try:
        out.extend(islice(items, cap + 1))
    except SyntaxError:
        if not cut:
            raise
        return out[:cap], True
    return out[:cap], len(out) > cap or cut


def convert(body: bytes, content_type: str, form: str, job: dict, cut: bool) -> dict:
    """Our reply (as execute.execute returns it) from the engine's 200 answer `body`.
    `cut`: the body stopped at the byte budget, so its end is missing."""
    fmt, refused = chosen_format(form, job)
    if refused:
        return refused
    media_type = content_type.split(";")[0].strip().lower()
    cap = job["max_rows"]
    kind = KINDS[form]
    try:
        if kind == "graph":
            if media_type not in GRAPH_TYPES:
                return error(502, f"the SPARQL backend answered a {form} query with {media_type or 'no type'}")
            triples, truncated = _prefix((q.triple for q in ox.parse(body, format=GRAPH_TYPES[media_type])), cap, cut)
            prefixes = job.get("prefixes") if fmt.key in ("ttl", "rdf") else None
            out = ox.serialize(triples, format=BY_KEY[fmt.key].ox_format, prefixes=prefixes) or b""
            if truncated and fmt.key in ("ttl", "nt"):
                out = f"# result truncated to the first {len(triples)} triples (the endpoint's cap)\n".encode() + out
            return _reply(fmt, out, len(triples) if truncated else None, kind)
        if media_type not in RESULT_TYPES:
            return error(502, f"the SPARQL backend answered a {form} query with {media_type or 'no type'}")
        body = fix_bnode_labels(body)
        parsed = ox.parse_query_results(body, format=RESULT_TYPES[media_type])
        if kind == "boolean":
            if not isinstance(parsed, ox.QueryBoolean):
                return error(502, "the SPARQL backend answered an ASK query without a boolean")
            return _reply(fmt, BOOLEANS[fmt.key](bool(parsed)), None, kind)
        if not isinstance(parsed, ox.QuerySolutions):
            return error(502, "the SPARQL backend answered a SELECT query without solutions")
        variables = [v.value for v in parsed.variables]
        rows, truncated = _prefix((tuple(s) for s in parsed), cap, cut)
        if truncated:
            return _reply(fmt, SOLUTIONS[fmt.key](variables, rows, len(rows)), len(rows), kind)
        again = ox.parse_query_results(body, format=RESULT_TYPES[media_type])  # whole: the native writer
        return _reply(fmt, again.serialize(format=NATIVE_RESULTS[fmt.key]), None, kind)
    except SyntaxError as exc:
        return error(502, f"the SPARQL backend's answer could not be read: {clean(str(exc))}")


def _reply(fmt, body: bytes, truncated: int | None, kind: str) -> dict:
    return {"status": 200, "content_type": fmt.content_type, "body": body, "truncated": truncated, "kind": kind}
