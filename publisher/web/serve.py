"""Start the web application under uvicorn."""

from __future__ import annotations

import uvicorn

from ..settings import Settings
from .app import create_app
from .sparql_config import SparqlConfig


def serve(settings: Settings, host: str, port: int, sparql: SparqlConfig | None = None) -> None:
    app = create_app(settings, sparql)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
