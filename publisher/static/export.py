"""`publisher export-static DIR`: the current release as files and an nginx site that serves them
with the HTTP behaviour of `publisher serve`.

Layout of DIR:

    DIR/<version>-<time>-<pid>/site/   every answer's body: /doc/…, /index.<lang>.html, /catalog/…, /dumps/…
    DIR/<version>-<time>-<pid>/nginx/  http.conf, server.conf, the njs modules, release.js, the maps, errors/
    DIR/current             -> the latest export, re-pointed with one atomic rename once it is complete
    DIR/run/<host>-<port>/  what `publisher static-config` writes for one running nginx

An export is written into DIR/.export-<name> and renamed into place, so nginx never serves a
half-written site; an existing export is never written over. A running nginx keeps serving the
export it loaded until `nginx -s reload`; the previous export stays for it, older ones are removed.
Every file's modification time is the release's publication time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

from ..release.formats import CATALOG_ORDER, RDF_FORMATS, VOID_ORDER
from ..release.manifest import Release, open_release
from ..settings import Settings
from ..web.caching import http_date
from ..web.conneg import REGISTERED_PROFILES, offer_parts
from ..web.errors import ERROR_OFFERS
from ..web.i18n import LANGUAGES
from ..web.pages import render_error
from ..web.resources import AVAILABLE, DOC_OFFERS, LANDING_OFFERS, landing_link
from .capture import catalogue_answers, data_slices, document_answers, file_table
from .common_headers import choice_maps
from .nginx_conf import write_site_config

JS_MODULES = ("conneg.js", "answers.js", "site.js", "catalog.js")
ERROR_STATUSES = (400, 404, 405, 406)
MARKER = "KS-STATIC-ERROR-DETAIL"  # where an error page's detail goes (site.js puts it in, escaped)
RELEASE_FILE = "release.json"


def exported_version(target: Path) -> str | None:
    meta = target / "current" / RELEASE_FILE
    return json.loads(meta.read_text(encoding="utf-8"))["version"] if meta.exists() else None


def export_static(settings: Settings, target: Path, force: bool = False) -> tuple[Path, bool]:
    """Export the current release into `target`; (the export's folder, whether it was written now).
    An export of the same release that is already there is kept unless `force`."""
    release = open_release(settings.current_release)
    target = target.resolve()
    target.mkdir(parents=True, exist_ok=True)
    if not force and exported_version(target) == release.version:
        return (target / "current").resolve(), False
    # a new folder each time: a running nginx keeps reading the one it was started (or reloaded) with
    name = f"{release.version}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    work, final = target / f".export-{name}", target / name
    shutil.rmtree(work, ignore_errors=True)
    try:
        _write(release, settings, work, final)
        work.rename(final)
        _point_current(target, name)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _remove_old(target, keep={name})
    return final, True


def _write(release: Release, settings: Settings, work: Path, final: Path) -> None:
    site, nginx = work / "site", work / "nginx"
    site.mkdir(parents=True)
    nginx.mkdir()
    etags: dict[str, str] = {}

    def put(file: str, body: bytes, etag: str) -> None:
        path = site / file.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        etags[file] = etag

    answers, pages = document_answers(release)
    for answer in answers:
        put(answer.file, answer.body, answer.etag)
    catalogue, catalogue_info = catalogue_answers(release, settings)
    for answer in catalogue:
        put(answer.file, answer.body, answer.etag)
    dumps = file_table(release)
    for name, (_, etag, _) in dumps.items():
        _link_or_copy(release.path / name, site / "dumps" / name)
        etags[f"/dumps/{name}"] = etag
    for url, name in data_slices(release).items():
        body = (release.path / name).read_bytes()
        put(url, body, dumps[name][1])
    for key, count in pages.items():
        etags[f"#pages/{key}"] = str(count)

    errors = nginx / "errors"
    errors.mkdir()
    for status in ERROR_STATUSES:
        for lang in LANGUAGES:
            (errors / f"{status}.{lang}.html").write_bytes(render_error(status, MARKER, lang))
            # the page for an error whose detail is only the status's reason phrase (it shows none)
            (errors / f"{status}.{lang}.phrase.html").write_bytes(render_error(status, _phrase(status), lang))
    here = Path(__file__).parent
    for name in JS_MODULES:
        shutil.copyfile(here / name, nginx / name)
    constants = {
        "version": release.version, "lastModified": int(release.last_modified),
        "lastModifiedHttp": http_date(release.last_modified), "languages": list(LANGUAGES),
        "entryKey": f"dataset/{release.manifest.get('dataset', '')}", "marker": MARKER,
        "phrases": {str(status): _phrase(status) for status in ERROR_STATUSES},
        "root": str(final / "site"), "errorsDir": str(final / "nginx" / "errors"),
        "landingLink": landing_link(settings.base_uri),
        "nginxDir": str(final / "nginx"),
        **format_tables(),
    }
    catalogue_table = {k: catalogue_info[k] for k in ("profiles", "default", "pages", "links", "html")}
    (nginx / "catalog.json").write_text(json.dumps({**catalogue_table, "voidLink": catalogue_info["void_link"]}),
                                        encoding="utf-8")
    (nginx / "dumps.json").write_text(json.dumps({name: [ctype, digest] for name, (ctype, _, digest)
                                                  in dumps.items()}), encoding="utf-8")
    (nginx / "release.js").write_text("// the release's constants, written by `publisher export-static`\n"
                                      f"export default {json.dumps(constants, indent=1)};\n", encoding="utf-8")
    with open(nginx / "etags.map", "w", encoding="utf-8") as out:
        for file, etag in etags.items():
            out.write(f"{_quote(map_key(file))} {_quote(etag)};\n")
    for name, choices in choice_maps().items():
        with open(nginx / f"{name}.map", "w", encoding="utf-8") as out:
            for header, choice in choices.items():
                out.write(f"{_quote(header)} {_quote(choice)};\n")
    write_site_config(nginx, final, release.version, http_date(release.last_modified), len(etags))
    (work / RELEASE_FILE).write_text(json.dumps({"version": release.version, "base_uri": settings.base_uri,
                                                 "files": len(etags)}) + "\n", encoding="utf-8")
    stamp = release.last_modified
    for path in site.rglob("*"):
        if path.is_file() and path.stat().st_nlink == 1:  # a hard link is the release's own file: leave it
            os.utime(path, (stamp, stamp))


def format_tables() -> dict:
    """The tables of formats and offers the njs modules negotiate with, from the server's own
    (release/formats.py, web/resources.py, web/errors.py), as release.js constants: njs runs a module's
    top level for every request, and a literal costs less there than reading and parsing a file."""
    return {
        "rdfFormats": [[f.key, f.media_type, list(f.aliases), f.content_type] for f in RDF_FORMATS],
        "catalogOrder": list(CATALOG_ORDER), "voidOrder": list(VOID_ORDER),
        "docOffers": list(DOC_OFFERS), "docParts": [offer_parts(o) for o in DOC_OFFERS],
        "landingOffers": list(LANDING_OFFERS), "landingParts": [offer_parts(o) for o in LANDING_OFFERS],
        "available": AVAILABLE, "errorOffers": list(ERROR_OFFERS),
        "registeredProfiles": {media: sorted(profiles) for media, profiles in REGISTERED_PROFILES.items()},
    }


def map_key(file: str) -> str:
    """nginx compares a map's strings ignoring case, and /doc/def/Commitment is not /doc/def/commitment:
    each capital (and the escape character) becomes '^' and its lower case (site.js does the same)."""
    return re.sub(r"[A-Z^]", lambda m: "^" + m.group(0).lower(), file)


def _quote(value: str) -> str:
    """A string as an nginx configuration token: in double quotes, with \\ and " escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)  # the release's files never change: share them
    except OSError:
        shutil.copy2(source, target)


def _point_current(target: Path, name: str) -> None:
    link = target / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(name, link)
    os.replace(link, target / "current")


def _remove_old(target: Path, keep: set[str]) -> None:
    """Keep the current export and the one before it (an nginx being reloaded may still read it)."""
    exports = sorted((p for p in target.iterdir() if p.is_dir() and not p.is_symlink()
                      and (p / RELEASE_FILE).exists()), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in exports[2:]:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _phrase(status: int) -> str:
    """The reason phrase Starlette gives an error raised without a detail (web/pages.render_error)."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
