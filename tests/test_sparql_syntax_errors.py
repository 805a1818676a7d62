"""A typo in a SPARQL keyword gets a message that quotes its line and column and the keyword meant,
beside the parser's own line, column and expected token."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest

from publisher.web.sparql.syntax import explain


def _parser_message(query: str) -> str:
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(query)
    return str(caught.value)


@pytest.mark.parametrize(("query", "wanted"), [
    ("SELEC ?x WHERE { ?x ?p ?o }", ["line 1, column 10: expected CONSTRUCT",
                                      "'SELEC' at line 1, column 1 is not a SPARQL keyword: did you mean SELECT?",
                                      "line 1: SELEC ?x WHERE { ?x ?p ?o }\n        ^"]),
    ("SELECT ?x WHER { ?x ?p ?o }", ["'WHER' at line 1, column 11", "did you mean WHERE?"]),
    ("PREFIX ex: <http://e/>\nSELECT ?x WHERE {\n  ?x ex:p ?o .\n  FILTR(?o > 1)\n}",
     ["line 4, column 11", "'FILTR' at line 4, column 3", "did you mean FILTER?",
      "line 4:   FILTR(?o > 1)\n          ^"]),
    ("SELECT ?x WHERE { ?x ?p ?o ", ["line 1, column 28: expected one of", "line 1: SELECT ?x WHERE { ?x ?p ?o"]),
])
def test_a_malformed_query_is_explained_where_it_went_wrong(query, wanted):
    message = explain(query, _parser_message(query))
    for part in wanted:
        assert part in message, message


def test_a_message_without_a_position_is_passed_on():
    assert explain("x", "something odd") == "malformed query: something odd"


def test_the_endpoint_answers_a_typo_with_the_keyword_meant(live_server):
    r = httpx.post(live_server.url + "/sparql", data={"query": "SELEC ?s WHERE { ?s ?p ?o } LIMIT 1"}, timeout=30)
    assert r.status_code == 400
    assert "did you mean SELECT?" in r.text and "line 1, column 1" in r.text, r.text
