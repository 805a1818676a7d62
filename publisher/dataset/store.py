"""Build step: the prebuilt Oxigraph store the SPARQL endpoint opens read-only at start-up.

Data and vocabulary go into the store's default graph, loaded from the verified N-Triples dumps,
so the server starts without parsing anything.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pyoxigraph as ox

STORE_DIR = "store"


def write_store(path: Path, ntriples: list[bytes | Path]) -> dict:
    """Bulk-load N-Triples (payloads or files) into a new store at `path`; return its manifest entry."""
    store = ox.Store(str(path))
    for source in ntriples:
        if isinstance(source, Path):
            store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES)
        else:
            store.bulk_load(source, ox.RdfFormat.N_TRIPLES)
    store.optimize()
    quads = len(store)
    store.flush()
    del store
    gc.collect()  # release the database lock before the folder is published
    return {"path": STORE_DIR, "engine": f"oxigraph {ox.__version__}", "quads": quads,
            "graphs": "data and vocabulary in the default graph"}
