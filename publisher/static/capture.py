"""Every answer a read-only site gives, asked of the web layer's own code in process.

The static export does not render anything itself: it asks the Dereferencer (resources.py) and the
catalogue, VoID and dump routes (catalog.py, dumps.py) for each representation, exactly as
`publisher serve` would answer it, and keeps the body and the ETag; the catalogue's RDF pages it
takes from the release as the build wrote them (the files `/catalog` sends). A document's variants are its
four RDF formats and its HTML in each language, with and without `?lang=` (the links of an explicit
choice keep it), for every page of a long document.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI

from ..release.formats import CATALOG_ORDER, VOID_ORDER
from ..release.manifest import CATALOGUE_LINK_VARIANTS, CATALOGUE_PAGES, Release, catalogue_page_name, downloads
from ..settings import Settings
from ..uris import Minter
from ..web.caching import strong_etag
from ..web.catalog import catalog_router, rdf_links
from ..web.cube_data import release_name
from ..web.documents import RDF_KEYS
from ..web.dumps import dumps_router, media_type_of
from ..web.i18n import LANGUAGES
from ..web.resources import Dereferencer, load_documents


@dataclass(frozen=True)
class Answer:
    file: str  # where the export keeps it, under site/ ("/doc/municipality/0136.ttl")
    body: bytes
    etag: str


def _scope(path: str, query: str = "", headers: dict[str, str] | None = None) -> dict:
    return {"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
            "headers": [(k.encode(), v.encode()) for k, v in (headers or {}).items()]}


def _ok(dereferencer: Dereferencer, file: str, path: str, query: str = "",
        headers: dict[str, str] | None = None) -> Answer:
    status, reply_headers, body = dereferencer.handle(_scope(path, query, headers))
    if status != 200:
        raise RuntimeError(f"the web layer answered {path}?{query} with {status}, not 200")
    etag = dict(reply_headers)[b"etag"].decode()
    return Answer(file, body, etag)


def document_answers(release: Release) -> tuple[Iterator[Answer], dict[str, int]]:
    """Every representation the Dereferencer serves, and the page count of each document with more
    than one page. The answers are produced one at a time (a large release never sits in memory)."""
    documents = load_documents(release)
    dereferencer = Dereferencer(release, documents, downloads(release.files))
    reader = documents.reader
    pages: dict[str, int] = {}

    def answers() -> Iterator[Answer]:
        for lang in LANGUAGES:
            yield _ok(dereferencer, f"/index.{lang}.html", "/", "", {"accept-language": lang})
            yield _ok(dereferencer, f"/index.{lang}.lang.html", "/", f"lang={lang}")
        yield _ok(dereferencer, "/sitemap.xml", "/sitemap.xml")
        yield _ok(dereferencer, "/robots.txt", "/robots.txt")
        for key in _all_keys(reader):
            count = documents.pages(key)
            if count > 1:
                pages[key] = count
            for page in range(1, count + 1):
                stem = f"/doc/{key}" + (f".page{page}" if page > 1 else "")
                paging = [("page", str(page))] if page > 1 else []
                for fmt in RDF_KEYS:
                    yield _ok(dereferencer, f"{stem}.{fmt}", f"/doc/{key}.{fmt}", urlencode(paging))
                for lang in LANGUAGES:
                    yield _ok(dereferencer, f"{stem}.{lang}.html", f"/doc/{key}.html", urlencode(paging),
                              {"accept-language": lang})
                    yield _ok(dereferencer, f"{stem}.{lang}.lang.html", f"/doc/{key}.html",
                              urlencode([("lang", lang), *paging]))

    return answers(), pages


def _all_keys(reader) -> Iterator[str]:
    yield from reader
    yield from reader.uniform_keys()


def catalogue_answers(release: Release, settings: Settings) -> tuple[list[Answer], dict]:
    """The catalogue's pages in each profile and format with each spelling of their links (the
    build's files, as `/catalog` sends them), the HTML page in each language, the VoID description,
    the list of dumps; and what the site's configuration needs to know of them."""
    app = FastAPI()
    app.include_router(catalog_router(release, settings))
    app.include_router(dumps_router(release))
    info = release.manifest.get("catalog") or {}
    profiles = {token: p["uri"] for token, p in info.get("profiles", {}).items()}
    counts = {token: p["pages"] for token, p in info.get("profiles", {}).items()}
    minter = Minter(settings.base_uri)
    out: list[Answer] = []
    links: dict[str, str] = {}
    for token in profiles:
        for key in CATALOG_ORDER:
            links[f"{token} {key}"] = rdf_links(minter, profiles, token, key)
            for page in range(1, counts[token] + 1):
                for with_profile, with_mediatype in CATALOGUE_LINK_VARIANTS:
                    name = catalogue_page_name(token, page, key, with_profile, with_mediatype)
                    body = release.file(f"{CATALOGUE_PAGES}/{name}").read_bytes()
                    out.append(Answer(f"/catalog/{name}", body, strong_etag(body)))
    with _InProcess(app) as client:
        def get(file: str, url: str, params: dict, headers: dict | None = None):
            response = client.get(url, params=params, headers=headers or {})
            if response.status_code != 200:
                raise RuntimeError(f"the web layer answered {url} {params} with {response.status_code}")
            out.append(Answer(file, response.content, response.headers["etag"]))
            return response

        html = {}
        if info.get("default_profile") in profiles:
            for lang in LANGUAGES:  # the HTML catalogue, negotiated by Accept-Language or chosen by ?lang=
                response = get(f"/catalog/html.{lang}.html", "/catalog", {},
                               {"accept": "text/html", "accept-language": lang})
                get(f"/catalog/html.{lang}.lang.html", "/catalog", {"lang": lang}, {"accept": "text/html"})
                html = {"link": response.headers["link"], "profile": response.headers["content-profile"]}
        void_link = ""
        for key in VOID_ORDER:
            void_link = get(f"/.well-known/void.{key}", "/.well-known/void", {"_mediatype": key}).headers["link"]
        get("/dumps-index.json", "/dumps/", {})
    return out, {"profiles": profiles, "default": info.get("default_profile", "dcat-ap-se"), "pages": counts,
                 "links": links, "void_link": void_link, "html": html}


class _InProcess:
    """A synchronous client of an ASGI app in this process (httpx's ASGI transport on its own loop)."""

    def __init__(self, app):
        import asyncio

        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://export")

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()

    def get(self, url: str, params: dict, headers: dict) -> httpx.Response:
        return self.loop.run_until_complete(self.client.get(url, params=params, headers=headers))


def file_table(release: Release) -> dict[str, tuple[str, str, str | None]]:
    """Every file /dumps/ serves: name -> (content type, ETag, Repr-Digest or None), as dumps.py sends them."""
    import base64

    table = {}
    for name in [*release.files, "manifest.json", "SHA256SUMS"]:
        path = release.file(name)
        if path is None or not path.is_file():
            continue
        info = release.files.get(name, {})
        digest = (f"sha-256=:{base64.b64encode(bytes.fromhex(info['sha256'])).decode()}:"
                  if "sha256" in info else None)
        table[name] = (media_type_of(name, info), strong_etag(path.read_bytes(), release.version), digest)
    return table


def data_slices(release: Release) -> dict[str, str]:
    """/data/ URL path -> the release file behind it (cube_data.release_name, read backwards)."""
    out = {}
    for name in release.files:
        if not name.startswith("cube-") or "." not in name:
            continue
        stem, ext = name[5:].rsplit(".", 1)
        if stem == "observations":
            url = f"/data/observations.{ext}"
            kind, ident = "observations", ""
        elif "--" in stem:
            kind, ident = stem.split("--", 1)
            url = f"/data/{kind}/{ident}.{ext}"
        else:
            continue
        if release_name(kind, ident, ext) == name:
            out[url] = name
    return out
