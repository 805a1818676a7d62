"""The release format: what `publisher/build` writes into `dist/` and `publisher/web` reads from it.

Both halves import this package; it imports neither of them. Today it holds the documents file
(`documents.py`); the rest of the format (manifest, file names, the formats table) is still
defined in `build/dump.py` and read in `web/release.py`, and is to move here (issue 15).
"""
