"""The outermost layer of the served app: one access-log line per request, and `Connection: close`
on every answer once the serving process is retiring.

The log line is written directly: uvicorn's access log goes through the logging module's
formatters, which cost as much per request as a lookup query takes to answer. A retiring process
(supervisor.py) closes each keep-alive connection only after an answer that says so, never under
a client that is sending its next request: the client reconnects, to the replacement."""

from __future__ import annotations

import contextlib
import sys

MAX_TARGET = 300  # characters of the request target kept in a line (queries can be 50,000 long)


class AccessLog:
    def __init__(self, app, stream=None):
        self.app, self.stream = app, stream or sys.stderr
        self.closing = False  # set in a retiring serving process

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = [0]

        async def send_status(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                if self.closing:
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
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
