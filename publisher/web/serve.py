"""Start the web application under uvicorn."""

from __future__ import annotations

import uvicorn

from ..settings import Settings
from .app import create_app


def serve(settings: Settings, host: str, port: int) -> None:
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)
