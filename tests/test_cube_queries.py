"""The example SPARQL queries (cube-query--*.rq in the release) answer correctly on the built data."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from publisher.dataset.downloads import QUERY_NAMES

BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def store(built, settings) -> ox.Store:
    s = ox.Store()
    s.load((settings.current_release / "klimatsamarbeten.nt").read_bytes(), ox.RdfFormat.N_TRIPLES)
    return s


def run(store: ox.Store, settings, name: str) -> list[dict[str, str]]:
    text = (settings.current_release / f"cube-query--{name}.rq").read_text(encoding="utf-8")
    assert text.startswith(f"BASE <{BASE}>\n")
    solutions = store.query(text)
    return [{v.value: s[v].value for v in solutions.variables if s[v] is not None} for s in solutions]


def test_every_example_query_is_published():
    assert QUERY_NAMES == ("trend", "ranking")


def test_trend_query_gives_huddinges_series_in_year_order(store, settings):
    rows = run(store, settings, "trend")
    # values compare as decimals: a triple store may answer "3.0"^^xsd:decimal in canonical form ("3")
    assert [(r["year"], Decimal(r["value"])) for r in rows] == [(y, Decimal(v)) for y, v in [
        ("1990", "4.4"), ("2000", "3.7"), ("2005", "3.2"), ("2010", "3.1"), ("2011", "3.0"), ("2012", "2.8"),
        ("2013", "2.0"), ("2014", "1.8"), ("2015", "1.8"), ("2016", "1.7"), ("2017", "1.53"), ("2018", "1.45"),
        ("2019", "1.38"), ("2020", "1.23")]]
    assert {r["unit"] for r in rows} == {"t CO2e/inv"}
    assert rows[-1]["source"] == BASE + "id/source/huddinge-koldioxidutslapp-per-invanare-2023"


def test_ranking_query_orders_municipalities_by_value(store, settings):
    assert run(store, settings, "ranking") == [{
        "municipality": BASE + "id/municipality/0126", "name": "Huddinge kommun", "value": "1.38",
        "unit": "t CO2e/inv"}]


def test_ranking_query_ranks_several_municipalities(store, settings):
    """With SYNTHETIC extra observations for two more municipalities (added to a copy of the store)."""
    extra = ox.Store()
    extra.bulk_extend(store)
    ks, qb = BASE + "def/", "http://purl.org/linked-data/cube#"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    indicator = ox.NamedNode(BASE + "id/concept/nyckeltal/vaxthusgaser-per-invanare")
    for code, value in (("0136", "2.5"), ("0138", "0.75")):  # synthetic values
        obs = ox.NamedNode(f"{BASE}id/observation/synthetic/{code}")
        for p, o in ((rdf_type, ox.NamedNode(qb + "Observation")),
                     (ox.NamedNode(ks + "indicator"), indicator),
                     (ox.NamedNode(ks + "refYear"), ox.Literal("2019", datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#gYear"))),
                     (ox.NamedNode(ks + "refMunicipality"), ox.NamedNode(f"{BASE}id/municipality/{code}")),
                     (ox.NamedNode(ks + "value"), ox.Literal(value, datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#decimal"))),
                     (ox.NamedNode("http://purl.org/linked-data/sdmx/2009/attribute#unitMeasure"),
                      ox.NamedNode(BASE + "id/concept/enheter/t-co2e-per-invanare"))):
            extra.add(ox.Quad(obs, p, o))
    rows = run(extra, settings, "ranking")
    assert [(r["name"], Decimal(r["value"])) for r in rows] == [
        ("Haninge kommun", Decimal("2.5")), ("Huddinge kommun", Decimal("1.38")), ("Tyresö kommun", Decimal("0.75"))]
