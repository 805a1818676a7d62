"""Answers of queries already evaluated, kept while the release is served.

The store is read-only and pinned for the life of the serving process, so an answer can never go
stale: a query asked again (an example query, a canned query, a link to a prefilled query, a
dashboard polling) is answered from memory without the engine, the time limit or the client's
budget. Bounded in bytes, least recently used out first; only complete answers (200s) come here.
Keys are `Job.key()`, entries `Answer`s (service.py).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol


class Answer(Protocol):
    """What the cache needs of an answer (service.Answer): its bytes."""

    body: bytes

ENTRY_OVERHEAD = 256  # bytes counted per entry beside its key and body
LARGEST_SHARE = 8  # one answer may take at most 1/8 of the cache


class ResultCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, Answer] = OrderedDict()
        self.size = 0

    @staticmethod
    def cost(key: tuple, answer: Answer) -> int:
        return len(answer.body) + len(key[0]) + ENTRY_OVERHEAD

    def get(self, key: tuple) -> Answer | None:
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
        return answer

    def put(self, key: tuple, answer: Answer) -> None:
        if key in self.entries:
            return
        cost = self.cost(key, answer)
        if cost * LARGEST_SHARE > self.max_bytes:
            return
        self.entries[key] = answer
        self.size += cost
        while self.size > self.max_bytes:
            old_key, old = self.entries.popitem(last=False)
            self.size -= self.cost(old_key, old)
