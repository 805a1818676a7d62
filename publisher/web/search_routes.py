"""/search?q=…: find resources by any label or code, as an HTML page (sv/en) or JSON (by Accept).

    /search?q=hanin              HTML for browsers, grouped by kind, best match first
    /search?q=hanin  Accept: application/json   {"query", "results": [{id, key, href, label, kind, …}]}
    ?lang=sv|en   page language (else Accept-Language);  ?type=municipality  only that kind;
    ?limit=1..100 (default 50; the header's autocomplete asks for 8)
    /static/search.js            the header box's autocomplete (our own, no third-party code)
    /static/yasgui-a11y.js       accessibility fixes for the YASGUI widget on /sparql

The index is the release's `pages/search.sqlite` (publisher/release/search_index.py): each request
is a few indexed look-ups, nothing of it is held in memory.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from jinja2 import Environment
from starlette.exceptions import HTTPException

from ..release.manifest import Release
from ..release.search_entries import KINDS
from ..release.search_index import MATCH_NAMES, MAX_QUERY, SEARCH_FILE, Hit, SearchIndex, fold
from .conneg import negotiate
from .page_language import header_context

STATIC = Path(__file__).resolve().parent / "static"
SCRIPTS = ("search.js", "yasgui-a11y.js")  # our own scripts, served from our origin
OFFERS = ["text/html", "application/json"]
DEFAULT_LIMIT, MAX_LIMIT = 50, 100
HEADERS = {"Vary": "Accept, Accept-Language", "Cache-Control": "public, max-age=300",
           "X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"}


def open_index(release: Release) -> SearchIndex | None:
    path = release.file(SEARCH_FILE)
    return SearchIndex(path) if path is not None and path.exists() else None


def hit_json(hit: Hit) -> dict:
    return {"id": hit.iri, "key": hit.key, "href": f"/doc/{hit.key}", "label": hit.label, "kind": hit.kind,
            "kindLabel": KINDS.get(hit.kind, KINDS["other"]), "description": hit.description,
            "match": MATCH_NAMES[hit.match], "matchedName": hit.name}


def grouped(hits: list[Hit]) -> list[dict]:
    """Hits grouped by kind; groups in the order of their best hit, hits in rank order inside."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.kind, []).append(hit)
    return [{"kind": kind, "label": KINDS.get(kind, KINDS["other"]), "hits": members}
            for kind, members in groups.items()]


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_LIMIT:
        raise HTTPException(400, f"limit must be a whole number from 1 to {MAX_LIMIT}, not {raw[:20]!r}")
    return int(raw)


def search_router(release: Release, templates: Environment) -> APIRouter:
    index = open_index(release)
    router = APIRouter()

    @router.get("/search")
    def search(request: Request) -> Response:
        if index is None:
            raise HTTPException(503, "this release has no search index: build it again with this publisher")
        params = request.query_params
        query = params.get("q", "")
        if len(query) > MAX_QUERY:
            raise HTTPException(400, f"the query has {len(query)} characters; at most {MAX_QUERY} are read")
        kind = params.get("type") or None
        if kind is not None and kind not in KINDS:
            raise HTTPException(400, f"unknown type {kind[:40]!r}; one of {', '.join(KINDS)}")
        limit = parse_limit(params.get("limit"))
        media = negotiate(request.headers.get("accept"), OFFERS)
        if media is None:
            raise HTTPException(406, "search results are available as text/html and application/json")
        hits = index.search(query, limit, (kind,) if kind else ())
        if media == "application/json":
            return JSONResponse({"query": query, "type": kind, "results": [hit_json(h) for h in hits]},
                                headers=HEADERS)
        context = header_context(request)  # switching language keeps the query
        folded = fold(query)
        html = templates.get_template("search.html").render(
            query=query, kind=kind, kinds=KINDS, groups=grouped(hits), count=len(hits), limit=limit,
            # say which name matched only when the label shown does not contain the query
            shows_match=lambda h: folded not in fold(h.label[context["lang"]]), **context)
        return Response(html.encode(), media_type="text/html; charset=utf-8", headers=HEADERS)

    @router.get("/static/{name}")
    def script(name: str) -> FileResponse:
        if name not in SCRIPTS:
            raise HTTPException(404, f"no file {name[:60]!r}")
        return FileResponse(STATIC / name, media_type="text/javascript; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})

    return router
