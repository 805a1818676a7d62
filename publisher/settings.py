"""Explicit, frozen settings built once (by the CLI or a test) and passed down.

Nothing here reads the environment: `Settings.from_root()` only resolves paths.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .errors import ConfigError

DEFAULT_BASE_URI = "http://127.0.0.1:8000/"
# the reused vocabularies' published labels, installed with the project's Node packages (`make setup`)
VOCABULARIES_DIR = (Path(__file__).resolve().parent.parent / "node_modules" / "@zazuko" / "rdf-vocabularies"
                    / "ontologies")


@dataclass(frozen=True)
class Settings:
    """Where things are and under which base URI the dataset is minted.

    - base_uri: every URI of the dataset starts with it (must end with "/").
    - data_dir: the YAML (and CSV) source data.
    - ontology_dir: the vocabulary (Turtle, relative IRIs resolved against base_uri).
    - shapes_dir: the SHACL shapes (same convention).
    - dist_dir: where `build` writes releases; `dist/current` points at the last good one.
    - keep_releases: how many older releases to keep beside the current one.
    - dcat_ap_shapes_dir: SEMIC's DCAT-AP 3.0.1 SHACL folder the build validates the DCAT-AP
      catalogue with (None or missing: that check is skipped, and the build says so).
    - catalog_page_size: datasets per page of /catalog (Hydra paging): the build writes the pages.
    - vocabularies_dir: the N-Quads of the npm package @zazuko/rdf-vocabularies (`make setup`; the
      project's node_modules), where the build reads the reused vocabularies' published labels.
    """

    base_uri: str
    data_dir: Path
    ontology_dir: Path
    shapes_dir: Path
    dist_dir: Path
    keep_releases: int = 3
    dcat_ap_shapes_dir: Path | None = None
    catalog_page_size: int = 100
    vocabularies_dir: Path | None = None

    def __post_init__(self) -> None:
        if not self.base_uri.startswith(("http://", "https://")) or not self.base_uri.endswith("/"):
            raise ConfigError(
                f"base URI {self.base_uri!r} must be an http(s) URI ending with '/', "
                "e.g. https://data.example.se/klimat/"
            )
        if any(c in self.base_uri for c in ' <>"{}|\\^`'):
            raise ConfigError(f"base URI {self.base_uri!r} contains characters not allowed in an IRI")
        if self.catalog_page_size < 1:
            raise ConfigError("catalog_page_size must be 1 or more")
        if self.keep_releases < 0:
            raise ConfigError("keep_releases must be 0 or more")

    @classmethod
    def from_root(cls, root: Path, base_uri: str = DEFAULT_BASE_URI, **overrides: object) -> Settings:
        root = Path(root)
        settings = cls(
            base_uri=base_uri,
            data_dir=root / "data",
            ontology_dir=root / "ontology",
            shapes_dir=root / "shapes",
            dist_dir=root / "dist",
            dcat_ap_shapes_dir=root.resolve().parent / "shared" / "conformance" / "dcat-ap-3.0.1" / "html" / "shacl",
            vocabularies_dir=VOCABULARIES_DIR,
        )
        return replace(settings, **overrides) if overrides else settings

    @property
    def current_release(self) -> Path:
        return self.dist_dir / "current"
