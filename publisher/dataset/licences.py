"""Which licence applies to what. Pure: source records in, licence IRIs and attribution texts out.

Our own facts, SCB's lists and the Wikidata ids are CC0, and `dataset.license` in data/dataset.yaml
is that licence (the catalogue and the vocabulary carry it). A source in data/sources.yaml with its
own `license` (the JRC's Covenant of Mayors data: CC BY 4.0) is republished under that licence: the
part derived from it is a dataset of its own with that licence, its `attribution` text and
`prov:wasDerivedFrom` the source, and the whole data set, which contains that part, carries the
stricter licence too. Only one licence beside CC0 is supported; a second is a source-data error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SourceDataError, SourceProblem
from .schema import Record


@dataclass(frozen=True)
class Part:
    """The part of the data set derived from one source with a licence of its own."""

    source: Record
    license: str
    attribution: str

    @property
    def ident(self) -> str:
        return f"part-{self.source['id']}"


def parts(data) -> list[Part]:
    """The licensed parts: sources with their own `license` (the loader requires `attribution` too)."""
    own = data.dataset["license"]
    found = [Part(s, s["license"], s.get("attribution") or "") for s in data.sources
             if s.get("license") and s["license"] != own]
    problems = [SourceProblem(p.source.file, p.source.lines.get("attribution", p.source.line), "attribution",
                              "a source with its own licence needs the attribution text its licence asks for")
                for p in found if not p.attribution]
    if len({p.license for p in found}) > 1:
        problems += [SourceProblem(p.source.file, p.source.lines["license"], "license",
                                   "only one licence beside the dataset's own is supported") for p in found[1:]]
    if problems:
        raise SourceDataError(problems)
    return found


def data_licence(data) -> str:
    """The licence of the whole data set: the stricter licence of a part it contains, else its own."""
    found = parts(data)
    return found[0].license if found else data.dataset["license"]
