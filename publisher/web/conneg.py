"""Content negotiation: a real Accept parser and the one table of RDF media types.

Pure functions, no I/O. `negotiate(accept, offers)` follows RFC 9110 §12.5.1: lists, parameters,
q-values (q=0 means "not acceptable"), wildcards; the most specific matching range decides an
offer's quality; ties go to the more specific match, then to the client's order, then to the
server's order of offers. Unparseable items are ignored (a garbage header never causes an error);
a missing, empty or wholly unparseable header means the server's first offer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE_RE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*$")
_PARAM_RE = re.compile(rf'^\s*({_TOKEN})\s*=\s*({_TOKEN}|"(?:[^"\\]|\\.)*")\s*$')
_Q_RE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
MAX_HEADER = 4096
MAX_ITEMS = 64
MATCHED_PARAMS = ("profile",)  # parameters that must match; others (charset, …) are ignored


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 + len(self.params)

    def matches(self, media_type: str) -> bool:
        mtype, _, rest = media_type.partition("/")
        subtype = rest.split(";", 1)[0].strip()
        if self.type != "*" and self.type != mtype.lower():
            return False
        if self.subtype != "*" and self.subtype != subtype.lower():
            return False
        offered = dict(parse_params(rest.split(";")[1:]))
        return all(offered.get(k) == v for k, v in self.params)


def parse_params(items: Sequence[str]) -> list[tuple[str, str]]:
    out = []
    for item in items:
        m = _PARAM_RE.match(item)
        if m:
            value = m.group(2)
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            out.append((m.group(1).lower(), value))
    return out


def _split(header: str) -> list[str]:
    """Split on commas outside quoted strings."""
    parts, buf, quoted, escaped = [], [], False, False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def parse_accept(header: str | None) -> list[MediaRange]:
    """The valid media ranges of an Accept header, in the client's order."""
    if not header or len(header) > MAX_HEADER:
        return []
    ranges: list[MediaRange] = []
    for order, item in enumerate(_split(header)[:MAX_ITEMS]):
        pieces = item.split(";")
        m = _RANGE_RE.match(pieces[0])
        if not m:
            continue
        mtype, subtype = m.group(1).lower(), m.group(2).lower()
        if mtype == "*" and subtype != "*":
            continue
        q, params, ok = 1.0, [], True
        for piece in pieces[1:]:
            pm = _PARAM_RE.match(piece)
            if not pm:
                if piece.strip():
                    ok = False
                continue
            key, value = pm.group(1).lower(), pm.group(2)
            if key == "q":
                if not _Q_RE.match(value):
                    ok = False
                    break
                q = float(value)
                break  # what follows q are accept-extensions, not media-type parameters
            if key in MATCHED_PARAMS:
                params.append((key, value.strip('"')))
        if ok:
            ranges.append(MediaRange(mtype, subtype, tuple(params), q, order))
    return ranges


def quality(ranges: Sequence[MediaRange], media_type: str) -> tuple[float, int, int]:
    """(q, specificity, -order) of the most specific range matching `media_type`; q=-1 if none."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type) and (
            best is None or r.specificity > best.specificity
            or (r.specificity == best.specificity and r.q > best.q)
        ):
            best = r
    if best is None:
        return (-1.0, -1, 0)
    return (best.q, best.specificity, -best.order)


def negotiate(header: str | None, offers: Sequence[str]) -> str | None:
    """The best of `offers` for this Accept header, or None when none is acceptable (406)."""
    if not offers:
        return None
    ranges = parse_accept(header)
    if not ranges:
        return offers[0]
    scored = []
    for index, offer in enumerate(offers):
        q, specificity, neg_order = quality(ranges, offer)
        if q > 0:
            scored.append(((q, specificity, neg_order, -index), offer))
    if not scored:
        return None
    return max(scored)[1]


# --- the one table of RDF formats ----------------------------------------------------------


@dataclass(frozen=True)
class RdfFormat:
    key: str  # also the file suffix and the ?format= value
    media_type: str  # canonical, as sent in Content-Type
    aliases: tuple[str, ...]  # other media types clients ask for
    rdflib: str  # rdflib serializer / parser name
    label: str
    charset: bool  # textual format: add "; charset=utf-8"

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


RDF_FORMATS: tuple[RdfFormat, ...] = (
    RdfFormat("ttl", "text/turtle", ("application/x-turtle", "application/turtle"), "turtle", "Turtle", True),
    RdfFormat("jsonld", "application/ld+json", ("application/json",), "json-ld", "JSON-LD", False),
    RdfFormat("rdf", "application/rdf+xml", ("application/xml", "text/xml"), "xml", "RDF/XML", False),
    RdfFormat("nt", "application/n-triples", ("text/plain",), "nt", "N-Triples", True),
)
BY_KEY = {f.key: f for f in RDF_FORMATS}


def rdf_offers(formats: Sequence[RdfFormat] = RDF_FORMATS, with_aliases: bool = True) -> list[str]:
    """Media types to offer, canonical ones first (in server order), then the aliases."""
    offers = [f.media_type for f in formats]
    if with_aliases:
        offers += [a for f in formats for a in f.aliases]
    return offers


def format_for(media_type: str) -> RdfFormat | None:
    for f in RDF_FORMATS:
        if media_type == f.media_type or media_type in f.aliases:
            return f
    return None


# --- languages (Accept-Language, RFC 9110 §12.5.4 with RFC 4647 lookup) ----------------------

_LANG_RE = re.compile(r"^\s*(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*$")


def parse_accept_language(header: str | None) -> list[tuple[str, float, int]]:
    """(range, q, order) for each valid language range, lower-cased; garbage items are ignored."""
    if not header or len(header) > MAX_HEADER:
        return []
    out = []
    for order, item in enumerate(header.split(",")[:MAX_ITEMS]):
        pieces = item.split(";")
        m = _LANG_RE.match(pieces[0])
        if not m:
            continue
        q, ok = 1.0, True
        for piece in pieces[1:]:
            pm = _PARAM_RE.match(piece)
            if not pm or pm.group(1).lower() != "q" or not _Q_RE.match(pm.group(2)):
                ok = False
                break
            q = float(pm.group(2))
        if ok:
            out.append((m.group(1).lower(), q, order))
    return out


def negotiate_language(header: str | None, offers: Sequence[str]) -> str:
    """The best of `offers` (language tags) for this Accept-Language, else the first offer.

    A range matches an offer when they are equal, or when the range is more specific than the
    offer ('sv-FI' matches 'sv', RFC 4647 lookup), or when it is '*'. The most specific range
    decides an offer's q; q=0 excludes it; ties go to the client's order, then the server's.
    """
    ranges = parse_accept_language(header)
    scored = []
    for index, offer in enumerate(offers):
        tag = offer.lower()
        best: tuple[int, float, int] | None = None
        for rng, q, order in ranges:
            if rng == "*":
                specificity = 0
            elif rng == tag or rng.startswith(tag + "-"):
                specificity = 2 if rng == tag else 1
            else:
                continue
            if best is None or specificity > best[0]:
                best = (specificity, q, order)
        if best is not None and best[1] > 0:
            scored.append(((best[1], -best[2], -index), offer))
    return max(scored)[1] if scored else offers[0]
