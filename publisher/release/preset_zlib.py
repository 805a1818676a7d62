"""zlib against a preset dictionary: small rows that share most of their text with the dictionary
(an observation's own triples, its stored slots) compress to a fraction of their size alone.
The documents file (documents.py) and the stored slots (stored_slots.py) both use it."""

from __future__ import annotations

import zlib

LEVEL = 6


def deflate(payload: bytes, dictionary: bytes) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 15, 8, zlib.Z_DEFAULT_STRATEGY, dictionary)
    return packer.compress(payload) + packer.flush()


def inflate(blob: bytes, dictionary: bytes) -> bytes:
    unpacker = zlib.decompressobj(zdict=dictionary)
    return unpacker.decompress(blob) + unpacker.flush()
