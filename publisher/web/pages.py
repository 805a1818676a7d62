"""HTML pages rendered with Jinja2 (autoescaping on for every template) in Swedish or English.

`explicit` pages were asked for with `?lang=xx`: their links to other pages keep `?lang=xx`, so
a reader who switched language stays in it; negotiated pages link without it.
"""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from ..release.formats import BY_KEY
from .conneg import negotiate_language
from .documents import RDF_KEYS
from .figure_rows import figure_rows
from .formatting import FILTERS
from .i18n import LANGUAGES, TEXT

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,  # a release's templates never change under a running server: no stat() per page
)
TEMPLATES.filters.update(FILTERS)


def script_json(value: object) -> Markup:
    """JSON for a <script> element: <, > and & escaped so no literal can close the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


SVG_START = re.compile(r'^<svg xmlns="http://www.w3.org/2000/svg"[^<>]*>')
SVG_UNSAFE = re.compile(r"<\s*(script|foreignObject|iframe|object|embed|use|image|a)\b|\son[a-z]+\s*=|javascript:|<!",
                        re.IGNORECASE)
# SVG_UNSAFE's branches searched apart: Python's re tries every branch at every character of a chart
# (~1.9 ms for a 75 KB ranking chart), but a branch that starts with "<" is found by a fast scan for
# that character, and "javascript:" is only looked for before each ":" (tests compare with SVG_UNSAFE)
_SVG_TAG = re.compile(r"<\s*(script|foreignObject|iframe|object|embed|use|image|a)\b|<!", re.IGNORECASE)
_SVG_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_SVG_SCHEME = re.compile(r"javascript", re.IGNORECASE)  # its characters are matched one by one: ten before ":"


def svg_unsafe(text: str) -> bool:
    """`SVG_UNSAFE.search(text)` found something (~2x faster on a chart)."""
    if _SVG_TAG.search(text) or _SVG_HANDLER.search(text):
        return True
    at = text.find(":", 10)
    while at != -1:
        if _SVG_SCHEME.fullmatch(text, at - 10, at):
            return True
        at = text.find(":", at + 1)
    return False


def inline_svg(text: str | None) -> Markup | None:
    """A chart of the release inlined into a page, only if it is one plain <svg> element with no
    script, event handler, link, foreign content or markup declaration; otherwise None (the page
    then links the file instead). The build escapes every text in it; this is the second lock."""
    if not text or not SVG_START.match(text) or svg_unsafe(text) or text.count("<svg") != 1 \
            or not text.rstrip().endswith("</svg>"):
        return None
    return Markup(text)


def with_lang(href: str | None, lang: str | None) -> str | None:
    """Add ?lang= to a link to one of our pages (before its #fragment)."""
    if not href or not lang or not href.startswith("/") or href.startswith("/dumps/"):
        return href
    path, hash_, fragment = href.partition("#")
    sep = "&" if "?" in path else "?"
    return f"{path}{sep}lang={lang}{hash_}{fragment}"


def alternates(doc_path: str) -> list[dict]:
    """The RDF variants of a document, for <link> elements, Link headers and download links."""
    return [{"href": f"{doc_path}.{k}", "type": BY_KEY[k].media_type, "label": BY_KEY[k].label, "key": k}
            for k in RDF_KEYS]


def request_language(chosen: str | None, accept_language: str | None) -> tuple[str, bool]:
    """The page language: `?lang=` when it names one of ours (explicit), else Accept-Language."""
    if chosen in LANGUAGES:
        return chosen, True
    return negotiate_language(accept_language, LANGUAGES), False


def _context(lang: str, explicit: bool, path: str, query: str = "") -> dict:
    def label(value: dict | None) -> str:
        if not value:
            return ""
        return value.get(lang) or value.get("sv") or value.get("en") or ""

    def pick(values: list[dict]) -> list[dict]:
        """Literals in the page language when there are any, else all of them."""
        tagged = [v for v in values if v.get("lang")]
        if tagged and any(v["lang"] == lang for v in tagged):
            return [v for v in values if not v.get("lang") or v["lang"] == lang]
        return values

    return {
        "lang": lang,
        "t": TEXT[lang],
        "L": label,
        "pick": pick,
        "link": (lambda href: with_lang(href, lang)) if explicit else (lambda href: href),
        "switch": [{"lang": other, "href": f"{path}?{query + '&' if query else ''}lang={other}",
                    "name": {"sv": "Svenska", "en": "English"}[other],
                    "current": other == lang} for other in LANGUAGES],
    }


def render_resource(model: dict, lang: str, explicit: bool, figures: dict | None = None) -> bytes:
    """The page of a document; `figures` (from pages/cube.json) adds its statistics, if it has any."""
    doc_path = f"/doc/{model['key']}"
    html = TEMPLATES.get_template("resource.html").render(
        page=model,
        doc_path=doc_path,
        alternates=alternates(doc_path),
        schema_json=script_json(model["schema"]),
        sparql_href="/sparql?query=" + quote(model["sparql"], safe=""),
        figures=figures,
        cube_links=[model["iri"].split("/id/", 1)[0] + f"/def/{p}" for p in ("refMunicipality", "indicator")],
        svg=inline_svg,
        sparql_link=lambda text: "/sparql?edit=" + quote(text, safe=""),
        figure_rows=figure_rows,
        **_context(lang, explicit, doc_path),
    )
    return html.encode("utf-8")


def render_landing(release, site: dict, dumps: list[dict], lang: str, explicit: bool,
                   cube: dict | None = None) -> bytes:
    html = TEMPLATES.get_template("landing.html").render(
        release=release, site=site, dumps=[d for d in dumps if not d["name"].startswith("cube-")],
        stats=cube or {}, svg=inline_svg, **_context(lang, explicit, "/"))
    return html.encode("utf-8")


def render_error(status: int, detail: str, lang: str, path: str = "/", query: str = "") -> bytes:
    try:
        default_detail = HTTPStatus(status).phrase  # what Starlette says when the code gave no reason
    except ValueError:
        default_detail = ""
    html = TEMPLATES.get_template("error.html").render(status=status, detail=detail, default_detail=default_detail,
                                                       **_context(lang, False, path, query))
    return html.encode("utf-8")


def render_page(template: str, request, keep_query: bool = True, **values) -> bytes:
    """A page of the site (query pages, catalogue) in the request's language, with the site's
    header and language switch; its links keep an explicit `?lang=`, and the language switch keeps
    the other query parameters unless the page does not depend on them (`keep_query=False`)."""
    lang, explicit = request_language(request.query_params.get("lang"), request.headers.get("accept-language"))
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in request.query_params.multi_items()
                     if k != "lang") if keep_query else ""
    html = TEMPLATES.get_template(template).render(**values, **_context(lang, explicit, request.url.path, query))
    return html.encode("utf-8")
