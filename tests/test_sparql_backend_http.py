"""/sparql's HTTP behaviour (test_sparql_http: formats by Accept per query form, format parameters,
406, ETags and 304, POST not cached, 405, protocol datasets, the service description and page,
the example and canned queries) through `publisher serve --sparql-backend` in front of Oxigraph server."""

from __future__ import annotations

import httpx
import pytest

from .test_sparql_http import (  # noqa: F401  (collected here again, with this module's `url`)
    test_canned_index_lists_queries,
    test_canned_parameters_are_validated_and_never_pasted,
    test_canned_query_json_csv_and_html,
    test_client_format_parameters_are_tolerated,
    test_construct_formats_by_accept,
    test_dataset_parameters_restrict_the_default_graph,
    test_example_queries_on_the_page_all_run,
    test_get_has_etag_and_answers_304,
    test_other_methods_get_405_with_allow,
    test_post_is_not_cached,
    test_select_formats_by_accept,
    test_service_description_by_accept_and_page_for_browsers,
    test_unacceptable_accept_is_406,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def url(oxigraph_memory, settings, built):
    done = oxigraph_memory.load_release(settings)
    assert done.returncode == 0, done.stderr
    server = oxigraph_memory.serve(settings)
    yield server.url
    server.stop()


def test_answers_say_they_came_from_the_backend_and_are_the_release(url, built) -> None:
    import json

    quads = json.loads((built.release / "manifest.json").read_text())["store"]["quads"]
    r = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert r.status_code == 200 and r.headers["server-timing"].startswith("engine;")
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == quads
    again = httpx.get(url + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"})
    assert again.headers["server-timing"] == 'cache;desc="hit"' and again.content == r.content
