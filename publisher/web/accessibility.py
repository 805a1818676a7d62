"""/accessibility: the accessibility statement (tillgänglighetsredogörelse) in Swedish or English."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from fastapi.responses import Response
from jinja2 import Environment

from ..release.manifest import Release
from .page_language import header_context
from .search_routes import open_index


def accessibility_router(release: Release, templates: Environment) -> APIRouter:
    router = APIRouter()
    published = time.strftime("%Y-%m-%d", time.gmtime(release.last_modified))
    title = release.manifest.get("title", {})
    index = open_index(release)
    contact = index.first("contact/") if index else None
    agent = index.first("agent/") if index else None

    @router.get("/accessibility")
    def statement(request: Request) -> Response:
        context = header_context(request)
        lang = context["lang"]
        html = templates.get_template("accessibility.html").render(
            site_name=title.get(lang) or title.get("sv") or "Klimatsamarbeten",
            publisher=agent["label"][lang] if agent else title.get(lang, ""), version=release.version,
            published=published, contact_href=f"/doc/{contact['key']}" if contact else "/",
            **context)
        return Response(html.encode(), media_type="text/html; charset=utf-8",
                        headers={"Vary": "Accept-Language", "Cache-Control": "public, max-age=300",
                                 "Content-Language": lang, "X-Content-Type-Options": "nosniff"})

    return router
