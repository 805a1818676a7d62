"""/reconcile: the Reconciliation Service API 0.2 over HTTP (logic in reconcile_service.py).

    GET  /reconcile                      the manifest (JSON; JSONP with ?callback=)
    POST /reconcile   queries=<JSON>     a batch of reconciliation queries (form field, as OpenRefine
                                         sends it; also ?queries= on GET, or a JSON body {"queries": …})
    POST /reconcile   extend=<JSON>      data extension (also ?extend= on GET)
    GET  /reconcile/suggest/entity?prefix=…[&type=…][&cursor=…]
    GET  /reconcile/suggest/type?prefix=…,  /reconcile/suggest/property?prefix=…
    GET  /reconcile/properties?type=…[&limit=…]   properties proposed for data extension
    GET  /reconcile/preview?id=…         a small HTML card for OpenRefine's preview pane
/reconcile/en/… is the same service with English names. Every answer allows any origin (CORS),
preflight requests included.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from ..release.manifest import Release
from ..release.search_entries import KINDS
from .reconcile_service import (
    BadRequest,
    extend,
    manifest,
    propose_properties,
    reconcile,
    suggest_entities,
    suggest_properties,
    suggest_types,
)
from .search_routes import open_index

CORS = {"Access-Control-Allow-Origin": "*", "X-Content-Type-Options": "nosniff"}
PREFLIGHT = {**CORS, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Content-Type, Accept", "Access-Control-Max-Age": "86400"}
CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$")
MAX_BODY = 1_000_000


def _reply(request: Request, value: object, status: int = 200) -> Response:
    body = json.dumps(value, ensure_ascii=False)
    callback = request.query_params.get("callback")
    if callback is not None:  # JSONP, for older clients
        if not CALLBACK.match(callback):
            raise HTTPException(400, "callback must be a JavaScript identifier", headers=CORS)
        return Response(f"/**/{callback}({body});", status, media_type="text/javascript; charset=utf-8",
                        headers=CORS)
    return Response(body, status, media_type="application/json", headers=CORS)


def _json_param(name: str, raw: str) -> object:
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise HTTPException(400, f"the {name} parameter is not JSON: {exc}", headers=CORS) from None


async def _payload(request: Request) -> dict[str, object]:
    """`queries` / `extend` from the query string, a form body, or a JSON body."""
    found: dict[str, object] = {}
    for name in ("queries", "extend"):
        if name in request.query_params:
            found[name] = _json_param(name, request.query_params[name])
    if request.method == "POST":
        body = await request.body()
        if len(body) > MAX_BODY:
            raise HTTPException(413, f"the request body is over {MAX_BODY} bytes; send smaller batches",
                                headers=CORS)
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            doc = _json_param("body", body.decode("utf-8", "replace"))
            if isinstance(doc, dict) and ("queries" in doc or "extend" in doc):
                found.update({k: doc[k] for k in ("queries", "extend") if k in doc})
            else:
                found["queries"] = doc
        elif ctype in ("application/x-www-form-urlencoded", ""):
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            for name in ("queries", "extend"):
                if name in form:
                    found[name] = _json_param(name, form[name][-1])
        else:
            raise HTTPException(415, "send the form field queries (or extend) as application/x-www-form-urlencoded,"
                                " or a JSON body", headers=CORS)
    return found


def reconcile_router(release: Release) -> APIRouter:
    index = open_index(release)
    router = APIRouter()
    title = release.manifest.get("title", {})

    def need_index():
        if index is None:
            raise HTTPException(503, "this release has no search index: build it again with this publisher",
                                headers=CORS)
        return index

    def routes(prefix: str, lang: str) -> None:
        @router.api_route(prefix, methods=["GET", "POST"])
        async def service(request: Request) -> Response:
            found = await _payload(request)
            try:
                if "queries" in found:
                    return _reply(request, reconcile(need_index(), found["queries"], lang))
                if "extend" in found:
                    return _reply(request, extend(need_index(), found["extend"], lang))
            except BadRequest as exc:
                raise HTTPException(400, str(exc), headers=CORS) from None
            if request.method == "POST":
                raise HTTPException(400, "POST needs a form field queries or extend", headers=CORS)
            site = str(request.base_url).rstrip("/")
            name = f"{title.get(lang) or title.get('sv') or 'Klimatsamarbeten'}"
            return _reply(request, manifest(name, release.manifest["base_uri"], site + prefix, site, lang))

        @router.get(prefix + "/suggest/{what}")
        def suggest(what: str, request: Request) -> Response:
            params = request.query_params
            prefix_ = params.get("prefix", "")[:200]
            if what == "entity":
                kinds = tuple(k for k in params.getlist("type") if k in KINDS)
                cursor = params.get("cursor", "0")
                if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > 90:
                    raise HTTPException(400, "cursor must be a whole number from 0 to 90", headers=CORS)
                return _reply(request, suggest_entities(need_index(), prefix_, kinds, int(cursor), lang))
            if what == "type":
                return _reply(request, suggest_types(prefix_, lang))
            if what == "property":
                return _reply(request, suggest_properties(prefix_, lang))
            raise HTTPException(404, f"no suggest service {what[:40]!r}: entity, type or property", headers=CORS)

        @router.get(prefix + "/properties")
        def properties(request: Request) -> Response:
            raw = request.query_params.get("limit", "0")
            if not (raw.isascii() and raw.isdigit()):
                raise HTTPException(400, "limit must be a whole number", headers=CORS)
            try:
                return _reply(request, propose_properties(request.query_params.get("type") or None, int(raw), lang))
            except BadRequest as exc:
                raise HTTPException(400, str(exc), headers=CORS) from None

        @router.get(prefix + "/preview")
        def preview(request: Request) -> Response:
            key = request.query_params.get("id", "")
            entity = need_index().entity(key)
            if entity is None:
                raise HTTPException(404, f"no entity {key[:80]!r} in this dataset", headers=CORS)
            return Response(preview_html(entity, lang), media_type="text/html; charset=utf-8", headers=CORS)

        @router.options(prefix + "{rest:path}")
        def preflight(rest: str) -> Response:
            return Response(status_code=204, headers=PREFLIGHT)

    routes("/reconcile", "sv")
    routes("/reconcile/en", "en")
    return router


def preview_html(entity: dict, lang: str) -> str:
    """A card of at most 400 x 140 pixels: name, what it is, its codes, a link to its page."""
    e = html.escape
    ext = entity["extension"]
    codes = ", ".join(e(c) for field in ("code", "organisationNumber", "wikidata") for c in ext.get(field, []))
    link = {"sv": "Öppna sidan", "en": "Open the page"}[lang]
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{e(entity["label"][lang])}'
            f'</title><style>body{{font:14px system-ui,sans-serif;margin:.4rem;color:#1b1b1b}}h1{{font-size:1rem;'
            f'margin:0}}p{{margin:.2rem 0}}a{{color:#0b57a4}}</style></head><body><h1>{e(entity["label"][lang])}</h1>'
            f'<p>{e(entity["description"][lang])}</p>' + (f"<p>{codes}</p>" if codes else "") +
            f'<p><a href="/doc/{e(entity["key"])}?lang={lang}" target="_blank" rel="noopener">{link}</a></p>'
            "</body></html>")
