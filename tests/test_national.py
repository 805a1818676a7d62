"""All of Sweden (issue 12): the importers, the counts, the Covenant of Mayors, licences and canned queries,
checked against the external files themselves (../shared/reference/external), never against our own output."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import shutil
import sqlite3
import zlib
from pathlib import Path

import httpx
import openpyxl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS

from publisher.cli import main
from publisher.dataset import national_import as ni
from publisher.dataset.load import load
from publisher.errors import ConfigError, SourceDataError

from .conftest import BASE, ROOT, SHARED

EXTERNAL = SHARED / "reference" / "external"
SCB_MUNIS = EXTERNAL / "scb-municipalities-2025" / "municipalities.csv"
SCB_COUNTIES = EXTERNAL / "scb-municipalities-2025" / "counties.csv"
WIKIDATA = EXTERNAL / "wikidata-municipalities-2021" / "kommunkod-wikidata.csv"
WORKBOOK = EXTERNAL / "gcom-mycovenant-2024" / "df1_Signatories_2024.xlsx"
KS = BASE + "def/"
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
CC_BY = URIRef("http://creativecommons.org/licenses/by/4.0/")
DATASET = URIRef(BASE + "id/dataset/klimatsamarbeten")
PART = URIRef(BASE + "id/dataset/klimatsamarbeten-part-jrc-gcom-mycovenant-2024")
JRC = URIRef(BASE + "id/source/jrc-gcom-mycovenant-2024")


def csv_rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def workbook_rows(columns: tuple[str, ...]) -> list[dict]:
    """The Swedish rows of sheet 1, read here directly (not through the importer)."""
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=True)
    rows = wb["1"].iter_rows(values_only=True)
    head = list(next(rows))
    found = [{c: row[head.index(c)] for c in columns} for row in rows if row[head.index("country_code")] == "se"]
    wb.close()
    return found


@pytest.fixture(scope="module")
def graph(settings, built) -> Graph:
    return Graph().parse(settings.current_release / "klimatsamarbeten.nt", format="nt")


def names_to_codes() -> dict[str, str]:
    import yaml
    table = yaml.safe_load((ROOT / "data" / "covenant-names.yaml").read_text(encoding="utf-8"))
    return {e["name"]: e["code"] for e in table["covenant_names"] if "code" in e}


# --- the importers -------------------------------------------------------------------------


def test_excel_serial_day_40140_is_2009_11_23():
    assert ni.excel_date(40140) == dt.date(2009, 11, 23)
    assert ni.excel_date(40140.0) == dt.date(2009, 11, 23)
    assert ni.excel_date(dt.datetime(2009, 11, 23)) == dt.date(2009, 11, 23)
    assert ni.excel_date(0, dt.datetime(1904, 1, 1)) == dt.date(1904, 1, 1)
    with pytest.raises(ValueError):
        ni.excel_date(60)  # Excel's phantom 29 February 1900
    with pytest.raises(ValueError):
        ni.excel_date("2009-11-23")


def test_the_workbook_stores_haninges_adhesion_as_serial_40140():
    wb = openpyxl.load_workbook(WORKBOOK, read_only=True, data_only=False)
    ws = wb["1"]
    head = [c.value for c in next(ws.iter_rows(max_row=1))]
    date_col, id_col = head.index("date_of_adhesion"), head.index("gcom_id")
    for row in ws.iter_rows(min_row=2):
        if row[id_col].value == "SE0018":  # Haninge
            cell = row[date_col]
            break
    wb.close()
    # openpyxl turns the date-formatted serial into a datetime; the serial itself is 40140
    assert cell.is_date and ni.excel_date(cell.value) == dt.date(2009, 11, 23)
    serial = (cell.value - dt.datetime(1899, 12, 30)).days
    assert serial == 40140 and ni.excel_date(serial) == dt.date(2009, 11, 23)


def run_importers(data_dir: Path) -> None:
    assert main(["--root", str(data_dir.parent), "import", "scb", str(SCB_MUNIS), str(SCB_COUNTIES)]) == 0
    assert main(["--root", str(data_dir.parent), "import", "wikidata", str(WIKIDATA)]) == 0
    assert main(["--root", str(data_dir.parent), "import", "covenant", str(WORKBOOK)]) == 0


def test_rerunning_the_importers_gives_the_committed_files_byte_for_byte(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "data" / ni.COVENANT_NAMES, data / ni.COVENANT_NAMES)
    for _ in range(2):  # and twice over: re-running changes nothing
        run_importers(data)
        for name in (ni.SCB_OUTPUT, ni.WIKIDATA_OUTPUT, ni.COVENANT_OUTPUT):
            assert (data / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name


def test_imported_files_name_their_source_file_and_its_sha256():
    import hashlib
    for name, sources in ((ni.SCB_OUTPUT, (SCB_MUNIS, SCB_COUNTIES)), (ni.WIKIDATA_OUTPUT, (WIKIDATA,)),
                          (ni.COVENANT_OUTPUT, (WORKBOOK,))):
        head = (ROOT / "data" / name).read_text(encoding="utf-8").split("\n", 8)[:8]
        for source in sources:
            digest = hashlib.sha256(source.read_bytes()).hexdigest()
            assert any(source.name in line and digest in line for line in head), (name, source.name)


def test_the_covenant_importer_never_reads_the_mayor_or_supporter_columns():
    assert "mayor" not in ni.COVENANT_COLUMNS and "supporter_name" not in ni.COVENANT_COLUMNS
    assert "municipality_name" not in ni.SCB_MUNICIPALITY_COLUMNS


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('  - {name: "Gothenburg", code: "1480"}   # Göteborg\n', ""),
     "'Gothenburg' is not in data/covenant-names.yaml"),
    (lambda t: t.replace('{name: "Lund", code: "1281"}', '{name: "Lund", code: "1280"}'),
     "both map to 1280 (ambiguous)"),
    (lambda t: t + '  - {name: "Lund", code: "1281"}\n', "'Lund' is mapped twice (ambiguous)"),
    (lambda t: t.replace('group: ["0840", "0885"]', 'group: ["0840", "0881"]'), "is a group in data/"),
], ids=["unmapped", "two-names-one-code", "name-twice", "wrong-group"])
def test_an_unmapped_or_ambiguous_platform_name_stops_the_import_and_is_named(tmp_path, change, message):
    data = tmp_path / "data"
    data.mkdir()
    table = (ROOT / "data" / ni.COVENANT_NAMES).read_text(encoding="utf-8")
    (data / ni.COVENANT_NAMES).write_text(change(table), encoding="utf-8")
    with pytest.raises(ConfigError, match="nothing was written") as caught:
        ni.import_covenant(data, WORKBOOK)
    assert message in str(caught.value)
    assert not (data / ni.COVENANT_OUTPUT).exists()


# --- the counts, against the external files --------------------------------------------------


def test_every_scb_municipality_and_county_is_published(graph):
    munis, counties = csv_rows(SCB_MUNIS), csv_rows(SCB_COUNTIES)
    assert len(munis) == 290 and len(counties) == 21
    published = {str(o) for s in graph.subjects(RDF.type, URIRef(KS + "Municipality"))
                 for o in graph.objects(s, DCTERMS.identifier)}
    assert published == {r["municipality_code"] for r in munis}
    counties_published = {str(o) for s in graph.subjects(RDF.type, URIRef(KS + "County"))
                          for o in graph.objects(s, DCTERMS.identifier)}
    assert counties_published == {r["county_code"] for r in counties}
    for r in munis:  # each in its county
        muni = URIRef(BASE + f"id/municipality/{r['municipality_code']}")
        assert (muni, URIRef("https://schema.org/location"), URIRef(BASE + f"id/county/{r['county_code']}")) in graph


def test_the_long_names_of_the_scb_file_are_never_copied(graph, settings):
    wrong = {r["municipality_name"] for r in csv_rows(SCB_MUNIS)} - {
        # the hand-kept eight have sourced official names that happen to be equal
        "Botkyrka kommun", "Haninge kommun", "Huddinge kommun", "Nykvarns kommun", "Nynäshamns kommun",
        "Salems kommun", "Södertälje kommun", "Tyresö kommun"}
    labels = {str(o) for o in graph.objects(None, None) if isinstance(o, Literal)}
    assert "Kalmars kommun" in wrong and not wrong & labels


def test_wikidata_ids_come_from_the_list_and_the_four_without_get_none(graph):
    listed = {r["kommunkod"]: r["wikidata"] for r in csv_rows(WIKIDATA)}
    assert len(listed) == 286
    for r in csv_rows(SCB_MUNIS):
        muni = URIRef(BASE + f"id/municipality/{r['municipality_code']}")
        same = set(graph.objects(muni, OWL.sameAs))
        if r["municipality_code"] in listed:
            assert same == {URIRef("http://www.wikidata.org/entity/" + listed[r["municipality_code"]])}
            assert (muni, PROV.wasDerivedFrom, URIRef(BASE + "id/source/wikidata-publicbodies-2021")) in graph
        else:
            assert same == set(), r["municipality_code"]
    assert {"0180", "0380", "2080", "0305"} == {r["municipality_code"] for r in csv_rows(SCB_MUNIS)} - set(listed)


def test_todays_eight_keep_their_uris_and_names(graph):
    for code, name in (("0136", "Haninge kommun"), ("0127", "Botkyrka kommun"), ("0181", "Södertälje kommun")):
        muni = URIRef(BASE + f"id/municipality/{code}")
        assert (muni, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), Literal(name, lang="sv")) in graph
    assert (URIRef(BASE + "id/membership/haninge--sveriges-ekokommuner"), RDF.type, ORG.Membership) in graph
    assert (URIRef(BASE + "id/membership/haninge--covenant-of-mayors"), RDF.type, ORG.Membership) in graph


def covenant_records(graph) -> dict[str, dict]:
    """gcom_id -> {member code or None, adhesion, status}: from the published graph."""
    out = {}
    for m in graph.subjects(ORG.organization, URIRef(BASE + "id/organisation/covenant-of-mayors")):
        record = graph.value(m, URIRef(KS + "signatoryRecord"))
        member = graph.value(m, ORG.member)
        out[str(graph.value(record, DCTERMS.identifier))] = {
            "code": str(graph.value(member, DCTERMS.identifier) or ""),
            "adhesion": str(graph.value(record, URIRef(KS + "adhesionDate"))),
            "status": str(graph.value(record, URIRef(KS + "signatoryStatus"))).rsplit("/", 1)[1],
            "source": graph.value(record, PROV.wasDerivedFrom)}
    return out


def test_every_swedish_signatory_is_a_covenant_membership_with_date_and_status(graph):
    rows = workbook_rows(("gcom_id", "organisation_name", "signatory_status", "date_of_adhesion"))
    assert len(rows) == 69
    assert sum(r["signatory_status"] == "published" for r in rows) == 58
    assert sum(r["signatory_status"] == "on_hold" for r in rows) == 11
    published = covenant_records(graph)
    assert set(published) == {r["gcom_id"] for r in rows}
    codes = names_to_codes()
    for r in rows:
        got = published[r["gcom_id"]]
        assert got["adhesion"] == r["date_of_adhesion"].date().isoformat()
        assert got["status"] == r["signatory_status"].replace("_", "-")
        assert got["source"] == JRC
        if r["organisation_name"] != "Isle of Öland":
            assert got["code"] == codes[r["organisation_name"]]


def test_isle_of_oland_is_a_group_of_two_members_not_a_municipality(graph):
    group = URIRef(BASE + "id/organisation/isle-of-oland")
    assert (group, RDF.type, URIRef(KS + "Municipality")) not in graph
    assert (group, RDF.type, ORG.OrganizationalCollaboration) in graph
    members = {str(graph.value(m, DCTERMS.identifier)) for m in graph.objects(group, ORG.hasMember)}
    assert members == {"0885", "0840"}  # Borgholm, Mörbylånga


def test_sodertorns_six_adhesion_dates_and_botkyrkas_own_date_beside_the_jrcs(graph):
    rows = {r["gcom_id"]: r for r in workbook_rows(("gcom_id", "organisation_name", "date_of_adhesion",
                                                    "signatory_status"))}
    by_name = {r["organisation_name"]: r for r in rows.values()}
    expected = {"Södertälje": ("0181", "2009-10-23", "published"), "Huddinge": ("0126", "2009-10-26", "on-hold"),
                "Botkyrka": ("0127", "2009-11-09", "published"), "Nynäshamn": ("0192", "2009-11-11", "published"),
                "Haninge": ("0136", "2009-11-23", "published"), "Tyresö": ("0138", "2010-04-15", "published")}
    published = {v["code"]: v for v in covenant_records(graph).values()}
    for name, (code, date, status) in expected.items():
        assert by_name[name]["date_of_adhesion"].date().isoformat() == date  # the workbook says so
        assert published[code]["adhesion"] == date and published[code]["status"] == status
    assert "Salem" not in by_name and "Nykvarn" not in by_name
    assert "0128" not in published and "0140" not in published
    botkyrka = URIRef(BASE + "id/membership/botkyrka--covenant-of-mayors")
    start = URIRef(str(botkyrka) + "#start")
    assert graph.value(start, URIRef("http://www.w3.org/2006/time#inXSDDate")).toPython() == dt.date(2009, 11, 10)
    assert (botkyrka, PROV.wasDerivedFrom, URIRef(BASE + "id/source/botkyrka-borgmastaravtalet")) in graph
    assert (URIRef(str(botkyrka) + "#signatory"), PROV.wasDerivedFrom, JRC) in graph


def release_texts(release: Path):
    """Every text of the release: files (gunzipped) and every document in the SQLite file (inflated)."""
    for path in sorted(release.rglob("*")):
        if not path.is_file():
            continue
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        if path.name == "documents.sqlite":
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                for key, fmt, body in db.execute("SELECT key, format, body FROM representations"):
                    yield f"{path.name}:{key}.{fmt}", zlib.decompress(body).decode("utf-8", "replace")
            continue
        if path.suffix == ".sqlite":  # the search index (and any other): every value of every table
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
                tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
                for table in tables:
                    for row in db.execute(f'SELECT * FROM "{table}"'):
                        yield f"{path.name}:{table}", " ".join(str(v) for v in row)
            continue
        yield path.name, raw.decode("utf-8", "replace")


def test_no_persons_name_from_the_workbook_appears_anywhere_in_the_release(settings, built):
    # read here only to prove absence; never printed
    cells = [str(r["mayor"]).strip() for r in workbook_rows(("mayor",)) if r["mayor"]]
    names = {c for c in cells if len(c) >= 5 and " " in c}  # a person's name; the rest are placeholders ("-")
    assert len(cells) == 69 and len(names) > 40
    found = [(where, "<a name from the mayor column>") for where, text in release_texts(settings.current_release)
             if any(n in text for n in names)]
    found += [(p.name, "") for p in (ROOT / "data").rglob("*") if p.is_file()
              and any(n in p.read_text(encoding="utf-8", errors="replace") for n in names)]
    assert found == []


# --- licences ------------------------------------------------------------------------------


def test_the_catalogue_tells_the_licence_of_each_part(settings, built):
    for profile in ("dcat-ap-se", "dcat-ap"):
        g = Graph().parse(settings.current_release / f"catalog-{profile}.nt", format="nt")
        catalog = URIRef(BASE + "catalog")
        assert g.value(catalog, DCTERMS.license) == CC0
        assert (PART, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in g
        assert g.value(PART, DCTERMS.license) == CC_BY
        assert (PART, PROV.wasDerivedFrom, JRC) in g and (PART, DCTERMS.isPartOf, DATASET) in g
        rights = g.value(PART, DCTERMS.rights)
        text = str(g.value(rights, DCTERMS.description))
        assert "Joint Research Centre (JRC)" in text and "CC BY 4.0" in text
        vocab = URIRef(BASE + "id/dataset/klimatsamarbeten-vocabulary")
        for dataset, licence in ((DATASET, CC_BY), (vocab, CC0)):
            for dist in g.objects(dataset, URIRef("http://www.w3.org/ns/dcat#distribution")):
                assert g.value(dist, DCTERMS.license) == licence, dist


def test_the_jrc_source_says_cc_by_and_the_data_set_names_the_attribution(graph):
    assert graph.value(DATASET, DCTERMS.license) == CC_BY
    rights = graph.value(DATASET, DCTERMS.rights)
    assert (rights, PROV.wasDerivedFrom, JRC) in graph and "Baldi" in str(graph.value(rights, RDFS.label))


def test_a_document_without_jrc_facts_stays_cc0(settings, built):
    import json
    with sqlite3.connect(f"file:{settings.current_release / 'pages' / 'documents.sqlite'}?mode=ro", uri=True) as db:
        def licence(key: str) -> str:
            body = db.execute("SELECT body FROM representations WHERE key = ? AND format = 'page'", (key,)).fetchone()
            return json.loads(zlib.decompress(body[0]))["licence"]["iri"]
        assert licence("membership/sodertalje--covenant-of-mayors") == str(CC_BY)
        assert licence("membership/haninge--sveriges-ekokommuner") == str(CC0)


# --- bad input: file:line errors and nothing published --------------------------------------


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(("file", "old", "new", "line_of", "message"), [
    ("municipalities.yaml", 'code: "0127"', 'code: "0199"', 'code: "0199"', "'0199' is not a municipality code in SCB"),
    ("municipalities.yaml", "county: stockholms-lan\n    wikidata: Q113718",
     "county: no-such-lan\n    wikidata: Q113718", "county: no-such-lan", "'no-such-lan' is not a known counties"),
    ("places.yaml", 'code: "01"', 'code: "02"', 'code: "02"', "county code '02' is not in SCB's list"),
    ("memberships.yaml", "- member: forshaga", "- member: forshagga", "- member: forshagga",
     "'forshagga' is not a known agents"),
    ("memberships.yaml", "since: 2020-03-31", "since: 2008-11-01", "since: 2008-11-01",
     "2008-11-01 is before klimatkommunerna was founded (2008-11-14)"),
    ("covenant-names.yaml", '"Lund", code: "1281"', '"Lund", code: "1299"', '"Lund", code: "1299"',
     "'1299' is not a municipality code in SCB"),
], ids=["code-not-in-scb", "unknown-county", "county-not-in-scb", "unknown-member", "before-founded",
        "name-table-code"])
def test_bad_national_input_is_a_file_line_error_and_nothing_is_published(data_copy, file, old, new, line_of,
                                                                          message):
    edit(data_copy / file, old, new)
    line = next(i for i, text in enumerate((data_copy / file).read_text(encoding="utf-8").splitlines(), 1)
                if line_of in text)
    with pytest.raises(SourceDataError) as caught:
        load(data_copy)
    assert any(p.file == f"data/{file}" and p.line == line and message in p.message
               for p in caught.value.problems), str(caught.value)


def test_a_bad_build_publishes_nothing(private_settings, data_copy):
    from publisher.dataset.pipeline import build

    edit(data_copy / "municipalities.yaml", 'code: "0127"', 'code: "0199"')
    with pytest.raises(SourceDataError, match=r"data/municipalities.yaml:\d+: code:"):
        build(private_settings, progress=lambda _: None)
    assert not private_settings.current_release.exists()


# --- canned queries, answers computed from the files, not with SPARQL -----------------------


def query(url: str, name: str, **params) -> list[dict]:
    doc = httpx.get(f"{url}/queries/{name}.json", params=params, timeout=30).json()
    return [dict(zip(doc["columns"], row, strict=True)) for row in doc["rows"]]


def memberships_by_org(data) -> dict[str, list]:
    out: dict[str, list] = {}
    for m in data.memberships:
        out.setdefault(m["organisation"].ident, []).append(m)
    return out


@pytest.fixture(scope="module")
def source():
    return load(ROOT / "data")


def test_canned_signatories_on_hold_match_the_workbook(live_server):
    codes = names_to_codes()
    expected = {codes[r["organisation_name"]] for r in workbook_rows(("organisation_name", "signatory_status"))
                if r["signatory_status"] == "on_hold"}
    got = query(live_server.url, "signatories-on-hold")
    assert len(expected) == 11 and {r["code"] for r in got} == expected
    assert all(r["as_of"] == "2024-01" for r in got)


def test_canned_example_question_answers_for_the_whole_country(live_server, source):
    codes = names_to_codes()
    rows = workbook_rows(("organisation_name", "date_of_adhesion", "signatory_status"))
    signatories = {codes[r["organisation_name"]]: r for r in rows if r["organisation_name"] in codes}
    by_org = memberships_by_org(source)
    munis = {m["id"]: m["code"] for m in source.municipalities}

    def member_years(org: str) -> dict[str, str]:
        return {munis[m["member"].ident]: (m["since"].text[:4] if m.get("since") else "medlem, år okänt / member, "
                "year unknown") for m in by_org[org] if m["member"].ident in munis}
    kk, ek = member_years("klimatkommunerna"), member_years("sveriges-ekokommuner")
    got = {r["code"]: r for r in query(live_server.url, "covenant-and-swedish-networks")}
    assert set(got) == set(signatories) and len(got) == 68
    for code, r in got.items():
        assert r["adhesion"] == signatories[code]["date_of_adhesion"].date().isoformat()
        assert r["status"] == signatories[code]["signatory_status"]
        assert r["klimatkommunerna"] == kk.get(code, "") and r["ekokommuner"] == ek.get(code, "")
    assert got["0127"]["since"] == "2009-11-10" and got["0127"]["adhesion"] == "2009-11-09"
    assert got["0138"]["klimatkommunerna"] == "2020" and got["0138"]["ekokommuner"] == "2016"
    assert got["0192"]["klimatkommunerna"].startswith("medlem, år okänt")


def test_canned_municipalities_in_several_networks(live_server, source):
    munis = {m["id"]: m["code"] for m in source.municipalities}
    orgs: dict[str, set] = {}
    for m in source.memberships:
        if m["member"].ident in munis:
            orgs.setdefault(munis[m["member"].ident], set()).add(m["organisation"].ident)
    expected = {code: len(o) for code, o in orgs.items() if len(o) > 1}
    got = {r["code"]: int(r["networks"]) for r in query(live_server.url, "municipalities-in-several-networks")}
    assert got == expected and got["0136"] >= 4


def test_canned_networks_per_county(live_server, source):
    county_of = {m["id"]: m["county"].ident for m in source.municipalities}
    code_of = {c["id"]: c["code"] for c in source.counties}
    expected: dict[tuple[str, str], set] = {}
    for m in source.memberships:
        if m["member"].ident in county_of:
            key = (code_of[county_of[m["member"].ident]], m["organisation"].ident)
            expected.setdefault(key, set()).add(m["member"].ident)
    got = {(r["code"], r["organisation"].rsplit("/", 1)[1]): int(r["members"])
           for r in query(live_server.url, "networks-per-county")}
    assert got == {k: len(v) for k, v in expected.items()}


@pytest.mark.parametrize(("start", "end"), [("2009", "2010"), ("1990", "1999"), ("2022", "2024")])
def test_canned_members_joined_in_a_period(live_server, source, start, end):
    expected = sorted((m["member"].ident, m["organisation"].ident) for m in source.memberships
                      if m.get("since") and int(start) <= m["since"].year <= int(end))
    agents = {a: (str(BASE + f"id/municipality/{r['code']}") if "code" in r.values else
                  str(BASE + f"id/organisation/{a}")) for a, r in source.agents.items()}
    got = sorted({(r["member"], r["organisation"]) for r in query(live_server.url, "members-joined-in-period",
                                                                   **{"from": start, "to": end})})
    assert got == sorted({(agents[a], BASE + f"id/organisation/{o}") for a, o in expected})


def test_members_of_a_network_lists_those_without_a_start_year(live_server):
    rows = query(live_server.url, "memberships-by-network", network="sveriges-ekokommuner", since="2000")
    sodertalje = [r for r in rows if r["municipality"].endswith("/0181")]
    assert sodertalje and sodertalje[0]["year"] in (None, "")
    assert sodertalje[0]["start"] == "startår okänt / start year unknown"
    assert all(not r["year"] or int(r["year"]) >= 2000 for r in rows)


def test_bad_canned_parameters_are_4xx(live_server):
    for params in ({"from": "20x9"}, {"to": "1900-01"}, {"bogus": "1"}):
        assert httpx.get(f"{live_server.url}/queries/members-joined-in-period.json", params=params).status_code == 400
    assert httpx.get(f"{live_server.url}/doc/county/99").status_code == 404
    assert httpx.get(f"{live_server.url}/doc/municipality/12345").status_code == 404
