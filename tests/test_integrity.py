"""The Data Cube integrity constraints IC-1 … IC-21: one violating example each, plus the real cube.

The example cube below is SYNTHETIC (ex: IRIs, made-up values); each case adds or changes a few
triples so that exactly the expected number of resources violate the constraint under test.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyoxigraph as ox
import pytest

from publisher.dataset.integrity import CONSTRAINTS, check_integrity
from publisher.errors import ValidationFailure

from .conftest import ROOT

PREFIXES = """@prefix ex: <http://example.org/synthetic/> .
@prefix qb: <http://purl.org/linked-data/cube#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""
STRUCTURE = """
ex:dsd a qb:DataStructureDefinition ; qb:component ex:c-area , ex:c-year , ex:c-ind , ex:c-value , ex:c-unit .
ex:c-area qb:dimension ex:area ; qb:componentProperty ex:area .
ex:c-year qb:dimension ex:year ; qb:componentProperty ex:year .
ex:c-ind qb:dimension ex:ind ; qb:componentProperty ex:ind .
ex:c-value qb:measure ex:value ; qb:componentProperty ex:value .
ex:c-unit qb:attribute ex:unit ; qb:componentProperty ex:unit ; qb:componentRequired true .
ex:area a qb:DimensionProperty ; rdfs:range ex:Area .
ex:year a qb:DimensionProperty ; rdfs:range xsd:gYear .
ex:ind a qb:DimensionProperty ; rdfs:range skos:Concept ; qb:codeList ex:scheme .
ex:value a qb:MeasureProperty .
ex:unit a qb:AttributeProperty .
ex:scheme a skos:ConceptScheme .
ex:i1 a skos:Concept ; skos:inScheme ex:scheme .
ex:ds a qb:DataSet ; qb:structure ex:dsd .
"""


def obs(name: str, area: str = "ex:a1", year: str | None = '"2019"^^xsd:gYear', ind: str = "ex:i1",
        value: str | None = "1.5", unit: str | None = "ex:u", dataset: str = "ex:ds") -> str:
    """One synthetic observation; pass None to leave a component out."""
    parts = [f"qb:dataSet {dataset}", f"ex:area {area}", f"ex:ind {ind}"]
    parts += [f"ex:year {year}"] if year else []
    parts += [f"ex:value {value}"] if value else []
    parts += [f"ex:unit {unit}"] if unit else []
    return f"ex:{name} a qb:Observation ; " + " ; ".join(parts) + " .\n"


BASE_CUBE = STRUCTURE + obs("o1") + obs("o2", area="ex:a2")

MEASURE_TYPE_CUBE = """
ex:dsdM a qb:DataStructureDefinition ; qb:component ex:cM-area , ex:cM-type , ex:cM-value .
ex:cM-area qb:dimension ex:area ; qb:componentProperty ex:area .
ex:cM-type qb:dimension qb:measureType ; qb:componentProperty qb:measureType .
ex:cM-value qb:measure ex:value ; qb:componentProperty ex:value .
qb:measureType a qb:DimensionProperty ; rdfs:range qb:MeasureProperty .
ex:dsM a qb:DataSet ; qb:structure ex:dsdM .
"""
HIERARCHY = """
ex:dsd qb:component ex:c-h .
ex:c-h qb:dimension ex:h ; qb:componentProperty ex:h .
ex:h a qb:DimensionProperty ; rdfs:range skos:Concept ; qb:codeList ex:hcl .
ex:root skos:narrower ex:child . ex:child skos:broader ex:root .
ex:o1 ex:h ex:child . ex:o2 ex:h ex:orphan .
"""

# (IC, extra Turtle making the base cube violate it, how many resources violate it)
CASES = [
    ("IC-1", "ex:ds2 a qb:DataSet ; qb:structure ex:dsd . ex:o1 qb:dataSet ex:ds2 .", 1),
    ("IC-2", "ex:dsd2 a qb:DataStructureDefinition . ex:ds qb:structure ex:dsd2 .", 1),
    ("IC-3", "ex:dsd3 a qb:DataStructureDefinition ; qb:component ex:c-area .", 1),
    ("IC-4", "ex:dim4 a qb:DimensionProperty .", 1),
    ("IC-5", "ex:dim5 a qb:DimensionProperty ; rdfs:range skos:Concept .", 1),
    ("IC-6", "ex:dsd qb:component ex:c6 . ex:c6 qb:measure ex:value2 ; qb:componentProperty ex:value2 ; "
             "qb:componentRequired false .", 1),
    ("IC-7", "ex:key7 a qb:SliceKey ; qb:componentProperty ex:area .", 1),
    ("IC-8", "ex:dsd qb:sliceKey ex:key8 . ex:key8 a qb:SliceKey ; qb:componentProperty ex:notAComponent .", 1),
    ("IC-9", "ex:slice9 a qb:Slice .", 1),
    ("IC-10", "ex:dsd qb:sliceKey ex:key10 . ex:key10 a qb:SliceKey ; qb:componentProperty ex:area . "
              "ex:slice10 a qb:Slice ; qb:sliceStructure ex:key10 .", 1),
    ("IC-11", obs("o3", area="ex:a3", year=None), 1),
    ("IC-12", obs("o3") + obs("o4", area="ex:a2"), 4),
    ("IC-13", obs("o3", area="ex:a3", unit=None), 1),
    ("IC-14", obs("o3", area="ex:a3", value=None), 1),
    ("IC-15", MEASURE_TYPE_CUBE + "ex:oM a qb:Observation ; qb:dataSet ex:dsM ; ex:area ex:a1 ; "
              "qb:measureType ex:value .", 1),
    ("IC-16", MEASURE_TYPE_CUBE + "ex:dsdM qb:component ex:cM-value2 . ex:cM-value2 qb:measure ex:value2 ; "
              "qb:componentProperty ex:value2 . ex:value2 a qb:MeasureProperty . ex:oM a qb:Observation ; "
              "qb:dataSet ex:dsM ; ex:area ex:a1 ; qb:measureType ex:value ; ex:value 1 ; ex:value2 2 .", 1),
    ("IC-17", MEASURE_TYPE_CUBE + "ex:dsdM qb:component ex:cM-value2 . ex:cM-value2 qb:measure ex:value2 ; "
              "qb:componentProperty ex:value2 . ex:value2 a qb:MeasureProperty . ex:oM a qb:Observation ; "
              "qb:dataSet ex:dsM ; ex:area ex:a1 ; qb:measureType ex:value ; ex:value 1 .", 1),
    ("IC-18", "ex:ds qb:slice ex:s18 . ex:s18 qb:observation ex:o18 . ex:o18 ex:area ex:a1 .", 1),
    ("IC-19", obs("o3", area="ex:a3", ind="ex:notInScheme"), 1),
    ("IC-20", HIERARCHY + "ex:hcl a qb:HierarchicalCodeList ; qb:hierarchyRoot ex:root ; "
              "qb:parentChildProperty skos:narrower .", 1),
    ("IC-21", HIERARCHY + "ex:hcl a qb:HierarchicalCodeList ; qb:hierarchyRoot ex:root ; "
              "qb:parentChildProperty [ owl:inverseOf skos:broader ] .", 1),
]


def store(turtle: str) -> ox.Store:
    s = ox.Store()
    s.load((PREFIXES + turtle).encode(), ox.RdfFormat.TURTLE)
    return s


def count(violations, ident: str) -> int:
    return sum(1 for v in violations if v.ident == ident)


def test_one_violating_example_for_each_of_the_21_constraints():
    assert [c[0] for c in CASES] == [f"IC-{n}" for n in range(1, 22)]
    assert [c.ident for c in CONSTRAINTS] == [f"IC-{n}" for n in range(1, 22)]


def test_the_synthetic_base_cube_is_well_formed():
    assert check_integrity(store(BASE_CUBE)) == []


@pytest.mark.parametrize(("ident", "extra", "expected"), CASES, ids=[c[0] for c in CASES])
def test_violating_example_is_caught(ident, extra, expected):
    violations = check_integrity(store(BASE_CUBE + extra))
    assert count(violations, ident) == expected, [str(v) for v in violations]


def test_ic12_names_every_observation_of_a_duplicated_key():
    violations = check_integrity(store(BASE_CUBE + obs("o3")))
    assert sorted(v.focus for v in violations if v.ident == "IC-12") == [
        "<http://example.org/synthetic/o1>", "<http://example.org/synthetic/o3>"]


def test_ic12_same_key_in_two_data_sets_is_no_duplicate():
    extra = "ex:ds2 a qb:DataSet ; qb:structure ex:dsd .\n" + obs("o3", dataset="ex:ds2")
    assert check_integrity(store(BASE_CUBE + extra)) == []


def test_the_published_cube_satisfies_every_constraint(built, settings):
    data = ox.Store()
    for name in ("klimatsamarbeten.nt", "ontology.nt"):
        data.load((settings.current_release / name).read_bytes(), ox.RdfFormat.N_TRIPLES)
    assert check_integrity(data) == []
    assert len(list(data.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                           ox.NamedNode("http://purl.org/linked-data/cube#Observation")))) == 24


def test_build_fails_with_exit_code_1_on_a_constraint_violation(private_settings, tmp_path: Path):
    from publisher.dataset.pipeline import build

    ontology = tmp_path / "ontology"
    ontology.mkdir()
    text = (ROOT / "ontology" / "klimatsamarbeten.ttl").read_text(encoding="utf-8")
    # a dimension without rdfs:range breaks IC-4 (synthetic term, never published)
    (ontology / "klimatsamarbeten.ttl").write_text(text + "\nks:syntheticDimension a qb:DimensionProperty .\n",
                                                  encoding="utf-8")
    settings = replace(private_settings, ontology_dir=ontology)
    with pytest.raises(ValidationFailure) as err:
        build(settings, progress=lambda _: None)
    assert err.value.exit_code == 1
    assert "IC-4 Dimensions have range" in str(err.value) and "syntheticDimension" in str(err.value)
    assert not (settings.dist_dir / "current").exists()
