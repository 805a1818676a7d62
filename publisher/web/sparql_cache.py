"""Answers of queries already evaluated, kept while the release is served.

The store is read-only and pinned for the life of the serving process, so an answer can never go
stale: a query asked again (an example query, a canned query, a link to a prefilled query, a
dashboard polling) is answered from memory without the engine, the time limit or the client's
budget. Bounded in bytes, least recently used out first; only complete 200 answers are kept.
"""

from __future__ import annotations

from collections import OrderedDict

ENTRY_OVERHEAD = 256  # bytes counted per entry beside its key and body
LARGEST_SHARE = 8  # one answer may take at most 1/8 of the cache


class ResultCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.entries: OrderedDict[tuple, dict] = OrderedDict()
        self.size = 0

    @staticmethod
    def key(job: dict) -> tuple:
        return (job["query"], job.get("accept"), job.get("hint"), job.get("base_iri"), job.get("max_rows"),
                tuple(job.get("default_graphs") or ()) if job.get("default_graphs") is not None else None,
                tuple(job.get("named_graphs") or ()) if job.get("named_graphs") is not None else None)

    @staticmethod
    def cost(key: tuple, reply: dict) -> int:
        return len(reply["body"]) + len(key[0]) + ENTRY_OVERHEAD

    def get(self, key: tuple) -> dict | None:
        reply = self.entries.get(key)
        if reply is not None:
            self.entries.move_to_end(key)
        return reply

    def put(self, key: tuple, reply: dict) -> None:
        if reply.get("status") != 200 or key in self.entries:
            return
        cost = self.cost(key, reply)
        if cost * LARGEST_SHARE > self.max_bytes:
            return
        self.entries[key] = reply
        self.size += cost
        while self.size > self.max_bytes:
            old_key, old = self.entries.popitem(last=False)
            self.size -= self.cost(old_key, old)
