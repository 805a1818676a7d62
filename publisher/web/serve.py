"""Start the web application: a supervising parent and the process it forks to serve HTTP."""

from __future__ import annotations

import uvicorn

from ..settings import Settings
from .access_log import AccessLog
from .app import create_app
from .sparql_config import SparqlConfig
from .supervisor import Supervisor, listening_socket


def serve(settings: Settings, host: str, port: int, sparql: SparqlConfig | None = None) -> int:
    sparql = sparql or SparqlConfig()
    app = create_app(settings, sparql)
    service = getattr(app.state, "sparql", None)
    front = getattr(app.state, "sparql_front", None)
    config = uvicorn.Config(AccessLog(front(app) if front else app), log_level="info", access_log=False,
                            proxy_headers=False, loop="uvloop", http="httptools",
                            timeout_graceful_shutdown=int(sparql.timeout) + 5)
    sock = listening_socket(host, port)
    supervisor = Supervisor(sock, config, service.engine if service else None,
                            str(service.store_path) if service else None, sparql.memory_copy,
                            service.quads if service else None, sparql.copy_first_below)
    return supervisor.run()
