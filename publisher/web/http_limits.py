"""Limits on a request's head (request line and header fields), below the ASGI app, in uvicorn's
httptools protocol: every production server has them, uvicorn with httptools has none.

- the request target: `target_bytes` (414 URI Too Long); a GET query may be long, so the default
  follows the SPARQL length limit (three bytes per character, percent-encoded, plus room);
- the header fields: `field_bytes` in all (431), at most `field_count` of them (431);
- the time to send a complete head: `head_seconds` from the first byte of a request, or from the
  connection when nothing comes (408, then the connection closes: a slowloris client is let go).

The bytes of a head that is still incomplete are counted as they arrive, so a client that never
ends a header line holds at most the limit (plus one read) in memory. Compare: nginx 8 KB per
header line and 60 s (`large_client_header_buffers`, `client_header_timeout`); Jetty in Fuseki
8 KB (`requestHeaderSize`); Apache httpd 8 KB per field, 100 fields (`LimitRequestFieldSize`,
`LimitRequestFields`).
"""

from __future__ import annotations

from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

REASONS = {408: b"Request Timeout", 414: b"URI Too Long", 431: b"Request Header Fields Too Large"}


@dataclass(frozen=True)
class HeadLimits:
    target_bytes: int = 160 * 1024
    field_bytes: int = 32 * 1024
    field_count: int = 100
    head_seconds: float = 20.0


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with `head_limits` on every request head (`limited_protocol` sets them)."""

    head_limits = HeadLimits()
    _in_head = True
    _head_bytes = 0
    _field_bytes = 0
    _fields = 0
    _head_deadline: float | None = None  # when the head being read must be complete (loop time)
    _head_timer = None  # one per connection, looking at the deadline
    _refused = False

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_deadline = self.loop.time() + self.head_limits.head_seconds
        self._head_timer = self.loop.call_later(self.head_limits.head_seconds, self._check_head)

    def connection_lost(self, exc) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)
        if self._in_head and not self._refused:  # still no complete head: count what it holds so far
            self._head_bytes += len(data)
            if self._head_bytes > self.head_limits.target_bytes + self.head_limits.field_bytes:
                self._refuse(431, "the request head is over the limit of "
                             f"{self.head_limits.target_bytes + self.head_limits.field_bytes} bytes")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head, self._head_bytes, self._field_bytes, self._fields = True, 0, 0, 0
        if self._head_deadline is None:  # a request's first byte (a pipelined one's too): its head's time starts
            self._head_deadline = self.loop.time() + self.head_limits.head_seconds

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.head_limits.target_bytes:
            self._refuse(414, f"the request target is over {self.head_limits.target_bytes} bytes; "
                              "send a long SPARQL query with POST")

    def on_header(self, name: bytes, value: bytes) -> None:
        self._fields += 1
        self._field_bytes += len(name) + len(value) + 4
        if self._fields > self.head_limits.field_count:
            self._refuse(431, f"more than {self.head_limits.field_count} header fields")
        elif self._field_bytes > self.head_limits.field_bytes:
            self._refuse(431, f"header fields over {self.head_limits.field_bytes} bytes in all")
        else:
            super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._in_head, self._head_deadline = False, None
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._in_head = True  # the next request's head: its time starts with its first byte

    def _check_head(self) -> None:
        """The connection's timer: 408 once a head is late, else a look again when the head being
        read is due (or a period later when none is). One timer a connection, not one a request:
        a keep-alive connection's requests cost no timer each."""
        self._head_timer = None
        if self._refused or self.transport.is_closing():
            return
        now = self.loop.time()
        deadline = self._head_deadline
        if self._in_head and deadline is not None and now >= deadline:
            self._refuse(408, f"no complete request head within {self.head_limits.head_seconds:g} s")
            return
        wait = deadline - now if self._in_head and deadline is not None else self.head_limits.head_seconds
        self._head_timer = self.loop.call_later(wait, self._check_head)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a short explanation and close the connection; read nothing more."""
        self._refused = True
        self._stop_head_timer()
        body = (message + "\n").encode()
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain; charset=utf-8\r\n"
                             b"content-length: %d\r\nconnection: close\r\n\r\n%s"
                             % (status, REASONS[status], len(body), body))
        self.transport.close()


def limited_protocol(limits: HeadLimits) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with `limits` on every request head."""
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"head_limits": limits})
