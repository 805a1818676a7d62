"""The one place that mints and parses the dataset's URIs.

Every thing gets `<base>id/<kind>/<key>`; keys are ASCII slugs (å, ä, ö never reach a path).
Membership periods and their start instants are fragment IRIs of the membership, so the
published graph has no blank nodes and serialises the same way every time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlencode

from rdflib import URIRef

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

KINDS = (
    "municipality",
    "county",
    "organisation",
    "membership",
    "scheme",
    "concept",
    "source",
    "publication",
    "dataset",
    "structure",
    "observation",
    "distribution",
    "service",
    "agent",
    "contact",
)


def slugify(text: str) -> str:
    """ASCII slug: 'Södertälje kommun' -> 'sodertalje-kommun'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def is_slug(text: str) -> bool:
    return bool(SLUG_RE.match(text))


@dataclass(frozen=True)
class Minter:
    base_uri: str

    def thing(self, kind: str, *keys: str) -> URIRef:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of thing: {kind}")
        for key in keys:
            if not is_slug(key):
                raise ValueError(f"URI key {key!r} is not an ASCII slug")
        return URIRef(f"{self.base_uri}id/{kind}/{'/'.join(keys)}")

    def municipality(self, code: str) -> URIRef:
        return self.thing("municipality", code)

    def county(self, code: str) -> URIRef:
        return self.thing("county", code)

    def organisation(self, ident: str) -> URIRef:
        return self.thing("organisation", ident)

    def membership(self, member: str, organisation: str, qualifier: str | None = None) -> URIRef:
        key = f"{member}--{organisation}" + (f"--{qualifier}" if qualifier else "")
        return URIRef(f"{self.base_uri}id/membership/{key}")

    def period(self, membership: URIRef) -> URIRef:
        return URIRef(f"{membership}#period")

    def start(self, membership: URIRef) -> URIRef:
        return URIRef(f"{membership}#start")

    def scheme(self, ident: str) -> URIRef:
        return self.thing("scheme", ident)

    def concept(self, scheme: str, ident: str) -> URIRef:
        return self.thing("concept", scheme, ident)

    def source(self, ident: str) -> URIRef:
        return self.thing("source", ident)

    def publication(self, ident: str) -> URIRef:
        return self.thing("publication", ident)

    def commitment(self, organisation: str) -> URIRef:
        return URIRef(f"{self.organisation(organisation)}#commitment")

    def dataset(self, ident: str) -> URIRef:
        return self.thing("dataset", ident)

    def structure(self, ident: str) -> URIRef:
        """A qb:DataStructureDefinition: <base>id/structure/<ident>."""
        return self.thing("structure", ident)

    def component(self, structure: URIRef, name: str) -> URIRef:
        """A component specification of a structure: a fragment of it (<structure>#<name>)."""
        if not is_slug(name):
            raise ValueError(f"URI key {name!r} is not an ASCII slug")
        return URIRef(f"{structure}#{name}")

    def observation(self, dataset: str, indicator: str, municipality: str, year: int | str) -> URIRef:
        """A qb:Observation: <base>id/observation/<dataset>/<indicator>/<municipality code>/<year>."""
        return self.thing("observation", dataset, indicator, municipality, str(year))
    def distribution(self, dataset: str, file_name: str) -> URIRef:
        """One download of a dataset: `<base>id/distribution/<dataset>/<file-name-slug>`."""
        return self.thing("distribution", dataset, slugify(file_name))

    def service(self, ident: str) -> URIRef:
        """A data service (the SPARQL endpoint, the linked-data interface)."""
        return self.thing("service", ident)

    def agent(self, ident: str) -> URIRef:
        """A publisher of the catalogue (an agent that is not in the data)."""
        return self.thing("agent", ident)

    def contact(self, ident: str) -> URIRef:
        """A contact point (vcard) of the catalogue."""
        return self.thing("contact", ident)

    @property
    def catalog(self) -> URIRef:
        """The catalogue: served at this IRI (`<base>catalog`)."""
        return URIRef(f"{self.base_uri}catalog")

    def catalog_with(self, params: dict[str, str]) -> URIRef:
        """The catalogue with query parameters (_profile, _mediatype, page), sorted and encoded."""
        return URIRef(f"{self.base_uri}catalog?{urlencode(sorted(params.items()))}")

    def catalog_page(self, page: int, params: dict[str, str] | None = None) -> URIRef:
        """One page of the catalogue (Hydra paging), keeping the request's _profile/_mediatype."""
        return self.catalog_with({**(params or {}), "page": str(int(page))})

    @property
    def void_document(self) -> URIRef:
        """The VoID description: served at this IRI (`<base>.well-known/void`)."""
        return URIRef(f"{self.base_uri}.well-known/void")

    @property
    def sparql_endpoint(self) -> URIRef:
        return URIRef(f"{self.base_uri}sparql")

    def dump(self, file_name: str) -> URIRef:
        """Where a file of the release is downloaded: `<base>dumps/<file>`."""
        if "/" in file_name or not file_name or file_name.startswith("."):
            raise ValueError(f"not a release file name: {file_name!r}")
        return URIRef(f"{self.base_uri}dumps/{file_name}")

    @property
    def landing_page(self) -> URIRef:
        return URIRef(self.base_uri)

    def term(self, name: str) -> URIRef:
        return URIRef(f"{self.base_uri}def/{name}")

    @property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base_uri}def/")

