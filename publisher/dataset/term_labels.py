"""Assemble the labels of reused terms and code values (publisher/release/labels.py's TermLabels).

- English: the vocabularies' own published label data, the N-Quads files of the npm package
  `@zazuko/rdf-vocabularies` (installed by `make setup`): `rdfs:label` / `skos:prefLabel` in English,
  or without a language tag (FOAF, VoID and schema.org publish their labels untagged, in English).
  An inverse property's label is the label of the property the vocabulary declares its
  `owl:inverseOf`.
- Swedish, and anything the vocabularies lack: our one reviewed file,
  `ontology/labels-of-reused-terms.yaml`, where each label names its source. It wins over the
  published data only where it gives a label in the same language.

Read at build time only; nothing is fetched.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import yaml

from ..errors import ConfigError
from ..namespaces import SCHEMA
from ..release.labels import Label, TermLabels

# The vocabularies whose published labels are read (file names of the package's ontologies/).
VOCABULARIES = ("dcat", "dcterms", "org", "qb", "prov", "skos", "foaf", "void", "schema", "time",
                "rdf", "rdfs", "owl", "vcard", "vann", "hydra", "sdmx")
LABEL_PREDICATES = ("<http://www.w3.org/2000/01/rdf-schema#label>", "<http://www.w3.org/2004/02/skos/core#prefLabel>")
INVERSE_OF = "<http://www.w3.org/2002/07/owl#inverseOf>"
REVIEWED_FILE = "labels-of-reused-terms.yaml"
FALLBACKS_FILE = "pages/label-fallbacks.txt"


def _published(vocabularies_dir: Path) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """English labels {iri: text} and owl:inverseOf pairs from the package's N-Quads."""
    english: dict[str, tuple[int, str]] = {}
    pairs: list[tuple[str, str]] = []
    for name in VOCABULARIES:
        path = vocabularies_dir / f"{name}.nq"
        if not path.exists():
            raise ConfigError(f"{path} is missing: run `make setup` (npm package @zazuko/rdf-vocabularies)")
        wanted = "".join(line for line in path.read_text(encoding="utf-8").splitlines(keepends=True)
                         if any(p in line for p in (*LABEL_PREDICATES, INVERSE_OF)))
        for quad in ox.parse(wanted, format=ox.RdfFormat.N_QUADS):
            subject, obj = quad.subject, quad.object
            if not isinstance(subject, ox.NamedNode):
                continue
            predicate = f"<{quad.predicate.value}>"
            if predicate == INVERSE_OF:
                if isinstance(obj, ox.NamedNode):
                    pairs.append((subject.value, obj.value))
                continue
            if predicate not in LABEL_PREDICATES or not isinstance(obj, ox.Literal) or not obj.value.strip():
                continue
            lang = obj.language
            rank = 0 if lang == "en" else 1 if lang is None else 2 if lang.startswith("en-") else None
            if rank is None:
                continue
            key = (LABEL_PREDICATES.index(predicate), rank, obj.value)
            iri = subject.value.replace("http://schema.org/", str(SCHEMA), 1)  # we use schema.org's https IRIs
            if iri not in english or key < english[iri][0]:
                english[iri] = (key, readable(obj.value))
    return {iri: text for iri, (_, text) in english.items()}, sorted(set(pairs))


def readable(label: str) -> str:
    """A published label as words in sentence case: 'Date Issued' -> 'date issued', 'member During'
    -> 'member during'; one written as an identifier ('wasDerivedFrom', 'in XSD g-YearMonth') is
    split into words first. Acronyms ('URL', 'XSD') stay as they are."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", " ".join(label.split()))
    words = text.split(" ")
    return " ".join(w if len(w) > 1 and sum(c.isupper() for c in w) > 1 else w.lower() for w in words)


def _expand(name: str, prefixes: dict[str, str], base_uri: str, where: str) -> str:
    if name.startswith(("http://", "https://")):
        return name
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in prefixes:
        raise ConfigError(f"{where}: {name!r} is neither a full IRI nor prefix:name with a declared prefix")
    namespace = prefixes[prefix]
    return (namespace if namespace.startswith(("http://", "https://")) else base_uri + namespace) + local


def _reviewed(path: Path, base_uri: str) -> tuple[dict[str, Label], dict[str, Label]]:
    """The reviewed file: every label with a source that the file's `sources` declares."""
    body = yaml.safe_load(path.read_text(encoding="utf-8"))
    prefixes, sources = body["prefixes"], body["sources"]
    out: dict[str, dict[str, Label]] = {"terms": {}, "inverse": {}}
    for section in out:
        for name, entry in (body.get(section) or {}).items():
            where = f"{path.name}: {section}: {name}"
            if entry.get("source") not in sources:
                raise ConfigError(f"{where}: source {entry.get('source')!r} is not one of the file's sources")
            labels = {lang: entry[lang] for lang in ("sv", "en") if entry.get(lang)}
            if not labels:
                raise ConfigError(f"{where}: no label (sv or en)")
            out[section][_expand(name, prefixes, base_uri, where)] = labels
    return out["terms"], out["inverse"]


def load_term_labels(vocabularies_dir: Path | None, ontology_dir: Path, base_uri: str) -> TermLabels:
    english, pairs = _published(vocabularies_dir) if vocabularies_dir is not None else ({}, [])
    terms: dict[str, Label] = {iri: {"en": text} for iri, text in english.items()}
    reviewed_terms, reviewed_inverse = _reviewed(ontology_dir / REVIEWED_FILE, base_uri)
    for iri, labels in reviewed_terms.items():
        terms.setdefault(iri, {}).update(labels)
    inverse: dict[str, Label] = {}
    for a, b in pairs:  # each names the other's inverse
        for prop, other in ((a, b), (b, a)):
            if other in terms:
                inverse.setdefault(prop, dict(terms[other]))
    for iri, labels in reviewed_inverse.items():
        inverse.setdefault(iri, {}).update(labels)
    return TermLabels(terms, inverse)


def input_files(vocabularies_dir: Path) -> list[Path]:
    """What the table is read from, for the release version's hash."""
    return [vocabularies_dir / f"{name}.nq" for name in VOCABULARIES]


def report_fallbacks(terms: TermLabels, base_uri: str, progress) -> str:
    """Print every fallback the page models took for a term (a label missing in a page's
    language); names of the data's own resources that exist in one language only (a source's
    title is given as published) are counted. Returns the whole list, which the release keeps."""
    lines = terms.listing()
    own = f"<{base_uri}id/"
    data_names = [line for line in lines if own in line and line.startswith("label of")]
    others = [line for line in lines if line not in data_names]
    progress(f"      labels: {len(others)} fallback{'s' if len(others) != 1 else ''} for terms"
             + (f" (add them to ontology/{REVIEWED_FILE}):" if others else "")
             + "".join(f"\n        {line}" for line in others))
    progress(f"      labels: {len(data_names)} names of the data's resources exist in one language only"
             f" (all listed in the release's {FALLBACKS_FILE})")
    return "".join(line + "\n" for line in lines)
