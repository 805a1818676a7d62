"""/queries: the canned queries as stable URLs, as an HTML table, CSV or JSON.

/queries/<name>        HTML for browsers (or JSON / CSV by Accept)
/queries/<name>.csv    CSV (SPARQL 1.1 CSV results, spreadsheet-safe: see canned.spreadsheet_safe)
/queries/<name>.json   {"columns": [...], "rows": [[...]], ...}
Parameters go in the query string (?network=sveriges-ekokommuner&since=2000); missing ones take
their defaults; the page shows the SPARQL text so every table can be reproduced at /sparql.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment
from starlette.exceptions import HTTPException

from ..release.manifest import Release
from ..uris import Minter
from .caching import conditional_response, strong_etag, validator_headers
from .canned import CannedQuery, ParameterError, load_queries, spreadsheet_safe
from .conneg import negotiate
from .pages import render_page
from .sparql.service import CORS, SparqlService

SUFFIXES = {"csv": "text/csv", "json": "application/json", "html": "text/html"}


def _cell(binding: dict | None) -> str:
    return "" if binding is None else binding["value"]


def canned_router(release: Release, service: SparqlService, base_uri: str, templates: Environment) -> APIRouter:
    queries = load_queries()
    minter = Minter(base_uri)
    router = APIRouter()

    def lookup(name: str) -> tuple[CannedQuery, str | None]:
        stem, dot, suffix = name.rpartition(".")
        if dot and suffix in SUFFIXES and stem in queries:
            return queries[stem], SUFFIXES[suffix]
        if name in queries:
            return queries[name], None
        raise HTTPException(404, f"no canned query {name!r}; see /queries")

    @router.get("/queries")
    def index(request: Request) -> Response:
        listing = [{"name": q.name, "title": q.title, "description": q.description, "url": f"/queries/{q.name}",
                    "parameters": {p.name: {"type": p.type, "default": p.default} for p in q.parameters}}
                   for q in queries.values()]
        if negotiate(request.headers.get("accept"), ["application/json", "text/html"]) == "text/html":
            return HTMLResponse(render_page("canned_index.html", request, queries=listing, release=release),
                                headers={"Vary": "Accept, Accept-Language"})
        return JSONResponse({"queries": listing}, headers=CORS)

    @router.get("/queries/{name}")
    async def run(name: str, request: Request) -> Response:
        query, media_type = lookup(name)
        media_type = media_type or negotiate(request.headers.get("accept"),
                                             ["application/json", "text/html", "text/csv"])
        if media_type is None:
            raise HTTPException(406, "this query is available as application/json, text/html and text/csv")
        given = {k: v for k, v in request.query_params.items() if k != "lang"}  # ?lang= picks the page language
        try:
            values, text = query.bound(given, minter)
        except ParameterError as exc:
            raise HTTPException(400, str(exc), headers=CORS) from None
        accept = "text/csv" if media_type == "text/csv" else "application/sparql-results+json"
        job = service.job(text, accept=accept, base_iri=base_uri)  # <def/> etc. resolve against the base
        answer = await service.run(request.client.host if request.client else "unknown", job,
                                   service.config.timeout)
        truncated = answer.truncated
        if media_type == "text/csv":
            body, content_type = spreadsheet_safe(answer.body), "text/csv; charset=utf-8"
        else:
            doc = json.loads(answer.body)
            columns = doc["head"]["vars"]
            rows = [[_cell(b.get(c)) for c in columns] for b in doc["results"]["bindings"]]
            if media_type == "application/json":
                body = json.dumps({"query": query.name, "title": query.title, "parameters": values,
                                   "columns": columns, "rows": rows, "truncated": truncated is not None,
                                   "sparql": query.query}, ensure_ascii=False, indent=1).encode()
                content_type = "application/json"
            else:
                body = render_page("canned.html", request, release=release, q=query, values=values,
                                   columns=columns, rows=rows, truncated=truncated, link_params=urlencode(values),
                                   explicit_lang="lang" in request.query_params)
                content_type = "text/html; charset=utf-8"
        headers = {**CORS, "X-Content-Type-Options": "nosniff"}
        if truncated is not None:
            headers["Result-Truncated"] = f"limit={truncated}"
        etag = strong_etag(body)
        vary = (() if name != query.name else ("Accept",)) + (("Accept-Language",) if media_type == "text/html" else ())
        headers |= validator_headers(etag, release.last_modified, vary=vary)
        conditional = conditional_response(request.headers, etag, release.last_modified, headers)
        if conditional is not None:
            return conditional
        return Response(body, media_type=content_type, headers=headers)

    return router
