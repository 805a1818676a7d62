"""Field types for the YAML source data, checked against the node tree with line numbers.

Each field kind is a small function `(ctx, node, field) -> value` that either returns a clean
Python value or records a problem (file, line, field, message) and returns INVALID. All problems
of all files are collected so the author sees everything at once.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import yaml

from ..errors import SourceProblem
from ..uris import is_slug

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


INVALID: Any = _Invalid()

LANG_TAG_RE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})*$")
EMAIL_RE = re.compile(r"^[^@\s<>()\[\],;:\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
IRI_FORBIDDEN = set(' <>"{}|\\^`')
MIN_YEAR = 1000


class Context:
    """Collects the problems of one file."""

    def __init__(self, display: str, today: dt.date | None = None):
        self.display = display
        self.problems: list[SourceProblem] = []
        self.today = today or dt.date.today()

    def problem(self, node: yaml.Node | int, field: str, message: str) -> Any:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.problems.append(SourceProblem(self.display, line, field, message))
        return INVALID


Kind = Callable[[Context, yaml.Node, str], Any]


@dataclass(frozen=True)
class Ref:
    """A reference to another record by id, resolved after all files are read."""

    target: str  # which collection ("sources", "agents", "concepts:<scheme>", ...)
    ident: str
    line: int
    field: str


@dataclass(frozen=True)
class PartialDate:
    """A year, a year and month, or a full date, as precise as the source is."""

    text: str
    precision: str  # "year" | "month" | "day"

    @property
    def year(self) -> int:
        return int(self.text[:4])


@dataclass
class Record:
    file: str
    line: int
    values: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False


@dataclass(frozen=True)
class Spec:
    name: str
    fields: dict[str, Field]


# --- scalars -------------------------------------------------------------------------------


def _describe_plain(node: yaml.ScalarNode) -> str:
    value = node.value
    if node.tag == BOOL:
        meaning = "true" if value.lower() in ("yes", "true", "on", "y") else "false"
        return f"YAML reads {value!r} as the boolean {meaning}; put it in quotes if you mean text"
    if node.tag in (INT, FLOAT):
        return f"YAML reads {value!r} as a number; put it in quotes (\"{value}\") to keep it as text"
    if node.tag == NULL:
        return "is empty"
    if node.tag == TIMESTAMP:
        return f"YAML reads {value!r} as a date; put it in quotes if you mean text"
    return f"unexpected value {value!r}"


def _scalar(ctx: Context, node: yaml.Node, field: str) -> yaml.ScalarNode | None:
    if isinstance(node, yaml.ScalarNode):
        return node
    found = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
    ctx.problem(node, field, f"expected a single value, found {found}")
    return None


def text(ctx: Context, node: yaml.Node, field: str) -> Any:
    scalar = _scalar(ctx, node, field)
    if scalar is None:
        return INVALID
    if not scalar.style and scalar.tag != STR:  # plain: style None (Python parser) or "" (libyaml)
        return ctx.problem(node, field, _describe_plain(scalar))
    value = scalar.value.strip()
    if not value:
        return ctx.problem(node, field, "must not be empty")
    return value


def ident(ctx: Context, node: yaml.Node, field: str) -> Any:
    value = text(ctx, node, field)
    if value is INVALID:
        return value
    if not is_slug(value):
        return ctx.problem(
            node, field, f"{value!r} is not a valid id: use lower-case ASCII letters, digits and "
            "single hyphens (å/ä → a, ö → o), e.g. 'sodertalje'"
        )
    return value


def digits(n: int) -> Kind:
    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        scalar = _scalar(ctx, node, field)
        if scalar is None:
            return INVALID
        if not scalar.style and scalar.tag != STR:
            return ctx.problem(
                node, field,
                f"codes are text: write \"{scalar.value}\" in quotes "
                f"(YAML would read {scalar.value} as a number and lose leading zeros)",
            )
        if not re.fullmatch(rf"[0-9]{{{n}}}", scalar.value):
            return ctx.problem(node, field, f"{scalar.value!r} must be exactly {n} digits")
        return scalar.value

    return kind


def pattern(regex: str, example: str) -> Kind:
    compiled = re.compile(regex)

    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        value = text(ctx, node, field)
        if value is INVALID:
            return value
        if not compiled.fullmatch(value):
            return ctx.problem(node, field, f"{value!r} is not in the expected form, e.g. {example}")
        return value

    return kind


def iri(ctx: Context, node: yaml.Node, field: str) -> Any:
    value = text(ctx, node, field)
    if value is INVALID:
        return value
    bad = sorted({c for c in value if c in IRI_FORBIDDEN or ord(c) < 0x20})
    parts = urlsplit(value)
    if bad:
        return ctx.problem(node, field, f"{value!r} is not a valid IRI: contains {''.join(bad)!r}")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ctx.problem(node, field, f"{value!r} is not an absolute http(s) IRI")
    try:
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        return ctx.problem(node, field, f"{value!r} has an invalid port")
    return value


def email(ctx: Context, node: yaml.Node, field: str) -> Any:
    value = text(ctx, node, field)
    if value is not INVALID and not EMAIL_RE.fullmatch(value):
        return ctx.problem(node, field, f"{value!r} is not an e-mail address")
    return value


def boolean(ctx: Context, node: yaml.Node, field: str) -> Any:
    scalar = _scalar(ctx, node, field)
    if scalar is None:
        return INVALID
    if not scalar.style and scalar.value in ("true", "false"):
        return scalar.value == "true"
    return ctx.problem(node, field, f"write true or false, not {scalar.value!r}")


def enum(*allowed: str, hints: dict[str, str] | None = None) -> Kind:
    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        value = text(ctx, node, field)
        if value is INVALID:
            return value
        if hints and value in hints:
            return ctx.problem(node, field, hints[value])
        if value not in allowed:
            return ctx.problem(node, field, f"{value!r} is not one of: {', '.join(allowed)}")
        return value

    return kind


def partial_date(min_year: int = MIN_YEAR, precision: tuple[str, ...] = ("year", "month", "day")) -> Kind:
    """A year (2007), year-month ("2016-08") or date (2009-11-23), not in the future."""

    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        scalar = _scalar(ctx, node, field)
        if scalar is None:
            return INVALID
        raw = scalar.value.strip()
        if not scalar.style and scalar.tag in (BOOL, NULL, FLOAT):
            return ctx.problem(node, field, f"{raw!r} is not a year or a date")
        if re.fullmatch(r"[0-9]{4}", raw):
            found = PartialDate(raw, "year")
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}", raw):
            if not 1 <= int(raw[5:]) <= 12:
                return ctx.problem(node, field, f"{raw!r} has no month {raw[5:]}")
            found = PartialDate(raw, "month")
        elif re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
            try:
                dt.date.fromisoformat(raw)
            except ValueError:
                return ctx.problem(node, field, f"{raw!r} is not a real date")
            found = PartialDate(raw, "day")
        else:
            return ctx.problem(
                node, field, f"{raw!r} is not a year (2007), a year and month (\"2016-08\") "
                "or a date (2009-11-23)"
            )
        if found.precision not in precision:
            return ctx.problem(node, field, f"{raw!r}: give a {' or '.join(precision)} here")
        if not min_year <= found.year <= ctx.today.year:
            return ctx.problem(
                node, field, f"impossible year {found.year}: expected {min_year}–{ctx.today.year}"
            )
        if found.precision == "day" and dt.date.fromisoformat(raw) > ctx.today:
            return ctx.problem(node, field, f"{raw} is in the future")
        return found

    return kind


def lang_map(*required_langs: str) -> Kind:
    """Text in several languages: {sv: ..., en: ...}; keys are BCP 47 language tags."""

    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.problem(
                node, field, "expected text per language, e.g. {sv: ..., en: ...}"
            )
        result: dict[str, str] = {}
        seen: dict[str, int] = {}
        ok = True
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if key in seen:
                ctx.problem(key_node, f"{field}.{key}", f"duplicate language (first at line {seen[key]})")
                ok = False
                continue
            seen[key] = key_node.start_mark.line + 1
            if not LANG_TAG_RE.fullmatch(key):
                ctx.problem(key_node, field, f"{key!r} is not a valid BCP 47 language tag (e.g. sv, en)")
                ok = False
                continue
            value = text(ctx, value_node, f"{field}.{key}")
            if value is INVALID:
                ok = False
            else:
                result[key.lower()] = value
        for lang in required_langs:
            if lang not in seen:
                ctx.problem(node, field, f"missing the {lang!r} text")
                ok = False
        return result if ok else INVALID

    return kind


def lang_list(*required_langs: str) -> Kind:
    """Lists of words per language: {sv: [...], en: [...]}."""

    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return ctx.problem(node, field, "expected lists per language, e.g. {sv: [...], en: [...]}")
        result: dict[str, list[str]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            if not LANG_TAG_RE.fullmatch(key):
                ctx.problem(key_node, field, f"{key!r} is not a valid BCP 47 language tag")
                continue
            if key in result:
                ctx.problem(key_node, f"{field}.{key}", "duplicate language")
                continue
            items = list_of(text)(ctx, value_node, f"{field}.{key}")
            if items is not INVALID:
                result[key] = items
        for lang in required_langs:
            if lang not in result:
                ctx.problem(node, field, f"missing the {lang!r} list")
        return result

    return kind


def ref(target: str) -> Kind:
    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        value = ident(ctx, node, field)
        if value is INVALID:
            return value
        return Ref(target, value, node.start_mark.line + 1, field)

    return kind


def list_of(item: Kind, min_items: int = 0) -> Kind:
    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return ctx.problem(node, field, "expected a list, e.g. [a, b]")
        if len(node.value) < min_items:
            return ctx.problem(node, field, f"needs at least {min_items} item(s)")
        values = [item(ctx, child, field) for child in node.value]
        return INVALID if any(v is INVALID for v in values) else values

    return kind


def records(spec: Spec) -> Kind:
    def kind(ctx: Context, node: yaml.Node, field: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return ctx.problem(node, field, f"expected a list of {spec.name}")
        return [r for child in node.value if (r := parse_record(ctx, child, spec)) is not None]

    return kind


def parse_record(ctx: Context, node: yaml.Node, spec: Spec) -> Record | None:
    """Check one mapping against a spec; unknown, duplicate and missing fields are problems."""
    if not isinstance(node, yaml.MappingNode):
        ctx.problem(node, "", f"each entry of {spec.name} must be a mapping of fields")
        return None
    record = Record(ctx.display, node.start_mark.line + 1, {})
    seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
        line = key_node.start_mark.line + 1
        if key in seen:
            ctx.problem(key_node, key, f"duplicate key (first given at line {seen[key]})")
            continue
        seen[key] = line
        spec_field = spec.fields.get(key)
        if spec_field is None:
            close = difflib.get_close_matches(key, spec.fields, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            ctx.problem(
                key_node, key,
                f"unknown field in {spec.name}{hint} (allowed: {', '.join(spec.fields)})",
            )
            continue
        value = spec_field.kind(ctx, value_node, key)
        if value is not INVALID:
            record.values[key] = value
            record.lines[key] = line
    for name, spec_field in spec.fields.items():
        if spec_field.required and name not in seen:
            ctx.problem(node, name, f"required field is missing in {spec.name}")
    return record
