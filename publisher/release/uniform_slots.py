"""A uniform resource's class and its values, read from its own triples (for slot_templates.py).

Two observations are of one class when their own triples are alike but for:
- the resource's key (its IRI);
- every literal (its value, year, labels): a slot each, named by predicate, language and datatype;
- the object of a link in SLOT_LINKS (the municipality): a slot for its document key, and one for
  each of its labels, with the labels' predicates and languages part of the class.

Everything else is the class: the other links (indicator, unit, data set, source, confidence), each
predicate, each literal's language and datatype. Whatever of a document is not a slot is therefore
the same for every resource of the class, or the template is never used (`UniformPages`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Literal, URIRef

from .slot_templates import Slots

SLOT_LINKS = ("def/refMunicipality",)  # links (under the base URI) whose target is a slot
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
NOT_UNIFORM = ("", "", "", "", "", "")  # a subject no topic is: never a template's
Labels = Callable[[str], list[tuple[str, str, str]]]  # IRI -> its labels: (predicate, language, text)


def uniform_slots(key: str, own: bytes, base_uri: str, labels: Labels) -> tuple[tuple, Slots] | None:
    """(class, slots) of the uniform resource `key` from its own triples (N-Triples), or None if it
    is not one a template can stand for (a triple about another subject, a blank node, a repeated slot)."""
    topic = f"{base_uri}id/{key}"
    links = _links(base_uri)
    shape: list[tuple] = []
    slots: Slots = {"key": ("text", key)}
    for s, p, iri, text, lang, datatype in _triples(own):
        if s != topic:
            return None
        if not iri:
            name, part, kind = _literal(p, lang, datatype)
            shape.append(part)
            value = (kind, text)
        elif p in links and iri.startswith(base_uri + "id/"):
            name = p
            part, named = _link(p, iri, labels)
            shape.append(part)
            value = ("text", iri[len(base_uri) + 3:])
            for label, text in named:
                if label in slots:
                    return None
                slots[label] = ("text", text)
        else:
            shape.append((p, iri))
            continue
        if name in slots:
            return None
        slots[name] = value
    return tuple(shape), slots  # in the order of the file's lines, which the build writes alike


def link_label_rows(link_labels: dict, iri: str) -> list[tuple[str, str, str]]:
    """The labels a document gives a resource it links to, as `Labels` gives them, from a Describer's
    table (`Describer.link_labels`): the server's assembler and the build's stored slots both read it so."""
    return [(str(p), o.language or "", str(o)) for _, p, o in link_labels.get(URIRef(iri), ())
            if isinstance(o, Literal)]


@functools.lru_cache(maxsize=64)
def _links(base_uri: str) -> frozenset[str]:
    return frozenset(base_uri + p for p in SLOT_LINKS)


@functools.lru_cache(maxsize=4096)
def _literal(p: str, lang: str, datatype: str) -> tuple[str, tuple, str]:
    """A literal's slot name, its part of the class, and its kind of value."""
    datatype = LANG_STRING if lang else datatype or STRING
    return f"{p}|{lang or ''}|{datatype}", (p, "literal", lang, datatype), "decimal" if datatype == DECIMAL else "text"


def _link(p: str, iri: str, labels: Labels) -> tuple[tuple, list[tuple[str, str]]]:
    """A slot link's part of the class, and its labels' slot names and texts (remembered, bounded:
    a municipality is linked by thousands of observations)."""
    memo_key = (p, iri, labels)
    found = _LINKS.get(memo_key)
    if found is None:
        listed = sorted(labels(iri))
        found = ((p, "link", tuple((lp, lang) for lp, lang, _ in listed)),
                 [(f"{p}|{lp}|{lang}", text) for lp, lang, text in listed])
        if len(_LINKS) >= 4096:
            _LINKS.clear()
        _LINKS[memo_key] = found
    return found


_LINKS: dict[tuple, tuple] = {}


# one line as the build writes N-Triples (single spaces, no escapes: the caller checked the text for
# backslashes, tabs and blank nodes): subject, predicate, then an IRI or a literal with its language
# or datatype. The text is valid N-Triples (the same lines are in the dumps, which are verified by
# re-parsing), so an IRI holds no '>' and a literal without escapes no '"'.
_LINE = re.compile(r'^<([^>]*)> <([^>]*)> (?:<([^>]*)>|"([^"]*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?) \.$', re.M)
_UPPER_LANGUAGE = re.compile(r'"@[a-z0-9-]*[A-Z]')


def _triples(own: bytes) -> list[tuple]:
    """(subject, predicate, object IRI, literal text, language, datatype) of each line, '' where a
    part is absent (an IRI is never empty); read by one regular expression when every line is one
    the build writes plainly, otherwise (an escape, a blank node, a tab, a line it does not match)
    by pyoxigraph, the exact N-Triples reader."""
    text = own.decode("utf-8")
    if "\\" not in text and "_:" not in text and "\t" not in text and "\r" not in text:
        found = _LINE.findall(text)
        if len(found) == text.count("\n") + (not text.endswith("\n")):  # every line matched, whole
            if _UPPER_LANGUAGE.search(text):  # a language tag with a capital: lower-cased, as pyoxigraph gives it
                return [(s, p, o, t, lang.lower(), dt) for s, p, o, t, lang, dt in found]
            return found
    return _parsed(own)


def _parsed(own: bytes) -> list[tuple]:
    """`_triples` by pyoxigraph."""
    out = []
    try:
        quads = list(ox.parse(own, ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        return [NOT_UNIFORM]
    for quad in quads:
        s, p, o = quad.subject, quad.predicate, quad.object
        if not isinstance(s, ox.NamedNode) or isinstance(o, ox.BlankNode):
            return [NOT_UNIFORM]
        if isinstance(o, ox.Literal):
            out.append((s.value, p.value, "", o.value, o.language or "", o.datatype.value))
        else:
            out.append((s.value, p.value, o.value, "", "", ""))
    return out
