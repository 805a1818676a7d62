"""Dereferencing: thing URIs answer 303 to a document, documents answer in the negotiated format.

URL design (all relative to the host, so one release serves on any host and port):

    /id/<key>            303 See Other -> /doc/<key>.<ext> (RDF) or /doc/<key> (HTML), Vary: Accept
    /def/, /def/<Term>   the same for the vocabulary and its terms (documents /doc/def, /doc/def/<Term>)
    /doc/<key>           200, format by Accept (no Accept or */* -> Turtle), language by Accept-Language
    /doc/<key>.<ext>     200 in exactly that format (html, ttl, jsonld, rdf, nt), never negotiated
    ?format=<ext|type>   overrides Accept;  ?lang=sv|en  overrides Accept-Language (HTML only)
    /                    the landing page (HTML); a client preferring RDF: 303 -> /.well-known/void
    /sitemap.xml, /robots.txt

Every answer is assembled from precomputed bytes (read from the release's documents file, or
rendered once from its page model) and precomputed header lists; this is a plain ASGI layer in front
of the FastAPI app. Answers are kept in a bounded memo (ReplyMemo: HOT_MEMO_BYTES as sent, then
WARM_MEMO_BYTES compressed), so a repeated request costs a few dictionary look-ups and memory
stays bounded however many documents the release has.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs, quote

from ..release.formats import BY_KEY, CATALOG_ORDER, VOID_ORDER
from .caching import http_date, precondition, precondition_failed, strong_etag
from .conneg import JSONLD, MAX_HEADER, format_for, negotiate, negotiate_language, oversized_header, rdf_offers
from .documents import RDF_KEYS, Documents, Variant, load_documents
from .errors import error_reply
from .i18n import LANGUAGES
from .pages import alternates, render_landing, render_resource
from .reply_memo import Headers, ReplyMemo

__all__ = ["Dereferencer", "DereferencingMiddleware", "error_reply", "load_documents"]

HTML_TYPES = ("text/html", "application/xhtml+xml")
COMPACTED = f'{BY_KEY["jsonld"].media_type};profile="{JSONLD}compacted"'  # what our JSON-LD is
_RDF = rdf_offers(with_aliases=False)
# server order for ties: Turtle, then the page, the other RDF formats, XHTML, every alias, compacted JSON-LD
DOC_OFFERS = (_RDF[0], "text/html", *_RDF[1:], "application/xhtml+xml", *rdf_offers()[len(_RDF):], COMPACTED)
AVAILABLE = ", ".join(["text/html", *_RDF])
COMMON: Headers = [(b"x-content-type-options", b"nosniff"), (b"access-control-allow-origin", b"*"),
                   (b"access-control-expose-headers", b"ETag, Link, Location, Content-Location, Vary")]
ALLOW = b"GET, HEAD, OPTIONS"
CACHE = b"public, max-age=300, must-revalidate"
LANDING_OFFERS = ["text/html", *rdf_offers()]  # the page first: what */* gets
PREFLIGHT_HEADERS = (b"Accept, Accept-Language, If-None-Match, If-Modified-Since, If-Match, "
                     b"If-Unmodified-Since")
WANTED = {b"accept", b"accept-language", b"if-none-match", b"if-modified-since", b"if-match",
          b"if-unmodified-since"}
HOT_MEMO_BYTES = 16 * 1024 * 1024  # answers kept as they are sent
WARM_MEMO_BYTES = 32 * 1024 * 1024  # answers pushed out of the hot part, kept zlib-compressed
CONDITIONAL = frozenset({"if-match", "if-none-match", "if-modified-since", "if-unmodified-since"})
SPLIT_MEMO = 32_768  # paths whose document key is known (found or not), without asking the file


@lru_cache(maxsize=2048)
def choose_format(accept: str | None) -> str | None:
    """'html', 'ttl', 'jsonld', 'rdf', 'nt' for this Accept header, or None (406)."""
    media = negotiate(accept, DOC_OFFERS)
    if media is None:
        return None
    if media in HTML_TYPES:
        return "html"
    fmt = format_for(media.split(";", 1)[0])
    return fmt.key if fmt else None


@lru_cache(maxsize=2048)
def choose_language(accept_language: str | None) -> str:
    return negotiate_language(accept_language, LANGUAGES)


def format_param(value: str) -> str | None:
    value = value.strip().replace(" ", "+").lower()  # a bare '+' in a query string reads as a space
    if value in ("html", *RDF_KEYS):
        return value
    if value in HTML_TYPES:
        return "html"
    fmt = format_for(value)
    return fmt.key if fmt else None


def landing_link(base: str) -> str:
    """The landing page's Link header: the VoID description and the catalogue, in the formats
    they are served in without asking (absolute, as /catalog links)."""
    return (f'<{base}.well-known/void>; rel="describedby"; type="{BY_KEY[VOID_ORDER[0]].media_type}", '
            f'<{base}catalog>; rel="alternate"; type="{BY_KEY[CATALOG_ORDER[0]].media_type}"')


def document_link_header(doc_path: str) -> bytes:
    """A document's Link header: its RDF formats and its page (alternates), and the document itself (canonical)."""
    return doc_path.encode().join(_LINK_PARTS)


def _link_parts() -> list[bytes]:
    """The Link header of a document around its path: what `document_link_header` joins with it."""
    marker = "\x00"
    parts = [f'<{a["href"]}>; rel="alternate"; type="{a["type"]}"' for a in alternates(marker)]
    parts.append(f'<{marker}.html>; rel="alternate"; type="text/html"')
    parts.append(f'<{marker}>; rel="canonical"')
    return [piece.encode() for piece in ", ".join(parts).split(marker)]


_LINK_PARTS = _link_parts()


class Dereferencer:
    """Answers the paths it owns; `handle` returns None for every other path."""

    def __init__(self, release, documents: Documents, dump_rows: list[dict]):
        self.release = release
        self.docs = documents
        self.dump_rows = dump_rows
        # /id/ is the entry point of the linked-data interface (the catalogue's data service): the dataset
        self.entry_key = f"dataset/{release.manifest.get('dataset', '')}"
        self.last_modified = release.last_modified
        self.last_modified_header = http_date(self.last_modified).encode()
        self.replies = ReplyMemo(HOT_MEMO_BYTES, WARM_MEMO_BYTES)
        self.split = lru_cache(maxsize=SPLIT_MEMO)(documents.split)  # path -> (key, fixed) or None
        self.landing_replies: dict[tuple, tuple[Headers, bytes, str]] = {}  # a few: language x explicit
        self._sitemap_bytes: bytes | None = None  # built on first request (it lists every document)
        self.robots = (f"User-agent: *\nAllow: /\nDisallow: /sparql\n"
                       f"Sitemap: {documents.base_uri}sitemap.xml\n").encode()

    # --- the ASGI entry ---------------------------------------------------------------------

    def handle(self, scope: dict) -> tuple[int, Headers, bytes] | None:
        path: str = scope["path"]
        if path == "/":
            route = ("landing", "")
        elif path.startswith("/doc/"):
            route = ("doc", path[5:])
        elif path in ("/id", "/id/"):
            route = ("thing", self.entry_key)
        elif path.startswith("/id/"):
            route = ("thing", path[4:])
        elif path in ("/def", "/def/"):
            route = ("thing", "def")
        elif path.startswith("/def/"):
            route = ("thing", path[1:])
        elif path in ("/sitemap.xml", "/robots.txt"):
            route = ("static", path)
        else:
            return None
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"] if k in WANTED}
        method = scope["method"]
        if method == "OPTIONS":
            return 204, [(b"allow", ALLOW), (b"access-control-allow-methods", ALLOW),
                         (b"access-control-allow-headers", PREFLIGHT_HEADERS),
                         (b"access-control-max-age", b"86400"), *COMMON], b""
        if method not in ("GET", "HEAD"):
            return self.error(405, f"{method} is not allowed here; use GET or HEAD", headers, [(b"allow", ALLOW)])
        query = parse_qs(scope["query_string"].decode("latin-1")) if scope["query_string"] else {}
        lang_param = (query.get("lang") or [""])[-1].lower()
        explicit = lang_param if lang_param in LANGUAGES else None
        if explicit:
            headers["page-lang"] = explicit  # an error page answers in the language asked for too
        kind, rest = route
        if kind == "thing":
            return self.thing(rest, headers, query, explicit)
        if kind == "doc":
            return self.document(rest, headers, query, explicit)
        if kind == "landing":
            # HTML unless the client prefers RDF (*/* and no Accept get the page): then the VoID description
            if negotiate(headers.get("accept"), LANDING_OFFERS) not in (None, "text/html"):
                return self.see_other("/.well-known/void")
            return self.landing(headers, explicit)
        body, ctype = (self.sitemap(), b"application/xml") if rest == "/sitemap.xml" else (
            self.robots, b"text/plain; charset=utf-8")
        return self.conditional(headers, strong_etag(body, self.docs.version), [(b"content-type", ctype)], body)

    # --- routes -----------------------------------------------------------------------------

    def thing(self, key: str, headers: dict, query: dict, explicit: str | None) -> tuple[int, Headers, bytes]:
        if self.split(key) != (key, None):
            return self.error(404, f"no resource /{'id/' if not key.startswith('def') else ''}{key} in this dataset",
                              headers)
        fmt = self._requested_format(headers, query)
        if isinstance(fmt, tuple):
            return fmt
        target = f"/doc/{key}" if fmt == "html" else f"/doc/{key}.{fmt}"
        if explicit and fmt == "html":
            target += f"?lang={explicit}"
        return self.see_other(target)

    def see_other(self, target: str) -> tuple[int, Headers, bytes]:
        body = f"303 See Other: {target}\n".encode()
        return 303, [(b"location", target.encode()), (b"vary", b"Accept"), (b"cache-control", CACHE),
                     (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                     *COMMON], body

    def document(self, rest: str, headers: dict, query: dict, explicit: str | None) -> tuple[int, Headers, bytes]:
        split = self.split(rest)
        if split is None:
            return self.error(404, f"no document /doc/{rest} in this dataset", headers)
        key, fixed = split
        if fixed:
            fmt: str | tuple = fixed
        else:
            fmt = self._requested_format(headers, query)
            if isinstance(fmt, tuple):
                return fmt
        page = 1
        if "page" in query:  # a long document's later pages (Hydra links in the RDF, a pager on the page)
            raw = query["page"][-1]
            if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
                return self.error(400, f"page must be a whole number from 1, not {raw[:20]!r}", headers)
            page = int(raw)
            if page > 1 and page > (last := self.docs.pages(key)):
                return self.error(404, f"/doc/{key} has {last} page{'s' if last > 1 else ''}; there is no page {page}",
                                  headers)
        lang = explicit or choose_language(headers.get("accept-language")) if fmt == "html" else None
        memo_key = (key, fmt, lang, bool(explicit), fixed, page)
        cached = self.replies.get(memo_key)
        if cached is None:
            *cached, filled = self._document_reply(key, fmt, lang, bool(explicit), fixed, page)
            # one a template wrote is kept only while there is room: cheaper to write again than to compress
            self.replies.put(memo_key, *cached, cheap=filled)
        reply_headers, body, etag = cached
        return self.conditional_reply(headers, etag, reply_headers, body)

    def landing(self, headers: dict, explicit: str | None) -> tuple[int, Headers, bytes]:
        lang = explicit or choose_language(headers.get("accept-language"))
        memo_key = (lang, bool(explicit))
        cached = self.landing_replies.get(memo_key)
        if cached is None:
            body = render_landing(self.release, self.docs.site, self.dump_rows, lang, bool(explicit),
                                  self.docs.cube)
            etag = strong_etag(body, self.docs.version)
            announce = landing_link(self.docs.base_uri).encode()
            cached = self.landing_replies[memo_key] = (
                self._headers(etag, b"text/html; charset=utf-8", body, b"Accept, Accept-Language", lang,
                              [(b"link", announce)]), body, etag)
        reply_headers, body, etag = cached
        return self.conditional_reply(headers, etag, reply_headers, body)

    # --- helpers ----------------------------------------------------------------------------

    def _requested_format(self, headers: dict, query: dict) -> str | tuple:
        if "format" in query:
            fmt = format_param(query["format"][-1])
            if fmt is None:
                return self.error(400, f"unknown format {query['format'][-1][:40]!r}; use one of html, ttl, "
                                       f"jsonld, rdf, nt (or their media types: {AVAILABLE})", headers)
            return fmt
        fmt = choose_format(headers.get("accept"))
        if fmt is None:
            return self.error(406, f"none of the formats you accept is available; available: {AVAILABLE}",
                              headers, [(b"vary", b"Accept")], negotiate_body=False)
        return fmt

    def _document_reply(self, key: str, fmt: str, lang: str | None, explicit: bool,
                        fixed: str | None, page: int = 1) -> tuple[Headers, bytes, str, bool]:
        doc_path = f"/doc/{key}"
        if fmt == "html":
            variant = Variant(b"", "", "text/html; charset=utf-8")
            page_lang = lang or "sv"

            def page_html() -> bytes:
                return render_resource(self.docs.model(key, page), page_lang, explicit, self.docs.figures(key))

            body, filled = self.docs.uniform(key, ("html", page_lang, explicit), page_html) if page == 1 \
                else (page_html(), False)
            etag = strong_etag(body, self.docs.version)
        else:
            variant = self.docs.rdf(key, fmt, page)
            body, etag, filled = variant.body, variant.etag, variant.filled
        vary = b"Accept-Language" if fixed == "html" else (None if fixed else b"Accept, Accept-Language")
        extra = [(b"link", document_link_header(doc_path))]
        if not fixed:
            extra.append((b"content-location", f"{doc_path}.{fmt}{f'?page={page}' if page > 1 else ''}".encode()))
        return self._headers(etag, variant.content_type.encode(), body, vary, lang, extra), body, etag, filled

    def _headers(self, etag: str, content_type: bytes, body: bytes, vary: bytes | None, lang: str | None,
                 extra: Headers = ()) -> Headers:
        out = [(b"content-type", content_type), (b"content-length", str(len(body)).encode()),
               (b"etag", etag.encode()), (b"last-modified", self.last_modified_header), (b"cache-control", CACHE)]
        if vary:
            out.append((b"vary", vary))
        if lang:
            out.append((b"content-language", lang.encode()))
        return out + list(extra) + COMMON

    def conditional(self, headers: dict, etag: str, extra: Headers, body: bytes) -> tuple[int, Headers, bytes]:
        base = [(b"etag", etag.encode()), (b"last-modified", self.last_modified_header), (b"cache-control", CACHE)]
        return self.conditional_reply(headers, etag, [*extra, (b"content-length", str(len(body)).encode()),
                                                      *base, *COMMON], body)

    def conditional_reply(self, headers: dict, etag: str, reply_headers: Headers,
                          body: bytes) -> tuple[int, Headers, bytes]:
        """200 with `reply_headers`, or 304 / 412 (caching.precondition) with its validators."""
        if not CONDITIONAL.intersection(headers):  # most requests: none of the four headers
            return 200, reply_headers, body
        status = precondition(headers, etag, self.last_modified)
        if status is None:
            return 200, reply_headers, body
        kept = [h for h in reply_headers if h[0] not in (b"content-type", b"content-length")]
        if status == 304:
            return 304, kept, b""
        failed = precondition_failed(etag)
        return 412, [(b"content-type", b"text/plain; charset=utf-8"),
                     (b"content-length", str(len(failed)).encode()), *kept], failed

    def error(self, status: int, detail: str, headers: dict, extra: Headers = (),
              negotiate_body: bool = True) -> tuple[int, Headers, bytes]:
        ctype, body = error_reply(status, detail, headers.get("accept") if negotiate_body else "text/plain",
                                  headers.get("accept-language"), headers.get("page-lang"))
        vary = [] if any(name == b"vary" for name, _ in extra) else [(b"vary", b"Accept, Accept-Language")]
        return status, [(b"content-type", ctype.encode()), (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-cache"), *vary, *extra, *COMMON], body

    def sitemap(self) -> bytes:
        if self._sitemap_bytes is None:
            base = self.docs.base_uri
            urls = [base] + [f"{base}doc/{quote(key)}" for key in self.docs.reader]
            lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
            lines += [f"<url><loc>{u}</loc></url>" for u in urls]
            lines.append("</urlset>")
            self._sitemap_bytes = ("\n".join(lines) + "\n").encode()
        return self._sitemap_bytes


class DereferencingMiddleware:
    """Plain ASGI in front of FastAPI (app.Site lists the layers): refuses an over-long Accept or Accept-Language
    (431), answers the Dereferencer's paths itself, and passes everything else to the app, a HEAD
    as a GET whose body is dropped, so every route that answers GET answers HEAD with the very same
    status and headers (Content-Length, ETag, 304, 412, 206 …), whatever methods it registered."""

    def __init__(self, app, dereferencer: Dereferencer):
        self.app = app
        self.dereferencer = dereferencer

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            reply = too_long_reply(scope) or self.dereferencer.handle(scope)
            if reply is not None:
                status, headers, body = reply
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
            if scope["method"] == "HEAD":
                await self.app({**scope, "method": "GET"}, receive, headers_only(send))
                return
        await self.app(scope, receive, send)


def headers_only(send):
    """`send` for a HEAD run as GET: the response start as it is, one empty body at the end."""

    async def send_headers(message) -> None:
        if message["type"] == "http.response.body":
            if message.get("more_body", False):
                return
            message = {"type": "http.response.body", "body": b"", "more_body": False}
        await send(message)

    return send_headers


def too_long_reply(scope) -> tuple[int, Headers, bytes] | None:
    """431 for an Accept or Accept-Language longer than conneg reads, on every path behind this layer:
    such a header is neither cut short nor ignored, the client is told what to send instead."""
    found = oversized_header(scope["headers"])
    if found is None:
        return None
    name, length = found
    body = (f"431: the {name.title()} header has {length} characters; this server reads at most {MAX_HEADER} "
            f"(a browser sends a few hundred): send a shorter list of what you accept\n").encode()
    return 431, [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                 (b"cache-control", b"no-store"), *COMMON], body

