"""`/catalog` (DCAT-AP-SE by default, DCAT-AP by profile) and `/.well-known/void`.

Profiles follow W3C Content Negotiation by Profile: the `Accept-Profile` header (profile IRIs in
angle brackets or tokens, with q-values) or the `_profile` query parameter (`dcat-ap-se`,
`dcat-ap`, or a profile IRI); `_mediatype` overrides Accept. The answer names its profile in
`Content-Profile` and varies on `Accept, Accept-Profile`. With no Accept header at all (as the
Swedish portal fetches) or `*/*`, the answer is RDF/XML. An unknown profile or format is a 406.

The build wrote each profile's whole catalogue into the release; this module only pages it
(Hydra `PartialCollectionView` with `hydra:next`/`hydra:previous`, `?page=N`,
`catalog_page_size` datasets a page) and serialises the page. The VoID description is served as
the build wrote it, byte for byte.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, RDF, XSD
from starlette.exceptions import HTTPException

from ..release.catalogue_page import catalogue_model
from ..release.formats import BY_KEY, RDF_FORMATS, RdfFormat, format_for
from ..release.labels import TERM_LABELS_FILE, TermLabels
from ..release.manifest import CONTEXT, Release
from ..settings import Settings
from ..uris import Minter
from .caching import conditional_response, strong_etag, validator_headers
from .conneg import negotiate, split_list
from .pages import render_page

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CATALOG_ORDER = ("rdf", "ttl", "jsonld", "nt")  # RDF/XML first: what a portal gets without asking
VOID_ORDER = ("ttl", "jsonld", "rdf", "nt")
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


# --- paging (pure) --------------------------------------------------------------------------


def _reach(graph: Graph, start: URIRef, stop: set) -> set:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, o in graph.predicate_objects(node):
            if not isinstance(o, Literal) and o not in stop and o not in seen:
                todo.append(o)
    return seen


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def page_graph(graph: Graph, catalog: URIRef, page: int, size: int, minter: Minter,
               params: dict[str, str]) -> Graph:
    """One page of the catalogue: the catalogue's own description and shared resources (publisher,
    services, ...), the datasets of this page with everything only they reach, and the Hydra view."""
    datasets = sorted(graph.objects(catalog, DCAT.dataset))
    total = len(datasets)
    pages = page_count(total, size)
    on_page = set(datasets[(page - 1) * size: page * size])
    off_page = set(datasets) - on_page
    shared = _reach(graph, catalog, set(datasets))
    keep = set(shared)
    for d in on_page:
        keep |= _reach(graph, d, set(datasets) - {d})
    out = Graph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns)
    out.bind("hydra", HYDRA)
    for s, p, o in graph:
        if s in keep and o not in off_page:
            out.add((s, p, o))
    view = minter.catalog_page(page, params)
    out.add((view, RDF.type, HYDRA.PartialCollectionView))
    out.add((catalog, HYDRA.view, view))
    out.add((view, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    out.add((view, HYDRA.itemsPerPage, Literal(size, datatype=XSD.integer)))
    out.add((view, HYDRA.first, minter.catalog_page(1, params)))
    out.add((view, HYDRA.last, minter.catalog_page(pages, params)))
    if page > 1:
        out.add((view, HYDRA.previous, minter.catalog_page(page - 1, params)))
    if page < pages:
        out.add((view, HYDRA.next, minter.catalog_page(page + 1, params)))
    return out


def serialise(graph: Graph, fmt: RdfFormat, context: dict) -> bytes:
    """The same bytes for the same graph in every process (replicas must send the same ETags):
    triples added in sorted order, the prefixes rdflib would invent (ns1, ns2, …) given in the
    order of the IRIs they stand for, not of Python's per-process set hashing, and the JSON-LD's
    unordered arrays sorted."""
    ordered = Graph(store="SimpleMemory")
    for prefix, ns in graph.namespaces():
        ordered.bind(prefix, ns)
    for triple in sorted(graph, key=lambda t: tuple(x.n3() for x in t)):
        ordered.add(triple)
    if fmt.key == "nt":
        lines = sorted({x for x in ordered.serialize(format="nt").splitlines() if x.strip()})
        return ("\n".join(lines) + "\n").encode()
    if fmt.key == "jsonld":
        text = ordered.serialize(format="json-ld", context=context, auto_compact=True)
        return (json.dumps(_sorted_arrays(json.loads(text)), indent=2, sort_keys=True, ensure_ascii=False)
                + "\n").encode()
    names = {p for _, p, _ in ordered} | {o for _, p, o in ordered if p == RDF.type and isinstance(o, URIRef)}
    for name in sorted(names):
        with contextlib.suppress(ValueError, KeyError):
            ordered.namespace_manager.compute_qname(name, generate=True)
    return ordered.serialize(format=fmt.rdflib, encoding="utf-8")


def _sorted_arrays(value):
    """JSON-LD with every array in a canonical order, except @list (an RDF list keeps its order) and
    @context (a later context overrides an earlier one)."""
    if isinstance(value, dict):
        return {k: (v if k in ("@list", "@context") else _sorted_arrays(v)) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_arrays(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


# --- the routes ------------------------------------------------------------------------------


def profile_graphs(release: Release, info: dict) -> dict[str, Graph]:
    """Each profile's whole catalogue as the build wrote it (N-Triples): what the pages are cut from."""

    def load(stem: str) -> Graph:
        path = release.file(f"{stem}.nt")
        if path is None or not path.exists():
            raise HTTPException(404, f"this release has no {stem}")
        return Graph().parse(path, format="nt")

    return {token: load(p["stem"]) for token, p in info.get("profiles", {}).items()}


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


def html_catalogue(release: Release, settings: Settings, graphs: dict[str, Graph], profiles: dict[str, str],
                   default: str):
    """The /catalog page a browser gets: `(request) -> Response`."""
    minter = Minter(settings.base_uri)

    @lru_cache(maxsize=1)
    def html_model() -> dict:
        """The catalogue page (every dataset and distribution, all pages of the RDF in one), with
        the labels of the release's table: a browser asking /catalog gets words, not IRIs."""
        terms_file = release.file(TERM_LABELS_FILE)
        terms = TermLabels.from_json(terms_file.read_bytes()) if terms_file and terms_file.exists() else TermLabels()
        return catalogue_model(graphs[default], minter.catalog, settings.base_uri, terms)

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


def page_context(release: Release) -> dict:
    """The JSON-LD context of a catalogue page: the release's, with Hydra's, SPDX's and DCAT-AP's prefixes."""
    context = {}
    if release.file(CONTEXT) and release.file(CONTEXT).exists():
        context = json.loads(release.file(CONTEXT).read_text(encoding="utf-8"))["@context"]
    return {**context, "hydra": str(HYDRA), "spdx": "http://spdx.org/rdf/terms#",
            "dcatap": "http://data.europa.eu/r5r/"}


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


def catalog_router(release: Release, settings: Settings) -> APIRouter:
    router = APIRouter()
    minter = Minter(settings.base_uri)
    info = release.manifest.get("catalog") or {}
    profiles = {token: p["uri"] for token, p in info.get("profiles", {}).items()}
    default = info.get("default_profile", "dcat-ap-se")
    context = page_context(release)

    graphs = profile_graphs(release, info)

    @lru_cache(maxsize=256)
    def render(profile: str, page: int, key: str, params: tuple) -> bytes:
        g = page_graph(graphs[profile], minter.catalog, page, settings.catalog_page_size, minter,
                       dict(params))
        return serialise(g, BY_KEY[key], context)

    @lru_cache(maxsize=8)
    def void_bytes(key: str) -> bytes:
        """The VoID description as the build wrote it in this format."""
        path = release.file(f"{info.get('void', 'void')}.{key}")
        if path is None or not path.exists():
            raise HTTPException(404, "this release has no VoID description")
        return path.read_bytes()

    catalog_page = html_catalogue(release, settings, graphs, profiles, default)

    @router.api_route("/catalog", methods=["GET", "HEAD"])
    def catalog(request: Request) -> Response:
        if not graphs:
            raise HTTPException(404, "this release has no catalogue")
        if wants_html(request) and default in graphs:
            return catalog_page(request)
        q = request.query_params
        profile, fmt = negotiated(request, profiles, default)
        total = len(set(graphs[profile].objects(minter.catalog, DCAT.dataset)))
        page = page_number(q.get("page", "1"), page_count(total, settings.catalog_page_size))
        params = tuple(sorted((k, q[k]) for k in ("_profile", "_mediatype") if k in q))
        body = render(profile, page, fmt.key, params)
        alternates = alternate_links(minter, profiles, but=(profile, fmt.key))
        headers = {
            "Content-Profile": f"<{profiles[profile]}>",
            "Link": link((profiles[profile], "profile"), (str(minter.void_document), "describedby"))
            + ", " + alternates,
        }
        return respond(request, release, body, fmt, headers, VARY)

    @router.api_route("/.well-known/void", methods=["GET", "HEAD"])
    def void(request: Request) -> Response:
        q = request.query_params
        fmt = choose_format(q.get("_mediatype"), request.headers.get("accept"), VOID_ORDER)
        if fmt is None:
            raise HTTPException(406, "the VoID description is available as "
                                + ", ".join(BY_KEY[k].media_type for k in VOID_ORDER))
        return respond(request, release, void_bytes(fmt.key), fmt,
                       {"Link": link((str(minter.catalog), "related"))}, ("Accept",))

    return router


__all__ = ["RDF_FORMATS", "catalog_router", "choose_format", "choose_profile", "page_graph"]
