"""Human labels (Swedish, English) for what a page shows: resources, classes, properties, code values.

Our own resources and terms carry their labels in the data and the vocabulary (ontology/). The
terms of the vocabularies we reuse, and the EU code values the catalogue uses, take theirs from a
`TermLabels` table that the build assembles (publisher/dataset/term_labels.py: English from the
vocabularies' own published label data, Swedish and what is missing from our one reviewed file,
ontology/labels-of-reused-terms.yaml) and writes into the release (`pages/term-labels.json`).

A label falls back in this order: the language asked for, the other language, then the local
name made readable ("servesDataset" -> "serves dataset"). Every fallback taken is recorded in the
table, and the build lists them. An inverse property (a link read from its object's side) has its
own label ("has part" for dcterms:isPartOf), never a phrase made from the forward one.
"""

from __future__ import annotations

import json
import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from ..namespaces import SCHEMA, VCARD

Label = dict[str, str]
LANGS = ("sv", "en")
TERM_LABELS_FILE = "pages/term-labels.json"

# The fragment IRIs the URI minter uses inside a resource's document (our own names).
FRAGMENTS: dict[str, tuple[str, str]] = {
    "period": ("Medlemsperiod", "Membership period"),
    "start": ("Början", "Start"),
    "end": ("Slut", "End"),
    "commitment": ("Medlemmarnas åtagande", "Members' commitment"),
    "publisher": ("Utgivare", "Publisher"),
    "contact": ("Kontakt", "Contact point"),
    "provenance": ("Ursprung", "Provenance"),
    "temporal": ("Tidsperiod", "Time period"),
    "rights": ("Rättigheter", "Rights"),
    "checksum": ("Checksumma", "Checksum"),
    # the components of the key-figure cube's structure (publisher/dataset/cube.py)
    "indicator": ("Nyckeltal", "Indicator"),
    "municipality": ("Kommun", "Municipality"),
    "year": ("År", "Year"),
    "value": ("Värde", "Value"),
    "unit": ("Enhet", "Unit"),
    "status": ("Status", "Status"),
    "source": ("Källa", "Source"),
}

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title, FOAF.name, VCARD.fn, SCHEMA.name)


def local_name(iri: str) -> str:
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
    return tail or iri


def humanised(iri: str) -> str:
    """The local name as words: 'servesDataset' -> 'serves dataset', 'JSON_LD' -> 'JSON LD'."""
    name = re.sub(r"[_\-]+", " ", local_name(iri))
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])", " ", name)
    words = [w if w.isupper() and len(w) > 1 else w.lower() for w in name.split()]
    return " ".join(words) or iri


class TermLabels:
    """Labels of reused terms and code values, in both languages where known, and inverse labels.

    `terms` and `inverse` map an IRI to {'sv': …, 'en': …} (either may be missing). `fallbacks`
    collects, as they are taken, the labels completed from the other language or the local name.
    """

    def __init__(self, terms: dict[str, Label] | None = None, inverse: dict[str, Label] | None = None):
        self.terms = terms or {}
        self.inverse = inverse or {}
        self.fallbacks: dict[tuple[str, str, str], str] = {}

    def __contains__(self, term: object) -> bool:
        return str(term) in self.terms

    def forward(self, term: URIRef) -> Label:
        return dict(self.terms.get(str(term), {}))

    def complete(self, term: URIRef, found: Label, kind: str = "label") -> Label:
        """`found` with both languages: the other language, then the readable local name."""
        out: Label = {}
        for lang in LANGS:
            other = "en" if lang == "sv" else "sv"
            if found.get(lang):
                out[lang] = found[lang]
            elif found.get(other):
                out[lang] = found[other]
                self.fallbacks[(kind, str(term), lang)] = f"{other} label {found[other]!r}"
            else:
                out[lang] = humanised(str(term))
                self.fallbacks[(kind, str(term), lang)] = f"local name {out[lang]!r}"
        return out

    def inverse_of(self, prop: URIRef, *graphs: Graph) -> Label:
        """The label of `prop` read backwards; without one, the forward label after an arrow."""
        known = self.inverse.get(str(prop))
        if known:
            return self.complete(prop, known, "inverse")
        forward = label_of(prop, *graphs, terms=self)
        self.fallbacks[("inverse", str(prop), "sv")] = "no inverse label: '← forward label'"
        return {lang: f"← {forward[lang]}" for lang in LANGS}

    def listing(self) -> list[str]:
        """The fallbacks taken so far, one line each, for the build to print."""
        return [f"{kind} of <{iri}> in {lang}: {used}" for (kind, iri, lang), used in sorted(self.fallbacks.items())]

    def to_json(self) -> bytes:
        body = {"terms": self.terms, "inverse": self.inverse}
        return (json.dumps(body, ensure_ascii=False, sort_keys=True, indent=0) + "\n").encode()

    @classmethod
    def from_json(cls, payload: bytes) -> TermLabels:
        body = json.loads(payload)
        return cls(body["terms"], body["inverse"])


NO_TERMS = TermLabels()


def _from_graphs(term: URIRef, graphs: tuple[Graph, ...]) -> tuple[Label, str | None]:
    found: Label = {}
    plain = None
    for prop in LABEL_PROPERTIES:
        for graph in graphs:
            for value in sorted(graph.objects(term, prop), key=lambda v: v.n3()):
                if not isinstance(value, Literal):
                    continue
                if value.language in LANGS:
                    found.setdefault(value.language, str(value))
                elif value.language is None and plain is None:
                    plain = str(value)
        if "sv" in found and "en" in found:
            break
    return found, plain


def label_of(term: URIRef, *graphs: Graph, terms: TermLabels | None = None) -> Label:
    """{'sv': …, 'en': …} for a term: its language-tagged labels in the graphs, else the reused
    terms' table, else a label without a language (a name is a name in both), else a fragment's
    name, each completed by the fallback order (other language, then the local name)."""
    terms = NO_TERMS if terms is None else terms
    found, plain = _from_graphs(term, graphs)
    for lang, text in terms.forward(term).items():
        found.setdefault(lang, text)
    if plain is not None:
        found.setdefault("sv", plain)
        found.setdefault("en", plain)
    if not found:
        fragment = str(term).rsplit("#", 1)[1] if "#" in str(term) else None
        fragment = "rights" if fragment and fragment.startswith("rights-") else fragment
        if fragment in FRAGMENTS:
            sv, en = FRAGMENTS[fragment]
            return {"sv": sv, "en": en}
    return terms.complete(term, found)


def inverse_label(prop: URIRef, *graphs: Graph, terms: TermLabels | None = None) -> Label:
    return (NO_TERMS if terms is None else terms).inverse_of(prop, *graphs)
