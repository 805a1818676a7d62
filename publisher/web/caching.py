"""HTTP validators and conditional requests (RFC 9110 §8.8, §13), shared by every route.

Strong ETags are content hashes of the exact bytes of a representation, so a Turtle and an HTML
variant of one resource never share one, and a new release changes only what really changed.
Last-Modified is the time the serving release was published.
"""

from __future__ import annotations

import email.utils
import functools
import hashlib
from collections.abc import Iterable, Mapping

DEFAULT_CACHE_CONTROL = "public, max-age=300, must-revalidate"


def strong_etag(body: bytes, version: str = "") -> str:
    """A strong validator: the content hash, prefixed by the dataset version when one is given,
    so that ETags, dumps and catalogue share one version identifier."""
    digest = hashlib.blake2b(body, digest_size=12).hexdigest()
    return f'"{version}-{digest}"' if version else f'"{digest}"'


def http_date(timestamp: float) -> str:
    return _http_date(int(timestamp))


@functools.lru_cache(maxsize=256)
def _http_date(seconds: int) -> str:
    return email.utils.formatdate(seconds, usegmt=True)


def _etags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def is_not_modified(headers: Mapping[str, str], etag: str, last_modified: float | None) -> bool:
    """True when a GET/HEAD may be answered 304 (If-None-Match wins over If-Modified-Since)."""
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = _etags(inm)
        return "*" in tags or etag in tags
    ims = headers.get("if-modified-since")
    if ims and last_modified is not None:
        try:
            since = email.utils.parsedate_to_datetime(ims)
        except (TypeError, ValueError, IndexError):
            return False
        if since is None or since.tzinfo is None:
            return False
        return int(last_modified) <= since.timestamp()
    return False


def validator_headers(
    etag: str,
    last_modified: float | None,
    vary: Iterable[str] = (),
    cache_control: str = DEFAULT_CACHE_CONTROL,
) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": cache_control}
    if last_modified is not None:
        headers["Last-Modified"] = http_date(last_modified)
    vary = list(vary)
    if vary:
        headers["Vary"] = ", ".join(vary)
    return headers
