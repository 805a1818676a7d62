"""A generated ~100k-triple release, built and served end to end (issue 11's scale paths in CI).

The data is GENERATED and SYNTHETIC (`bench/synthetic.py`, size "100k": 290 synthetic
municipalities, 10 synthetic networks, 870 memberships, 8,700 observations, every record
labelled synthetic), written into a temporary folder, never into data/.

Marked slow: the build takes about 30-40 CPU seconds on the shared 2-core machine; it runs in
`make test`, as CI must exercise the scale paths (observations outside the rdflib graph, SHACL on
the store, documents assembled on request, paged listings). Serving and the requests take a few
seconds.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, RDF, Namespace

from bench.synthetic import generate
from publisher.release.describe import HYDRA
from publisher.release.documents import DOCUMENTS_FILE, DocumentReader
from publisher.settings import Settings

from .conftest import BASE, LiveServer

pytestmark = pytest.mark.slow
QB = Namespace("http://purl.org/linked-data/cube#")

OBSERVATIONS = 290 * 3 * 10 + 24  # synthetic (municipalities x indicators x years) + the real data's


def pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants (shared pages counted once)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += sum(int(line.split()[1]) for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines()
                         if line.startswith("Pss:"))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total / 1024


@pytest.fixture(scope="module")
def scale(tmp_path_factory):
    scratch = tmp_path_factory.mktemp("scale")
    root = generate(scratch, "100k")
    assert "SYNTHETIC" in (root / "SYNTHETIC.txt").read_text()
    dist = scratch / "dist"
    with (scratch / "build.log").open("wb") as log:
        build = subprocess.Popen([sys.executable, "-m", "publisher", "--root", str(root), "--base-uri", BASE,
                                  "--dist", str(dist), "build"], stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(build.pid, 0)
    build.returncode = os.waitstatus_to_exitcode(status)
    assert build.returncode == 0, (scratch / "build.log").read_text()[-3000:]
    print(f"\n100k build: {usage.ru_utime + usage.ru_stime:.0f} CPU s, peak RSS {usage.ru_maxrss / 1024:.0f} MB")
    settings = Settings.from_root(root, base_uri=BASE, dist_dir=dist)
    server = LiveServer(settings)
    yield settings, server
    server.stop()


def test_synthetic_release_is_about_100k_triples_and_compact(scale):
    settings, _ = scale
    release = settings.current_release.resolve()
    manifest = json.loads((release / "manifest.json").read_text())
    assert 90_000 < manifest["triples"]["klimatsamarbeten"] < 140_000
    size = sum(p.stat().st_size for p in release.rglob("*") if p.is_file())
    nt = (release / "klimatsamarbeten.nt").stat().st_size
    store = sum(p.stat().st_size for p in (release / "store").rglob("*") if p.is_file())
    assert size < 6 * (nt + store)  # 13.4x when every document was a JSON pack; 4.9x in one compressed file


def _keys(settings) -> tuple[list[str], list[str]]:
    """(documents written by the build, observations assembled on request)."""
    release = settings.current_release
    documents = json.loads((release / "pages" / "site.json").read_text())["documents"]
    observations = list(DocumentReader(release / DOCUMENTS_FILE).uniform_keys())
    return documents, observations


def test_random_resources_dereference_in_every_format(scale):
    settings, server = scale
    documents, observations = _keys(settings)
    assert len(observations) == OBSERVATIONS and len(documents) > 1000
    keys = documents + observations
    sample = random.Random(5).sample(keys, 12) + ["municipality/9000", "organisation/syntetiskt-natverk-00"]
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for key in sample:
            thing = client.get(f"/id/{key}", headers={"accept": "text/turtle"})
            assert thing.status_code == 303 and thing.headers["location"] == f"/doc/{key}.ttl"
            ttl = client.get(thing.headers["location"])
            assert ttl.status_code == 200 and ttl.headers["etag"]
            graph = Graph().parse(data=ttl.text, format="turtle")
            assert (URIRef(f"{BASE}doc/{key}"), None, URIRef(f"{BASE}id/{key}")) in graph
            for fmt in ("jsonld", "rdf", "nt"):
                assert client.get(f"/doc/{key}.{fmt}").status_code == 200
            page = client.get(f"/doc/{key}", headers={"accept": "text/html"})
            assert page.status_code == 200 and "<html" in page.text
        assert "Syntetisk kommun 9000" in client.get("/doc/municipality/9000.html").text
        # the sitemap lists the documents; observations are reached from them (and their pages)
        assert client.get("/sitemap.xml").text.count("<loc>") == len(documents) + 1
        assert client.get("/doc/observation/not-there").status_code == 404


def test_sparql_counts_every_observation(scale):
    _, server = scale
    query = "SELECT (COUNT(?o) AS ?n) WHERE { ?o a <http://purl.org/linked-data/cube#Observation> }"
    r = httpx.get(server.url + "/sparql", params={"query": query},
                  headers={"accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == OBSERVATIONS


def test_catalogue_is_served_and_names_the_datasets(scale):
    _, server = scale
    r = httpx.get(server.url + "/catalog", timeout=60)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/rdf+xml")
    graph = Graph().parse(data=r.content, format="xml")
    catalog = URIRef(BASE + "catalog")
    assert (catalog, RDF.type, DCAT.Catalog) in graph
    # the data, its CC BY 4.0 part derived from the JRC's Covenant data (issue 12) and the vocabulary
    assert len(list(graph.objects(catalog, DCAT.dataset))) == 3


def test_long_documents_are_paged_with_hydra_links(scale):
    _, server = scale
    doc = URIRef(BASE + "doc/dataset/miljonyckeltal")
    last = -(-OBSERVATIONS // 100)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        first = client.get("/doc/dataset/miljonyckeltal.ttl")
        assert first.status_code == 200 and len(first.content) < 200_000  # not every observation at once
        graph = Graph().parse(data=first.text, format="turtle")
        view = graph.value(doc, HYDRA.view)
        assert view == URIRef(f"{doc}?page=1") and graph.value(doc, HYDRA.totalItems).value == OBSERVATIONS
        assert graph.value(view, HYDRA.next) == URIRef(f"{doc}?page=2")
        assert graph.value(view, HYDRA.last) == URIRef(f"{doc}?page={last}")
        listed = set(graph.subjects(QB.dataSet, URIRef(BASE + "id/dataset/miljonyckeltal")))
        assert len(listed) == 100
        seen = set(listed)
        for n in (2, last):
            page = Graph().parse(data=client.get(f"/doc/dataset/miljonyckeltal.ttl?page={n}").text, format="turtle")
            here = set(page.subjects(QB.dataSet, URIRef(BASE + "id/dataset/miljonyckeltal")))
            assert here and not here & seen
            seen |= here
            assert page.value(URIRef(f"{doc}?page={n}"), HYDRA.previous) == URIRef(f"{doc}?page={n - 1}")
        assert page.value(URIRef(f"{doc}?page={last}"), HYDRA.next) is None
        assert len(here) == OBSERVATIONS - 100 * (last - 1)
        html = client.get("/doc/dataset/miljonyckeltal?page=2", headers={"accept": "text/html"}).text
        assert 'href="/doc/dataset/miljonyckeltal?page=3" rel="next"' in html
        assert 'href="/doc/dataset/miljonyckeltal?page=1" rel="prev"' in html
        assert client.get(f"/doc/dataset/miljonyckeltal?page={last + 1}").status_code == 404
        for bad in ("0", "abc", "-1", "1e3"):
            assert client.get(f"/doc/dataset/miljonyckeltal?page={bad}").status_code == 400
        assert client.get("/doc/dataset/miljonyckeltal?page=1").content == \
            client.get("/doc/dataset/miljonyckeltal").content


def test_an_indicators_page_stays_readable_and_its_years_stay_reachable(scale):
    """An indicator with hundreds of municipalities over decades: its page shows the latest year's
    ranking as a table and chart; the over-time values and earlier years are linked files, each
    of which answers (never a page of megabytes: 9.6 MB at 1M triples before)."""
    _, server = scale
    with httpx.Client(base_url=server.url, timeout=60) as client:
        indicator = "concept/nyckeltal/kolada-n00401"
        for lang in ("sv", "en"):
            r = client.get(f"/doc/{indicator}?lang={lang}", headers={"accept": "text/html"})
            assert r.status_code == 200 and len(r.content) < 1_000_000, len(r.content)
            section = r.text.split('id="figures"', 1)[1]
            years = sorted(set(re.findall(r'href="#year-(\d{4})"', section)))
            assert len(years) >= 10
            assert section.count('class="many-values"') == len(years)  # over time + every year but the latest
            assert section.count("<table") == 1  # the latest year's ranking
            charts = re.findall(rf'href="(/dumps/cube-indicator--kolada-n00401--\d{{4}}\.{lang}\.svg)"', section)
            assert len(charts) == len(years)
            for href in (charts[0], charts[-1], "/data/indicator/kolada-n00401.csv"):
                assert client.get(href).status_code == 200, href


def test_the_serving_process_with_the_copy_starts_with_the_documents_assembler_loaded(scale):
    """Loaded once in the supervisor before it forks the process that serves from the in-memory
    copy (supervisor.Supervisor.prepare), not by that process's first observation request, which
    would hold every connection for it (~1 s at a million triples)."""
    from publisher.web.supervisor import PREPARED, SERVING_COPY

    _, server = scale
    copy = server.wait_for_log(SERVING_COPY, timeout=120)
    prepared = server.wait_for_log(PREPARED)
    assert server.log.index(prepared) < server.log.index(copy)


def test_serving_memory_stays_small_after_dereferencing(scale):
    settings, server = scale
    documents, observations = _keys(settings)
    keys = documents + observations
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for key in random.Random(9).sample(keys, 300):
            assert client.get(f"/doc/{key}", headers={"accept": "text/html"}).status_code == 200
    # every document in memory took 815 MB at start here (875 MB PSS once SPARQL's copy had loaded)
    assert pss_mb(server.process.pid) < 500
