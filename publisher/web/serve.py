"""Start the web application: a supervising parent and the process it forks to serve HTTP."""

from __future__ import annotations

import uvicorn

from ..settings import Settings
from .app import create_app
from .http_limits import HeadLimits, limited_protocol
from .sparql.config import SparqlConfig
from .supervisor import Supervisor, listening_socket


def serve(settings: Settings, host: str, port: int, sparql: SparqlConfig | None = None,
          forwarded_allow_ips: str = "", header_timeout: float = 20.0) -> int:
    """Serve until stopped; the exit code. `forwarded_allow_ips`: proxies (comma-separated addresses,
    `*` for any) whose X-Forwarded-For / X-Forwarded-Proto name the client; none by default."""
    sparql = sparql or SparqlConfig()
    app = create_app(settings, sparql, log_requests=True)  # its layers: app.Site.build_middleware_stack
    service = app.sparql
    head = HeadLimits(target_bytes=3 * sparql.max_query_length + 8 * 1024, head_seconds=header_timeout)
    config = uvicorn.Config(app, log_level="info", access_log=False,
                            proxy_headers=bool(forwarded_allow_ips), forwarded_allow_ips=forwarded_allow_ips or None,
                            loop="uvloop", http=limited_protocol(head),
                            timeout_graceful_shutdown=int(sparql.timeout) + 5)
    sock = listening_socket(host, port)
    if sparql.backend is not None:  # no store here: the serving process only needs to reach the backend
        supervisor = Supervisor(sock, config, None, None, False, None, network=True,
                                prepare=app.dereferencer.docs.prepare)
        return supervisor.run()
    supervisor = Supervisor(sock, config, service.engine, str(service.store_path), sparql.memory_copy,
                            service.quads, sparql.copy_first_below, prepare=app.dereferencer.docs.prepare)
    return supervisor.run()
