"""SHACL validation run set-at-a-time on an Oxigraph store: the SHACL gate at any size.

pyshacl checks one focus node at a time in Python (and parses a SPARQL constraint's query again
for every node), so at a million triples it takes many minutes. This validator reads the same
shapes graph and asks the store one SPARQL query per constraint for *all* focus nodes of a shape,
evaluated by Oxigraph. It implements the part of SHACL Core our shapes use, with pyshacl's
semantics where SHACL leaves room (datatype well-formedness as rdflib sees it, language tags):

    targets     sh:targetClass (instances of subclasses included, rdfs:subClassOf* in the data)
    node level  sh:nodeKind, sh:or, sh:xone, sh:sparql (SELECT $this), and any value constraint
    property    sh:path (one predicate), sh:minCount, sh:maxCount, sh:uniqueLang
    value       sh:class, sh:datatype, sh:nodeKind, sh:pattern (+ sh:flags), sh:languageIn, sh:in,
                sh:or / sh:xone of shapes made of these
    other       sh:message, sh:severity, sh:deactivated

A shapes graph using anything else raises `Unsupported` when the validator is made, so a shape
can never be skipped silently: the caller then validates with pyshacl. tests/test_shacl_store.py
checks that both give the same results (focus node, path, value, shape, component, severity,
message) on the real data, on every example in tests/shape_examples/ and on a corpus of broken
data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from ..release.uniform import to_rdflib

TYPE_OF = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>*"
FOCUS_GRAPHS = "urn:x-klimatsamarbeten:shacl-focus:"  # + a node shape's number: its focus nodes while checked
FOCUS_MARK = "urn:x-klimatsamarbeten:shacl-focus"
VALUES_CHUNK = 5000  # focus nodes per VALUES block of a nested shape

# the parameters this validator understands, per place
NODE_PARAMS = {SH.targetClass, SH.property, SH.sparql, SH.message, SH.severity, SH.deactivated, SH.name,
               SH.description, RDF.type, SH.nodeKind, SH["or"], SH.xone, SH["class"], SH.datatype, SH.pattern,
               SH.flags, SH.languageIn, SH["in"]}
PROPERTY_PARAMS = NODE_PARAMS - {SH.targetClass, SH.property, SH.sparql} | {SH.path, SH.minCount, SH.maxCount,
                                                                              SH.uniqueLang}
SPARQL_PARAMS = {SH.select, SH.message, SH.deactivated, RDF.type, SH.prefixes}
IGNORED_SHAPE_TYPES = {SH.NodeShape, SH.PropertyShape}


class Unsupported(Exception):
    """The shapes use a SHACL feature this validator does not implement."""


@dataclass(frozen=True)
class Result:
    focus: Node
    path: Node | None
    value: Node | None
    shape: Node
    component: URIRef
    severity: URIRef
    message: str
    constraint: Node | None = None  # the sh:sparql node, for SPARQL-based constraints

    def key(self) -> tuple:
        return (self.focus, self.path, self.value, self.shape, self.component, self.severity, self.message,
                self.constraint)


# --- terms between Oxigraph and rdflib --------------------------------------------------------

def sparql_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return "<" + str(term).replace(">", "%3E") + ">"
    if isinstance(term, Literal):
        text = str(term).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        if term.language:
            return f'"{text}"@{term.language}'
        return f'"{text}"^^<{term.datatype or XSD.string}>'
    raise Unsupported(f"{term!r} in a VALUES block")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


# --- pyshacl's value checks, for the few values the store cannot judge -----------------------

def _datatype_ok(value: Node, datatype: URIRef) -> bool:
    """pyshacl's DatatypeConstraintComponent for one value node."""
    if not isinstance(value, Literal):
        return False
    if value.datatype == datatype:
        if getattr(value, "ill_typed", None) is True:
            return False
        return _actual(value, datatype)
    if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"):
        return True
    if datatype == URIRef("http://www.w3.org/2000/01/rdf-schema#Datatype") and value.datatype:
        return True
    if value.datatype is None and value.language is None and datatype == XSD.string:
        return True
    return datatype == RDF.langString and bool(value.language)


def _actual(value: Literal, datatype: URIRef) -> bool:
    from pyshacl.constraints.core.value_constraints import DatatypeConstraintComponent

    return DatatypeConstraintComponent._assert_actual_datatype(None, value, datatype)  # type: ignore[arg-type]


def _lang_ok(value: Node, wanted: set[str]) -> bool:
    """pyshacl's LanguageInConstraintComponent for one value node."""
    if not isinstance(value, Literal) or not value.language:
        return False
    if "*" in wanted:
        return True
    lang = str(value.language)
    return lang.lower() in wanted or lang.split("-")[0].lower() in wanted


# --- the validator ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Focus:
    """A set of focus nodes as a SPARQL group pattern binding ?f."""
    pattern: str


class StoreValidator:
    """The shapes of one shapes graph, evaluated against Oxigraph stores."""

    def __init__(self, shapes: Graph):
        self.shapes = shapes
        self.node_shapes = sorted(
            {s for s in shapes.subjects(SH.targetClass, None)}, key=str)
        for kind in (SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.rule):
            if (None, kind, None) in shapes:
                raise Unsupported(str(kind))
        for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - set(self.node_shapes):
            if (shape, SH.property, None) in shapes or (shape, SH.sparql, None) in shapes:
                raise Unsupported(f"node shape {shape} without sh:targetClass")
        for shape in self.node_shapes:
            self._check(shape, NODE_PARAMS)
            for prop in shapes.objects(shape, SH.property):
                self._check(prop, PROPERTY_PARAMS)
                path = shapes.value(prop, SH.path)
                if not isinstance(path, URIRef):
                    raise Unsupported(f"sh:path {path!r} (only a single predicate is implemented)")
            for constraint in shapes.objects(shape, SH.sparql):
                self._check(constraint, SPARQL_PARAMS)

    def _check(self, node: Node, allowed: set) -> None:
        for p, o in self.shapes.predicate_objects(node):
            if p not in allowed:
                raise Unsupported(f"{p} on {node}")
            if p in (SH["or"], SH.xone):
                for member in Collection(self.shapes, o):
                    self._check(member, PROPERTY_PARAMS if (member, SH.path, None) in self.shapes
                                else NODE_PARAMS - {SH.targetClass, SH.property, SH.sparql})
            if p == SH.prefixes:
                raise Unsupported("sh:prefixes")

    # -- running -------------------------------------------------------------------------------

    def validate(self, store: ox.Store) -> list[Result]:
        """Every result of every shape on the default graph of `store` (named graphs are not read).

        A node shape's focus nodes are found once (rdf:type/rdfs:subClassOf* is a path query) and
        written into a named graph of their own for the shape's queries to read; the graph is
        removed before this returns. At a million triples each query of the 90,000 observations'
        shape found them again in ~0.3 s of its ~0.5-0.9 s."""
        self._store = store
        results: list[Result] = []
        try:
            for n, shape in enumerate(self.node_shapes):
                if self._deactivated(shape):
                    continue
                classes = sorted(self.shapes.objects(shape, SH.targetClass), key=str)
                union = " UNION ".join(f"{{ ?f {TYPE_OF} <{c}> }}" for c in classes)
                graph = f"{FOCUS_GRAPHS}{n}"
                store.update(f"INSERT {{ GRAPH <{graph}> {{ ?f <{FOCUS_MARK}> <{FOCUS_MARK}> }} }} "
                             f"WHERE {{ SELECT DISTINCT ?f WHERE {{ {union} }} }}")
                try:
                    results += self._shape(shape, _Focus(f"GRAPH <{graph}> {{ ?f <{FOCUS_MARK}> <{FOCUS_MARK}> }}"),
                                           top=True)
                finally:
                    store.remove_graph(ox.NamedNode(graph))
        finally:
            self._store = None
        return results

    def _query(self, text: str) -> Iterator:
        return iter(self._store.query(text))

    def _deactivated(self, shape: Node) -> bool:
        value = self.shapes.value(shape, SH.deactivated)
        return isinstance(value, Literal) and value.value is True

    def _severity(self, shape: Node) -> URIRef:
        return self.shapes.value(shape, SH.severity) or SH.Violation

    def _message(self, *nodes: Node) -> str:
        for node in nodes:
            for message in sorted(self.shapes.objects(node, SH.message), key=str):
                return str(message)
        return ""

    def _shape(self, shape: Node, focus: _Focus, top: bool = False, path: URIRef | None = None) -> list[Result]:
        """Results of `shape` on the focus nodes `focus` (a node shape, or a member of sh:or)."""
        out: list[Result] = []
        sev, msg = self._severity(shape), self._message(shape)
        pairs = f"{focus.pattern} BIND(?f AS ?v)"
        if (shape, SH.path, None) in self.shapes:  # a property shape as a member of sh:or / sh:xone
            return self._property(shape, focus)
        for result in self._values(shape, pairs, sev, msg, with_path=None):
            out.append(result)
        props = [p for p in sorted(self.shapes.objects(shape, SH.property), key=str) if not self._deactivated(p)]
        out += self._counts(props, focus)
        for prop in props:
            out += self._property(prop, focus, counts=False)
        for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
            if not self._deactivated(constraint):
                out += self._sparql(shape, constraint, focus, sev)
        return out

    def _counts(self, props: list[Node], focus: _Focus) -> list[Result]:
        """sh:minCount and sh:maxCount of all `props` (property shapes) in one query: each focus node's
        number of values per path, grouped, only the groups out of bounds returned."""
        bounds = []  # (path, least, most, prop) of each property shape with a count to check
        for prop in props:
            least, most = self.shapes.value(prop, SH.minCount), self.shapes.value(prop, SH.maxCount)
            least = int(least) if least is not None and int(least) > 0 else None
            most = int(most) if most is not None else None
            if least is not None or most is not None:
                bounds.append((self.shapes.value(prop, SH.path), least, most, prop))
        if not bounds:
            return []
        rows = " ".join(f"({i} <{path}>)" for i, (path, _, _, _) in enumerate(bounds))
        tests = " || ".join(
            "(?i = {} && ({}))".format(i, " || ".join(t for t in (
                f"COUNT(DISTINCT ?v) < {least}" if least is not None else "",
                f"COUNT(DISTINCT ?v) > {most}" if most is not None else "") if t))
            for i, (_, least, most, _) in enumerate(bounds))
        q = (f"SELECT ?f ?i (COUNT(DISTINCT ?v) AS ?n) WHERE {{ {focus.pattern} VALUES (?i ?p) {{ {rows} }} "
             f"OPTIONAL {{ ?f ?p ?v }} }} GROUP BY ?f ?i HAVING ({tests})")
        out: list[Result] = []
        for row in self._query(q):
            path, least, most, prop = bounds[int(row["i"].value)]
            n = int(row["n"].value)
            component = SH.MinCountConstraintComponent if least is not None and n < least \
                else SH.MaxCountConstraintComponent
            out.append(Result(to_rdflib(row["f"]), path, None, prop, component, self._severity(prop),
                              self._message(prop)))
        return out

    def _property(self, prop: Node, focus: _Focus, counts: bool = True) -> list[Result]:
        """The results of property shape `prop` on `focus` (its counts too unless `counts` is false:
        a node shape checks all its properties' counts in one query, `_counts`)."""
        path = self.shapes.value(prop, SH.path)
        sev, msg = self._severity(prop), self._message(prop)
        out: list[Result] = self._counts([prop], focus) if counts else []
        unique = self.shapes.value(prop, SH.uniqueLang)
        if isinstance(unique, Literal) and unique.value is True:
            q = (f"SELECT ?f ?l WHERE {{ {focus.pattern} ?f <{path}> ?v . BIND(LCASE(LANG(?v)) AS ?l) "
                 f"FILTER(?l != \"\") }} GROUP BY ?f ?l HAVING (COUNT(DISTINCT ?v) > 1)")
            out += [Result(to_rdflib(row["f"]), path, None, prop, SH.UniqueLangConstraintComponent, sev, msg)
                    for row in self._query(q)]
        pairs = f"{focus.pattern} ?f <{path}> ?v ."
        out += self._values(prop, pairs, sev, msg, with_path=path)
        return out

    def _values(self, shape: Node, pairs: str, sev: URIRef, msg: str, with_path: URIRef | None) -> list[Result]:
        """The value-node constraints of `shape` on the (?f, ?v) pairs `pairs` binds."""
        out: list[Result] = []

        def found(filter_: str, component: URIRef) -> None:
            q = f"SELECT DISTINCT ?f ?v WHERE {{ {pairs} FILTER({filter_}) }}"
            out.extend(Result(to_rdflib(r["f"]), with_path, to_rdflib(r["v"]), shape, component, sev, msg)
                       for r in self._query(q))

        def checked(prefilter: str, ok, component: URIRef) -> None:
            """Values the store narrows down by `prefilter`, judged one distinct value at a time in
            Python; the focus nodes are asked for only when a value fails (a year of 90,000
            observations is judged once, not 90,000 times)."""
            q = f"SELECT DISTINCT ?v WHERE {{ {pairs} FILTER({prefilter}) }}"
            failing = {r["v"] for r in self._query(q) if not ok(to_rdflib(r["v"]))}
            if failing:  # pyoxigraph's terms compare and hash as RDF terms
                q = f"SELECT DISTINCT ?f ?v WHERE {{ {pairs} FILTER({prefilter}) }}"
                out.extend(Result(to_rdflib(r["f"]), with_path, to_rdflib(r["v"]), shape, component, sev, msg)
                           for r in self._query(q) if r["v"] in failing)

        for cls in sorted(self.shapes.objects(shape, SH["class"]), key=str):
            found(f"NOT EXISTS {{ ?v {TYPE_OF} <{cls}> }}", SH.ClassConstraintComponent)
        for datatype in self.shapes.objects(shape, SH.datatype):
            checked("true", lambda v, d=datatype: _datatype_ok(v, d), SH.DatatypeConstraintComponent)
        kind = self.shapes.value(shape, SH.nodeKind)
        if kind is not None:
            test = {SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)", SH.Literal: "isLiteral(?v)",
                    SH.BlankNodeOrIRI: "!isLiteral(?v)", SH.BlankNodeOrLiteral: "!isIRI(?v)",
                    SH.IRIOrLiteral: "!isBlank(?v)"}.get(kind)
            if test is None:
                raise Unsupported(f"sh:nodeKind {kind}")
            found(f"!({test})", SH.NodeKindConstraintComponent)
        pattern = self.shapes.value(shape, SH.pattern)
        if pattern is not None:
            flags = str(self.shapes.value(shape, SH.flags) or "")
            regex = re.compile(str(pattern), _re_flags(flags))
            checked("true", lambda v: not isinstance(v, BNode) and bool(regex.search(str(v))),
                    SH.PatternConstraintComponent)
        languages = self.shapes.value(shape, SH.languageIn)
        if languages is not None:
            wanted = {str(x).lower() for x in Collection(self.shapes, languages)}
            checked("true", lambda v: _lang_ok(v, wanted), SH.LanguageInConstraintComponent)
        allowed = self.shapes.value(shape, SH["in"])
        if allowed is not None:
            members = list(Collection(self.shapes, allowed))
            test = " || ".join(f"sameTerm(?v, {sparql_term(m)})" for m in members) or "false"
            found(f"!({test})", SH.InConstraintComponent)
        for param, component in ((SH["or"], SH.OrConstraintComponent), (SH.xone, SH.XoneConstraintComponent)):
            for listed in self.shapes.objects(shape, param):
                out += self._logical(shape, list(Collection(self.shapes, listed)), pairs, component, sev, msg,
                                     with_path)
        return out

    def _logical(self, shape: Node, members: list[Node], pairs: str, component: URIRef, sev: URIRef, msg: str,
                 with_path: URIRef | None) -> list[Result]:
        rows = [(to_rdflib(r["f"]), to_rdflib(r["v"]))
                for r in self._query(f"SELECT DISTINCT ?f ?v WHERE {{ {pairs} }}")]
        values = sorted({v for _, v in rows if not isinstance(v, BNode)}, key=lambda t: (type(t).__name__, t))
        if len(values) != len({v for _, v in rows}):
            raise Unsupported("sh:or / sh:xone on blank nodes")
        failing: list[set] = []
        for member in members:
            bad: set = set()
            for start in range(0, len(values), VALUES_CHUNK):
                chunk = " ".join(sparql_term(v) for v in values[start:start + VALUES_CHUNK])
                bad |= {r.focus for r in self._shape(member, _Focus(f"VALUES ?f {{ {chunk} }}"))}
            failing.append(bad)
        out = []
        for f, v in rows:
            passed = sum(1 for bad in failing if v not in bad)
            if (component == SH.OrConstraintComponent and passed == 0) or \
                    (component == SH.XoneConstraintComponent and passed != 1):
                out.append(Result(f, with_path, v, shape, component, sev, msg))
        return out

    def _sparql(self, shape: Node, constraint: Node, focus: _Focus, sev: URIRef) -> list[Result]:
        text = str(self.shapes.value(constraint, SH.select))
        start = re.search(r"\bSELECT\b", text, re.IGNORECASE)
        if start is None:
            raise Unsupported(f"sh:select without SELECT on {constraint}")
        prologue, select = text[:start.start()], text[start.start():].replace("$this", "?this")
        if "?value" in select:
            raise Unsupported("?value in an sh:select")  # pyshacl reports it; not needed by our shapes
        q = (f"{prologue} SELECT DISTINCT ?this WHERE {{ "
             f"{focus.pattern.replace('?f', '?this')} {{ {select} }} }}")
        msg = self._message(constraint, shape)
        return [Result(to_rdflib(r["this"]), None, to_rdflib(r["this"]), shape, SH.SPARQLConstraintComponent, sev,
                       msg, constraint) for r in self._query(q)]


def _re_flags(flags: str) -> int:
    value = 0
    for flag, bit in (("i", re.IGNORECASE), ("m", re.MULTILINE), ("s", re.DOTALL), ("x", re.VERBOSE)):
        if flag in flags:
            value |= bit
    return value


# --- the report ---------------------------------------------------------------------------------

def report_graph(results: Iterable[Result], conforms: bool) -> Graph:
    """The results as a SHACL validation report, laid out as pyshacl lays out its report."""
    g = Graph()
    report = BNode()
    g.add((report, RDF.type, SH.ValidationReport))
    g.add((report, SH.conforms, Literal(conforms)))
    for r in results:
        node = BNode()
        g.add((report, SH.result, node))
        g.add((node, RDF.type, SH.ValidationResult))
        g.add((node, SH.focusNode, r.focus))
        if r.path is not None:
            g.add((node, SH.resultPath, r.path))
        if r.value is not None:
            g.add((node, SH.value, r.value))
        g.add((node, SH.sourceShape, r.shape))
        g.add((node, SH.sourceConstraintComponent, r.component))
        g.add((node, SH.resultSeverity, r.severity))
        if r.message:
            g.add((node, SH.resultMessage, Literal(r.message)))
        if r.constraint is not None:
            g.add((node, SH.sourceConstraint, r.constraint))
    return g
