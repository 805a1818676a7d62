"""The release format: what `publisher/dataset` writes into `dist/` and `publisher/web` reads from it.

Both halves import this package; it imports neither of them (tests/test_layering.py). It holds the
release's definition: its file names, manifest, checksums and download list (`manifest.py`), the
one table of RDF formats (`formats.py`), the documents file (`documents.py`), what both sides
know of the statistics cube (`cube.py`: its schemes and example queries), and the code that
describes a resource the same way at build time and at request time (describe, uniform, assemble,
page_models, labels, serialise, charts, …).
"""
