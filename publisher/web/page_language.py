"""The language of an HTML page rendered by a FastAPI route, and what the common header needs for it."""

from __future__ import annotations

from starlette.requests import Request

from .conneg import negotiate_language
from .i18n import LANGUAGES
from .pages import _context


def chosen_language(request: Request) -> tuple[str, bool]:
    """(language, whether it was asked for with ?lang=): ?lang=sv|en, else Accept-Language, else sv."""
    explicit = request.query_params.get("lang", "").lower()
    if explicit in LANGUAGES:
        return explicit, True
    return negotiate_language(request.headers.get("accept-language"), LANGUAGES), False


def header_context(request: Request, path: str | None = None) -> dict:
    """The context base.html's header and footer need (lang, t, link, switch): the language switch links
    keep the page's other query parameters."""
    lang, explicit = chosen_language(request)
    context = _context(lang, explicit, path or request.url.path)
    for s in context["switch"]:
        s["href"] = request.url.path + "?" + str(request.url.include_query_params(lang=s["lang"]).query)
    return context
