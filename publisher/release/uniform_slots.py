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

import re
from collections.abc import Callable

import pyoxigraph as ox

from .slot_templates import Slots

SLOT_LINKS = ("def/refMunicipality",)  # links (under the base URI) whose target is a slot
DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"
STRING = "http://www.w3.org/2001/XMLSchema#string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
# a line of N-Triples with no escapes in it (a file with a backslash is read by pyoxigraph instead)
LINE = re.compile(r'<([^<>"\\\s]*)> <([^<>"\\\s]*)> (?:<([^<>"\\\s]*)>|"([^"\\\n\r]*)"'
                  r'(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^<([^<>"\\\s]*)>)?) \.')

NOT_UNIFORM = (None, None, None, None, None, None)  # a subject no topic is: never a template's
Labels = Callable[[str], list[tuple[str, str, str]]]  # IRI -> its labels: (predicate, language, text)


def uniform_slots(key: str, own: bytes, base_uri: str, labels: Labels) -> tuple[tuple, Slots] | None:
    """(class, slots) of the uniform resource `key` from its own triples (N-Triples), or None if it
    is not one a template can stand for (a triple about another subject, a blank node, a repeated slot)."""
    topic = f"{base_uri}id/{key}"
    links = {base_uri + p for p in SLOT_LINKS}
    shape: list[tuple] = []
    slots: Slots = {"key": ("text", key)}
    for s, p, iri, text, lang, datatype in _triples(own):
        if s != topic:
            return None
        if iri is None:
            datatype = LANG_STRING if lang else datatype or STRING
            name = f"{p}|{lang or ''}|{datatype}"
            shape.append((p, "literal", lang, datatype))
            value = ("decimal" if datatype == DECIMAL else "text", text)
        elif p in links and iri.startswith(base_uri + "id/"):
            name = p
            found = sorted(labels(iri))
            shape.append((p, "link", tuple((lp, lang) for lp, lang, _ in found)))
            value = ("text", iri[len(base_uri) + 3:])
            for lp, lang, text in found:
                label = f"{p}|{lp}|{lang}"
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


def _triples(own: bytes) -> list[tuple]:
    """(subject, predicate, object IRI or None, literal text, language, datatype) of each line; a
    file with an escape or a blank node anywhere is read by pyoxigraph (the exact N-Triples reader)."""
    text = own.decode("utf-8")
    found = [LINE.fullmatch(line) for line in text.splitlines()]
    if all(found):
        return [m.groups() for m in found]
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
            out.append((s.value, p.value, None, o.value, o.language, o.datatype.value))
        else:
            out.append((s.value, p.value, o.value, None, None, None))
    return out
