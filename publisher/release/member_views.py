"""Members at national scale, as plain data for the pages. Pure: the data graph in, dicts and SVG out.

- `member_table`: an organisation's members, one row each (name, code, county, role, since,
  Covenant status), bounded by the 290 municipalities plus a few organisations, so the page
  renders every row and the browser sorts and pages them (a page without JavaScript shows all).
- `county_table`: a county's municipalities, each with its memberships.
- `members_chart`: members over time, the cumulative number of members by join year, drawn by
  `charts.line_chart` (server-side SVG like the key-figure charts); members whose start year is
  not known are counted in the description and the caption, never placed on a year.
- `site_members`: the same for the landing page (one series per network) and the table of every
  municipality with its networks.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, TIME

from ..namespaces import SCHEMA
from .charts import Labels, Series, line_chart

Label = Callable[[URIRef], dict]
Href = Callable[[str], str | None]
ROLE_DEFAULT = {"sv": "medlem", "en": "member"}
SINCE = {"sv": "sedan", "en": "since"}
MAX_SERIES = 8  # the palette's colours; further networks are left out of the landing chart (and said so)


def start_of(data: Graph, membership: URIRef) -> str | None:
    """The start as precise as published (2009-11-23, 2016-08 or 2007), or None."""
    for period in data.objects(membership, ORG.memberDuring):
        for start in data.objects(period, TIME.hasBeginning):
            for prop in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear):
                value = data.value(start, prop)
                if value is not None:
                    return str(value)
    return None


def _status(data: Graph, membership: URIRef, label: Label, base_uri: str) -> dict | None:
    for record in data.objects(membership, URIRef(base_uri + "def/signatoryRecord")):
        status = data.value(record, URIRef(base_uri + "def/signatoryStatus"))
        if status is not None:
            return label(status)
    return None


def _phrase(role: dict, since: str | None) -> dict:
    return {lang: f"{role[lang]} {SINCE[lang]} {since}" if since else role[lang] for lang in ("sv", "en")}


def _role(data: Graph, membership: URIRef, label: Label) -> dict:
    role = data.value(membership, ORG.role)
    found = label(role) if role is not None else ROLE_DEFAULT
    return {lang: text[:1].lower() + text[1:] for lang, text in found.items()}


def _county(data: Graph, member: URIRef, label: Label, href: Href) -> dict | None:
    county = data.value(member, SCHEMA.location)
    if not isinstance(county, URIRef):
        return None
    code = data.value(county, DCTERMS.identifier)
    return {"label": label(county), "href": href(str(county)), "code": str(code or "")}


def member_table(topic: URIRef, data: Graph, label: Label, href: Href, base_uri: str) -> list[dict]:
    """One row per membership of the organisation `topic`, in the order of the members' names."""
    rows = []
    for m in set(data.subjects(ORG.organization, topic)):
        member = data.value(m, ORG.member)
        if member is None:
            continue
        since = start_of(data, m)
        code = data.value(member, DCTERMS.identifier)
        role = _role(data, m, label)
        rows.append({"member": {"label": label(member), "href": href(str(member))},
                     "code": str(code) if code is not None else "",
                     "county": _county(data, member, label, href),
                     "since": since or "", "membership": _phrase(role, since), "href": href(str(m)),
                     "status": _status(data, m, label, base_uri)})
    return sorted(rows, key=lambda r: (r["member"]["label"]["sv"].lower(), r["code"], r["href"] or ""))


def county_table(topic: URIRef, data: Graph, label: Label, href: Href) -> list[dict]:
    """The municipalities of the county `topic`, by code, each with its memberships."""
    rows = []
    for muni in set(data.subjects(SCHEMA.location, topic)):
        if (muni, RDF.type, None) not in data:
            continue
        memberships = []
        for m in data.subjects(ORG.member, muni):
            org = data.value(m, ORG.organization)
            since = start_of(data, m)
            memberships.append({"organisation": {"label": label(org), "href": href(str(org))},
                                "membership": _phrase(_role(data, m, label), since), "since": since or "",
                                "href": href(str(m))})
        memberships.sort(key=lambda r: (r["organisation"]["label"]["sv"].lower(), r["since"]))
        code = data.value(muni, DCTERMS.identifier)
        rows.append({"member": {"label": label(muni), "href": href(str(muni))},
                     "code": str(code) if code is not None else "", "memberships": memberships})
    return sorted(rows, key=lambda r: r["code"])


def cumulative(years: list[int]) -> tuple[tuple[int, str], ...]:
    """(year, members so far) for every year from the first join year to the last."""
    if not years:
        return ()
    out, total = [], 0
    for year in range(min(years), max(years) + 1):
        total += years.count(year)
        out.append((year, str(total)))
    return tuple(out)


def members_chart(ident: str, series: dict[str, tuple[dict, list[int]]], unknown: int,
                  title: dict) -> dict | None:
    """{'sv': svg, 'en': svg} of cumulative members by join year; None when no member has a year.

    `series`: key -> (label per language, join years). `unknown`: members without a known start year.
    """
    dated = {k: v for k, v in series.items() if v[1]}
    if not dated:
        return None
    out = {}
    for lang in ("sv", "en"):
        drawn = [Series(label[lang], cumulative(years)) for label, years in dated.values()]
        listing = "; ".join(f"{s.name}: " + ", ".join(f"{y} {v}" for y, v in s.points) for s in drawn)
        note = {"sv": f" {unknown} medlemskap utan känt startår ingår inte.",
                "en": f" {unknown} memberships without a known start year are not included."}[lang] if unknown else ""
        text = {"sv": "Antal medlemmar hittills, efter det år de gick med: ",
                "en": "Number of members so far, by the year they joined: "}[lang] + listing + "." + note
        labels = Labels(title[lang], text, {"sv": "År", "en": "Year"}[lang],
                        {"sv": "Medlemmar (ackumulerat)", "en": "Members (cumulative)"}[lang], lang)
        out[lang] = line_chart(f"{ident}-{lang}", drawn, labels)
    return out


def organisation_chart(key: str, rows: list[dict], name: dict) -> dict | None:
    years = [int(r["since"][:4]) for r in rows if r["since"]]
    title = {"sv": f"Medlemmar över tid – {name['sv']}", "en": f"Members over time – {name['en']}"}
    return members_chart(f"members-{key.replace('/', '-')}", {key: (name, years)},
                         sum(1 for r in rows if not r["since"]), title)


def _short(data: Graph, org: URIRef, label: Label) -> dict:
    """The label, or its shortest alternative label when the label is too long for a legend."""
    full = label(org)
    alts = sorted((str(a) for a in data.objects(org, SKOS.altLabel)), key=len)
    return {lang: alts[0] if len(text) > 24 and alts else text for lang, text in full.items()}


def site_members(data: Graph, label: Label, href: Href, base_uri: str) -> dict:
    """The landing page's chart (members over time, per network) and table (every municipality)."""
    networks: dict[str, tuple[dict, list[int]]] = {}
    unknown = 0
    for m in data.subjects(RDF.type, ORG.Membership):
        org = data.value(m, ORG.organization)
        since = start_of(data, m)
        if since is None:
            unknown += 1
            continue
        networks.setdefault(str(org), (_short(data, org, label), []))[1].append(int(since[:4]))
    ranked = sorted(networks.items(), key=lambda kv: (-len(kv[1][1]), kv[1][0]["sv"].lower()))
    shown = dict(ranked[:MAX_SERIES])
    unknown += sum(len(v[1]) for _, v in ranked[MAX_SERIES:])
    chart = members_chart("members-site", shown, unknown, {"sv": "Medlemmar över tid per nätverk",
                                                           "en": "Members over time by network"})
    table = []
    for muni in data.subjects(RDF.type, URIRef(base_uri + "def/Municipality")):
        code = data.value(muni, DCTERMS.identifier)
        orgs = {data.value(m, ORG.organization) for m in data.subjects(ORG.member, muni)}
        names = sorted((label(o) for o in orgs if o is not None), key=lambda lab: lab["sv"].lower())
        table.append({"member": {"label": label(muni), "href": href(str(muni))},
                      "code": str(code) if code is not None else "",
                      "county": _county(data, muni, label, href), "networks": len(names),
                      "names": {lang: ", ".join(n[lang] for n in names) for lang in ("sv", "en")}})
    table.sort(key=lambda r: r["code"])
    return {"chart": chart, "table": table, "left_out": [v[0] for _, v in ranked[MAX_SERIES:]]}
