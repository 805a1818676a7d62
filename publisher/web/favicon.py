"""The site's icon: a small SVG (a green leaf in a circle, the header's colour), and /favicon.ico
pointing to it for clients that ask for the old name without reading the page's <link rel=icon>."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response

ICON = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
        b'<circle cx="16" cy="16" r="15" fill="#2e7d32"/>'
        b'<path d="M9 23c0-9 6-14 15-14 0 9-5 15-14 15l-1-1zm2-1c3-4 6-7 10-9" fill="#fff" stroke="#2e7d32"/>'
        b'</svg>\n')
HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


def favicon_router() -> APIRouter:
    router = APIRouter()

    @router.api_route("/favicon.svg", methods=["GET", "HEAD"])
    def icon() -> Response:
        return Response(ICON, media_type="image/svg+xml", headers=HEADERS)

    @router.api_route("/favicon.ico", methods=["GET", "HEAD"])
    def old_name() -> Response:
        return RedirectResponse("/favicon.svg", status_code=301, headers=HEADERS)

    return router
