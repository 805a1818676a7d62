"""`/catalog` (DCAT-AP-SE by default, DCAT-AP by profile) and `/.well-known/void`.

Profiles follow W3C Content Negotiation by Profile: the `Accept-Profile` header (profile IRIs in
angle brackets or tokens, with q-values) or the `_profile` query parameter (`dcat-ap-se`,
`dcat-ap`, or a profile IRI); `_mediatype` overrides Accept. The answer names its profile in
`Content-Profile` and varies on `Accept, Accept-Profile`. With no Accept header at all (as the
Swedish portal fetches) or `*/*`, the answer is RDF/XML. An unknown profile or format is a 406.

The build wrote every page of the catalogue (Hydra `PartialCollectionView` with
`hydra:next`/`hydra:previous`, `?page=N`, `catalog_page_size` datasets a page) in every profile and
format, each with its links spelled four ways (with or without `_profile`, with or without
`_mediatype`: dataset/catalogue_pages.py), and the HTML page's model; this module negotiates, picks
the file (release/manifest.catalogue_page_name) and sends its bytes as they are, as it does the
VoID description. It parses and serialises nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..release.formats import BY_KEY, CATALOG_ORDER, RDF_FORMATS, VOID_ORDER, RdfFormat, format_for
from ..release.manifest import CATALOGUE_MODEL, CATALOGUE_PAGES, Release, catalogue_page_name
from ..settings import Settings
from ..uris import Minter
from .caching import conditional_response, strong_etag, validator_headers
from .conneg import negotiate, split_list
from .pages import render_page

VARY = ("Accept", "Accept-Profile")
_PROFILE_ITEM = re.compile(r'^\s*(?:<([^>]*)>|([A-Za-z0-9._:/#-]+))\s*((?:;[^;]*)*)$')


def parse_accept_profile(header: str | None) -> list[tuple[str, float]]:
    """(profile IRI or token, q) of an Accept-Profile header, best first, every item of it (commas
    inside `<IRI>` or quotes do not split); garbage is ignored. An over-long header never gets here:
    the app refuses it with 431 (conneg.oversized_header)."""
    if not header:
        return []
    out = []
    for order, item in enumerate(split_list(header, angles=True)):
        m = _PROFILE_ITEM.match(item)
        if not m:
            continue
        q = 1.0
        for param in (m.group(3) or "").split(";"):
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        out.append((m.group(1) or m.group(2), q, order))
    out.sort(key=lambda t: (-t[1], t[2]))
    return [(name, q) for name, q, _ in out]


def choose_profile(param: str | None, header: str | None, profiles: dict[str, str],
                   default: str) -> str | None:
    """The profile token to answer with, or None (406). `profiles` maps token -> profile IRI."""
    by_iri = {iri: token for token, iri in profiles.items()}
    if param is not None:
        return param if param in profiles else by_iri.get(param)
    asked = parse_accept_profile(header)
    if not asked:
        return default
    for name, q in asked:
        if q <= 0:
            continue
        if name == "*":
            return default
        token = name if name in profiles else by_iri.get(name)
        if token:
            return token
    return None


def choose_format(mediatype: str | None, accept: str | None, order: Sequence[str]) -> RdfFormat | None:
    formats = [BY_KEY[k] for k in order]
    if mediatype is not None:
        mediatype = mediatype.strip().replace(" ", "+")  # an unencoded '+' arrives as a space
        return BY_KEY.get(mediatype) if mediatype in order else (
            f if (f := format_for(mediatype)) in formats else None)
    if accept is None:
        return formats[0]
    offers = [f.media_type for f in formats] + [a for f in formats for a in f.aliases]
    chosen = negotiate(accept, offers)
    return format_for(chosen) if chosen else None


# --- the routes ------------------------------------------------------------------------------


def respond(request: Request, release: Release, body: bytes, fmt: RdfFormat, extra: dict[str, str],
            vary: Iterable[str]) -> Response:
    etag = strong_etag(body)
    headers = {**validator_headers(etag, release.last_modified, vary), **extra,
               "Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
    conditional = conditional_response(request.headers, etag, release.last_modified, headers)
    if conditional is not None:
        return conditional
    return Response(body, media_type=fmt.content_type, headers=headers)


def wants_html(request: Request) -> bool:
    """A browser: HTML preferred over every RDF format, and no `_mediatype` or `_profile` asked."""
    q = request.query_params
    if "_mediatype" in q or "_profile" in q or not request.headers.get("accept"):
        return False  # a portal asking without Accept gets RDF/XML, as before
    offers = [BY_KEY[k].media_type for k in CATALOG_ORDER] + ["text/html"]
    return negotiate(request.headers.get("accept"), offers) == "text/html"


def html_catalogue(release: Release, settings: Settings, profiles: dict[str, str], default: str):
    """The /catalog page a browser gets: `(request) -> Response`, or None if the release has no model."""
    minter = Minter(settings.base_uri)
    model_file = release.file(CATALOGUE_MODEL)
    if model_file is None or not model_file.exists():
        return None

    @lru_cache(maxsize=1)
    def html_model() -> dict:
        """What the build wrote for the page: every dataset and distribution, with labels."""
        return json.loads(model_file.read_bytes())

    def catalog_page(request: Request) -> Response:
        rdf_links = [{"profile": token, "format": BY_KEY[k].label, "media_type": BY_KEY[k].media_type,
                      "href": f"/catalog?_profile={token}&_mediatype={quote(BY_KEY[k].media_type, safe='/')}"}
                     for token in sorted(profiles) for k in CATALOG_ORDER]
        # one page for the whole catalogue, whatever else the query says (`?page=` is the RDF's paging):
        # the same bytes for every request in one language, so a static copy can hold it
        body = render_page("catalog.html", request, keep_query=False, catalog=html_model(), rdf_links=rdf_links)
        etag = strong_etag(body)
        alternates = alternate_links(minter, profiles)
        headers = {**validator_headers(etag, release.last_modified, ("Accept", "Accept-Profile", "Accept-Language")),
                   "Content-Profile": f"<{profiles[default]}>", "Link": alternates,
                   "X-Content-Type-Options": "nosniff"}
        conditional = conditional_response(request.headers, etag, release.last_modified, headers)
        if conditional is not None:
            return conditional
        return Response(body, media_type="text/html; charset=utf-8", headers=headers)

    return catalog_page


def link(*items: tuple[str, str]) -> str:
    return ", ".join(f'<{target}>; rel="{rel}"' for target, rel in items)


def alternate_links(minter: Minter, profiles: dict[str, str], but: tuple[str, str] | None = None) -> str:
    """Link header entries for the catalogue in every profile and RDF format (except `but`)."""
    return ", ".join(
        f'<{minter.catalog_with({"_profile": token, "_mediatype": BY_KEY[k].media_type})}>; rel="alternate"; '
        f'type="{BY_KEY[k].media_type}"; profile="{iri}"'
        for token, iri in sorted(profiles.items()) for k in CATALOG_ORDER if (token, k) != but)


def negotiated(request: Request, profiles: dict[str, str], default: str) -> tuple[str, RdfFormat]:
    """The profile and RDF format a request asks for, or 406."""
    q = request.query_params
    profile = choose_profile(q.get("_profile"), request.headers.get("accept-profile"), profiles, default)
    if profile is None:
        raise HTTPException(406, "unknown profile; this catalogue has the profiles "
                            + ", ".join(f"{t} <{iri}>" for t, iri in profiles.items()))
    fmt = choose_format(q.get("_mediatype"), request.headers.get("accept"), CATALOG_ORDER)
    if fmt is None:
        raise HTTPException(406, "the catalogue is available as "
                            + ", ".join(BY_KEY[k].media_type for k in CATALOG_ORDER))
    return profile, fmt


def page_number(raw_page: str, pages: int) -> int:
    """?page=N as a number, 400 if it is not a positive whole number, 404 past the last page."""
    if not re.fullmatch(r"[0-9]{1,7}", raw_page) or int(raw_page) < 1:
        raise HTTPException(400, f"page must be a positive whole number, not {raw_page[:20]!r}")
    page = int(raw_page)
    if page > pages:
        raise HTTPException(404, f"the catalogue has {pages} page(s)")
    return page


def rdf_links(minter: Minter, profiles: dict[str, str], profile: str, key: str) -> str:
    """The Link header of a page of the catalogue in `profile` and format `key`."""
    return (link((profiles[profile], "profile"), (str(minter.void_document), "describedby")) + ", "
            + alternate_links(minter, profiles, but=(profile, key)))


def page_file(request: Request, profile: str, fmt: RdfFormat, pages: int) -> str:
    """The release file that answers a request for a page of the catalogue. A request that names
    its profile or format in the query (`_profile` as a token or an IRI, `_mediatype` in any
    spelling) gets the page whose Hydra links carry the choice, spelled as the catalogue's own links
    spell it (the token, the media type): following them keeps the profile and format."""
    q = request.query_params
    page = page_number(q.get("page", "1"), pages)
    return f"{CATALOGUE_PAGES}/{catalogue_page_name(profile, page, fmt.key, '_profile' in q, '_mediatype' in q)}"


def catalog_router(release: Release, settings: Settings) -> APIRouter:
    router = APIRouter()
    minter = Minter(settings.base_uri)
    info = release.manifest.get("catalog") or {}
    profiles = {token: p["uri"] for token, p in info.get("profiles", {}).items()}
    pages = {token: p.get("pages", 0) for token, p in info.get("profiles", {}).items()}
    default = info.get("default_profile", "dcat-ap-se")

    @lru_cache(maxsize=256)
    def release_bytes(name: str) -> bytes:
        """A file of the release as the build wrote it (a page of the catalogue, the VoID description)."""
        path = release.file(name)
        if path is None or not path.exists():
            raise HTTPException(404, f"this release has no {name}")
        return path.read_bytes()

    catalog_page = html_catalogue(release, settings, profiles, default)

    @router.api_route("/catalog", methods=["GET", "HEAD"])
    def catalog(request: Request) -> Response:
        if not profiles or not all(pages.values()):
            raise HTTPException(404, "this release has no catalogue pages: build it again with this publisher")
        if catalog_page is not None and wants_html(request):
            return catalog_page(request)
        profile, fmt = negotiated(request, profiles, default)
        body = release_bytes(page_file(request, profile, fmt, pages[profile]))
        headers = {"Content-Profile": f"<{profiles[profile]}>", "Link": rdf_links(minter, profiles, profile, fmt.key)}
        return respond(request, release, body, fmt, headers, VARY)

    @router.api_route("/.well-known/void", methods=["GET", "HEAD"])
    def void(request: Request) -> Response:
        q = request.query_params
        fmt = choose_format(q.get("_mediatype"), request.headers.get("accept"), VOID_ORDER)
        if fmt is None:
            raise HTTPException(406, "the VoID description is available as "
                                + ", ".join(BY_KEY[k].media_type for k in VOID_ORDER))
        return respond(request, release, release_bytes(f"{info.get('void', 'void')}.{fmt.key}"), fmt,
                       {"Link": link((str(minter.catalog), "related"))}, ("Accept",))

    return router


__all__ = ["RDF_FORMATS", "catalog_router", "choose_format", "choose_profile"]
