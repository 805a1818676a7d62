"""The pure parts of forwarding to an external engine: what may be forwarded, and how an engine's
answer is re-served (formats, row cap, an answer cut at the byte budget, Virtuoso's blank nodes)."""

from __future__ import annotations

import json

import pytest

from publisher.web.sparql.backend_guard import names_dataset, query_form
from publisher.web.sparql.backend_results import convert, fix_bnode_labels
from publisher.web.sparql.guard import QueryRejected


@pytest.mark.parametrize("query, form", [
    ("SELECT * { ?s ?p ?o }", "SELECT"),
    ("PREFIX ex: <http://example.org/> BASE <http://example.org/> ask { ex:a ?p ?o }", "ASK"),
    ("# a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("DESCRIBE <http://example.org/a>", "DESCRIBE"),
    ("SELECT ?define { ?s <http://example.org/insert> ?define }", "SELECT"),
])
def test_plain_queries_are_forwarded(query, form) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize("query, says", [
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "read-only"),
    ("PREFIX ex: <urn:x#> DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "read-only"),
    ("LOAD <http://127.0.0.1:9/x>", "read-only"),
    ('DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/x> { ?s ?p ?o }', "pragma"),
    ('SELECT (bif:http_get("http://127.0.0.1:9/") AS ?x) {}', "built-in"),
    ('PREFIX bif: <urn:mine#> SELECT (bif:f(1) AS ?x) {}', "built-in"),
    ("SELECT * { ?s <http://www.openlinksw.com/schemas/sql#x> ?o }", "built-in"),
    ("PREFIX ex: <urn:x#>", "no SELECT"),
    ("{ ?s ?p ?o }", "starts with"),
])
def test_anything_else_is_refused_before_the_engine(query, says) -> None:
    with pytest.raises(QueryRejected, match=says):
        query_form(query)


@pytest.mark.parametrize("query, named", [
    ("SELECT * FROM <urn:g> { ?s ?p ?o }", True),
    ("select * from named <urn:g> { GRAPH ?g { ?s ?p ?o } }", True),
    ("SELECT * { ?s ?p 'FROM' }", False),
    ("SELECT * { ?s <urn:from> ?o }", False),
])
def test_a_query_naming_its_own_dataset_is_recognised(query, named) -> None:
    assert names_dataset(query) is named


def _results(n: int) -> bytes:
    rows = [{"s": {"type": "uri", "value": f"urn:s{i}"}} for i in range(n)]
    return json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": rows}}).encode()


JSON = "application/sparql-results+json"


@pytest.mark.parametrize("rows, cap, truncated", [(3, 5, None), (5, 5, None), (6, 5, 5)])
def test_select_answers_are_cut_at_the_cap_and_say_so(rows, cap, truncated) -> None:
    reply = convert(_results(rows), JSON, "SELECT", {"max_rows": cap, "accept": JSON}, cut=False)
    doc = json.loads(reply["body"])
    assert reply["status"] == 200 and reply["truncated"] == truncated
    assert len(doc["results"]["bindings"]) == min(rows, cap)
    assert doc.get("truncated", False) is (truncated is not None)


def test_an_answer_cut_at_the_byte_budget_serves_the_rows_before_the_cut() -> None:
    body = _results(10)[:-60]  # the end is missing
    reply = convert(body, JSON, "SELECT", {"max_rows": 100, "accept": "text/csv"}, cut=True)
    assert reply["status"] == 200 and reply["truncated"] is not None and 0 < reply["truncated"] < 10
    assert reply["body"].decode().splitlines()[0] == "s"


def test_a_broken_answer_that_was_not_cut_is_502_not_served() -> None:
    reply = convert(_results(10)[:-60], JSON, "SELECT", {"max_rows": 100, "accept": JSON}, cut=False)
    assert reply["status"] == 502


def test_graph_answers_are_reserved_in_the_negotiated_format_and_cut() -> None:
    nt = b"".join(f"<urn:s{i}> <urn:p> \"{i}\" .\n".encode() for i in range(4))
    reply = convert(nt, "application/n-triples", "CONSTRUCT", {"max_rows": 3, "accept": "text/turtle"}, cut=False)
    assert reply["content_type"].startswith("text/turtle") and reply["truncated"] == 3
    assert reply["body"].startswith(b"# result truncated to the first 3 triples")


def test_a_form_whose_formats_the_client_refuses_is_406() -> None:
    reply = convert(b"", JSON, "ASK", {"max_rows": 3, "accept": "text/csv"}, cut=False)
    assert reply["status"] == 406


def test_virtuoso_blank_node_labels_are_made_valid_and_literals_left_alone() -> None:
    body = (b'{"head":{"vars":["b","l"]},"results":{"bindings":[{"b":{"type": "bnode", "value": "nodeID://b1"},'
            b'"l":{"type":"literal","value":"nodeID://b1"}}]}}')
    fixed = json.loads(fix_bnode_labels(body))["results"]["bindings"][0]
    assert fixed["b"]["value"] == "b1" and fixed["l"]["value"] == "nodeID://b1"
    reply = convert(body, JSON, "SELECT", {"max_rows": 3, "accept": JSON}, cut=False)
    assert reply["status"] == 200


@pytest.mark.parametrize("allow_tcp, allowed", [
    (False, {"AF_UNIX"}),
    (True, {"AF_UNIX", "AF_INET", "AF_INET6"}),
])
def test_the_network_fence_lets_a_proxy_open_tcp_sockets_and_nothing_more(allow_tcp, allowed) -> None:
    """In a forked process, fenced as a serving process is: which socket families can it open?"""
    import os
    import socket

    from publisher.web import net_fence

    families = {"AF_UNIX": socket.AF_UNIX, "AF_INET": socket.AF_INET, "AF_INET6": socket.AF_INET6,
                "AF_NETLINK": socket.AF_NETLINK, "AF_PACKET": socket.AF_PACKET}
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            os.close(read)
            opened = []
            if net_fence.install(allow_tcp=allow_tcp) is None:
                for name, family in families.items():
                    try:
                        socket.socket(family, socket.SOCK_DGRAM if family != socket.AF_UNIX else socket.SOCK_STREAM
                                      ).close()
                        opened.append(name)
                    except OSError:
                        pass
            os.write(write, " ".join(opened).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    os.waitpid(pid, 0)
    opened = set(os.read(read, 4096).decode().split())
    os.close(read)
    assert opened == allowed
