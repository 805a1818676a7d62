"""What both halves know of the statistics cube: the concept schemes its indicators and units are
in, and the example queries the release publishes (`cube-query--<name>.rq`), which the pages link
prefilled and the query page offers."""

from __future__ import annotations

from importlib import resources

INDICATOR_SCHEME = "nyckeltal"  # data/concept-schemes.yaml: the scheme of the key figures
UNIT_SCHEME = "enheter"  # ... and of their units
QUERY_NAMES = ("trend", "ranking")  # queries/<name>.rq
LANGS = ("sv", "en")  # the languages charts are drawn in


def query_text(name: str, base_uri: str) -> bytes:
    """An example query with BASE set to the dataset's base, so its relative IRIs resolve."""
    text = resources.files("publisher.release").joinpath(f"queries/{name}.rq").read_text(encoding="utf-8")
    return f"BASE <{base_uri}>\n{text}".encode()
