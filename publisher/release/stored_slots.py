"""An observation's class and slot values, worked out by the build and kept in the documents file.

A request for an observation's document filled from a template (web/uniform_pages.py) needs the
observation's class and slots (`uniform_slots.py`). Read from its own triples (decompressed, then
read line by line) they cost ~38 µs at a million triples, of the ~65 µs an RDF answer cost in the
application. The build works them out once per observation, with the same function over the
same links' labels, and stores them beside the triples:

    uniform.slots   zlib (against a preset dictionary: the first row's text) of the class number
                    and the value of each slot but the key, in the class's slot order, UTF-8,
                    separated by U+001F (a value holding that character gets no stored slots:
                    such a value is always written the general way anyway, slot_templates.UNUSUAL)
    meta            uniform_classes: [[class, slot names, slot kinds], ...] (JSON);
                    uniform_slots_dictionary: the preset dictionary (base64)

Decoding one (`SlotReader.read`) at random rows took ~11 µs, against ~14 µs as a JSON array (one
row decoded again and again: ~3.4 µs; at random the memory touched is cold). A class is the same
tuple `uniform_slots` gives (JSON's lists turned back into tuples), one object per class for the whole
process, so a template is found by the same key either way. An observation whose triples
`uniform_slots` refuses has no stored slots (NULL): it goes the general way, as it did.
tests/test_uniform_templates.py checks, for every observation of a generated release with awkward
values, that the stored class and slots are what `uniform_slots` reads from its triples when served.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from .preset_zlib import deflate, inflate
from .slot_templates import Slots
from .uniform_slots import Labels, uniform_slots

SEPARATOR = "\x1f"  # ASCII's unit separator


@dataclass(frozen=True)
class SlotClass:
    """One class as the reader keeps it: the class tuple, and the name and kind of each slot."""

    cls: tuple
    names: tuple[str, ...]  # the first is "key"
    kinds: tuple[str, ...]


def _tuples(value: object) -> object:
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def pack_slots(rows: Iterable[tuple[str, bytes]], base_uri: str, labels: Labels
               ) -> tuple[list[list], bytes, list[bytes | None]]:
    """For (key, own triples) rows in order: the class table, the preset dictionary, and each row's
    compressed slots (None where `uniform_slots` gives none). Deterministic: classes are numbered
    in the order they are first met."""
    numbers: dict[tuple, int] = {}
    table: list[list] = []
    texts: list[bytes | None] = []
    for key, own in rows:
        found = uniform_slots(key, own, base_uri, labels)
        if found is None:
            texts.append(None)
            continue
        cls, slots = found
        names, kinds = tuple(slots), tuple(kind for kind, _ in slots.values())
        number = numbers.get((cls, names, kinds))
        if number is None:
            number = numbers[(cls, names, kinds)] = len(table)
            table.append([cls, list(names), list(kinds)])
        values = [slots[name][1] for name in names[1:]]  # names[0] is the key, known from the request
        if any(SEPARATOR in value for value in values):
            texts.append(None)
            continue
        texts.append(SEPARATOR.join([str(number), *values]).encode())
    dictionary = next((t for t in texts if t is not None), b"")
    packed = [None if t is None else deflate(t, dictionary) for t in texts]
    return table, dictionary, packed


class SlotReader:
    """The stored classes, and an observation's (class, slots) from its stored row."""

    def __init__(self, table_json: str, dictionary: bytes):
        self.classes = [SlotClass(_tuples(cls), tuple(names), tuple(kinds))  # type: ignore[arg-type]
                        for cls, names, kinds in json.loads(table_json)]
        self._rest = [(c.names[1:], c.kinds[1:]) for c in self.classes]
        self.dictionary = dictionary

    def read(self, key: str, blob: bytes) -> tuple[tuple, Slots]:
        number, *values = inflate(blob, self.dictionary).decode("utf-8").split(SEPARATOR)
        n = int(number)
        names, kinds = self._rest[n]
        if len(values) != len(names):
            raise ValueError(f"stored slots of {key!r}: {len(values)} values for {len(names)} slots")
        slots: Slots = {"key": ("text", key)}
        slots.update(zip(names, zip(kinds, values)))  # noqa: B905 - lengths checked above
        return self.classes[n].cls, slots
