"""Fast writers for the release's RDF: the bytes rdflib's serialisers wrote, at a fraction of the cost.

The dumps and every document used to be written by copying each graph into a sorted rdflib graph
(`dump.canonical`) and calling rdflib's Turtle, N-Triples, JSON-LD and RDF/XML serialisers on it.
Most of that time went into building the graph and its namespace manager, not into writing. These
writers take the triples as they are and lay them out exactly as those serialisers do for the
graphs we publish (IRIs and literals, no blank nodes, no RDF lists):

- N-Triples: rdflib's row writer, the rows sorted and de-duplicated (as `dump.serialise` did);
- Turtle: rdflib's `TurtleSerializer` layout: the prefixes it uses, subjects by the number of
  references to them then by IRI, `rdf:type` and `rdfs:label` first, objects in rdflib's order;
- RDF/XML: rdflib's `XMLSerializer` (format "xml") over the triples in canonical order;
- JSON-LD: rdflib's compaction with our context (its `Context` object does the compacting),
  then arrays sorted as `dump._ordered_jsonld` sorts them.

Prefixed names come from rdflib's own namespace manager (one, built as `canonical` built one per
graph) and are memoised. A graph these writers do not handle (a blank node, an RDF list, a
predicate with no prefix, for which rdflib would invent one) raises `Unsupported`; the caller then
uses rdflib as before. Tests compare the bytes with rdflib's for every document and dump of the
real data and of generated synthetic data. Every payload is still parsed back by pyoxigraph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, split_uri
from rdflib.plugins.serializers.jsonld import PLAIN_LITERAL_TYPES
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.plugins.serializers.xmlwriter import ESCAPE_ENTITIES
from rdflib.plugins.shared.jsonld.context import UNDEF, Context
from rdflib.term import _is_valid_uri

from .json_text import emit, ordered_node, sorted_nodes

Triple = tuple[URIRef, URIRef, URIRef | Literal]
RDF_NS = URIRef(str(RDF))
# plain strings: comparing a term with str.__eq__ is C code, rdflib's Identifier.__eq__ is not
TYPE, LABEL, CLASS, NIL = str(RDF.type), str(RDFS.label), str(RDFS.Class), str(RDF.nil)
LIST_TERMS = frozenset((str(RDF.first), str(RDF.rest)))
NATIVE = frozenset(str(t) for t in PLAIN_LITERAL_TYPES)  # literals rdflib's JSON-LD writer turns into JSON values
_same = str.__eq__
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")  # TurtleSerializer escapes a % not followed by two hex digits
_ID, _VOCAB = "@id", "@vocab"


def _splits(uri: str) -> bool:
    """Whether rdflib's compute_qname gets as far as asking for a prefix (a valid IRI that splits
    into namespace and name): then a missing prefix is one it would generate."""
    if not _is_valid_uri(uri):
        return False
    try:
        split_uri(uri)
    except ValueError:
        return False
    return True


class Unsupported(Exception):
    """A graph the fast writers do not lay out like rdflib; the caller uses rdflib instead."""


class Writers:
    """The four writers over one set of namespace bindings (those of the graphs to be written)."""

    def __init__(self, namespaces: Iterable[tuple[str, URIRef]], context: dict):
        template = Graph(store="SimpleMemory")  # bound exactly as dump.canonical binds its copy
        for prefix, ns in namespaces:
            template.bind(prefix, ns, override=True, replace=True)
        self._nm = template.namespace_manager
        self._bound = tuple(str(ns) for _, ns in self._nm.namespaces())  # fixed from here on
        self._store = template.store
        self._context_data = context["@context"]
        self._context = Context(self._context_data)
        self._pnames: dict[str, tuple] = {}
        self._strict: dict[str, str] = {}
        self._shrunk: dict[str, str] = {}
        self._symbols: dict[str, str] = {}
        self._n3: dict = {}

    # --- order ---------------------------------------------------------------------------------

    def n3(self, term) -> str:
        try:
            return self._n3[term]
        except KeyError:
            if isinstance(term, BNode):
                raise Unsupported("blank node") from None
            value = self._n3[term] = term.n3()
            return value

    def remembered(self) -> int:
        """How many terms are memoised (callers `forget` past a bound)."""
        return len(self._n3)

    def forget(self) -> None:
        """Drop memoised terms (between documents of very different neighbourhoods, to bound memory)."""
        for memo in (self._n3, self._pnames, self._strict, self._shrunk, self._symbols):
            memo.clear()

    def canonical(self, triples: Iterable[Triple]) -> list[Triple]:
        """The triples in the order `dump.canonical` inserted them: by the N3 of subject, predicate, object."""
        n3 = self.n3
        return sorted(set(triples), key=lambda t: (n3(t[0]), n3(t[1]), n3(t[2])))

    def text(self, suffix: str, ordered: Sequence[Triple]) -> Iterator[str]:
        """The dump of `ordered` (as `canonical` returns it) in the format with this file suffix, in pieces."""
        writer = {"ttl": self.turtle_text, "nt": self.ntriples_text, "jsonld": self.jsonld_text,
                  "rdf": self.rdfxml_text}[suffix]
        return writer(ordered)

    def all(self, ordered: Sequence[Triple]) -> dict[str, bytes]:
        """A document in every format, keyed by file suffix."""
        return {"ttl": self.turtle(ordered), "nt": self.ntriples(ordered), "jsonld": self.jsonld(ordered),
                "rdf": self.rdfxml(ordered)}

    # --- N-Triples -----------------------------------------------------------------------------

    @staticmethod
    def ntriples_text(triples: Iterable[Triple]) -> Iterator[str]:
        text = "".join(_nt_row(t) for t in triples)
        lines = sorted({line for line in text.splitlines() if line.strip()})
        del text
        if not lines:
            yield "\n"
        for start in range(0, len(lines), 1024):
            yield "".join(line + "\n" for line in lines[start:start + 1024])

    def ntriples(self, triples: Iterable[Triple]) -> bytes:
        return "".join(self.ntriples_text(triples)).encode("utf-8")

    # --- Turtle --------------------------------------------------------------------------------

    def _pname_parts(self, uri: str) -> tuple:
        """(pname or None, prefix, namespace, needs a generated prefix): TurtleSerializer.get_pname."""
        try:
            return self._pnames[uri]
        except KeyError:
            pass
        if not str.startswith(uri, self._bound):  # (rdflib's URIRef.startswith takes no tuple)
            # under no bound namespace (a resource's own IRI, an observation's): what rdflib's
            # compute_qname would answer, without growing its namespace trie and its cache by one
            # entry per IRI (a server assembles documents for ever: that was memory and time)
            found = self._pnames[uri] = (None, None, None, _splits(uri))
            return found
        needs_generated = False
        try:
            parts = self._nm.compute_qname(uri, generate=False)
        except KeyError:
            parts, needs_generated = None, True
        except Exception:
            parts = None
        if parts is None:
            prefix = self._store.prefix(URIRef(uri))
            parts = (prefix, URIRef(uri), "") if prefix is not None else None
        found: tuple = (None, None, None, needs_generated)
        if parts is not None:
            prefix, namespace, local = parts
            local = _PERCENT.sub("\\%", local.replace("(", r"\(").replace(")", r"\)"))
            if prefix.startswith("_"):
                raise Unsupported(f"prefix {prefix!r} would be rewritten")
            if not local.endswith("."):
                found = (f"{prefix}:{local}", prefix, namespace, needs_generated)
        self._pnames[uri] = found
        return found

    def _pname(self, uri, verb: bool, used: dict) -> str | None:
        pname, prefix, namespace, needs_generated = self._pname_parts(uri)
        if verb and needs_generated:
            raise Unsupported(f"no prefix for the predicate {uri}")
        if pname is not None:
            used[prefix] = namespace
        return pname

    def _label(self, node, verb: bool, used: dict) -> str:
        if isinstance(node, Literal):
            return node._literal_n3(use_plain=True, qname_callback=lambda dt: self._pname(dt, False, used))
        if _same(node, NIL):
            return "()"
        if verb and _same(node, TYPE):
            return "a"
        return self._pname(node, verb, used) or node.n3()

    def turtle(self, triples: Iterable[Triple]) -> bytes:
        return "".join(self.turtle_text(triples)).encode("utf-8", "replace")

    def turtle_text(self, triples: Iterable[Triple]) -> Iterator[str]:
        subjects: dict[URIRef, dict[URIRef, list]] = {}
        refs: dict[URIRef, int] = {}
        used: dict[str, URIRef] = {}
        classes = []
        for s, p, o in triples:
            if isinstance(s, BNode) or isinstance(o, BNode) or str(p) in LIST_TERMS:
                raise Unsupported("blank node or RDF list")
            subjects.setdefault(s, {}).setdefault(p, []).append(o)
            self._pname(s, False, used)  # TurtleSerializer.preprocessTriple: the prefixes it will use
            is_type = _same(p, TYPE)
            if not is_type:
                self._pname(p, True, used)
            if isinstance(o, URIRef):
                refs[o] = refs.get(o, 0) + 1
                self._pname(o, False, used)
                if is_type and _same(o, CLASS):
                    classes.append(s)
            elif o.datatype:
                self._pname(o.datatype, False, used)
        # rdflib sorts IRIs by their text: comparing plain strings gives its order without its __lt__
        first = sorted(classes, key=str)
        seen = set(first)
        order = first + sorted((s for s in subjects if s not in seen), key=lambda s: (refs.get(s, 0), str(s)))

        yield "".join(f"@prefix {prefix}: <{ns}> .\n" for prefix, ns in sorted(used.items()))
        for s in order:
            props = subjects[s]
            out = ["\n" + self._label(s, False, used)]
            head = [p for name in (TYPE, LABEL) for p in props if _same(p, name)]
            rest = sorted((p for p in props if not (_same(p, TYPE) or _same(p, LABEL))), key=str)
            for i, p in enumerate(head + rest):
                out.append((" " if i == 0 else " ;\n    ") + self._label(p, True, used))
                objects = props[p] if len(props[p]) == 1 else sorted(props[p])  # rdflib's order of terms
                out.append(" " + self._label(objects[0], False, used))
                for o in objects[1:]:
                    out.append(",\n        " + self._label(o, False, used))
            out.append(" .\n")
            yield "".join(out)
        yield "\n"

    # --- RDF/XML -------------------------------------------------------------------------------

    def _qname_strict(self, predicate: URIRef, bindings: dict) -> str:
        try:
            qname = self._strict[predicate]
        except KeyError:
            try:
                prefix, namespace, name = self._nm.compute_qname_strict(predicate, generate=False)
            except Exception as exc:  # rdflib would invent a prefix, or fail
                raise Unsupported(f"no strict qname for {predicate}") from exc
            qname = self._strict[predicate] = f"{prefix}:{name}" if prefix else name
            self._strict[(predicate, "ns")] = (prefix, URIRef(namespace))
        prefix, namespace = self._strict[(predicate, "ns")]
        bindings[prefix] = namespace
        return qname

    def rdfxml(self, ordered: Sequence[Triple]) -> bytes:
        return "".join(self.rdfxml_text(ordered)).encode("utf-8", "replace")

    def rdfxml_text(self, ordered: Sequence[Triple]) -> Iterator[str]:
        """`ordered` as `canonical` returns it."""
        bindings: dict[str, URIRef] = {}
        for p in {p for _, p, _ in ordered}:
            self._qname_strict(p, bindings)
        if bindings.get("rdf", RDF_NS) != RDF_NS:
            raise Unsupported("prefix rdf bound to another namespace")
        bindings["rdf"] = RDF_NS
        yield "".join(['<?xml version="1.0" encoding="utf-8"?>\n', "<rdf:RDF\n"] + [
            f'   xmlns:{prefix}="{ns}"\n' if prefix else f'   xmlns="{ns}"\n' for prefix, ns in sorted(bindings.items())
        ] + [">\n"])
        body: list[str] = []
        current = ""  # no IRI is the empty string
        for s, p, o in ordered:
            if isinstance(s, BNode) or isinstance(o, BNode):
                raise Unsupported("blank node")
            if not _same(s, current):
                if current:
                    body.append("  </rdf:Description>\n")
                    if len(body) > 1024:
                        yield "".join(body)
                        body = []
                body.append(f"  <rdf:Description rdf:about={quoteattr(s)}>\n")
                current = s
            qname = self._qname_strict(p, bindings)
            if isinstance(o, Literal):
                attributes = (f' xml:lang="{o.language}"' if o.language else "") + (
                    f' rdf:datatype="{o.datatype}"' if o.datatype else "")
                body.append(f"    <{qname}{attributes}>{escape(o, ESCAPE_ENTITIES)}</{qname}>\n")
            else:
                body.append(f"    <{qname} rdf:resource={quoteattr(o)}/>\n")
        if current:
            body.append("  </rdf:Description>\n")
        body.append("</rdf:RDF>\n")
        yield "".join(body)

    # --- JSON-LD -------------------------------------------------------------------------------

    def _shrink(self, iri) -> str:
        try:
            return self._shrunk[iri]
        except KeyError:
            value = self._shrunk[iri] = self._context.shrink_iri(iri)
            return value

    def _symbol(self, iri) -> str:
        try:
            return self._symbols[iri]
        except KeyError:
            value = self._symbols[iri] = self._context.to_symbol(iri)
            return value

    def _predicate_key(self, p: URIRef) -> str:
        """rdflib's Converter.add_to_node for a predicate that no term of the context defines."""
        key = ("key", p)
        try:
            return self._symbols[key]
        except KeyError:
            pass
        ctx = self._context
        if any(ctx.find_term(str(p), coercion, None) for coercion in (_ID, _VOCAB, UNDEF)) or any(
                t.id == str(p) for t in ctx.terms.values()):
            raise Unsupported(f"the context defines a term for {p}")
        name = ctx.to_symbol(p)
        term = ctx.terms.get(name)
        if term is not None and (term.type or term.container):
            raise Unsupported(f"the context's term {name} is typed")
        self._symbols[key] = name
        return name

    def _value(self, o):
        if isinstance(o, URIRef):
            return {"@id": self._shrink(o)}
        if o.datatype is not None and str(o.datatype) in NATIVE:
            value = o.toPython()  # as rdflib's JSON-LD writer does with a context
            return str(value) if isinstance(value, str) else value
        if o.datatype:
            return {"@type": self._symbol(o.datatype), "@value": str(o)}
        if o.language:
            return {"@language": o.language, "@value": str(o)}
        return str(o)

    def jsonld(self, triples: Iterable[Triple]) -> bytes:
        return "".join(self.jsonld_text(triples)).encode()

    def jsonld_text(self, triples: Iterable[Triple], node_lines: bool = False) -> Iterator[str]:
        """JSON-LD compacted with our context, as rdflib writes it (indented), or with `node_lines`
        one node object a line (the bulk dump: a third smaller, and json's C encoder writes it)."""
        return self.jsonld_nodes_text(self.jsonld_nodes(triples), node_lines)

    def jsonld_nodes(self, triples: Iterable[Triple]) -> dict[str, dict]:
        """The node objects of distinct `triples`, by compacted @id, in any order: nodes and each key's
        values are sorted when written, so the text does not depend on it.

        A key's values are all listed. rdflib's writer replaces a falsy first value (0, "", false)
        by the next one instead, losing a triple (its JSON-LD then fails the re-parsing check): this
        writer is rdflib's layout, not that loss."""
        nodes: dict[str, dict] = {}
        # rdflib terms hash and compare in Python code, so what a subject, predicate or object gives
        # is remembered by the term object itself (its id, while the triple holding it is alive: each
        # entry keeps its term): an observation's triples share their subject, their predicates and
        # most objects (bounded: unique values churn through)
        last_s, node = None, {}
        predicates: dict[int, tuple] = {}
        objects: dict[int, tuple] = {}
        for s, p, o in triples:
            if s is not last_s:
                if isinstance(s, BNode):
                    raise Unsupported("blank node")
                node_id = self._shrink(s)
                node = nodes.get(node_id)
                if node is None:
                    node = nodes[node_id] = {"@id": node_id}
                last_s = s
            known = predicates.get(id(p))
            if known is None or known[0] is not p:
                if str(p) in LIST_TERMS:
                    raise Unsupported("RDF list")
                if len(predicates) >= 4096:
                    predicates.clear()
                known = predicates[id(p)] = (p, _same(p, TYPE))
            said = objects.get(id(o))
            if said is None or said[0] is not o or said[1] is not known:
                if isinstance(o, BNode):
                    raise Unsupported("blank node")
                if known[1] and isinstance(o, URIRef):
                    said = ("@type", self._symbol(o))
                else:
                    said = (self._predicate_key(p), self._value(o))
                if len(objects) >= 4096:
                    objects.clear()
                said = objects[id(o)] = (o, known, *said)
            key, value = said[2], said[3]
            existing = node.get(key)
            if existing is not None:
                if not isinstance(existing, list):
                    existing = [existing]
                existing.append(value)
                value = existing
            node[key] = value
        return nodes

    def jsonld_nodes_text(self, nodes: dict[str, dict], node_lines: bool = False) -> Iterator[str]:
        """`jsonld_text` of the node objects `jsonld_nodes` made."""
        listed = [ordered_node(n) for n in nodes.values()]  # in place
        del nodes
        out: list[str] = []
        if len(listed) == 1:
            emit({**listed[0], "@context": self._context_data}, 0, out)
            yield "".join(out) + "\n"
            return
        # {"@context": …, "@graph": [node, …]}: sort_keys puts @context first; one chunk per node
        out.append('{\n  "@context": ')
        emit(self._context_data, 1, out)
        out.append(',\n  "@graph": [')
        for i, node in enumerate(sorted_nodes(listed)):
            out.append(",\n    " if i else "\n    ")
            if node_lines:
                out.append(json.dumps(node, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
            else:
                emit(node, 2, out)
            yield "".join(out)
            out = []
        yield "".join(out) + ("\n  ]" if listed else "]") + "\n}\n"
