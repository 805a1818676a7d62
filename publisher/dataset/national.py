"""The imported files (data/import-*.yaml) merged with the hand-kept records. Pure: records in, records out.

- SCB's list is the register: every county and municipality in it becomes a record; a hand-kept
  one (places.yaml, municipalities.yaml) with the same code keeps its id, names and sources and
  gains SCB as a source. A hand-kept code that SCB does not list, or a hand-kept county that
  differs from SCB's, is a problem at its file:line.
- An imported municipality's id is the ASCII slug of its short name ("Upplands Väsby" →
  upplands-vasby); two names with one slug (Håbo, Habo) both get the code appended. Its label is
  the short name: official long names are published only where a hand-kept source gives them.
- Wikidata ids from the imported list give `owl:sameAs`, with the list as source; a hand-kept id
  that disagrees is a problem.
- Each Covenant signatory becomes a membership of covenant-of-mayors, role undertecknare, since its
  adhesion date, carrying the JRC record (status, commitments, as of the release). A hand-kept
  membership of the same member keeps its own start date and sources; the JRC record is added
  beside it, so two differing dates are both published, each with its source. A group of
  signatories becomes an organisation whose members are its municipalities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from ..errors import SourceProblem
from ..uris import slugify
from .schema import PartialDate, Record, Ref

COVENANT = "covenant-of-mayors"


def _ref(target: str, ident: str, record: Record, field: str) -> Ref:
    return Ref(target, ident, record.line, field)


def _with_source(record: Record, source: Ref) -> None:
    if all(s.ident != source.ident for s in record.values.get("sources", [])):
        record.values["sources"] = [*record.values.get("sources", []), source]


def _by_code(records: list[Record]) -> tuple[dict[str, Record], list[Record]]:
    """The first record of each code, and the records without a code or with a repeated one."""
    first: dict[str, Record] = {}
    rest = []
    for r in records:
        if "code" in r.values and r["code"] not in first:
            first[r["code"]] = r
        else:
            rest.append(r)
    return first, rest


Problem = Callable[[Record, str, str], None]  # (record, field, message): a problem at the record's field
NOT_IN_SCB = "is not a municipality code in SCB's list (data/import-scb.yaml)"


def merge(loaded: dict[str, Any]) -> list[SourceProblem]:
    """Rewrite loaded['counties'|'municipalities'|'organisations'|'memberships'] in place."""
    problems: list[SourceProblem] = []

    def problem(record: Record, field: str, message: str) -> None:
        problems.append(SourceProblem(record.file, record.lines.get(field, record.line), field, message))

    scb, wikidata, covenant = loaded.get("scb"), loaded.get("wikidata"), loaded.get("covenant")
    if scb is None or wikidata is None or covenant is None:
        return problems  # the missing file is already reported
    counties, county_ids = _counties(loaded["counties"], scb, problem)
    municipalities = _municipalities(loaded["municipalities"], scb, wikidata, county_ids, problem)
    known = {r["code"] for r in scb["municipalities"]}
    organisations, memberships = _covenant(loaded, covenant, municipalities, known, problem)
    loaded["counties"] = sorted(counties, key=lambda r: r["code"])
    loaded["municipalities"] = municipalities
    loaded["organisations"] = organisations
    loaded["memberships"] = memberships
    return problems


def _counties(hand_kept: list[Record], scb: Any, problem: Problem) -> tuple[list[Record], dict[str, str]]:
    """SCB's counties, hand-kept ones merged in, and the id of each county code."""
    hand_counties, counties = _by_code(hand_kept)  # a repeated code stays in, for the duplicate check
    county_ids: dict[str, str] = {}
    for row in scb["counties"]:
        code, name = row["code"], row["name"]
        hand = hand_counties.pop(code, None)
        if hand is not None:
            if hand["name"].get("sv") != name:
                problem(hand, "name", f"SCB names county {code} {name!r} ({row.file}:{row.line})")
            _with_source(hand, _ref("sources", scb["source"].ident, hand, "sources"))
            record = hand
        else:
            record = Record(row.file, row.line, {
                "id": slugify(name), "code": code, "name": {"sv": name, "en": name}, "confidence": "sourced",
                "sources": [_ref("sources", scb["source"].ident, row, "sources")]}, dict(row.lines))
        counties.append(record)
        county_ids[code] = record["id"]
    for hand in hand_counties.values():
        problem(hand, "code", f"county code {hand['code']!r} is not in SCB's list of counties (data/import-scb.yaml); "
                "use one of its codes")
    return counties, county_ids


def _municipalities(hand_kept: list[Record], scb: Any, wikidata: Any, county_ids: dict[str, str],
                    problem: Problem) -> list[Record]:
    """SCB's municipalities with their Wikidata ids, hand-kept ones merged in."""
    ids_by_county = {v: k for k, v in county_ids.items()}
    wd = {r["code"]: r for r in wikidata["ids"]}
    hand_munis, municipalities = _by_code(hand_kept)
    slugs = Counter(slugify(r["short_name"]) for r in scb["municipalities"])
    for row in scb["municipalities"]:
        code = row["code"]
        hand = hand_munis.pop(code, None)
        qid = wd.get(code)
        if hand is not None:
            county = hand.get("county")
            if county is not None and ids_by_county.get(county.ident, county.ident) != row["county"]:
                problem(hand, "county", f"SCB puts {code} in county {row['county']} ({county_ids.get(row['county'])}), "
                        f"not {county.ident}")
            if qid is not None and hand.get("wikidata") not in (None, qid["wikidata"]):
                problem(hand, "wikidata", f"the imported Wikidata list gives {qid['wikidata']} for {code} "
                        f"({qid.file}:{qid.line})")
            _with_source(hand, _ref("sources", scb["source"].ident, hand, "sources"))
            municipalities.append(hand)
            continue
        slug = slugify(row["short_name"])
        ident = slug if slugs[slug] == 1 else f"{slug}-{code}"
        values: dict[str, Any] = {
            "id": ident, "code": code, "name": {"sv": row["short_name"], "en": row["short_name"]},
            "short_name": row["short_name"],
            "county": Ref("counties", county_ids.get(row["county"], row["county"]), row.line, "county"),
            "confidence": "sourced", "sources": [_ref("sources", scb["source"].ident, row, "sources")]}
        if qid is not None:
            values["wikidata"] = qid["wikidata"]
            values["sources"].append(_ref("sources", wikidata["source"].ident, row, "sources"))
        municipalities.append(Record(row.file, row.line, values, dict(row.lines)))
    for hand in hand_munis.values():
        problem(hand, "code", f"{hand['code']!r} {NOT_IN_SCB}")
    known = {r["code"] for r in scb["municipalities"]}
    for r in wikidata["ids"]:
        if r["code"] not in known:
            problem(r, "code", f"{r['code']!r} {NOT_IN_SCB}")
    return municipalities


def _covenant(loaded: dict[str, Any], covenant: Any, municipalities: list[Record], known: set[str],
              problem: Problem) -> tuple[list[Record], list[Record]]:
    """The organisations and memberships with the Covenant's signatories added (groups as organisations)."""
    by_code = {m["code"]: m["id"] for m in municipalities}
    for entry in loaded.get("covenant_names", []):
        for code in [entry.get("code"), *(entry.get("group") or [])]:
            if code is not None and code not in known:
                problem(entry, "code" if entry.get("code") else "group", f"{code!r} {NOT_IN_SCB}")
    source = covenant["source"]
    hand_members = {(m["member"].ident, m["organisation"].ident): m for m in loaded["memberships"]
                    if "member" in m.values and "organisation" in m.values and not m.get("id")}
    organisations, memberships = list(loaded["organisations"]), list(loaded["memberships"])
    for row in covenant["signatories"]:
        jrc = _ref("sources", source.ident, row, "sources")
        if row.get("group"):
            member = _signatory_group(row, jrc, by_code, organisations, memberships)
        elif row.get("code") in by_code:
            member = by_code[row["code"]]
        else:
            problem(row, "code", f"{row.get('code')!r} {NOT_IN_SCB}")
            continue
        signatory = {"gcom_id": row["gcom_id"], "adhesion": row["adhesion"], "status": row["status"],
                     "commitments": row["commitments"], "as_of": covenant["as_of"], "source": source,
                     "file": row.file, "line": row.line}
        hand = hand_members.get((member, COVENANT))
        if hand is not None:
            hand.values["signatory"] = signatory
            _with_source(hand, _ref("sources", source.ident, hand, "sources"))
            continue
        memberships.append(Record(row.file, row.line, {
            "member": _ref("agents", member, row, "member"),
            "organisation": _ref("organisations", COVENANT, row, "organisation"),
            "role": _ref("concepts:medlemsroller", "undertecknare", row, "role"),
            "since": PartialDate(row["adhesion"].text, "day"), "confidence": "sourced", "sources": [jrc],
            "signatory": signatory}, dict(row.lines)))
    return organisations, memberships


def _signatory_group(row: Record, jrc: Ref, by_code: dict[str, str], organisations: list[Record],
                     memberships: list[Record]) -> str:
    """A group of signatories as an organisation whose members are its municipalities; its id."""
    member = slugify(row["name"])
    organisations.append(Record(row.file, row.line, {
        "id": member, "kind": "collaboration", "name": {"sv": row["name"], "en": row["name"]},
        "description": {
            "sv": "En grupp av kommuner som undertecknat Borgmästaravtalet gemensamt, enligt JRC:s "
                  "förteckning GCoM – MyCovenant.",
            "en": "A group of municipalities that signed the Covenant of Mayors together, as listed in "
                  "the JRC's GCoM – MyCovenant dataset."},
        "confidence": "sourced", "sources": [jrc]}, dict(row.lines)))
    for code in row["group"]:
        if code in by_code:
            memberships.append(Record(row.file, row.line, {
                "member": _ref("agents", by_code[code], row, "member"),
                "organisation": _ref("organisations", member, row, "organisation"),
                "confidence": "sourced", "sources": [jrc]}, dict(row.lines)))
    return member
