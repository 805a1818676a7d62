"""Templates cut from one uniform document, filled with another's values.

The cube's observations are all shaped alike: two observations of one class (the same predicates,
the same indicator, unit, source, ...; see `uniform_slots.py`) have documents that differ only where
their own values stand (key, municipality, year, value, labels), each written the way its place
needs it: as is, HTML-escaped, percent-encoded, inside a JSON or N-Triples string, in Swedish or
English number format. `cut` finds every place where an exemplar's values stand, and for each place
the (slot, transform) pairs that give the text found there; `fill` writes another resource's values
into those places.

A place where several pairs gave the exemplar's text (a value with nothing to escape reads alike
as is and escaped) is filled only if every one of those pairs gives the same text for the new
values; otherwise `fill` returns None and the caller renders the document the general way. A
template is used only once it reproduced, byte for byte, the documents of other resources of its
class (`UniformPages`, web/uniform_pages.py), and the tests compare every observation of the real
and the synthetic data, and of a corpus of awkward values, with the general path.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

from markupsafe import escape as html_escape

from .numbers import decimal_text


def _json(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def _script_json(text: str) -> str:  # publisher/web/pages.py script_json's escaping of a string
    out = _json(text).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _ntriples(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


# quote(text, safe="") for an ASCII text, by one str.translate (quote is Python code: ~3 µs a key)
_URL_ESCAPES = {c: f"%{c:02X}" for c in range(128)
                if not (chr(c).isascii() and (chr(c).isalnum() or chr(c) in "_.-~"))}


def _url(text: str) -> str:
    return text.translate(_URL_ESCAPES) if text.isascii() else quote(text, safe="")


def _decimal(lang: str) -> Callable[[str], str]:
    def write(text: str) -> str:
        return decimal_text(text, lang) or ""
    return write


TEXT: dict[str, Callable[[str], str]] = {
    "raw": lambda text: text,
    "html": lambda text: str(html_escape(text)),
    "url": _url,
    "json": _json,
    "json-ascii": lambda text: json.dumps(text)[1:-1],
    "script-json": _script_json,
    "ntriples": _ntriples,
    "xml": xml_escape,
    "xml-attribute": lambda text: xml_escape(text, {'"': "&quot;"}),
}
DECIMAL: dict[str, Callable[[str], str]] = {**TEXT, "sv": _decimal("sv"), "en": _decimal("en")}
KINDS = {"text": TEXT, "decimal": DECIMAL}
# values with any of these are always made the general way: control and invisible characters, which
# a writer might escape in a way the transforms here do not know
UNUSUAL = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ud800-\udfff]")
# the characters each of TEXT's transforms writes otherwise (a value with none of them comes out as it is)
CHANGED = {  # regular expressions (escapes are the pattern's, not Python's)
    "raw": None,
    "html": r"[&<>\"']",
    "url": r"[^A-Za-z0-9_.~\-]",
    "json": r'["\\\x00-\x1f]',
    "json-ascii": r"[^\x20\x21\x23-\x5b\x5d-\x7e]",
    "script-json": r'["\\\x00-\x1f<>&\u2028\u2029]',
    "ntriples": r'["\\\n\r]',
    "xml": r"[&<>]",
    "xml-attribute": r'[&<>"]',
}

Slots = dict[str, tuple[str, str]]  # slot name -> (kind, value)


@functools.lru_cache(maxsize=1024)
def changed_class(transforms: tuple[str, ...]) -> re.Pattern:
    """One character class finding what `transforms` write otherwise, or an unusual character: the
    union of their CHANGED classes and UNUSUAL (an alternation of classes costs ~1 us a class on a
    key-long value). Positive classes are joined; with a negated one (its set is ASCII: url,
    json-ascii) every non-ASCII character is in the union, so it is the ASCII characters the
    alternation leaves alone that the class negates."""
    classes = [CHANGED[t] for t in transforms if CHANGED.get(t) is not None] + [UNUSUAL.pattern]
    if not any(c.startswith("[^") for c in classes):
        return re.compile("[" + "".join(c[1:-1] for c in classes) + "]")
    alternation = re.compile("|".join(classes))
    kept = "".join(re.escape(chr(c)) for c in range(128) if not alternation.match(chr(c)))
    return re.compile(f"[^{kept}]" if kept else "(?s:.)")


SAID_MEMO = 4096  # values a place or writing remembers its answer for (a municipality's name, a year recur)


@dataclass(frozen=True)
class _Writing:
    """One slot written by every one of `transforms` (which must agree)."""

    slot: str
    transforms: tuple[str, ...]
    others: tuple[str, ...]  # the transforms that are not per character (number formats)
    per_character: tuple[str, ...]
    changed: re.Pattern  # finds a character some per-character transform here writes otherwise, or an unusual one
    # values `changed` found nothing in (True) or something (False): a municipality's name or a year
    # recurs in many places and documents (bounded; shared by the places with this writing)
    plain: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def of(slot: str, transforms: tuple[str, ...]) -> _Writing:
        return _Writing(slot, transforms, tuple(t for t in transforms if t not in CHANGED),
                        tuple(t for t in transforms if t in CHANGED), changed_class(transforms))

    def is_plain(self, value: str) -> bool:
        """No transform here writes `value` otherwise, and it has no unusual character."""
        plain = self.plain
        found = plain.get(value)
        if found is None:
            if len(plain) >= SAID_MEMO:
                plain.clear()
            found = plain[value] = self.changed.search(value) is None
        return found

    def texts(self, slots: Slots) -> set[str] | None:
        slot = slots.get(self.slot)
        if slot is None or not slot[1] or UNUSUAL.search(slot[1]):
            return None
        kind, value = slot
        write = KINDS[kind]
        texts = {write[t](value) for t in self.others}
        if self.per_character:
            if self.is_plain(value):
                texts.add(value)  # every one of them leaves such a value as it is
            else:
                texts.update(write[t](value) for t in self.per_character)
        return texts


@dataclass(frozen=True)
class Place:
    """What a kind of place says: the text every (slot, transform) pair that gave the exemplar's text
    there gives (more than one slot where two slots' values read alike, as a label and a prefLabel).

    A kind of place is one object for every template that has it (`of` remembers them), so what
    it found for a municipality's name is found once for all the classes and representations."""

    pairs: frozenset
    writings: tuple[_Writing, ...]
    simple: bool  # every writing is per character (no number format): a plain value is said as it is
    # what `say` found for the values of this place's slots, where it had to ask every transform (bounded)
    said: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def of(pairs: frozenset) -> Place:
        by_slot: dict[str, list[str]] = {}
        for name, transform in sorted(pairs):
            by_slot.setdefault(name, []).append(transform)
        writings = tuple(_Writing.of(name, tuple(ts)) for name, ts in sorted(by_slot.items()))
        return Place(pairs, writings, not any(w.others for w in writings))

    def say(self, slots: Slots) -> str | None:
        if self.simple:  # the common case: each slot here holds the same value, which no transform changes
            text = None
            for writing in self.writings:
                slot = slots.get(writing.slot)
                if slot is None or not slot[1] or (text is not None and slot[1] != text) \
                        or not writing.is_plain(slot[1]):
                    break
                text = slot[1]
            else:
                return text
        values = tuple(slots.get(writing.slot) for writing in self.writings)
        memo = self.said
        if values in memo:
            return memo[values]
        found: set[str] = set()
        for writing in self.writings:
            texts = writing.texts(slots)
            if texts is None:
                found = set()
                break
            found |= texts
        text = found.pop() if len(found) == 1 else None
        if len(memo) >= SAID_MEMO:
            memo.clear()
        memo[values] = text
        return text


@dataclass(frozen=True)
class Template:
    """The document is texts[0] + place 0 + texts[1] + place 1 + ... + texts[-1]; place i says what
    kinds[places[i]] says."""

    texts: tuple[str, ...]
    places: tuple[int, ...]
    kinds: tuple[Place, ...]

    def fill(self, slots: Slots) -> str | None:
        """The document for `slots` (the same slot names as the exemplar's), or None when a place's
        transforms disagree on what it should say, or a value is missing or empty."""
        said = self._said(slots)
        if said is None:
            return None
        out = [""] * (2 * len(self.places) + 1)
        out[0::2] = self.texts
        out[1::2] = [said[i] for i in self.places]
        return "".join(out)

    def fill_bytes(self, slots: Slots) -> bytes | None:
        """`fill`, encoded as UTF-8: the text between the places is encoded once per template, the
        values once per document (a page is ~10 KB; encoding it whole cost more than this)."""
        said = self._said(slots)
        if said is None:
            return None
        encoded = [text.encode("utf-8") for text in said]
        out = [b""] * (2 * len(self.places) + 1)
        out[0::2] = self._encoded_texts
        out[1::2] = [encoded[i] for i in self.places]
        return b"".join(out)

    @functools.cached_property
    def _encoded_texts(self) -> tuple[bytes, ...]:
        return tuple(text.encode("utf-8") for text in self.texts)

    @functools.cached_property
    def _plain_memos(self) -> tuple[tuple[str, dict] | None, ...]:
        """For each kind of place of one slot written by per-character transforms only: its slot
        and the memo of the values its writing found plain (said as they are); None for the others."""
        return tuple((kind.writings[0].slot, kind.writings[0].plain) if kind.simple and len(kind.writings) == 1
                     else None for kind in self.kinds)

    def _said(self, slots: Slots) -> list[str] | None:
        said = []
        for kind, plain in zip(self.kinds, self._plain_memos, strict=True):
            if plain is not None:  # a value found plain before is said as it is: `Place.say`'s first case, inline
                slot = slots.get(plain[0])
                if slot is not None and plain[1].get(slot[1]) is True:
                    said.append(slot[1])
                    continue
            text = kind.say(slots)
            if text is None:
                return None
            said.append(text)
        return said

    def narrowed(self, document: str, slots: Slots) -> Template | None:
        """This template with each place's pairs cut down to those that give what `document` (another
        resource's, with `slots`) says there; None if the document does not read as this template
        (other text between the places) or a place would be left with no pair."""
        if "" in self.texts[1:-1]:  # two places side by side: where one ends is not known
            return None
        pattern = "".join(re.escape(t) + "(.*?)" for t in self.texts[:-1]) + re.escape(self.texts[-1])
        match = re.fullmatch(pattern, document, re.DOTALL)
        if match is None:
            return None
        kept: list[set] = [set(kind.pairs) for kind in self.kinds]
        for place, text in zip(self.places, match.groups(), strict=True):
            kept[place] = {(name, t) for name, t in kept[place] if name in slots and slots[name][1]
                           and KINDS[slots[name][0]][t](slots[name][1]) == text}
        if not all(kept):
            return None
        return Template(self.texts, self.places, tuple(Place.of(frozenset(pairs)) for pairs in kept))


def cut(document: str, slots: Slots) -> Template | None:
    """The template of `document`, whose values are `slots`; None if a value is empty (it could not be found)."""
    found: dict[str, set[tuple[str, str]]] = {}
    for name, (kind, value) in slots.items():
        if not value:
            return None
        for transform, write in KINDS[kind].items():
            text = write(value)
            if text:
                found.setdefault(text, set()).add((name, transform))
    # at each place the longest text wins (a label holds the year; a key holds the municipality's code)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(found, key=len, reverse=True)))
    texts, places, kinds = [], [], {}
    at = 0
    for match in pattern.finditer(document):
        texts.append(document[at:match.start()])
        places.append(kinds.setdefault(frozenset(found[match.group()]), len(kinds)))
        at = match.end()
    texts.append(document[at:])
    return Template(tuple(texts), tuple(places), tuple(Place.of(pairs) for pairs in sorted(kinds, key=kinds.get)))
