"""The dereferencer's memo of answers: recent ones as they are sent, older ones compressed,
each part within a budget of bytes (resources.Dereferencer keeps one per serving process)."""

from __future__ import annotations

import zlib
from collections import OrderedDict

Headers = list[tuple[bytes, bytes]]
Reply = tuple[Headers, bytes, str]


class ReplyMemo:
    """Answers by request key in two parts, each least recently used out first, within budgets of bytes.

    The hot part keeps answers as they are sent: a small release fits in it whole, and a repeated
    request costs a dictionary look-up, as when every document was in memory. What falls out of it
    goes into the warm part compressed (zlib level 1: a page takes 4-7x less room), so the same
    memory holds that many more; inflating one (~20 microseconds) costs far less than rendering a
    page again (~0.5-1 ms) or reading a document from the release's file. A warm answer asked for
    again stays there (moving it back would push another out, to be compressed: measured, that
    churn halved the throughput of random requests). An answer larger than an eighth of the hot
    part goes to the warm part at once, compressed, if it takes at most an eighth of that.

    A *cheap* answer (an observation's document filled from a template, ~0.1 ms to write again)
    is kept only while the hot part has room, and dropped, not compressed, when it falls out: at
    random over a million documents, compressing every answer on its way out of the hot part cost
    ~80 microseconds a request, more than writing it again.
    """

    def __init__(self, hot: int, warm: int):
        self.hot_budget, self.warm_budget = hot, warm
        self.hot: OrderedDict[tuple, Reply] = OrderedDict()
        self.warm: OrderedDict[tuple, Reply] = OrderedDict()
        self.hot_size = self.warm_size = 0
        self.cheap: set[tuple] = set()  # keys of the hot part's cheap answers

    def get(self, key: tuple) -> Reply | None:
        entry = self.hot.get(key)
        if entry is not None:
            self.hot.move_to_end(key)
            return entry
        packed = self.warm.get(key)
        if packed is None:
            return None
        self.warm.move_to_end(key)  # stays compressed: moving it back would push another out, to compress
        return packed[0], zlib.decompress(packed[1]), packed[2]

    def put(self, key: tuple, headers: Headers, body: bytes, etag: str, cheap: bool = False) -> None:
        cost = len(body) + 512  # the body and, roughly, the headers and the key
        if key in self.hot or key in self.warm:
            return
        if cheap:
            if self.hot_size + cost <= self.hot_budget:
                self.hot[key] = (headers, body, etag)
                self.hot_size += cost
                self.cheap.add(key)
            return
        if cost * 8 > self.hot_budget:
            # too large for the hot part (an indicator's page at 100k triples: 3 MB, 0.45 s to render):
            # kept compressed in the warm part if it takes at most an eighth of it there
            packed = zlib.compress(body, 1)
            if (len(packed) + 512) * 8 <= self.warm_budget:
                self._keep_warm(key, headers, packed, etag)
            return
        self.hot[key] = (headers, body, etag)
        self.hot_size += cost
        while self.hot_size > self.hot_budget:
            old_key, (old_headers, old_body, old_etag) = self.hot.popitem(last=False)
            self.hot_size -= len(old_body) + 512
            if old_key in self.cheap:
                self.cheap.discard(old_key)
            else:
                self._keep_warm(old_key, old_headers, zlib.compress(old_body, 1), old_etag)

    def _keep_warm(self, key: tuple, headers: Headers, packed: bytes, etag: str) -> None:
        self.warm[key] = (headers, packed, etag)
        self.warm_size += len(packed) + 512
        while self.warm_size > self.warm_budget:
            _, old = self.warm.popitem(last=False)
            self.warm_size -= len(old[1]) + 512
