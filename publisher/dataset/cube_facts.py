"""The records the statistics cube's files (downloads.py) and pages (cube_pages.py) describe each
observation with: municipalities, indicators, units and sources, looked up by id."""

from __future__ import annotations

from ..release.cube import INDICATOR_SCHEME, UNIT_SCHEME
from ..uris import Minter
from .load import SourceData
from .observations import Cube


class CubeFacts:
    def __init__(self, cube: Cube, data: SourceData, base_uri: str):
        self.m = Minter(base_uri)
        self.base_uri = base_uri
        self.municipalities = {r["code"]: r for r in data.municipalities}
        schemes = data.by_id("schemes")
        self.indicators = {c["id"]: c for c in schemes[INDICATOR_SCHEME]["concepts"]} if cube.observations else {}
        self.units = {c["id"]: c for c in schemes[UNIT_SCHEME]["concepts"]} if cube.observations else {}
        self.sources = data.by_id("sources")

    def unit_symbol(self, unit: str, lang: str = "sv") -> str:
        record = self.units[unit]
        return record.get("notation") or record["label"][lang]
