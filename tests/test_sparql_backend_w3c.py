"""The W3C SPARQL 1.1 Protocol and query-evaluation suites through `publisher serve --sparql-backend`
in front of Oxigraph server, which must pass them exactly as the embedded store does.

They run once, against Oxigraph server in memory: what the suites check is our forwarding (the
engine behind it is the same Oxigraph as the embedded store); Oxigraph server on disk is covered by
test_sparql_backend_safety and test_store_load. The fixture graphs go into the engine through its
Graph Store endpoint, under the same IRIs the embedded runs give them (--extra-graph).
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from .sparql_support import FIXTURE_GRAPHS
from .test_sparql_protocol_w3c import CASES as PROTOCOL_CASES
from .test_sparql_protocol_w3c import test_protocol, test_service_description  # noqa: F401 (run here too)
from .test_sparql_query_w3c import APPLICABLE, CASES, direct, outcome  # noqa: F401

pytestmark = pytest.mark.slow
EMBEDDED_OUTCOME = {"pass": 443, "differs from W3C as pyoxigraph does": 55, "both refused": 1}


@pytest.fixture(scope="module")
def loaded(oxigraph_memory, settings, built):
    done = oxigraph_memory.load_release(settings)
    assert done.returncode == 0, done.stderr
    for iri, path in FIXTURE_GRAPHS.items():
        oxigraph_memory.put_graph(iri, path)
    for f in sorted({f for c in APPLICABLE for f in (*c.data, *c.graph_data)}):
        oxigraph_memory.put_graph(f.resolve().as_uri(), f)
    return oxigraph_memory


@pytest.fixture(scope="module")
def server(loaded, settings):
    s = loaded.serve(settings, "--query-timeout", "20")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def endpoint(server) -> str:
    return server.url + "/sparql"


def test_the_suites_are_all_here() -> None:
    assert len(PROTOCOL_CASES) == 34 and len(CASES) == 515 and len(APPLICABLE) == 499


@pytest.mark.parametrize("case", APPLICABLE, ids=[c.name for c in APPLICABLE])
def test_query_evaluation_through_the_backend(case, endpoint: str, direct: ox.Store) -> None:  # noqa: F811
    outcome(case, endpoint, direct, "the backend through our proxy answered otherwise than pyoxigraph")


def test_outcome_is_the_embedded_stores(endpoint: str, direct: ox.Store) -> None:  # noqa: F811
    """Counted over every applicable case (each run here if no test ran it before), in any order."""
    counts = Counter(outcome(case, endpoint, direct, "the backend through our proxy answered otherwise than pyoxigraph")
                     for case in APPLICABLE)
    assert counts == EMBEDDED_OUTCOME
