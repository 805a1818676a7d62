"""The application: FastAPI's routes, and in front of them every layer a request passes, listed in
one place (`Site.build_middleware_stack`). ARCHITECTURE.md draws the same path."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from ..release.manifest import Release, downloads, open_release
from ..settings import Settings
from .access_log import AccessLog
from .catalog import catalog_router
from .dumps import dumps_router
from .health import ReleaseLayer
from .pages import TEMPLATES
from .resources import Dereferencer, DereferencingMiddleware, error_reply, load_documents
from .sparql.config import SparqlConfig
from .sparql.fastpath import SparqlFastPath
from .sparql.service import SparqlService


class Site(FastAPI):
    """FastAPI with this site's own layers in front of its routes."""

    release: Release
    dereferencer: Dereferencer
    sparql: SparqlService
    log_requests: bool = False
    access_log: AccessLog | None = None  # the outermost layer, once built (the supervisor tells it to close)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """An HTTP request goes straight into the stack below, once it is built: FastAPI's own
        `__call__` (its telemetry hooks) is per-request work in front of the fast paths. Lifespan
        events, and the first call that builds the stack, go through it."""
        if scope["type"] == "http" and self.middleware_stack is not None:
            scope["app"] = self
            await self.middleware_stack(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    def build_middleware_stack(self) -> ASGIApp:
        """Every layer, innermost first. Starlette calls this once, before the first request."""
        # FastAPI's own: ServerErrorMiddleware (a 500 for a bug) → ExceptionMiddleware (http_error: the
        # negotiated error page) → the routes
        app = super().build_middleware_stack()
        # /, /id/…, /def/…, /doc/…, /sitemap.xml, /robots.txt: answered from precomputed documents before
        # FastAPI's per-request work; for every route behind it, HEAD runs as GET and an over-long
        # Accept gets 431
        app = DereferencingMiddleware(app, self.dereferencer)
        # /sparql straight from the ASGI scope (FastAPI's routing costs more than a lookup query takes);
        # outside the dereferencer, whose HEAD-as-GET and 431 it does in its own way
        app = SparqlFastPath(app, self.sparql)
        # /healthz, and Release-Version on every answer, the fast paths' too
        app = ReleaseLayer(app, self.release, self.sparql.store_path)
        if self.log_requests:  # a serving process (serve.py): one line per request, whoever answered it
            app = self.access_log = AccessLog(app)
        return app


def create_app(settings: Settings, sparql: SparqlConfig | None = None, log_requests: bool = False) -> Site:
    release = open_release(settings.current_release)
    app = Site(title="Klimatsamarbeten LOD", docs_url=None, redoc_url=None, openapi_url=None)
    app.release, app.log_requests = release, log_requests
    app.dereferencer = Dereferencer(release, load_documents(release), downloads(release.files))

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
    app.include_router(catalog_router(release, settings))  # /catalog, /.well-known/void
    from .sparql.routes import install_sparql  # /sparql, the query page, canned queries

    app.sparql = install_sparql(app, settings, release, sparql or SparqlConfig(), TEMPLATES)
    from .search_routes import search_router  # /search (HTML, JSON), the header box's autocomplete

    app.include_router(search_router(release, TEMPLATES))
    from .reconcile_routes import reconcile_router  # /reconcile: W3C Reconciliation Service API 0.2

    app.include_router(reconcile_router(release))
    from .accessibility import accessibility_router  # /accessibility: the accessibility statement

    app.include_router(accessibility_router(release, TEMPLATES))
    return app
