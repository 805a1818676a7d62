"""/reconcile against the Reconciliation Service API 0.2: every request and response is validated with the
W3C Entity Reconciliation CG's published JSON schemas, the group's own valid and invalid examples prove
the validator, and OpenRefine 3.x's exact requests drive the whole round trip (reconcile, preview, extend).

Where OpenRefine's request shapes come from (OpenRefine/OpenRefine on GitHub; shapes carried over, no code):
- reconciliation: main/src/com/google/refine/model/recon/StandardReconConfig.java — `batchRecon` writes
  {"q0":<job>,"q1":<job>,…} and posts it as the form field `queries` (`postNameValue(url, "queries", …)`,
  application/x-www-form-urlencoded), `getBatchSize()` is 10; each job is `ReconQuery` serialised by
  Jackson in field order query, type, type_strict ("should" whenever a type is set), properties (only
  when non-empty: [{"pid", "v"}], v the cell's value, or {"id", "name"} for an already reconciled
  cell), limit (only when not 0); `createSimpleJob` sends {"query": …} alone.
- data extension: main/src/com/google/refine/model/recon/ReconciledDataExtensionJob.java — POST form field
  `extend` = {"ids": [...], "properties": [{"id": …}]}; it reads `meta` and, for every id, every
  requested property's list of cells from `rows`;
  docs/docs/technical-reference/data-extension-api.md — property proposal is GET `?type=<id>&limit=<n>`.
- suggest: the spec's suggest services take `prefix` (and `cursor`); OpenRefine's suggest widget
  (main/webapp/modules/core/externals/suggest/suggest-4_3a.js) sends `data[o.query_param_name] = query`.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx
import jsonschema
import pytest
import referencing
import referencing.exceptions
from referencing.jsonschema import DRAFT7

from .conftest import SHARED

SPEC = SHARED / "conformance" / "reconciliation-api-0.2"
SCHEMA_OF = {  # example folder -> schema file; the other folders have no schema to check against
    "manifest": "manifest.json",
    "reconciliation-query-batch": "reconciliation-query-batch.json",
    "reconciliation-result-batch": "reconciliation-result-batch.json",
    "data-extension-query": "data-extension-query.json",
    "data-extension-response": "data-extension-response.json",
    "data-extension-property-proposal": "data-extension-property-proposal.json",
    "suggest-entities-response": "suggest-entities-response.json",
    "suggest-types-response": "suggest-types-response.json",
    "suggest-properties-response": "suggest-properties-response.json",
}
# manifest.json takes `authentication` from swagger.io's schema, which is not in the conformance folder and
# is never fetched (no network): these two examples cannot be decided offline; the test proves it refuses them
NEEDS_SWAGGER = {"manifest/valid/authentication.json", "manifest/invalid/bad-authentication.json"}


def _no_network(uri: str):
    raise referencing.exceptions.NoSuchResource(uri)


SCHEMAS = {path.name: json.loads(path.read_text(encoding="utf-8"))
           for path in sorted((SPEC / "schemas").glob("*.json")) if path.name != "openapi.json"}
REGISTRY = referencing.Registry(retrieve=_no_network).with_resources(
    (schema["$id"], DRAFT7.create_resource(schema)) for schema in SCHEMAS.values())


def validate(kind: str, value: object) -> None:
    """Raise jsonschema.ValidationError unless `value` conforms to the schema of `kind` (draft 7)."""
    jsonschema.Draft7Validator(SCHEMAS[SCHEMA_OF[kind]], registry=REGISTRY).validate(value)


def _examples() -> list[tuple[str, str, Path]]:
    found = []
    for kind in SCHEMA_OF:
        for verdict in ("valid", "invalid"):
            found += [(kind, verdict, p) for p in sorted((SPEC / "examples" / kind / verdict).glob("*.json"))]
    return found


EXAMPLES = _examples()


def test_the_groups_examples_are_all_collected():
    assert len(EXAMPLES) == 44
    assert sum(1 for _, verdict, _ in EXAMPLES if verdict == "invalid") == 16


@pytest.mark.parametrize(("kind", "verdict", "path"), EXAMPLES, ids=[f"{k}/{v}/{p.name}" for k, v, p in EXAMPLES])
def test_the_validator_accepts_the_groups_valid_examples_and_rejects_the_invalid_ones(kind, verdict, path):
    value = json.loads(path.read_text(encoding="utf-8"))
    if f"{kind}/{verdict}/{path.name}" in NEEDS_SWAGGER:
        with pytest.raises(referencing.exceptions.Unresolvable):
            validate(kind, value)
    elif verdict == "valid":
        validate(kind, value)
    else:
        with pytest.raises(jsonschema.ValidationError):
            validate(kind, value)


# --- the service, driven as OpenRefine 3.x drives it --------------------------------------------------


def jackson(value: dict) -> str:
    """JSON as OpenRefine's Jackson writer sends it: compact, no spaces, fields in the order given."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def post_form(url: str, field: str, payload: str) -> httpx.Response:
    body = f"{field}={quote(payload, safe='')}"
    return httpx.post(url, content=body.encode("ascii"), headers={"Content-Type": "application/x-www-form-urlencoded"})


def reconcile(service: str, batch: dict) -> dict:
    validate("reconciliation-query-batch", batch)
    r = post_form(service, "queries", "{" + ",".join(f'"{k}":{jackson(q)}' for k, q in batch.items()) + "}")
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "*" and r.headers["content-type"] == "application/json"
    doc = r.json()
    validate("reconciliation-result-batch", doc)
    assert set(doc) == set(batch)
    return doc


@pytest.fixture(scope="module")
def service(live_server) -> str:
    return live_server.url + "/reconcile"


@pytest.fixture(scope="module")
def manifest(service) -> dict:
    r = httpx.get(service)
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    validate("manifest", doc)
    return doc


def test_manifest_names_the_identifier_and_schema_spaces_default_types_and_view(manifest, live_server):
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "http://127.0.0.1:8000/id/"
    assert manifest["schemaSpace"] == "http://127.0.0.1:8000/def/"
    assert [t["id"] for t in manifest["defaultTypes"]] == ["municipality", "county", "organisation", "membership",
                                                            "indicator"]
    view = manifest["view"]["url"].replace("{{id}}", "municipality/0136")
    assert view == live_server.url + "/doc/municipality/0136" and httpx.get(view).status_code == 200
    english = httpx.get(live_server.url + "/reconcile/en").json()
    validate("manifest", english)
    assert english["defaultTypes"][0]["name"] == "Municipality"


def test_a_column_of_ten_municipality_names_reconciles_as_openrefine_batches_it(service):
    names = ["Haninge", "Södertälje", "Göteborg", "Malå", "Upplands Väsby", "Håbo", "Habo", "Gotland", "Stockholm",
             "Nacka"]
    codes = ["0136", "0181", "1480", "2418", "0114", "0305", "0643", "0980", "0180", "0182"]
    batch = {f"q{i}": {"query": name, "type": "municipality", "type_strict": "should"}
             for i, name in enumerate(names)}
    doc = reconcile(service, batch)
    for i, code in enumerate(codes):
        first = doc[f"q{i}"]["result"][0]
        assert first["id"] == f"municipality/{code}" and first["match"] is True, (names[i], first)
        assert first["type"] == [{"id": "municipality", "name": "Kommun"}]


def test_a_municipality_code_as_a_property_makes_the_match_certain(service):
    doc = reconcile(service, {
        "q0": {"query": "Nacka", "type": "municipality", "type_strict": "should",
               "properties": [{"pid": "code", "v": "0182"}]},
        "q1": {"query": "Nakka", "type": "municipality", "type_strict": "should",  # misspelt: code finds it
               "properties": [{"pid": "code", "v": "0182"}]},
        "q2": {"query": "Haninge", "type": "municipality", "type_strict": "should",  # name and code disagree
               "properties": [{"pid": "code", "v": "0182"}]},
        "q3": {"query": "Haninge",  # an already reconciled cell as the value
               "properties": [{"pid": "county", "v": {"id": "county/01", "name": "Stockholms län"}}]},
        "q4": {"query": "Haninge", "properties": [{"pid": "county", "v": "Skåne län"}]},  # contradicted
        "q5": {"query": "", "properties": [{"pid": "organisationNumber", "v": "212000-0084"}]},
    })
    assert doc["q0"]["result"][0]["id"] == "municipality/0182" and doc["q0"]["result"][0]["match"] is True
    assert doc["q1"]["result"][0]["id"] == "municipality/0182" and doc["q1"]["result"][0]["match"] is False
    assert not any(r["match"] for r in doc["q2"]["result"])
    assert doc["q3"]["result"][0]["id"] == "municipality/0136" and doc["q3"]["result"][0]["match"] is True
    assert not any(r["match"] for r in doc["q4"]["result"])
    assert doc["q5"]["result"][0]["id"] == "municipality/0136" and doc["q5"]["result"][0]["match"] is True


def test_match_is_true_only_when_unambiguous(service):
    doc = reconcile(service, {"q0": {"query": "Borgmästaravtalet"},  # an organisation and a source
                              "q1": {"query": "Borgmästaravtalet", "type": "organisation", "type_strict": "should"},
                              "q2": {"query": "hanin"},  # a prefix is never certain
                              "q3": {"query": "Haninge"}})
    assert not any(r["match"] for r in doc["q0"]["result"]) and len(doc["q0"]["result"]) >= 2
    assert doc["q1"]["result"][0]["id"] == "organisation/covenant-of-mayors" and doc["q1"]["result"][0]["match"]
    assert not any(r["match"] for r in doc["q2"]["result"])
    assert [r["id"] for r in doc["q3"]["result"] if r["match"]] == ["municipality/0136"]
    simple = reconcile(service, {"q0": {"query": "Södertälje"}})  # createSimpleJob's shape
    assert simple["q0"]["result"][0]["id"] == "municipality/0181"


def test_suggest_services_answer_prefixes(service, manifest):
    entity = manifest["suggest"]["entity"]
    r = httpx.get(entity["service_url"] + entity["service_path"], params={"prefix": "sodert"})
    assert r.headers["access-control-allow-origin"] == "*"
    validate("suggest-entities-response", r.json())
    assert r.json()["result"][0]["id"] == "municipality/0181"
    page2 = httpx.get(service + "/suggest/entity", params={"prefix": "s", "cursor": "10"}).json()
    validate("suggest-entities-response", page2)
    assert {x["id"] for x in page2["result"]}.isdisjoint(
        {x["id"] for x in httpx.get(service + "/suggest/entity", params={"prefix": "s"}).json()["result"]})
    types = httpx.get(service + "/suggest/type", params={"prefix": "kom"}).json()
    validate("suggest-types-response", types)
    assert types["result"] == [{"id": "municipality", "name": "Kommun"}]
    props = httpx.get(service + "/suggest/property", params={"prefix": "län"}).json()
    validate("suggest-properties-response", props)
    assert "county" in [p["id"] for p in props["result"]]
    wiki = httpx.get(service + "/suggest/property", params={"prefix": "wiki"}).json()
    assert [p["id"] for p in wiki["result"]] == ["wikidata"]


def test_preview_and_view_show_the_entity(manifest):
    url = manifest["preview"]["url"].replace("{{id}}", "municipality/0136")
    r = httpx.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Haninge kommun" in r.text and "0136" in r.text and 'lang="sv"' in r.text
    assert httpx.get(url.replace("0136", "9999")).status_code == 404


def test_data_extension_adds_codes_county_wikidata_and_memberships_with_years(service, manifest):
    propose = manifest["extend"]["propose_properties"]
    r = httpx.get(propose["service_url"] + propose["service_path"], params={"type": "municipality", "limit": "20"})
    validate("data-extension-property-proposal", r.json())
    proposed = [p["id"] for p in r.json()["properties"]]
    assert {"code", "county", "wikidata", "memberOf", "memberSince", "memberships"} <= set(proposed)
    query = {"ids": ["municipality/0136", "municipality/0181", "no/such-id"],
             "properties": [{"id": pid} for pid in ("code", "county", "wikidata", "organisationNumber", "memberOf",
                                                    "memberSince", "memberships")]}
    validate("data-extension-query", query)
    r = post_form(service, "extend", jackson(query))
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    doc = r.json()
    validate("data-extension-response", doc)
    assert [m["id"] for m in doc["meta"]] == [p["id"] for p in query["properties"]]
    assert {m["id"]: m.get("type", {}).get("id") for m in doc["meta"]}["county"] == "county"
    assert set(doc["rows"]) == set(query["ids"])
    assert all(set(row) == {p["id"] for p in query["properties"]} for row in doc["rows"].values())
    haninge = doc["rows"]["municipality/0136"]
    assert haninge["code"] == [{"str": "0136"}] and haninge["wikidata"] == [{"str": "Q113692"}]
    assert haninge["county"] == [{"id": "county/01", "name": "Stockholms län"}]
    assert haninge["organisationNumber"] == [{"str": "212000-0084"}]
    members = dict(zip([c["id"] for c in haninge["memberOf"]], haninge["memberSince"], strict=True))
    assert members["organisation/sveriges-ekokommuner"] == {"int": 2007}
    assert {"str": "Sveriges Ekokommuner (sedan 2007)"} in haninge["memberships"]
    assert doc["rows"]["no/such-id"] == {p["id"]: [] for p in query["properties"]}


def test_cors_preflight_allows_posting_from_any_origin(service):
    r = httpx.options(service, headers={"Origin": "http://localhost:3333", "Access-Control-Request-Method": "POST",
                                        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*" and "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"].lower()


def test_jsonp_wraps_the_manifest_for_old_clients_and_refuses_a_bad_callback(service):
    r = httpx.get(service, params={"callback": "jQuery123_456"})
    assert r.text.startswith("/**/jQuery123_456(") and r.headers["content-type"].startswith("text/javascript")
    validate("manifest", json.loads(r.text[len("/**/jQuery123_456("):-2]))
    assert httpx.get(service, params={"callback": "alert(1)//"}).status_code == 400


@pytest.mark.parametrize(("field", "payload", "status"), [
    ("queries", "not json", 400),
    ("queries", "[]", 400),
    ("queries", '{"q0": {"query": ""}}', 400),
    ("queries", '{"q0": {"query": "x", "properties": [{"pid": "colour", "v": "red"}]}}', 400),
    ("queries", '{"q0": {"query": "x", "type": "planet"}}', 400),
    ("queries", '{"q0": "Haninge"}', 400),
    ("extend", '{"ids": ["municipality/0136"], "properties": [{"id": "colour"}]}', 400),
    ("extend", '{"ids": "municipality/0136"}', 400),
    ("nothing", "{}", 400),
])
def test_malformed_requests_get_400_with_a_reason(service, field, payload, status):
    r = post_form(service, field, payload)
    assert r.status_code == status and r.headers["access-control-allow-origin"] == "*"
    assert len(r.text) > 10


def test_other_content_types_get_415_and_unknown_suggest_services_404(service):
    r = httpx.post(service, content=b"--x\r\n", headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert r.status_code == 415
    assert httpx.get(service + "/suggest/planet", params={"prefix": "x"}).status_code == 404
    assert httpx.get(service + "/suggest/entity", params={"prefix": "x", "cursor": "-1"}).status_code == 400


def test_a_json_body_is_accepted_too(service):
    r = httpx.post(service, json={"queries": {"q0": {"query": "Haninge"}}})
    validate("reconciliation-result-batch", r.json())
    assert r.json()["q0"]["result"][0]["id"] == "municipality/0136"


def test_the_documented_curl_commands_answer_as_documented(live_server):
    """Every `curl` line in docs/search-and-reconciliation.md, sent with httpx to the test server."""
    import shlex

    from .conftest import ROOT

    text = (ROOT / "docs" / "search-and-reconciliation.md").read_text(encoding="utf-8")
    commands = [line for line in text.splitlines() if line.startswith("curl ")]
    assert len(commands) == 6
    for line in commands:
        args = shlex.split(line)[1:]
        headers, form = {}, []
        while args[0].startswith("-"):
            option, value = args[0], args[1]
            args = args[2:]
            if option == "-H":
                name, _, val = value.partition(":")
                headers[name] = val.strip()
            else:
                assert option == "--data-urlencode", option
                name, _, val = value.partition("=")
                form.append(f"{name}={quote(val, safe='')}")
        url = args[0].replace("http://127.0.0.1:8000", live_server.url)
        if form:
            r = httpx.post(url, content="&".join(form).encode(), headers={
                "Content-Type": "application/x-www-form-urlencoded", **headers})
        else:
            r = httpx.get(url, headers=headers)
        assert r.status_code == 200, (line, r.text)
        doc = r.json()
        if "queries=" in line:
            validate("reconciliation-result-batch", doc)
            assert doc["q0"]["result"][0]["id"] == "municipality/0136" and doc["q1"]["result"][0]["match"]
        elif "extend=" in line:
            validate("data-extension-response", doc)
        elif "/search?" in url:
            assert doc["results"][0]["key"] == "municipality/0181" and doc["results"][0]["match"] == "exact"
