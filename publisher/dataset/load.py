"""Load every YAML file in data/ into checked records, or fail with all problems at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceDataError, SourceProblem
from .national import merge
from .schema import Context, PartialDate, Record, Ref, parse_record
from .specs import FILES
from .yaml_source import read_yaml


@dataclass(frozen=True)
class SourceData:
    """All records of the source data, checked and cross-referenced."""

    dataset: Record
    sources: list[Record]
    counties: list[Record]
    municipalities: list[Record]
    organisations: list[Record]
    schemes: list[Record]
    memberships: list[Record]
    publications: list[Record]
    files: dict[str, bytes]  # name -> exact bytes read (for the dataset version)
    imports: dict[str, Record] = field(default_factory=dict)  # data/import-*.yaml: scb, wikidata, covenant
    covenant_names: list[Record] = field(default_factory=list)

    def by_id(self, collection: str) -> dict[str, Record]:
        return {r["id"]: r for r in getattr(self, collection)}

    @property
    def agents(self) -> dict[str, Record]:
        return {**self.by_id("municipalities"), **self.by_id("organisations")}


def load(data_dir: Path, today: dt.date | None = None) -> SourceData:
    problems: list[SourceProblem] = []
    loaded: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    display_root = data_dir.name

    present = {p.name for p in data_dir.glob("*.y*ml")} if data_dir.is_dir() else set()
    for extra in sorted(present - set(FILES)):
        problems.append(SourceProblem(f"{display_root}/{extra}", 0, "", (
            f"unknown data file; expected one of: {', '.join(FILES)}")))

    for name, (key, spec, is_list) in FILES.items():
        path = data_dir / name
        display = f"{display_root}/{name}"
        if not path.exists():
            problems.append(SourceProblem(display, 0, "", "file is missing"))
            continue
        files[name] = path.read_bytes()
        root, read_problems = read_yaml(path, display)
        problems += read_problems
        if root is None:
            continue
        ctx = Context(display, today)
        value_node = _top_level(ctx, root, key)
        if value_node is not None:
            if is_list:
                if isinstance(value_node, yaml.SequenceNode):
                    loaded[key] = [
                        r for n in value_node.value if (r := parse_record(ctx, n, spec)) is not None
                    ]
                else:
                    ctx.problem(value_node, key, f"expected a list of {key}")
            else:
                loaded[key] = parse_record(ctx, value_node, spec)
        problems += ctx.problems

    if problems:
        raise SourceDataError(problems)
    problems = merge(loaded)

    data = SourceData(
        dataset=loaded["dataset"],
        sources=loaded["sources"],
        counties=loaded["counties"],
        municipalities=loaded["municipalities"],
        organisations=loaded["organisations"],
        schemes=loaded["schemes"],
        memberships=loaded["memberships"],
        publications=loaded["publications"],
        files=files,
        imports={k: loaded[k] for k in ("scb", "wikidata", "covenant")},
        covenant_names=loaded["covenant_names"],
    )
    problems += cross_check(data)
    if problems:
        raise SourceDataError(problems)
    return data


def _top_level(ctx: Context, root: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(root, yaml.MappingNode):
        ctx.problem(root, "", f"the file must be a mapping with the single key {key!r}")
        return None
    found = None
    for key_node, value_node in root.value:
        if getattr(key_node, "value", None) == key and found is None:
            found = value_node
        else:
            ctx.problem(key_node, str(getattr(key_node, "value", "")), (
                f"unexpected top-level key; this file holds only {key!r}"))
    if found is None:
        ctx.problem(root, key, "required top-level key is missing")
    return found


# --- cross-file checks ----------------------------------------------------------------------


def before(a: PartialDate, b: PartialDate) -> bool:
    """`a` is surely earlier than `b`, compared at the precision both give (2008-11 vs 2008-11-14: no)."""
    n = min(len(a.text), len(b.text))
    return a.text[:n] < b.text[:n]


def cross_check(data: SourceData) -> list[SourceProblem]:
    """What no single file can show: duplicate ids, references to nothing, and the rules that tie
    records together (units, memberships, series), in that order."""
    return [*_duplicates(data), *_dangling_references(data), *_organisation_rules(data),
            *_membership_rules(data), *_publication_rules(data)]


def _problem(record: Record, field: str, message: str, line: int | None = None) -> SourceProblem:
    return SourceProblem(record.file, line or record.lines.get(field, record.line), field, message)


def _duplicates(data: SourceData) -> list[SourceProblem]:
    problems: list[SourceProblem] = []

    def unique(records: list[Record], field: str, what: str) -> None:
        first: dict[str, Record] = {}
        for r in records:
            value = r.get(field)
            if value is None:
                continue
            if value in first:
                other = first[value]
                problems.append(_problem(r, field, f"duplicate {what} {value!r} (also at {other.file}:{other.line})"))
            else:
                first[value] = r

    unique(data.sources, "id", "source id")
    unique(data.counties, "id", "county id")
    unique(data.counties, "code", "county code")
    unique(data.municipalities + data.organisations, "id", "id")
    unique(data.municipalities, "code", "municipality code")
    unique(data.schemes, "id", "scheme id")
    unique(data.publications, "id", "publication id")
    for scheme in data.schemes:
        unique(scheme["concepts"], "id", f"concept id in scheme {scheme['id']}")
    return problems


def _dangling_references(data: SourceData) -> list[SourceProblem]:
    problems: list[SourceProblem] = []
    targets: dict[str, set[str]] = {
        "sources": set(data.by_id("sources")),
        "counties": set(data.by_id("counties")),
        "agents": set(data.agents),
        "organisations": set(data.by_id("organisations")),
        "schemes": set(data.by_id("schemes")),
        "publications": set(data.by_id("publications")),
    }
    for scheme in data.schemes:
        targets[f"concepts:{scheme['id']}"] = {c["id"] for c in scheme["concepts"]}

    def check_refs(record: Record) -> None:
        for value in record.values.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Ref) and item.ident not in targets.get(item.target, set()):
                    what = item.target.replace("concepts:", "concept in scheme ")
                    problems.append(SourceProblem(record.file, item.line, item.field,
                                                  f"{item.ident!r} is not a known {what}"))
                elif isinstance(item, Record):
                    check_refs(item)

    everything = [data.dataset, *data.sources, *data.counties, *data.municipalities, *data.organisations,
                  *data.schemes, *data.memberships, *data.publications, *data.imports.values()]
    for record in everything:
        check_refs(record)
    return problems


def _organisation_rules(data: SourceData) -> list[SourceProblem]:
    problems = []
    for org in data.organisations:
        if (org["kind"] == "unit") != ("unit_of" in org.values):
            problems.append(_problem(org, "unit_of",
                                     "an organisation of kind 'unit' needs `unit_of`, and only a unit has it"))
        if org.get("unit_of") and org["unit_of"].ident == org["id"]:
            problems.append(_problem(org, "unit_of", "an organisation cannot be a unit of itself"))
    return problems


def _membership_rules(data: SourceData) -> list[SourceProblem]:
    problems = []
    organisations = data.by_id("organisations")
    seen: dict[tuple[str, ...], Record] = {}
    for m in data.memberships:
        member, org = m["member"].ident, m["organisation"].ident
        if member == org:
            problems.append(_problem(m, "member", "an organisation cannot be a member of itself"))
        key = (member, org, m.get("id") or "")
        if key in seen:
            problems.append(_problem(m, "member", f"{member} is already a member of {org} at line "
                                     f"{seen[key].line}; give each membership a distinct `id`"))
        seen[key] = m
        since, until = m.get("since"), m.get("until")
        if since and until and until.text < since.text:
            problems.append(_problem(m, "until", f"ends ({until.text}) before it starts ({since.text})"))
        founded = organisations.get(org, Record("", 0, {})).get("founded")
        if since and founded and before(since, founded):
            problems.append(_problem(m, "since", f"{since.text} is before {org} was founded ({founded.text})"))
    return problems


def _publication_rules(data: SourceData) -> list[SourceProblem]:
    publications = data.by_id("publications")
    return [_problem(p, "in_series", f"{p['in_series'].ident!r} is not a publication of kind 'series'")
            for p in data.publications
            if (series := p.get("in_series")) and publications.get(series.ident)
            and publications[series.ident]["kind"] != "series"]
