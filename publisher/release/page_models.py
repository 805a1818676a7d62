"""What an HTML page about a resource shows, as plain data. Pure: a Document and graphs in, dicts out.

The web layer renders these with Jinja2 templates in Swedish or English; every text comes here in
both languages (`{'sv': …, 'en': …}`). A value is either a link `{'iri', 'href', 'label'}` (href
None for IRIs that are not http(s): they are shown as text, never as links) or a literal
`{'text', 'lang', 'datatype'}`.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

from ..namespaces import SCHEMA
from .describe import HYDRA, Document, doc_key, topic_iri
from .labels import TermLabels, inverse_label, label_of
from .member_views import county_table, member_table, organisation_chart, site_members, start_of

SHOWN_ELSEWHERE = {ORG.member, ORG.organization, ORG.hasMember, ORG.hasMembership, FOAF.primaryTopic}
HIDDEN_ROWS = {RDF.type, ORG.hasMembership, ORG.hasMember, PROV.wasDerivedFrom}
FIRST = [SKOS.prefLabel, DCTERMS.title, DCTERMS.identifier, SKOS.notation, DCTERMS.description,
         SKOS.definition, RDFS.comment, SKOS.altLabel, ORG.member, ORG.organization, ORG.role,
         ORG.memberDuring, TIME.hasBeginning]
SCHEMA_TYPES = ("GovernmentOrganization", "Organization", "AdministrativeArea", "CreativeWorkSeries", "Report")


def href_of(iri: str, base_uri: str) -> str | None:
    """Where a link to `iri` goes: our own page (relative), an external http(s) page, or nowhere."""
    key = doc_key(iri, base_uri)
    if key is not None:
        fragment = iri.split("#", 1)[1] if "#" in iri else ""
        return f"/doc/{key}" + (f"#{fragment}" if fragment else "")
    if iri.startswith(("http://", "https://")):
        return iri
    return None


class _Labels:
    """label_of over (data, ontology, the document's graph), memoised across documents in `memo`.

    A document's graph holds only triples of data and ontology, except those about the document
    itself, so a label found for any other term is the same on every page.
    """

    def __init__(self, graphs: tuple[Graph, ...], document: URIRef, memo: dict, terms: TermLabels | None):
        self.graphs, self.document, self.memo = graphs, document, memo
        self.terms = terms or TermLabels()

    def label(self, term: URIRef) -> dict:
        if term == self.document:
            return label_of(term, *self.graphs, terms=self.terms)
        try:
            return self.memo[term]
        except KeyError:
            found = self.memo[term] = label_of(term, *self.graphs, terms=self.terms)
            return found

    def inverse(self, prop: URIRef) -> dict:
        return inverse_label(prop, *self.graphs, terms=self.terms)

    def known(self, term: URIRef, base_uri: str) -> bool:
        key = ("known", term)
        if term == self.document or key not in self.memo:
            found = doc_key(str(term), base_uri) is not None or term in self.terms or any(
                (term, p, None) in g for g in self.graphs for p in (RDFS.label, SKOS.prefLabel))
            if term == self.document:
                return found
            self.memo[key] = found
        return self.memo[key]


def _value(term, base_uri: str, labels: _Labels) -> dict:
    if isinstance(term, URIRef):
        key = doc_key(str(term), base_uri)
        return {"iri": str(term), "href": href_of(str(term), base_uri),
                "label": labels.label(term) if labels.known(term, base_uri) else None,
                "name": key is not None and key != "def" and not key.startswith("def/")}
    assert isinstance(term, Literal)
    datatype = str(term.datatype) if term.datatype and term.datatype != XSD.string else None
    return {"text": str(term), "lang": term.language, "datatype": datatype}


def _sort_key(item: tuple[URIRef, dict]) -> tuple:
    prop, label = item
    return (FIRST.index(prop) if prop in FIRST else len(FIRST), label["en"].lower(), str(prop))


def _rows(graph: Graph, subject: URIRef, base_uri: str, labels: _Labels) -> list[dict]:
    props = {p for p in graph.predicates(subject, None) if p not in HIDDEN_ROWS}
    if SKOS.prefLabel in props:
        props -= {RDFS.label, SCHEMA.name}
    labelled = sorted(((p, labels.label(p)) for p in props), key=_sort_key)
    rows = []
    for prop, label in labelled:
        values = sorted(graph.objects(subject, prop), key=lambda t: (isinstance(t, Literal), str(t), t.n3()))
        rows.append({"p": str(prop), "label": label, "values": [_value(v, base_uri, labels) for v in values]})
    return rows


def _memberships(topic: URIRef, data: Graph, base_uri: str, labels: _Labels) -> list[dict]:
    out = []
    for side, other_side in ((ORG.member, ORG.organization), (ORG.organization, ORG.member)):
        for m in sorted(data.subjects(side, topic)):
            other = data.value(m, other_side)
            role = data.value(m, ORG.role)
            role_label = labels.label(role) if role is not None else {"sv": "medlem", "en": "member"}
            out.append({
                "iri": str(m), "href": href_of(str(m), base_uri),
                "other": _value(other, base_uri, labels) if other is not None else None,
                "as": "member" if side == ORG.member else "organisation",
                "role": {lang: text[:1].lower() + text[1:] for lang, text in role_label.items()},
                "since": start_of(data, m),
            })
    return out


def _sources(subjects: list[URIRef], described: Graph, data: Graph, base_uri: str) -> list[dict]:
    """The sources of the document's own resources (`described`: its graph, which holds all their
    triples; an observation's are not in `data`), with what `data` says about each source."""
    seen = sorted({s for subj in subjects for s in described.objects(subj, PROV.wasDerivedFrom)})
    out = []
    for source in seen:
        modified, issued = data.value(source, DCTERMS.modified), data.value(source, DCTERMS.issued)
        url = data.value(source, SCHEMA.url)
        out.append({
            "iri": str(source), "href": href_of(str(source), base_uri),
            "title": str(data.value(source, DCTERMS.title) or source),
            "date": str(modified or issued) if (modified or issued) else None,
            "date_kind": "modified" if modified else ("issued" if issued else None),
            "url": str(url) if url is not None and str(url).startswith(("http://", "https://")) else None,
        })
    return out


def _first(graph: Graph, subject: URIRef, prop: URIRef, lang: str = "sv"):
    """One value, deterministically: the one in `lang` if any, else the smallest."""
    values = sorted(graph.objects(subject, prop), key=lambda v: (getattr(v, "language", None) != lang, v.n3()))
    return values[0] if values else None


def _schema_org(doc: Document, graph: Graph, base_uri: str, label: dict) -> dict:
    topic = doc.topic
    types = [str(t).rsplit("/", 1)[1] for t in graph.objects(topic, RDF.type) if str(t).startswith(str(SCHEMA))]
    types = sorted(t for t in types if t in SCHEMA_TYPES) or ["Thing"]
    out: dict = {"@context": "https://schema.org", "@id": str(topic), "@type": types[0] if len(types) == 1 else types,
                 "name": label["sv"], "url": f"{base_uri}doc/{doc.key}"}
    if label["en"] != label["sv"]:
        out["alternateName"] = label["en"]
    description = _first(graph, topic, DCTERMS.description)
    if description is not None:
        out["description"] = str(description)
    identifier = _first(graph, topic, DCTERMS.identifier)
    if identifier is not None:
        out["identifier"] = str(identifier)
    same = sorted(str(o) for p in (OWL.sameAs, FOAF.homepage) for o in graph.objects(topic, p))
    if same:
        out["sameAs"] = same
    member_of = sorted(str(o) for m in graph.objects(topic, ORG.hasMembership)
                       for o in graph.objects(m, ORG.organization))
    if member_of:
        out["memberOf"] = [{"@id": o} for o in member_of]
    members = sorted(str(o) for o in graph.objects(topic, ORG.hasMember))
    if members:
        out["member"] = [{"@id": o} for o in members]
    return out


def _prune_links(node, keys: set[str]) -> None:
    """Links to documents that do not exist (a version IRI, say) become plain text."""
    if isinstance(node, dict):
        href = node.get("href")
        if isinstance(href, str) and href.startswith("/doc/") and href[5:].split("#", 1)[0] not in keys:
            node["href"] = None
        for value in node.values():
            _prune_links(value, keys)
    elif isinstance(node, list):
        for value in node:
            _prune_links(value, keys)


def page_model(doc: Document, data: Graph, ontology: Graph, base_uri: str, keys: set[str] | None = None,
               memo: dict | None = None, terms: TermLabels | None = None) -> dict:
    """What the page of `doc` shows; `keys` (all document keys) turns links to missing pages into text.
    `memo`, shared by the calls for one (data, ontology), keeps the labels of the terms already seen;
    `terms` labels the reused vocabularies' terms and code values (the release's table)."""
    model = _page_model(doc, data, ontology, base_uri, {} if memo is None else memo, terms)
    if keys is not None:
        _prune_links(model, keys)
    return model


def _page_model(doc: Document, data: Graph, ontology: Graph, base_uri: str, memo: dict,
                terms: TermLabels | None) -> dict:
    graphs = (data, ontology, doc.graph)
    g = doc.graph
    topic = doc.topic
    document = URIRef(f"{base_uri}doc/{doc.key}")
    labels = _Labels(graphs, document, memo, terms)
    label = labels.label(topic)
    own = sorted({s for s in g.subjects() if isinstance(s, URIRef) and doc_key(str(s), base_uri) == doc.key
                  and str(s).startswith(str(topic))}, key=lambda s: (s != topic, str(s)))
    sections = []
    for subject in own:
        fragment = str(subject)[len(str(topic)):].lstrip("#") or None
        if doc.key == "def" and subject != topic:
            continue  # the vocabulary page lists its terms separately
        sections.append({
            "iri": str(subject), "anchor": fragment,
            "label": labels.label(subject) if fragment else None,
            "types": [_value(t, base_uri, labels) for t in sorted(g.objects(subject, RDF.type))],
            "rows": _rows(g, subject, base_uri, labels),
        })
    incoming: dict[URIRef, list] = {}
    for s, p, o in g:
        if isinstance(s, URIRef) and str(o).split("#")[0] == str(topic).split("#")[0] and s not in own \
                and p not in SHOWN_ELSEWHERE and doc_key(str(s), base_uri):
            incoming.setdefault(p, []).append(s)
    incoming_rows = [
        {"p": str(p), "label": labels.inverse(p),
         "values": [_value(s, base_uri, labels) for s in sorted(set(subjects))]}
        for p, subjects in sorted(incoming.items(), key=lambda kv: _sort_key((kv[0], labels.label(kv[0]))))
    ]
    terms = []
    if doc.key == "def":
        for subject in sorted(set(ontology.subjects())):
            if isinstance(subject, URIRef) and subject != topic and doc_key(str(subject), base_uri):
                defs = {lit.language: str(lit) for lit in sorted(ontology.objects(subject, SKOS.definition))
                        if isinstance(lit, Literal) and lit.language}
                kind = _first(ontology, subject, RDF.type)
                terms.append({**_value(subject, base_uri, labels),
                              "kind": _value(kind, base_uri, labels) if kind is not None else None,
                              "definition": defs or None})
    licence = g.value(document, DCTERMS.license)
    version = g.value(document, OWL.versionInfo)

    def href(iri: str) -> str | None:
        return href_of(iri, base_uri)

    members = member_table(topic, data, labels.label, href, base_uri) if doc.key.startswith("organisation/") else []
    county = county_table(topic, data, labels.label, href) if doc.key.startswith("county/") else []
    paging = _paging(g, document, doc.key)
    return {**({"paging": paging} if paging else {}),
        "key": doc.key,
        "iri": str(topic),
        "document": str(document),
        "licence": _value(licence, base_uri, labels) if licence is not None else None,
        "version": str(version) if version is not None else None,
        "label": label,
        "vocabulary": doc.is_vocabulary,
        "sections": sections,
        "incoming": incoming_rows,
        "memberships": _memberships(topic, data, base_uri, labels),
        "sources": _sources(own, g, data, base_uri),
        "terms": terms,
        "schema": _schema_org(doc, g, base_uri, label),
        "sparql": f"DESCRIBE <{topic}>",
        "member_table": members,
        "members_chart": organisation_chart(doc.key, members, label) if members else None,
        "county_table": county,
    }


def _paging(g: Graph, document: URIRef, key: str) -> dict | None:
    """Which page of a long document this is, with links to its neighbours (from the Hydra view)."""
    view = g.value(document, HYDRA.view)
    if view is None:
        return None

    def number(term) -> int | None:
        return int(str(term).rsplit("?page=", 1)[1]) if term is not None else None

    last = number(g.value(view, HYDRA.last))
    page = number(view)
    out = {"page": page, "last": last, "total": int(g.value(document, HYDRA.totalItems))}
    for name, n in (("first", 1), ("previous", page - 1), ("next", page + 1), ("last_href", last)):
        out[name] = f"/doc/{key}?page={n}" if 1 <= n <= last and n != page else None
    return out


def site_model(keys: Iterable[str], data: Graph, ontology: Graph, base_uri: str,
               terms: TermLabels | None = None) -> dict:
    """What the landing page lists: networks and municipalities, each with a link and counts."""
    graphs = (data, ontology)
    keys = sorted(keys)

    def listing(prefix: str) -> list[dict]:
        out = []
        for key in keys:
            if key.startswith(prefix):
                topic = topic_iri(key, base_uri)
                members = len(set(data.objects(topic, ORG.hasMember)))
                memberships = len(set(data.objects(topic, ORG.hasMembership)))
                code = data.value(topic, DCTERMS.identifier)
                out.append({"key": key, "href": f"/doc/{key}", "label": label_of(topic, *graphs, terms=terms),
                            "members": members, "memberships": memberships,
                            "code": str(code) if code is not None else None})
        return sorted(out, key=lambda r: r["label"]["sv"].lower())

    def label(term: URIRef) -> dict:
        return label_of(term, *graphs, terms=terms)

    return {
        "members": site_members(data, label, lambda iri: href_of(iri, base_uri), base_uri),
        "networks": listing("organisation/"),
        "municipalities": listing("municipality/"),
        "schemes": listing("scheme/"),
        "publications": listing("publication/"),
        "documents": keys,
    }
