"""Mounts the SPARQL parts on the app: /sparql (protocol + query page), YASGUI's files, canned queries."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from jinja2 import Environment
from starlette.exceptions import HTTPException

from ...release.manifest import Release
from ...settings import Settings
from ..pages import render_page as render_site_page
from .config import SparqlConfig
from .examples import examples
from .protocol import sparql_router
from .service import SparqlService

# installed by `make setup` (npm ci) from the project's package.json; served from our own origin
YASGUI_DIR = Path(__file__).resolve().parents[3] / "node_modules" / "@zazuko" / "yasgui" / "build"
YASGUI_FILES = {"yasgui.min.js": "text/javascript; charset=utf-8", "yasgui.min.css": "text/css; charset=utf-8"}


MAX_EDIT = 10_000


def install_sparql(app: FastAPI, settings: Settings, release: Release, config: SparqlConfig,
                   templates: Environment) -> SparqlService:
    """Register /sparql, YASGUI's files and the canned queries; the service answers the queries
    (app.Site puts its fast path in front of the app)."""
    yasgui_dir = config.yasgui_dir or YASGUI_DIR
    has_yasgui = all((yasgui_dir / name).is_file() for name in YASGUI_FILES)
    examples_ = examples(settings.base_uri)

    def examples_in(lang: str) -> list[dict]:
        """The examples with their titles in one language (the metadata writes "svenska / English")."""
        return [{**ex, "title": ex["title"].partition(" / ")[2 if lang == "en" else 0] or ex["title"]}
                for ex in examples_]

    def render_page(request: Request) -> str:
        # /sparql?edit=<query> opens the page with that query in the editor (links from the pages)
        edit = request.query_params.get("edit", "")[:MAX_EDIT] or None
        return render_site_page(
            "sparql.html", request, release=release, examples=examples_, endpoint="/sparql", yasgui=has_yasgui,
            limits=config, examples_in=examples_in, prefill=edit,
            prefill_json=json.dumps(edit).replace("<", "\\u003c")).decode()

    router, service = sparql_router(release, config, settings.base_uri, render_page)
    app.include_router(router)

    @app.get("/static/yasgui/{name}")
    def yasgui_file(name: str) -> FileResponse:
        if name not in YASGUI_FILES or not has_yasgui:
            raise HTTPException(404, f"no file {name!r}")
        return FileResponse(yasgui_dir / name, media_type=YASGUI_FILES[name],
                            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"})

    from ..canned_routes import canned_router

    app.include_router(canned_router(release, service, settings.base_uri, templates))
    return service
