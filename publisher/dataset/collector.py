"""Python's cyclic garbage collector, tuned for the length of a build.

A build allocates millions of objects that live until it ends (the rdflib graph, the
observations' triples and text, the documents' index of them). With the default thresholds
(700, 10, 10) the collector examined young objects every 700 allocations and, each time the
long-lived heap had grown by a quarter, scanned all of it again: at a million triples 17 full
collections that found nothing to free, ~5 s of CPU in the main process and ~1 s in each forked
step (measured with `gc.callbacks`). Cycles do become garbage (each document's rdflib graph is
one), so the collector stays on, only less often: young objects every 10,000 allocations, a full
collection after 100 of the middle generation's (the quarter-growth rule still applies). At 1M
triples that left ~1 s of collection in the main process, and the same peak RSS.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

BUILD_THRESHOLDS = (10_000, 50, 100)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """The build's thresholds for the duration of the block (and in the processes it forks), then the old ones."""
    before = gc.get_threshold()
    gc.set_threshold(*BUILD_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
