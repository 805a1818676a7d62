"""An observation's class and slot values, worked out by the build and kept in the documents file.

A request for an observation's document filled from a template (web/uniform_pages.py) needs the
observation's class and slots (`uniform_slots.py`). Read from its own triples, they cost a request
~17 µs at a million triples (decompressing the lines, reading them, hashing a new class tuple),
of the ~50 µs an RDF answer costs in the application. The build works them out once per
observation, with the same function over the same links' labels, and stores them beside the
triples:

    uniform.slots   zlib (against a preset dictionary: the first row's text) of the JSON array
                    [class number, value of each slot but the key, in the class's slot order]
    meta            uniform_classes: [[class, slot names, slot kinds], ...] (JSON);
                    uniform_slots_dictionary: the preset dictionary (base64)

A class is the same tuple `uniform_slots` gives (JSON's lists turned back into tuples), one object
per class for the whole process, so a template is found by the same key either way. An
observation whose triples `uniform_slots` refuses has no stored slots (NULL): it goes the general
way, as it did. tests/test_documents_file.py checks, for every observation of a generated release,
that the stored class and slots are what `uniform_slots` reads from its triples when served.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from .slot_templates import Slots
from .uniform_slots import Labels, uniform_slots

_LEVEL = 6


@dataclass(frozen=True)
class SlotClass:
    """One class as the reader keeps it: the class tuple, and the name and kind of each slot."""

    cls: tuple
    names: tuple[str, ...]
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
        texts.append(json.dumps([number, *values], ensure_ascii=False, separators=(",", ":")).encode())
    dictionary = next((t for t in texts if t is not None), b"")
    packed = [None if t is None else _deflate(t, dictionary) for t in texts]
    return table, dictionary, packed


def _deflate(payload: bytes, dictionary: bytes) -> bytes:
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, dictionary)
    return packer.compress(payload) + packer.flush()


class SlotReader:
    """The stored classes, and an observation's (class, slots) from its stored row."""

    def __init__(self, table_json: str, dictionary: bytes):
        self.classes = [SlotClass(_tuples(cls), tuple(names), tuple(kinds))  # type: ignore[arg-type]
                        for cls, names, kinds in json.loads(table_json)]
        self.dictionary = dictionary

    def read(self, key: str, blob: bytes) -> tuple[tuple, Slots] | None:
        unpacker = zlib.decompressobj(zdict=self.dictionary)
        number, *values = json.loads(unpacker.decompress(blob) + unpacker.flush())
        found = self.classes[number]
        slots: Slots = {"key": ("text", key)}
        slots.update(zip(found.names[1:], zip(found.kinds[1:], values, strict=True), strict=True))
        return found.cls, slots

