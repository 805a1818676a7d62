"""SPARQL results serialisers (JSON, XML, CSV, TSV) over pyoxigraph terms. Pure functions.

Written here rather than using pyoxigraph's own so that a result cut at the size cap still says,
inside the document where the format allows it, that it was truncated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
Row = Sequence[object | None]


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    raise TypeError(f"unexpected term {term!r}")


def _note(truncated: int | None) -> str:
    return f"result truncated to the first {truncated} rows (the endpoint's result-size cap)"


def solutions_json(variables: Sequence[str], rows: list[Row], truncated: int | None = None) -> bytes:
    bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
    doc: dict = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
    if truncated is not None:
        doc["truncated"] = True
        doc["note"] = _note(truncated)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


def boolean_json(value: bool) -> bytes:
    return json.dumps({"head": {}, "boolean": value}).encode()


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    raise TypeError(f"unexpected term {term!r}")


_XML_HEAD = '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'


def solutions_xml(variables: Sequence[str], rows: list[Row], truncated: int | None = None) -> bytes:
    parts = [_XML_HEAD]
    if truncated is not None:
        parts.append(f"<!-- {_note(truncated)} -->\n")
    parts.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>\n<results>\n")
    for row in rows:
        parts.append("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                parts.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts).encode()


def boolean_xml(value: bool) -> bytes:
    return (_XML_HEAD + f"<head/>\n<boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n").encode()


def _csv_field(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        text = "_:" + term.value
    elif isinstance(term, ox.Triple):
        text = str(term)
    else:
        text = term.value
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def solutions_csv(variables: Sequence[str], rows: list[Row], truncated: int | None = None) -> bytes:
    lines = [",".join(variables)]
    lines += [",".join(_csv_field(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode()


def _tsv_field(term) -> str:
    if term is None:
        return ""
    return str(term)  # N-Triples syntax, which is also Turtle: what SPARQL TSV asks for


def solutions_tsv(variables: Sequence[str], rows: list[Row], truncated: int | None = None) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join(_tsv_field(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode()


SOLUTIONS = {"json": solutions_json, "xml": solutions_xml, "csv": solutions_csv, "tsv": solutions_tsv}
BOOLEANS = {"json": boolean_json, "xml": boolean_xml}
