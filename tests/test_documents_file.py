"""Documents live in one read-only SQLite file of the release; the server reads them when asked.

The file holds what rdflib would write for every described resource (checked against an
independent rdflib serialisation of the same description), the server answers exactly those
bytes with ETags over them, the reader works across threads and forked processes, and the
server's memo of answers stays within its budget.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import sqlite3
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from rdflib import Graph

from publisher.dataset.dump import FORMATS, canonical, jsonld_context, serialise
from publisher.dataset.to_rdf import ontology_graph
from publisher.release.assemble import Assembler
from publisher.release.describe import describe
from publisher.release.documents import DOCUMENTS_FILE, RDF_FORMATS, DocumentReader
from publisher.web.caching import strong_etag
from publisher.web.reply_memo import ReplyMemo

from .conftest import BASE, ROOT


@pytest.fixture(scope="module")
def reader(built, settings) -> DocumentReader:
    return DocumentReader(settings.current_release / DOCUMENTS_FILE)


def test_release_lists_the_documents_file_and_no_per_format_packs(built, settings):
    manifest = json.loads((settings.current_release / "manifest.json").read_text())
    assert DOCUMENTS_FILE in manifest["files"] and manifest["files"][DOCUMENTS_FILE]["sha256"]
    assert not [name for name in manifest["files"] if name.startswith("pages/") and name.endswith(
        ("ttl.json", "nt.json", "jsonld.json", "rdf.json", "html.json"))]


def test_documents_file_holds_rdflibs_serialisation_of_every_description(built, settings, reader):
    release = settings.current_release
    data = Graph()
    for name in ("klimatsamarbeten.nt", "catalog-dcat-ap.nt"):  # the pages also describe the catalogue
        data.parse(release / name, format="nt")
    docs = describe(data, ontology_graph(ROOT / "ontology", BASE), BASE, built.version)
    # the observations' documents are assembled on request from the file's triples (test_uniform_documents)
    assert len(docs) == reader.count + reader.uniform_count == len(list(reader)) + 24 > 200
    assembler = Assembler(release.resolve(), BASE, built.version, reader)
    context = jsonld_context(BASE)
    for key, doc in docs.items():
        ordered = canonical(doc.graph)
        for fmt in FORMATS:
            body = reader.body(key, fmt.suffix) if key in reader else assembler.rdf(key, fmt.suffix)
            assert body == serialise(ordered, fmt, context), (key, fmt.suffix)
        assert (reader.page(key) if key in reader else assembler.model(key))["key"] == key


def test_served_documents_are_the_files_bytes_with_etags_over_them(live_server, built, reader):
    keys = list(reader)[::15]
    with httpx.Client(base_url=live_server.url) as client:
        for key in keys:
            for fmt in RDF_FORMATS:
                r = client.get(f"/doc/{key}.{fmt}")
                assert r.status_code == 200 and r.content == reader.body(key, fmt), (key, fmt)
                assert r.headers["etag"] == strong_etag(r.content, built.version)
                again = client.get(f"/doc/{key}.{fmt}")  # from the memo: the same answer
                assert again.content == r.content and again.headers["etag"] == r.headers["etag"]
        sitemap = client.get("/sitemap.xml").text
    assert sitemap.count("<loc>") == reader.count + 1


def test_documents_file_is_opened_read_only(reader):
    with pytest.raises(sqlite3.OperationalError):
        reader._connection().execute("DELETE FROM representations")


def _read_in_child(path, key, queue) -> None:
    queue.put(DocumentReader(path).body(key, "ttl") == _PARENT_READER.body(key, "ttl"))


_PARENT_READER: DocumentReader | None = None


def test_reader_works_across_threads_and_in_a_forked_process(reader):
    global _PARENT_READER
    keys = list(reader)[:40]
    expected = {key: reader.body(key, "nt") for key in keys}
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(lambda k: reader.body(k, "nt"), keys)) == [expected[k] for k in keys]
    _PARENT_READER = reader  # used by the child after fork: it must open its own connection
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_read_in_child, args=(reader.path, keys[0], queue))
    child.start()
    child.join(30)
    assert child.exitcode == 0 and queue.get(timeout=5) is True


def test_reply_memo_keeps_within_its_budgets_least_recently_used_out_first():
    memo = ReplyMemo(hot=16 * 1024, warm=64 * 1024)
    text = {i: (f"synthetic document {i} " * (60 + i % 7)).encode() for i in range(600)}  # compressible
    for i, body in text.items():
        memo.put(("k", i), [], body, f'"{i}"')
        assert memo.get(("k", 0)) == ([], text[0], '"0"')  # kept in use: never the least recently used
        assert memo.hot_size <= memo.hot_budget and memo.warm_size <= memo.warm_budget
    assert memo.warm and memo.get(("k", 1)) is None  # the oldest fell out of both parts
    oldest_warm = next(iter(memo.warm))
    assert memo.get(oldest_warm) == ([], text[oldest_warm[1]], f'"{oldest_warm[1]}"')  # inflated
    assert oldest_warm not in memo.hot and next(reversed(memo.warm)) == oldest_warm  # now the last out
    assert all(len(packed) < len(text[k[1]]) for k, (_, packed, _) in memo.warm.items())
    memo.put(("big",), [], random.Random(0).randbytes(9000), '"big"')  # over an eighth of both parts
    assert memo.get(("big",)) is None
    large = b"an indicator's page " * 400  # 8 KB: over an eighth of the hot part, compressible
    memo.put(("large",), [], large, '"large"')
    assert ("large",) not in memo.hot and memo.get(("large",)) == ([], large, '"large"')
    assert memo.hot_size <= memo.hot_budget and memo.warm_size <= memo.warm_budget


def test_reply_memo_keeps_cheap_answers_only_while_there_is_room_and_never_compresses_them():
    """An answer a template wrote is cheaper to write again than to compress on its way out."""
    memo = ReplyMemo(hot=16 * 1024, warm=64 * 1024)
    body = b"synthetic observation document " * 30  # ~1 KB
    for i in range(10):
        memo.put(("cheap", i), [], body, f'"c{i}"', cheap=True)
    assert all(memo.get(("cheap", i)) == ([], body, f'"c{i}"') for i in range(10))
    for i in range(30):  # the hot part is full now: a cheap answer is not kept
        memo.put(("cheap", 10 + i), [], body, '"c"', cheap=True)
    assert memo.hot_size <= memo.hot_budget and memo.get(("cheap", 39)) is None
    for i in range(40):  # ordinary answers push the cheap ones out: dropped, never compressed into the warm part
        memo.put(("k", i), [], body + str(i).encode(), f'"{i}"')
    assert not any(key[0] == "cheap" for key in memo.warm) and memo.get(("cheap", 0)) is None
    assert not memo.cheap & set(memo.warm) and memo.cheap <= set(memo.hot)
    assert memo.hot_size <= memo.hot_budget and memo.warm_size <= memo.warm_budget


def test_uniform_rows_round_trip_through_their_dictionary(tmp_path):
    """Observations' own triples are stored compressed against the first one's text (kept in the
    file): each reads back byte for byte, and the rows are far smaller than compressed alone."""
    import zlib

    from publisher.release.documents import DocumentWriter

    def text(i: int) -> bytes:
        s = f"<http://127.0.0.1:8000/id/observation/miljonyckeltal/kolada-n00401/{9000 + i}/{1990 + i % 30}>"
        return "".join(f'{s} <http://127.0.0.1:8000/def/{p}> "{p} {i * 7 % 1000}.{i % 10}" .\n'
                       for p in ("value", "refYear", "label", "unit", "status")).encode()

    rows = [(f"observation/{i:05d}", text(i)) for i in range(300)]
    writer = DocumentWriter(tmp_path / "documents.sqlite")
    writer.add_uniform(rows[:100])
    writer.add_uniform(rows[100:])
    writer.close()
    reader = DocumentReader(tmp_path / "documents.sqlite")
    assert reader.dictionary == rows[0][1]
    assert all(reader.uniform(key) == nt for key, nt in rows)
    assert reader.uniform("observation/none") is None
    with sqlite3.connect(tmp_path / "documents.sqlite") as db:
        stored = sum(len(blob) for (blob,) in db.execute("SELECT triples FROM uniform"))
    assert stored * 2 < sum(len(zlib.compress(nt, 6)) for _, nt in rows)


def test_stored_slots_round_trip_with_their_classes(tmp_path):
    """Observations' classes and slot values (release/stored_slots.py) read back as `uniform_slots`
    gives them, one class object per class; an observation it refuses has none stored."""
    from publisher.release.documents import DocumentWriter, compress_uniform
    from publisher.release.stored_slots import pack_slots
    from publisher.release.uniform_slots import uniform_slots

    base = "http://127.0.0.1:8000/"
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    names = {f"{base}id/municipality/{9000 + i}": [(label, "sv", f"Kommun {i} å&<")] for i in range(5)}

    def own(i: int) -> bytes:
        s = f"<{base}id/observation/x/{i}>"
        lines = [f"{s} <{base}def/refMunicipality> <{base}id/municipality/{9000 + i % 5}> .",
                 f'{s} <{base}def/value> "{i}.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .',
                 f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "Värde {i} 🌲"@{"sv" if i % 3 else "en"} .']
        if i == 7:  # a triple about another subject: no class, nothing stored
            lines.append(f"<{base}id/other> <{base}def/value> \"1\" .")
        if i == 9:  # a value holding the stored slots' separator: nothing stored (read from the triples)
            lines[1] = lines[1].replace(f"{i}.5", "9\\u001f5")
        return ("\n".join(lines) + "\n").encode()

    rows = [(f"observation/x/{i}", own(i)) for i in range(12)]
    labels = names.get  # IRI -> its labels, as the server's assembler gives them
    table, dictionary, slots = pack_slots(rows, base, lambda iri: labels(iri, []))
    assert len(table) == 2 and slots[7] is None and slots[9] is None and dictionary
    writer = DocumentWriter(tmp_path / "documents.sqlite")
    writer.set_dictionary(rows[0][1])
    writer.set_slot_classes(table, dictionary)
    writer.add_uniform_compressed(compress_uniform(rows, rows[0][1]), slots)
    writer.close()
    reader = DocumentReader(tmp_path / "documents.sqlite")
    classes = set()
    for key, nt in rows:
        want = uniform_slots(key, nt, base, lambda iri: labels(iri, []))
        got = reader.stored_slots(key)
        assert got == (want if key not in ("observation/x/7", "observation/x/9") else None), key
        assert reader.uniform(key) == nt
        if got is not None:
            classes.add(id(got[0]))
    assert len(classes) == 2  # one object per class, whoever reads it
    assert reader.stored_slots("observation/none") is None
