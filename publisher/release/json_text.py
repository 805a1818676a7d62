"""JSON text for the fast JSON-LD writer (release/serialise.py): the bytes `json.dumps(…, indent=2,
ensure_ascii=False, sort_keys=True)` writes, without its pure-Python encoder, and the orders of
node objects and of their values that rdflib's JSON-LD and `dump._ordered_jsonld` give. Pure."""

from __future__ import annotations

import json
from json.encoder import encode_basestring


def sort_key(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def ordered_node(node: dict) -> dict:
    """dump._ordered_jsonld for one node object, in place: the values of a key are strings, numbers
    or flat objects ({"@id"}, {"@value", "@language" or "@type"}), so only those lists need sorting
    (and key order is emit's business)."""
    for value in node.values():
        if isinstance(value, list):
            value.sort(key=sort_key)
    return node


def sorted_nodes(nodes: list[dict]) -> list[dict]:
    """Node objects sorted by their JSON text. Each one's first key is its unique @id, so the text of
    the @id orders them the same way, without writing every node twice."""
    if all(min(n) == "@id" for n in nodes):
        return sorted(nodes, key=lambda n: json.dumps(n["@id"], ensure_ascii=False))
    return sorted(nodes, key=sort_key)


def emit(value, level: int, out: list[str]) -> None:
    """What json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) writes, without its
    pure-Python encoder (the C one is not used when indenting)."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = "\n" + "  " * (level + 1)
        separator = "[" + inner
        for item in value:
            out.append(separator)
            emit(item, level + 1, out)
            separator = "," + inner
        out.append("\n" + "  " * level + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = "\n" + "  " * (level + 1)
        separator = "{" + inner
        for key, item in sorted(value.items()):
            out.append(separator + encode_basestring(key) + ": ")
            emit(item, level + 1, out)
            separator = "," + inner
        out.append("\n" + "  " * level + "}")
    else:
        raise TypeError(f"not JSON: {type(value).__name__}")
