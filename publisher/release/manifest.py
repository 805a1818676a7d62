"""The release as a whole: its file names, its manifest and checksums, what is downloadable.

The build writes a release through `ReleaseWriter` (dataset/dump.py), which records every file in
the manifest's file table and in SHA256SUMS with the functions here; the server pins one release
at start-up (`open_release`) and reads only files the manifest lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import NoReleaseError
from .documents import DOCUMENTS_FILE
from .formats import BY_KEY

MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
CONTEXT = "context.jsonld"  # the JSON-LD @context every JSON-LD file of the release uses
SITE = "pages/site.json"  # what the landing page, the sitemap and the 404 page list
CUBE = "pages/cube.json"  # what the landing page shows of the statistics cube
DATASET_STEM = "klimatsamarbeten"  # the dumps: klimatsamarbeten.{ttl,nt,jsonld,rdf}(.gz)
CATALOGUE_MODEL = "pages/catalogue.json"  # what the HTML /catalog page shows (release/catalogue_page.py)
CATALOGUE_PAGES = "pages/catalog"  # every page of the catalogue as served: catalogue_page_name

REQUIRED_PARTS = ("version", "base_uri", "files", "store", "catalog")
REQUIRED_FILES = (DOCUMENTS_FILE, SITE, f"{DATASET_STEM}.ttl")


def catalogue_page_name(profile: str, page: int, key: str, with_profile: bool, with_mediatype: bool) -> str:
    """`<profile>.page<N>[.p][.m].<key>`: page N of the catalogue in one profile and RDF format, as
    `/catalog` serves it. Its Hydra links carry `_profile` (the profile's token) when `with_profile`,
    `_mediatype` (the format's media type) when `with_mediatype`, as the request that asks for it
    did; the release holds it under CATALOGUE_PAGES/, the static export under /catalog/."""
    return f"{profile}.page{page}{'.p' if with_profile else ''}{'.m' if with_mediatype else ''}.{key}"


# (with _profile, with _mediatype): the four spellings of a page's links, one file each
CATALOGUE_LINK_VARIANTS = ((False, False), (True, False), (False, True), (True, True))


def sums_text(files: dict[str, dict]) -> str:
    """SHA256SUMS: `sha256sum -c` verifies a copy of the release with it."""
    return "".join(f"{info['sha256']}  {name}\n" for name, info in sorted(files.items()))


def manifest_text(manifest: dict) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def downloads(files: dict[str, dict]) -> list[dict]:
    """The files the landing page offers for download, each with its label and its .gz twin: every
    top-level file (pages/… are the precomputed documents, not downloads)."""
    rows = []
    for name, info in files.items():
        if name.endswith(".gz") or "/" in name:
            continue
        suffix = name.rsplit(".", 1)[-1]
        gz = files.get(name + ".gz")
        rows.append({"name": name, "format": BY_KEY[suffix].label if suffix in BY_KEY else suffix, **info,
                     "gz": name + ".gz" if gz else None, "gz_bytes": gz["bytes"] if gz else None})
    return rows


@dataclass(frozen=True)
class Release:
    """A release the server serves: resolved once at start-up, read-only afterwards."""

    path: Path
    manifest: dict

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def last_modified(self) -> float:
        """When this release was published (the time its manifest was written)."""
        return (self.path / MANIFEST).stat().st_mtime

    @property
    def files(self) -> dict[str, dict]:
        return self.manifest["files"]

    def file(self, name: str) -> Path | None:
        """The path of a published file, or None: only names listed in the manifest resolve."""
        if name not in self.files and name not in (MANIFEST, SUMS):
            return None
        return self.path / name


def open_release(current: Path) -> Release:
    """Pin the release `current` points to now; a later build does not change a running server."""
    if not (current / MANIFEST).exists():
        raise NoReleaseError(f"no release at {current}: run `publisher build` (or `make build`) first")
    path = current.resolve()
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    missing = [part for part in REQUIRED_PARTS if part not in manifest] + [
        name for name in REQUIRED_FILES if name not in manifest.get("files", {})]
    if missing:
        raise NoReleaseError(
            f"the release at {path} lacks {', '.join(missing)}: it was built by an older publisher; "
            "run `publisher build` (or `make build`) again"
        )
    return Release(path, manifest)
