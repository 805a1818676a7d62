"""The integrity constraints IC-1 … IC-21 of the W3C RDF Data Cube recommendation (section 11.1).

Each constraint is the recommendation's SPARQL query, turned from ASK into SELECT so a violation
names the resource at fault, and run with pyoxigraph over the data and the vocabulary together.
The graph must already be in normalised form (cube.py writes it so).

IC-12 (no two observations of a data set with the same values for all dimensions) is written in
the recommendation as a comparison of every pair of observations: quadratic. Here it is one pass
that reads every observation's dimension values and groups them by key: linear in the number of
observations (see bench/bench_integrity.py).
IC-17's HAVING uses the aggregate itself, not its SELECT alias (an alias is not yet bound when
HAVING is evaluated, so the recommendation's `HAVING (?count != ?numMeasures)` never fires).
IC-20 and IC-21 are templates: first find the hierarchy's parent-child properties, then run the
check once per property, as the recommendation says.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace

import pyoxigraph as ox
from rdflib import Graph

from .validate import ValidationResult
from .verify import expected_triples

PREFIXES = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""


@dataclass(frozen=True)
class Constraint:
    ident: str  # "IC-1"
    title: str
    query: str  # SELECT ?focus ... (for IC-20/21: with <$p> placeholder)


CONSTRAINTS: tuple[Constraint, ...] = (
    Constraint("IC-1", "Unique DataSet: every qb:Observation has exactly one qb:dataSet", """
SELECT DISTINCT ?focus WHERE {
  { ?focus a qb:Observation . FILTER NOT EXISTS { ?focus qb:dataSet ?dataset1 . } }
  UNION
  { ?focus a qb:Observation ; qb:dataSet ?dataset1, ?dataset2 . FILTER (?dataset1 != ?dataset2) }
}"""),
    Constraint("IC-2", "Unique DSD: every qb:DataSet has exactly one qb:structure", """
SELECT DISTINCT ?focus WHERE {
  { ?focus a qb:DataSet . FILTER NOT EXISTS { ?focus qb:structure ?dsd . } }
  UNION
  { ?focus a qb:DataSet ; qb:structure ?dsd1, ?dsd2 . FILTER (?dsd1 != ?dsd2) }
}"""),
    Constraint("IC-3", "DSD includes measure: every qb:DataStructureDefinition has a measure", """
SELECT DISTINCT ?focus WHERE {
  ?focus a qb:DataStructureDefinition .
  FILTER NOT EXISTS { ?focus qb:component [qb:componentProperty [a qb:MeasureProperty]] }
}"""),
    Constraint("IC-4", "Dimensions have range: every qb:DimensionProperty has an rdfs:range", """
SELECT DISTINCT ?focus WHERE {
  ?focus a qb:DimensionProperty .
  FILTER NOT EXISTS { ?focus rdfs:range [] }
}"""),
    Constraint("IC-5", "Concept dimensions have code lists: a dimension with range skos:Concept has a qb:codeList",
               """
SELECT DISTINCT ?focus WHERE {
  ?focus a qb:DimensionProperty ; rdfs:range skos:Concept .
  FILTER NOT EXISTS { ?focus qb:codeList [] }
}"""),
    Constraint("IC-6", "Only attributes may be optional (qb:componentRequired false)", """
SELECT DISTINCT ?focus WHERE {
  ?dsd qb:component ?componentSpec .
  ?componentSpec qb:componentRequired "false"^^xsd:boolean ; qb:componentProperty ?focus .
  FILTER NOT EXISTS { ?focus a qb:AttributeProperty }
}"""),
    Constraint("IC-7", "Slice keys must be declared by a qb:DataStructureDefinition", """
SELECT DISTINCT ?focus WHERE {
  ?focus a qb:SliceKey .
  FILTER NOT EXISTS { [a qb:DataStructureDefinition] qb:sliceKey ?focus }
}"""),
    Constraint("IC-8", "Slice keys consistent with DSD: every property of a slice key is a component", """
SELECT DISTINCT ?focus WHERE {
  ?focus a qb:SliceKey ; qb:componentProperty ?prop .
  ?dsd qb:sliceKey ?focus .
  FILTER NOT EXISTS { ?dsd qb:component [qb:componentProperty ?prop] }
}"""),
    Constraint("IC-9", "Unique slice structure: every qb:Slice has exactly one qb:sliceStructure", """
SELECT DISTINCT ?focus WHERE {
  { ?focus a qb:Slice . FILTER NOT EXISTS { ?focus qb:sliceStructure ?key } }
  UNION
  { ?focus a qb:Slice ; qb:sliceStructure ?key1, ?key2 . FILTER (?key1 != ?key2) }
}"""),
    Constraint("IC-10", "Slice dimensions complete: a slice has a value for every dimension of its key", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:sliceStructure [qb:componentProperty ?dim] .
  FILTER NOT EXISTS { ?focus ?dim [] }
}"""),
    Constraint("IC-11", "All dimensions required: an observation has a value for every dimension", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty .
  FILTER NOT EXISTS { ?focus ?dim [] }
}"""),
    Constraint("IC-12", "No duplicate observations: no two observations of a data set share all dimension values",
               """
SELECT ?focus ?dataset ?dim ?value WHERE {
  ?focus qb:dataSet ?dataset .
  ?dataset qb:structure/qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty .
  ?focus ?dim ?value .
}"""),
    Constraint("IC-13", "Required attributes: an observation has a value for every required attribute", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure/qb:component ?component .
  ?component qb:componentRequired "true"^^xsd:boolean ; qb:componentProperty ?attr .
  FILTER NOT EXISTS { ?focus ?attr [] }
}"""),
    Constraint("IC-14", "All measures present (no qb:measureType): an observation has a value for every measure",
               """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure ?dsd .
  FILTER NOT EXISTS { ?dsd qb:component/qb:componentProperty qb:measureType }
  ?dsd qb:component/qb:componentProperty ?measure .
  ?measure a qb:MeasureProperty .
  FILTER NOT EXISTS { ?focus ?measure [] }
}"""),
    Constraint("IC-15", "Measure dimension consistent: an observation has a value for its qb:measureType", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure .
  ?dsd qb:component/qb:componentProperty qb:measureType .
  FILTER NOT EXISTS { ?focus ?measure [] }
}"""),
    Constraint("IC-16", "Single measure on measure-dimension observation", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure ?dsd ; qb:measureType ?measure ; ?omeasure [] .
  ?dsd qb:component/qb:componentProperty qb:measureType ;
       qb:component/qb:componentProperty ?omeasure .
  ?omeasure a qb:MeasureProperty .
  FILTER (?omeasure != ?measure)
}"""),
    Constraint("IC-17", "All measures present in measures-dimension cube", """
SELECT DISTINCT ?focus WHERE {
  {
    SELECT ?focus ?numMeasures (COUNT(?obs2) AS ?count) WHERE {
      { SELECT ?dsd (COUNT(?m) AS ?numMeasures) WHERE {
          ?dsd qb:component/qb:componentProperty ?m . ?m a qb:MeasureProperty .
        } GROUP BY ?dsd }
      ?focus qb:dataSet/qb:structure ?dsd ; qb:dataSet ?dataset ; qb:measureType ?m1 .
      ?obs2 qb:dataSet ?dataset ; qb:measureType ?m2 .
      FILTER NOT EXISTS {
        ?dsd qb:component/qb:componentProperty ?dim .
        FILTER (?dim != qb:measureType)
        ?dim a qb:DimensionProperty .
        ?focus ?dim ?v1 . ?obs2 ?dim ?v2 .
        FILTER (?v1 != ?v2)
      }
    } GROUP BY ?focus ?numMeasures HAVING (COUNT(?obs2) != ?numMeasures)
  }
}"""),
    Constraint("IC-18", "Consistent data set links: observations of a data set's slice belong to the data set", """
SELECT DISTINCT ?focus WHERE {
  ?dataset qb:slice ?slice . ?slice qb:observation ?focus .
  FILTER NOT EXISTS { ?focus qb:dataSet ?dataset . }
}"""),
    Constraint("IC-19", "Codes from code list: a coded dimension's value is in its code list", """
SELECT DISTINCT ?focus WHERE {
  {
    ?focus qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty ; qb:codeList ?list .
    ?list a skos:ConceptScheme .
    ?focus ?dim ?v .
    FILTER NOT EXISTS { ?v a skos:Concept ; skos:inScheme ?list }
  } UNION {
    ?focus qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
    ?dim a qb:DimensionProperty ; qb:codeList ?list .
    ?list a skos:Collection .
    ?focus ?dim ?v .
    FILTER NOT EXISTS { ?v a skos:Concept . ?list skos:member+ ?v }
  }
}"""),
    Constraint("IC-20", "Codes from hierarchy: a value is reachable from the hierarchy's root", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty ; qb:codeList ?list .
  ?list a qb:HierarchicalCodeList .
  ?focus ?dim ?v .
  FILTER NOT EXISTS { ?list qb:hierarchyRoot/<$p>* ?v }
}"""),
    Constraint("IC-21", "Codes from hierarchy (inverse): a value is reachable from the root by the inverse "
               "property", """
SELECT DISTINCT ?focus WHERE {
  ?focus qb:dataSet/qb:structure/qb:component/qb:componentProperty ?dim .
  ?dim a qb:DimensionProperty ; qb:codeList ?list .
  ?list a qb:HierarchicalCodeList .
  ?focus ?dim ?v .
  FILTER NOT EXISTS { ?list qb:hierarchyRoot/(^<$p>)* ?v }
}"""),
)

# IC-20/21: which parent-child properties to instantiate the template with
HIERARCHY_PROPERTIES = {
    "IC-20": """SELECT DISTINCT ?p WHERE {
  ?hierarchy a qb:HierarchicalCodeList ; qb:parentChildProperty ?p . FILTER (isIRI(?p)) }""",
    "IC-21": """SELECT DISTINCT ?p WHERE {
  ?hierarchy a qb:HierarchicalCodeList ; qb:parentChildProperty ?pcp . FILTER (isBlank(?pcp))
  ?pcp owl:inverseOf ?p . FILTER (isIRI(?p)) }""",
}


@dataclass(frozen=True, order=True)
class Violation:
    ident: str
    focus: str  # the resource at fault (N-Triples form)
    title: str

    def __str__(self) -> str:
        return f"{self.ident} {self.title}: {self.focus}"


ONTOLOGY_GRAPH = ox.NamedNode("urn:x-klimatsamarbeten:vocabulary")  # the vocabulary, beside the data


def quads(graph: Graph, into: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
    """The graph's triples as quads of `into` (the default graph), to load into a store."""
    name = into if into is not None else ox.DefaultGraph()
    return (ox.Quad(t.subject, t.predicate, t.object, name) for t in expected_triples(graph))


def store_of(*graphs: Graph) -> ox.Store:
    store = ox.Store()
    for graph in graphs:
        store.bulk_extend(quads(graph))
    return store


def _focus_nodes(store: ox.Store, query: str) -> list[str]:
    return [str(solution["focus"]) for solution in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def _duplicates(store: ox.Store, query: str) -> list[str]:
    """IC-12 in one pass: observations grouped by (data set, all dimension values). The store's own
    terms are the keys (they hash and compare as RDF terms); only a duplicate is spelled out."""
    values: dict[tuple, set[tuple]] = defaultdict(set)
    for focus, dataset, dim, value in store.query(PREFIXES + query, use_default_graph_as_union=True):
        values[(focus, dataset)].add((dim, value))
    groups: dict[tuple, list] = defaultdict(list)
    for (obs, dataset), dims in values.items():
        groups[(dataset, frozenset(dims))].append(obs)
    return sorted(str(obs) for members in groups.values() if len(members) > 1 for obs in members)


def check_integrity(store: ox.Store) -> list[Violation]:
    """Every violation of IC-1 … IC-21 in `store` (empty: the cube is well-formed)."""
    found: list[Violation] = []
    for ic in CONSTRAINTS:
        if ic.ident == "IC-12":
            focus = _duplicates(store, ic.query)
        elif ic.ident in HIERARCHY_PROPERTIES:
            focus = []
            for row in store.query(PREFIXES + HIERARCHY_PROPERTIES[ic.ident], use_default_graph_as_union=True):
                focus += _focus_nodes(store, ic.query.replace("<$p>", str(row["p"])))
        else:
            focus = _focus_nodes(store, ic.query)
        found += [Violation(ic.ident, f, ic.title) for f in sorted(set(focus))]
    return found


def report_text(violations: list[Violation]) -> str:
    if not violations:
        return "Data Cube integrity constraints IC-1 … IC-21: all hold.\n"
    lines = [f"Data Cube integrity constraints: {len(violations)} violation(s) "
             "(https://www.w3.org/TR/vocab-data-cube/#wf-rules):"]
    lines += [f"  {v}" for v in violations]
    return "\n".join(lines) + "\n"


def with_integrity(result: ValidationResult, violations: list[Violation]) -> ValidationResult:
    """The SHACL result with the cube's integrity violations added (they fail the build too)."""
    if not violations:
        return result
    return replace(result, conforms=False, violations=result.violations + len(violations),
                   text=result.text.rstrip("\n") + "\n" + report_text(violations))
