"""/sparql outside FastAPI's routing: a plain ASGI layer that calls the endpoint directly.

Starlette's request and response objects, FastAPI's router and its middleware stack cost more per
request than a lookup query takes in Oxigraph. This layer sits in front of the Dereferencer (app.Site):
GET and HEAD with a query are answered straight from the ASGI scope (SparqlService.answer, the
same code the routed handlers call); POST goes to the endpoint's own handler functions; errors get
the app's error replies (errors.error_reply); every other request passes through.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..conneg import MAX_HEADER, oversized_header
from ..errors import error_reply
from .protocol import one_query
from .service import Call, SparqlService

PATH = "/sparql"


def error_response(request: Request, exc: HTTPException) -> Response:
    """The same reply as the app's HTTPException handler."""
    media_type, body = error_reply(exc.status_code, exc.detail, request.headers.get("accept"),
                                   request.headers.get("accept-language"), request.query_params.get("lang"))
    headers = {**(getattr(exc, "headers", None) or {}), "X-Content-Type-Options": "nosniff"}
    return Response(body, status_code=exc.status_code, media_type=media_type, headers=headers)


async def send_reply(send, reply, head: bool) -> None:
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in reply.headers.items()]
    if reply.status != 304:
        media_type = reply.media_type
        if media_type.startswith("text/") and "charset=" not in media_type:
            media_type += "; charset=utf-8"
        headers += [(b"content-type", media_type.encode("latin-1")),
                    (b"content-length", str(len(reply.body)).encode())]
    await send({"type": "http.response.start", "status": reply.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head or reply.status == 304 else reply.body})


class SparqlFastPath:
    """Plain ASGI in front of `app`: `service` answers, `service.handlers` maps a method to the
    endpoint's `async (Request) -> Response`."""

    def __init__(self, app, service: SparqlService):
        self.app, self.handlers, self.service = app, service.handlers, service

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in self.handlers:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        try:
            too_long = oversized_header(scope["headers"])
            if too_long is not None:  # read whole or not at all: never as if it were absent
                name, length = too_long
                raise HTTPException(431, f"the {name.title()} header has {length} characters; this endpoint reads "
                                    f"at most {MAX_HEADER}: send a shorter list of what you accept")
            if (method in ("GET", "HEAD") and scope["query_string"]
                    and await self._answer(scope, send, method)):
                return
            request = Request(scope, receive)
            response = await self.handlers[method](request)
        except HTTPException as exc:
            response = error_response(Request(scope, receive), exc)
        await response(scope, receive, send)

    async def _answer(self, scope, send, method: str) -> bool:
        """Answer a GET/HEAD with a query straight from the scope; False: no query, not ours."""
        params = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        query = one_query(params)
        if query is None:
            return False
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))  # the first one, as Starlette
        client = scope.get("client")
        call = Call(method, headers, client[0] if client else "unknown")
        reply = await self.service.answer(call, query, params)
        await send_reply(send, reply, method == "HEAD")
        return True

