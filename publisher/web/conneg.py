"""Content negotiation: an RFC 9110 Accept parser over the release's one table of RDF formats.

Pure functions, no I/O. `negotiate(accept, offers)` follows RFC 9110 §12.5.1: lists, parameters,
quoted strings (a comma or semicolon inside quotes belongs to the value), q-values (q=0 means "not
acceptable"), wildcards; the most specific matching range decides an offer's quality; ties go to
the more specific match, then to the client's order, then to the server's order of offers.
Unparseable items are ignored (a garbage header never causes an error); a missing, empty or wholly
unparseable header means the server's first offer. Every range of a header up to MAX_HEADER
characters counts, however many there are (matching is linear in their number). A longer header
is read as absent here; the web layer refuses it first with 431 and says why (`oversized_header`),
so no client gets a format it did not ask for because its header was cut or ignored.

`profile` (RFC 6906; the IANA registration of application/ld+json) is the one parameter that
takes part in matching, and only with the profiles the server recognises: those its offers declare
and JSON-LD's registered forms (expanded, compacted, ...). The registration says a server "MUST
ignore the profiles in the list which it does not recognize", so a range whose profiles are all
unrecognised matches the plain type. An offer that declares profiles is chosen only by a range
without profiles or one naming one of them; a plain offer is not chosen by a range that names a
recognised profile (`application/ld+json;profile="…#expanded"` does not get our compacted JSON-LD).

Why our own parser rather than werkzeug's `parse_accept_header` (a new dependency): werkzeug's
`MIMEAccept` matches a range only when all its parameters equal the offer's, so it answers
`application/ld+json;profile="…#compacted,x", text/html;q=0.1` with HTML too and would stop
`text/turtle;charset=utf-8` from matching Turtle. The grammar itself is small; the cases real and
hostile clients send are the table in tests/test_conneg.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from ..release.formats import BY_KEY, RDF_FORMATS, RdfFormat
from ..release.formats import format_for as format_for  # negotiation looks formats up by media type

_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_RANGE_RE = re.compile(rf"^\s*({_TOKEN})/({_TOKEN})\s*$")
_PARAM_RE = re.compile(rf'^\s*({_TOKEN})\s*=\s*({_TOKEN}|"(?:[^"\\]|\\.)*")\s*$')
_Q_RE = re.compile(r"^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$")
MAX_HEADER = 8192  # characters of Accept / Accept-Language read (Apache's and nginx's line limits are 8 KB)
NEGOTIATION_HEADERS = (b"accept", b"accept-language", b"accept-profile")
MATCHED_PARAMS = ("profile",)  # parameters that take part in matching; others (charset, …) are ignored
NO_PROFILES: frozenset[str] = frozenset()
JSONLD = "http://www.w3.org/ns/json-ld#"
REGISTERED_PROFILES = {  # profiles a media type's registration defines: always recognised
    BY_KEY["jsonld"].media_type: frozenset(JSONLD + name for name in
                                           ("expanded", "compacted", "context", "flattened", "frame", "framed")),
}


class MediaRange(NamedTuple):  # a tuple: a header may hold a thousand of them
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

    @property
    def profiles(self) -> frozenset[str]:
        if not self.params:
            return NO_PROFILES
        return frozenset(uri for k, v in self.params if k == "profile" for uri in v.split())

    def matches(self, media_type: str, recognised: Iterable[str] = ()) -> bool:
        """Does this range accept `media_type` (an offer, with its parameters)?"""
        mtype, subtype, offered = _offer(media_type)
        if self.type != "*" and self.type != mtype:
            return False
        if self.subtype != "*" and self.subtype != subtype:
            return False
        wanted = self.profiles
        if not wanted:
            return True
        if offered:
            return bool(wanted & offered)
        known = REGISTERED_PROFILES.get(f"{mtype}/{subtype}", frozenset()) | frozenset(recognised)
        return not (wanted & known)


@lru_cache(maxsize=256)
def _offer(media_type: str) -> tuple[str, str, frozenset[str]]:
    """(type, subtype, declared profiles) of one of the server's offers."""
    pieces = _split(media_type, ";")
    mtype, _, subtype = pieces[0].strip().lower().partition("/")
    profiles = frozenset(uri for k, v in parse_params(pieces[1:]) if k == "profile" for uri in v.split())
    return mtype, subtype.strip(), profiles


def offer_parts(media_type: str) -> list:
    """[type, subtype, [declared profiles]] of an offer: as conneg.js's offerParts takes it apart."""
    mtype, subtype, profiles = _offer(media_type)
    return [mtype, subtype, sorted(profiles)]


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


def _split(header: str, separator: str = ",", angles: bool = False) -> list[str]:
    """Split on `separator` outside quoted strings (RFC 9110 §5.6.4, with backslash escapes) and, with
    `angles`, outside `<...>` (the IRIs of Accept-Profile)."""
    if '"' not in header and not (angles and "<" in header):
        return header.split(separator)
    parts, buf, quoted, escaped, bracketed = [], [], False, False, False
    for ch in header:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"' and not bracketed:
            quoted = not quoted
        elif angles and not quoted and ch in "<>":
            bracketed = ch == "<"
        elif ch == separator and not quoted and not bracketed:
            parts.append("".join(buf))
            buf = []
            continue
        buf.append(ch)
    parts.append("".join(buf))
    return parts


def split_list(header: str, angles: bool = False) -> list[str]:
    """The items of a comma-separated header, commas inside quotes (and, with `angles`, `<...>`) kept."""
    return _split(header, ",", angles)


def oversized_header(headers: Iterable[tuple[bytes, bytes]]) -> tuple[str, int] | None:
    """(name, length) of the first Accept or Accept-Language header longer than MAX_HEADER, else None."""
    for name, value in headers:
        if len(value) > MAX_HEADER and name in NEGOTIATION_HEADERS:
            return name.decode("latin-1"), len(value)
    return None


def parse_accept(header: str | None) -> list[MediaRange]:
    """The valid media ranges of an Accept header, in the client's order (all of them)."""
    if not header or len(header) > MAX_HEADER:
        return []
    ranges: list[MediaRange] = []
    for order, item in enumerate(_split(header)):
        pieces = _split(item, ";")
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
                params.extend(parse_params([piece]))
        if ok:
            ranges.append(MediaRange(mtype, subtype, tuple(params), q, order))
    return ranges


def quality(ranges: Iterable[MediaRange], media_type: str,
            recognised: Iterable[str] = ()) -> tuple[float, int, int]:
    """(q, specificity, -order) of the most specific range matching `media_type`; q=-1 if none."""
    best: MediaRange | None = None
    for r in ranges:
        if r.matches(media_type, recognised) and (
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
    # only the ranges of an offer's type, its type/* and */* can match it, and of the ranges with
    # the same type and profiles only the best can decide: linear in the number of ranges
    best: dict[tuple[str, str, frozenset[str]], MediaRange] = {}
    for r in ranges:
        key = (r.type, r.subtype, r.profiles)
        if key not in best or r.q > best[key].q:
            best[key] = r
    by_type: dict[tuple[str, str], list[MediaRange]] = {}
    for (mtype, subtype, _), r in best.items():
        by_type.setdefault((mtype, subtype), []).append(r)
    recognised = frozenset(p for offer in offers for p in _offer(offer)[2])
    scored = []
    for index, offer in enumerate(offers):
        mtype, subtype, _ = _offer(offer)
        candidates = (by_type.get((mtype, subtype), []) + by_type.get((mtype, "*"), [])
                      + by_type.get(("*", "*"), []))
        q, specificity, neg_order = quality(candidates, offer, recognised)
        if q > 0:
            scored.append(((q, specificity, neg_order, -index), offer))
    if not scored:
        return None
    return max(scored)[1]


# --- offering the RDF formats (the table: release/formats.py) -------------------------------


def rdf_offers(formats: Sequence[RdfFormat] = RDF_FORMATS, with_aliases: bool = True) -> list[str]:
    """Media types to offer, canonical ones first (in server order), then the aliases."""
    offers = [f.media_type for f in formats]
    if with_aliases:
        offers += [a for f in formats for a in f.aliases]
    return offers


# --- languages (Accept-Language, RFC 9110 §12.5.4 with RFC 4647 lookup) ----------------------

_LANG_RE = re.compile(r"^\s*(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)\s*$")


def parse_accept_language(header: str | None) -> list[tuple[str, float, int]]:
    """(range, q, order) for each valid language range, lower-cased; garbage items are ignored."""
    if not header or len(header) > MAX_HEADER:
        return []
    out = []
    for order, item in enumerate(header.split(",")):
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
