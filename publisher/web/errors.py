"""Error answers in the negotiated form: an HTML page for browsers, JSON for JSON clients, else text."""

from __future__ import annotations

import json

from ..release.formats import BY_KEY
from .conneg import negotiate
from .pages import render_error, request_language

ERROR_OFFERS = ("text/plain", "text/html", "application/json", "application/problem+json", BY_KEY["jsonld"].media_type)


def error_reply(status: int, detail: str, accept: str | None, accept_language: str | None,
                lang_param: str | None = None) -> tuple[str, bytes]:
    """(content type, body) for an error; never fails, whatever the headers say. An HTML page is in
    the language of `?lang=` (`lang_param`) or Accept-Language, with the site's header."""
    detail = str(detail)
    media = negotiate(accept, ERROR_OFFERS) or "text/plain"
    if media == "text/html":
        lang, _ = request_language(lang_param, accept_language)
        return "text/html; charset=utf-8", render_error(status, detail, lang)
    if media != "text/plain":
        return "application/problem+json", (json.dumps({"status": status, "detail": detail}) + "\n").encode()
    return "text/plain; charset=utf-8", f"{status}: {detail}\n".encode()
