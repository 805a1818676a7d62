"""The ceiling for the dereferencing benchmark: a minimal ASGI app that answers constant bytes."""

from __future__ import annotations

BODY = b"@prefix ex: <http://example.org/> .\nex:synthetic ex:p " + b'"x"' * 1500 + b" .\n"  # synthetic, ~4.5 KB
HEADERS = [(b"content-type", b"text/turtle; charset=utf-8"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
