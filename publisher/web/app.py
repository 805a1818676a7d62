"""FastAPI application factory: dereferencing and pages (resources.py) in front, the release's dumps."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..release.manifest import downloads, open_release
from ..settings import Settings
from .catalog import install as install_catalog
from .dumps import dumps_router
from .pages import TEMPLATES
from .resources import Dereferencer, error_reply, load_documents, wrap_outermost
from .sparql.config import SparqlConfig


def create_app(settings: Settings, sparql: SparqlConfig | None = None) -> FastAPI:
    release = open_release(settings.current_release)
    app = FastAPI(title="Klimatsamarbeten LOD", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.release = release
    # /, /id/…, /def/…, /doc/…, /sitemap.xml, /robots.txt: precomputed answers, outside all middleware
    wrap_outermost(app, Dereferencer(release, load_documents(release), downloads(release.files)))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        media_type, body = error_reply(exc.status_code, exc.detail, request.headers.get("accept"),
                                       request.headers.get("accept-language"), request.query_params.get("lang"))
        headers = {**(getattr(exc, "headers", None) or {}), "X-Content-Type-Options": "nosniff"}
        return Response(body, status_code=exc.status_code, media_type=media_type, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return PlainTextResponse("400: malformed request\n", status_code=400)

    app.include_router(dumps_router(release))  # /dumps/, /dumps/<file>: downloads with ranges and validators
    from .favicon import favicon_router  # /favicon.svg (and /favicon.ico pointing to it)

    app.include_router(favicon_router())
    from .cube_data import cube_data_router  # /data/…: the statistics cube's slices

    app.include_router(cube_data_router(release))
    install_catalog(app, release, settings)
    from .sparql.routes import install_sparql  # /sparql, the query page, canned queries

    install_sparql(app, settings, release, sparql or SparqlConfig(), TEMPLATES)
    from .search_routes import search_router  # /search (HTML, JSON), the header box's autocomplete

    app.include_router(search_router(release, TEMPLATES))
    from .reconcile_routes import reconcile_router  # /reconcile: W3C Reconciliation Service API 0.2

    app.include_router(reconcile_router(release))
    from .accessibility import accessibility_router  # /accessibility: the accessibility statement

    app.include_router(accessibility_router(release, TEMPLATES))
    return app

