"""Example queries for the query page: what a researcher of this dataset asks first."""

from __future__ import annotations

from ...namespaces import vocab
from ...release.cube import query_text

PREFIXES = """PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX ks: <{vocab}>
"""
EXAMPLES = (
    ("members-since", "Medlemmar i ett nätverk sedan ett år / Members of a network since a year", """
SELECT ?municipality ?name ?year WHERE {{
  ?network skos:prefLabel "Sveriges Ekokommuner"@sv .
  ?m a org:Membership ; org:organization ?network ; org:member ?municipality ;
     org:memberDuring/time:hasBeginning/time:inXSDgYear ?year .
  ?municipality skos:prefLabel ?name . FILTER(lang(?name) = "sv")
  FILTER(YEAR(?year) >= 2000)
}}
ORDER BY ?year ?name"""),
    ("networks-of-municipality", "Alla nätverk för en kommun / All networks of a municipality", """
SELECT ?network ?label ?year WHERE {{
  ?municipality a ks:Municipality ; dcterms:identifier "0136" .
  ?m org:member ?municipality ; org:organization ?network .
  OPTIONAL {{ ?m org:memberDuring/time:hasBeginning/time:inXSDgYear ?year }}
  ?network skos:prefLabel ?label . FILTER(lang(?label) = "sv")
}}
ORDER BY ?year"""),
    ("sources-of-fact", "Källor till ett medlemskap / Sources of a membership", """
SELECT ?membership ?source ?title ?url WHERE {{
  ?municipality a ks:Municipality ; dcterms:identifier "0136" .
  ?membership a org:Membership ; org:member ?municipality ; prov:wasDerivedFrom ?source .
  ?source dcterms:title ?title .
  OPTIONAL {{ ?source <https://schema.org/url> ?url }}
}}"""),
    ("members-per-network", "Antal medlemmar per nätverk / Members per network", """
SELECT ?network ?label (COUNT(DISTINCT ?member) AS ?members) WHERE {{
  ?m a org:Membership ; org:organization ?network ; org:member ?member .
  OPTIONAL {{ ?network skos:prefLabel ?label FILTER(lang(?label) = "sv") }}
}}
GROUP BY ?network ?label
ORDER BY DESC(?members)"""),
    ("describe-municipality", "Allt om en kommun / Everything about a municipality", """
DESCRIBE ?municipality WHERE {{ ?municipality a ks:Municipality ; dcterms:identifier "0136" }}"""),
)


# the statistics cube: the queries the release publishes as /dumps/cube-query--<name>.rq
CUBE_EXAMPLES = (
    ("cube-trend", "Nyckeltal över tid för en kommun / Trend of one municipality", "trend"),
    ("cube-ranking", "Kommunerna rangordnade ett år / Ranking for a year", "ranking"),
)


def examples(base_uri: str) -> list[dict]:
    prefixes = PREFIXES.format(vocab=vocab(base_uri))
    return [{"id": key, "title": title, "query": prefixes + body.format(base=base_uri).strip() + "\n"}
            for key, title, body in EXAMPLES] + [
        {"id": key, "title": title, "query": query_text(name, base_uri).decode("utf-8")}
        for key, title, name in CUBE_EXAMPLES]
