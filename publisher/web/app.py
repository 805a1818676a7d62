"""FastAPI application factory: a landing page and the release's dumps."""

from __future__ import annotations

import base64
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..settings import Settings
from .catalog import install as install_catalog
from .release import Release, open_release
from .sparql_config import SparqlConfig

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
FORMAT_LABELS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "rdf": "RDF/XML"}


def create_app(settings: Settings, sparql: SparqlConfig | None = None) -> FastAPI:
    release = open_release(settings.current_release)
    app = FastAPI(title="Klimatsamarbeten LOD", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.release = release

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if "text/html" in request.headers.get("accept", ""):
            html = TEMPLATES.get_template("error.html").render(status=exc.status_code, detail=exc.detail)
            return HTMLResponse(html, status_code=exc.status_code, headers=headers)
        return PlainTextResponse(f"{exc.status_code}: {exc.detail}\n", status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        return PlainTextResponse("400: malformed request\n", status_code=400)

    @app.get("/", response_class=HTMLResponse)
    def landing() -> HTMLResponse:
        return HTMLResponse(TEMPLATES.get_template("landing.html").render(
            release=release, dumps=dump_rows(release)))

    @app.get("/dumps/{name}")
    def dump(name: str) -> Response:
        path = release.file(name)
        if path is None:
            raise StarletteHTTPException(404, f"no file {name!r} in this release")
        info = release.files.get(name, {})
        media_type = info.get("media_type") or (
            "application/json" if name.endswith(".json") else "text/plain; charset=utf-8")
        if media_type.startswith("text/") and "charset" not in media_type:
            media_type += "; charset=utf-8"
        headers = {"X-Content-Type-Options": "nosniff", "Access-Control-Allow-Origin": "*"}
        if "sha256" in info:  # RFC 9530: base64 of the raw digest
            headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(info['sha256'])).decode()}:"
        return FileResponse(path, media_type=media_type, headers=headers)

    @app.get("/dumps/")
    def dump_index() -> JSONResponse:
        return JSONResponse({"version": release.version, "files": release.files})

    install_catalog(app, release, settings)
    from .sparql_routes import install_sparql  # /sparql, the query page, canned queries

    install_sparql(app, settings, release, sparql or SparqlConfig(), TEMPLATES)
    return app


def dump_rows(release: Release) -> list[dict]:
    rows = []
    for name, info in release.files.items():
        if name.endswith(".gz"):
            continue
        suffix = name.rsplit(".", 1)[-1]
        gz = release.files.get(name + ".gz")
        rows.append({"name": name, "format": FORMAT_LABELS.get(suffix, suffix), **info,
                     "gz": name + ".gz" if gz else None, "gz_bytes": gz["bytes"] if gz else None})
    return rows
