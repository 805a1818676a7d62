"""The release the server serves: resolved once at start-up, read-only afterwards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoReleaseError

REQUIRED_PARTS = ("version", "base_uri", "files", "store", "catalog")
REQUIRED_FILES = ("pages/documents.sqlite", "pages/site.json", "klimatsamarbeten.ttl")


@dataclass(frozen=True)
class Release:
    path: Path
    manifest: dict

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def last_modified(self) -> float:
        """When this release was published (the time its manifest was written)."""
        return (self.path / "manifest.json").stat().st_mtime

    @property
    def files(self) -> dict[str, dict]:
        return self.manifest["files"]

    def file(self, name: str) -> Path | None:
        """The path of a published file, or None: only names listed in the manifest resolve."""
        if name not in self.files and name not in ("manifest.json", "SHA256SUMS"):
            return None
        return self.path / name


def open_release(current: Path) -> Release:
    """Pin the release `current` points to now; a later build does not change a running server."""
    if not (current / "manifest.json").exists():
        raise NoReleaseError(f"no release at {current}: run `publisher build` (or `make build`) first")
    path = current.resolve()
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    missing = [part for part in REQUIRED_PARTS if part not in manifest] + [
        name for name in REQUIRED_FILES if name not in manifest.get("files", {})]
    if missing:
        raise NoReleaseError(
            f"the release at {path} lacks {', '.join(missing)}: it was built by an older publisher; "
            "run `publisher build` (or `make build`) again"
        )
    return Release(path, manifest)
