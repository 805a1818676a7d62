"""/sparql outside FastAPI's routing: a plain ASGI layer that calls the endpoint's handlers directly.

FastAPI's router, middleware stack and exception middleware cost milliseconds per request, as much
as a whole lookup query takes in Oxigraph. This layer sits outermost (like the Dereferencer) and
answers GET, HEAD and POST on /sparql with the same handler functions and the same error replies
(errors.error_reply, as the app's HTTPException handler); every other request passes through.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from .errors import error_reply

PATH = "/sparql"


def error_response(request: Request, exc: HTTPException) -> Response:
    """The same reply as the app's HTTPException handler."""
    media_type, body = error_reply(exc.status_code, exc.detail, request.headers.get("accept"),
                                   request.headers.get("accept-language"))
    headers = {**(getattr(exc, "headers", None) or {}), "X-Content-Type-Options": "nosniff"}
    return Response(body, status_code=exc.status_code, media_type=media_type, headers=headers)


class SparqlFastPath:
    """Plain ASGI: `handlers` maps a method to `async (Request) -> Response`."""

    def __init__(self, app, handlers: dict):
        self.app, self.handlers = app, handlers

    async def __call__(self, scope, receive, send) -> None:
        handler = (self.handlers.get(scope["method"])
                   if scope["type"] == "http" and scope["path"] == PATH else None)
        if handler is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await handler(request)
        except HTTPException as exc:
            response = error_response(request, exc)
        await response(scope, receive, send)


def wrap_sparql_outermost(app, handlers: dict) -> None:
    """Put SparqlFastPath outside every other layer, whenever the middleware stack is built."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: SparqlFastPath(build(), handlers)
