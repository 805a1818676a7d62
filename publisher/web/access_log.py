"""One line per request on standard error, written directly: uvicorn's access log goes through the
logging module's formatters, which cost as much per request as a lookup query takes to answer."""

from __future__ import annotations

import contextlib
import sys

MAX_TARGET = 300  # characters of the request target kept in a line (queries can be 50,000 long)


class AccessLog:
    def __init__(self, app, stream=None):
        self.app, self.stream = app, stream or sys.stderr

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def send_status(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            target = scope.get("raw_path", b"").decode("latin-1") or scope["path"]
            if scope["query_string"]:
                target += "?" + scope["query_string"].decode("latin-1")
            if len(target) > MAX_TARGET:
                target = target[:MAX_TARGET] + "…"
            client = scope.get("client")
            who = f"{client[0]}:{client[1]}" if client else "-"
            with contextlib.suppress(OSError, ValueError):
                self.stream.write(f'INFO:     {who} - "{scope["method"]} {target} HTTP/{scope["http_version"]}" '
                                  f'{status[0] or "-"}\n')
