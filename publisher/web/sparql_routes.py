"""Mounts the SPARQL parts on the app: /sparql (protocol + query page) and the canned queries."""

from __future__ import annotations

import atexit

from fastapi import FastAPI, Request
from jinja2 import Environment

from ..settings import Settings
from .release import Release
from .sparql import sparql_router
from .sparql_config import SparqlConfig
from .sparql_examples import examples


def install_sparql(app: FastAPI, settings: Settings, release: Release, config: SparqlConfig,
                   templates: Environment) -> None:
    def render_page(request: Request) -> str:
        return templates.get_template("sparql.html").render(
            release=release, examples=examples(settings.base_uri), endpoint="/sparql")

    router, service = sparql_router(release, config, settings.base_uri, render_page)
    app.include_router(router)
    app.state.sparql = service
    atexit.register(service.close)
