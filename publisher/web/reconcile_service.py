"""The Reconciliation Service API 0.2 (W3C Entity Reconciliation CG) over the release's search index.

Pure apart from the index look-ups: JSON values in, JSON values out; the HTTP side is reconcile_routes.py.
Entity ids are document keys ("municipality/0136"): the identifier space is `<base>id/`, so an id
joined to it is the resource's IRI. Type ids are the index's kinds ("municipality", "county", …).

Scoring: a candidate's name match gives its score (exact 100, prefix 80, whole word 70, word prefix
60, substring 40); each property that agrees adds 10 (a code that agrees makes it 100), each one
that disagrees takes 40 off. `match` is true only when unambiguous: exactly one candidate carries
the code given as a property, no given property contradicts it and its name matches the query (if
one is given); or, without such a code, exactly one candidate's name is an exact match (as typed,
when two names fold alike) and no given property contradicts it.
"""

from __future__ import annotations

from ..release.search_entries import KINDS
from ..release.search_index import EXACT, PREFIX, SUBSTRING, WORD, WORD_PREFIX, Hit, SearchIndex, fold

LEVEL_SCORES = {EXACT: 100.0, PREFIX: 80.0, WORD: 70.0, WORD_PREFIX: 60.0, SUBSTRING: 40.0}
DEFAULT_TYPES = ("municipality", "county", "organisation", "membership", "indicator")
CODE_PROPERTIES = ("code", "organisationNumber", "wikidata", "kolada")
# property id -> (names, the kinds it applies to, the kind of entity its values are, or None for text)
PROPERTIES: dict[str, tuple[dict[str, str], tuple[str, ...], str | None]] = {
    "code": ({"sv": "Kod (kommun-, läns- eller begreppskod)", "en": "Code (municipality, county or concept code)"},
             ("municipality", "county", "indicator", "concept"), None),
    "organisationNumber": ({"sv": "Organisationsnummer", "en": "Organisation number"}, ("municipality",), None),
    "wikidata": ({"sv": "Wikidata-id", "en": "Wikidata id"}, ("municipality", "county", "organisation"), None),
    "county": ({"sv": "Län", "en": "County"}, ("municipality",), "county"),
    "memberOf": ({"sv": "Medlem i (nätverk eller samarbete)", "en": "Member of (network or collaboration)"},
                 ("municipality", "organisation"), "organisation"),
    "memberSince": ({"sv": "Medlem sedan (år, i samma ordning som Medlem i)",
                     "en": "Member since (year, in the order of Member of)"}, ("municipality", "organisation"), None),
    "memberships": ({"sv": "Medlemskap med startår", "en": "Memberships with their start years"},
                    ("municipality", "organisation"), None),
    "members": ({"sv": "Medlemmar", "en": "Members"}, ("organisation",), "municipality"),
    "homepage": ({"sv": "Webbplats", "en": "Website"}, ("municipality", "organisation"), None),
    "kolada": ({"sv": "Kolada-KPI", "en": "Kolada KPI"}, ("indicator",), None),
}
MAX_QUERIES, MAX_IDS, MAX_LIMIT = 100, 500, 100


class BadRequest(ValueError):
    """The request is malformed: the message says what to send instead (a 400)."""


def type_json(kind: str, lang: str) -> dict:
    return {"id": kind, "name": KINDS[kind][lang]}


def manifest(name: str, base_uri: str, service: str, site: str, lang: str) -> dict:
    """The service manifest. `service`: this service's absolute URL; `site`: the site's origin."""
    suggest = {kind: {"service_url": service, "service_path": f"/suggest/{kind}"}
               for kind in ("entity", "type", "property")}
    return {
        "versions": ["0.2"],
        "name": name,
        "identifierSpace": base_uri + "id/",
        "schemaSpace": base_uri + "def/",
        "defaultTypes": [type_json(kind, lang) for kind in DEFAULT_TYPES],
        "view": {"url": site + "/doc/{{id}}" + ("?lang=en" if lang == "en" else "")},
        "preview": {"url": service + "/preview?id={{id}}", "width": 400, "height": 140},
        "suggest": suggest,
        "extend": {"propose_properties": {"service_url": service, "service_path": "/properties"},
                   "property_settings": []},
    }


# --- reconciliation -----------------------------------------------------------------------------


def _check_query(key: str, q: object) -> dict:
    if not isinstance(q, dict):
        raise BadRequest(f"query {key!r} must be a JSON object like {{\"query\": \"Haninge\"}}")
    text = q.get("query")
    props = q.get("properties", [])
    if text is not None and not isinstance(text, str):
        raise BadRequest(f"query {key!r}: \"query\" must be a string")
    if not isinstance(props, list) or any(not isinstance(p, dict) or not isinstance(p.get("pid"), str)
                                          or "v" not in p for p in props):
        raise BadRequest(f"query {key!r}: \"properties\" must be a list of {{\"pid\": …, \"v\": …}}")
    if not (text or "").strip() and not props:
        raise BadRequest(f"query {key!r} needs a non-empty \"query\" or at least one property")
    for p in props:
        if p["pid"] not in PROPERTIES:
            raise BadRequest(f"query {key!r}: unknown property {p['pid'][:40]!r}; see /reconcile/suggest/property")
    kinds = q.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if kinds is not None and (not isinstance(kinds, list) or any(k not in KINDS for k in kinds)):
        raise BadRequest(f"query {key!r}: \"type\" must be one or a list of {', '.join(KINDS)}")
    limit = q.get("limit", 10)
    if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
        raise BadRequest(f"query {key!r}: \"limit\" must be a number")
    return {"text": (text or "").strip(), "props": props, "kinds": tuple(kinds or ()),
            "limit": min(int(limit) or 10, MAX_LIMIT), "strict": q.get("type_strict", "should")}


def check_batch(batch: object) -> dict[str, dict]:
    if not isinstance(batch, dict) or not batch:
        raise BadRequest('queries must be a JSON object of queries, e.g. {"q0": {"query": "Haninge"}}')
    if len(batch) > MAX_QUERIES:
        raise BadRequest(f"at most {MAX_QUERIES} queries in one batch, not {len(batch)}")
    return {key: _check_query(key, q) for key, q in batch.items()}


def _values(v: object) -> list:
    values = v if isinstance(v, list) else [v]
    return [x for x in values if x is not None]


def _as_text(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("id") or value.get("name") or "")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _agrees(pid: str, given: object, extension: dict) -> bool | None:
    """Whether the entity's values of `pid` agree with `given`; None when it has no such value."""
    if pid in CODE_PROPERTIES or pid == "homepage":
        have = extension.get(pid)
        if not have:
            return None
        have = [have] if isinstance(have, str) else have
        normal = {fold(h).replace(" ", "") for h in have}
        return fold(_as_text(given)).replace(" ", "") in normal
    if pid == "county":
        county = extension.get("county")
        if not county:
            return None
        text = fold(_as_text(given))
        return text in {fold(county["id"]), fold(county["id"].rsplit("/", 1)[-1]),
                        fold(county["label"]["sv"]), fold(county["label"]["en"])}
    if pid in ("memberOf", "members"):
        rows = extension.get(pid)
        if not rows:
            return None
        text = fold(_as_text(given))
        return any(text in (fold(r["id"]), fold(r["label"]["sv"]), fold(r["label"]["en"])) for r in rows)
    if pid == "memberSince":
        rows = extension.get("memberOf")
        if not rows:
            return None
        return _as_text(given) in {r["since"] for r in rows if r["since"]}
    return None


def reconcile_one(index: SearchIndex, q: dict, lang: str) -> dict:
    found: dict[str, Hit] = {}
    if q["text"]:
        for hit in index.search(q["text"], max(q["limit"], 10) * 2, q["kinds"]):
            found[hit.key] = hit
        if not found and q["kinds"] and q["strict"] == "should":  # the type is a preference
            for hit in index.search(q["text"], max(q["limit"], 10) * 2):
                found[hit.key] = hit
    for p in q["props"]:
        if p["pid"] in CODE_PROPERTIES:  # a code finds its entity whatever the name says
            for value in _values(p["v"]):
                for hit in index.by_code(_as_text(value)):
                    if not q["kinds"] or hit.kind in q["kinds"]:
                        found.setdefault(hit.key, Hit(hit.key, hit.iri, hit.kind, hit.label, hit.description,
                                                      SUBSTRING + 1, "code", hit.name, hit.kind_rank, False))
    scored = []
    for hit in found.values():
        extension = index.entity(hit.key)["extension"] if q["props"] else {}
        score = LEVEL_SCORES.get(hit.match, 20.0) if q["text"] else 50.0
        codes_agree = contradicted = 0
        for p in q["props"]:
            verdicts = [_agrees(p["pid"], v, extension) for v in _values(p["v"])]
            if any(verdicts):
                score += 10
                codes_agree += p["pid"] in CODE_PROPERTIES
            elif any(v is False for v in verdicts):
                score -= 40
                contradicted += 1
        if codes_agree and not contradicted:
            score = 100.0
        scored.append((hit, max(0.0, min(score, 100.0)), codes_agree, contradicted))
    scored.sort(key=lambda s: (-s[1], s[0].sort_key()))
    # certain: the one candidate a given code points to, if the name (when given) matches it too
    sure = [s for s in scored if s[2] and not s[3] and (not q["text"] or s[0].match <= SUBSTRING)]
    if not sure and q["text"]:
        sure = [s for s in scored if s[0].match == EXACT and not s[3]]
        if len(sure) > 1:  # "Håbo" and "Habo" both fold to "habo": the one written as asked is meant
            sure = [s for s in sure if s[0].literal]
    certain = sure[0][0].key if len(sure) == 1 else None
    return {"result": [{
        "id": hit.key, "name": hit.label[lang], "description": hit.description[lang], "score": score,
        "match": hit.key == certain, "type": [type_json(hit.kind, lang)],
        "features": [{"id": "name", "value": LEVEL_SCORES.get(hit.match, 0.0)},
                     {"id": "properties_agreeing", "value": codes_agree}],
    } for hit, score, codes_agree, _ in scored[:q["limit"]]]}


def reconcile(index: SearchIndex, batch: object, lang: str) -> dict:
    return {key: reconcile_one(index, q, lang) for key, q in check_batch(batch).items()}


# --- suggest, property proposal, data extension -----------------------------------------------------


def suggest_entities(index: SearchIndex, prefix: str, kinds: tuple[str, ...], cursor: int, lang: str) -> dict:
    # always the same MAX_LIMIT best, sliced: pages of one prefix never overlap
    hits = index.search(prefix, MAX_LIMIT, kinds)[cursor:cursor + 10]
    return {"result": [{"id": h.key, "name": h.label[lang], "description": h.description[lang],
                        "notable": [type_json(h.kind, lang)]} for h in hits]}


def _prefix_match(prefix: str, names: dict[str, str], ident: str) -> bool:
    p = fold(prefix)
    return not p or any(w.startswith(p) for text in (*names.values(), ident) for w in [fold(text), *fold(text).split()])


def suggest_types(prefix: str, lang: str) -> dict:
    return {"result": [type_json(kind, lang) for kind, names in KINDS.items() if _prefix_match(prefix, names, kind)]}


def suggest_properties(prefix: str, lang: str) -> dict:
    return {"result": [{"id": pid, "name": names[lang]} for pid, (names, _, _) in PROPERTIES.items()
                       if _prefix_match(prefix, names, pid)]}


def propose_properties(kind: str | None, limit: int, lang: str) -> dict:
    if kind is not None and kind not in KINDS:
        raise BadRequest(f"unknown type {kind[:40]!r}; one of {', '.join(KINDS)}")
    chosen = [{"id": pid, "name": names[lang]} for pid, (names, kinds, _) in PROPERTIES.items()
              if kind is None or kind in kinds]
    out = {"properties": chosen[:limit] if limit else chosen, "limit": limit}
    if kind is not None:
        out["type"] = kind
    return out


def _cells(pid: str, extension: dict, lang: str) -> list[dict]:
    if pid in CODE_PROPERTIES:
        return [{"str": v} for v in extension.get(pid, [])]
    if pid == "homepage":
        return [{"str": extension["homepage"]}] if "homepage" in extension else []
    if pid == "county":
        county = extension.get("county")
        return [{"id": county["id"], "name": county["label"][lang]}] if county else []
    if pid in ("memberOf", "members"):
        return [{"id": r["id"], "name": r["label"][lang]} for r in extension.get(pid, [])]
    if pid == "memberSince":
        return [{"int": int(r["since"])} if r["since"] else {} for r in extension.get("memberOf", [])]
    if pid == "memberships":
        since = {"sv": "sedan", "en": "since"}[lang]
        return [{"str": r["label"][lang] + (f" ({since} {r['since']})" if r["since"] else "")}
                for r in extension.get("memberOf", [])]
    return []


def extend(index: SearchIndex, query: object, lang: str) -> dict:
    if not isinstance(query, dict) or not isinstance(query.get("ids"), list) \
            or not isinstance(query.get("properties"), list):
        raise BadRequest('extend must be a JSON object {"ids": [...], "properties": [{"id": ...}]}')
    ids, props = query["ids"], query["properties"]
    if len(ids) > MAX_IDS or any(not isinstance(i, str) for i in ids):
        raise BadRequest(f"\"ids\" must be at most {MAX_IDS} strings")
    pids = []
    for p in props:
        pid = p.get("id") if isinstance(p, dict) else None
        if pid not in PROPERTIES:
            raise BadRequest(f"unknown property {str(pid)[:40]!r}; see /reconcile/properties")
        pids.append(pid)
    meta = []
    for pid in pids:
        names, _, value_kind = PROPERTIES[pid]
        column = {"id": pid, "name": names[lang]}
        if value_kind:
            column["type"] = type_json(value_kind, lang)
        meta.append(column)
    rows = {}
    for key in ids:
        entity = index.entity(key)
        extension = entity["extension"] if entity else {}
        rows[key] = {pid: _cells(pid, extension, lang) for pid in pids}
    return {"meta": meta, "rows": rows}
