"""Precompute every representation of every document at build time, for the web layer to look up.

Writes into the release, through the ReleaseWriter (so each file is in the manifest):
- `pages/documents.sqlite` (`publisher/release/documents.py`): for every document key its
  description in ttl, nt, jsonld and rdf, each verified by re-parsing with pyoxigraph like the
  dumps, its page model (the web layer renders it in sv and en) and the statistics it shows;
- `pages/site.json`: what the landing page, the sitemap and the 404 page list;
- `pages/search.sqlite` (`publisher/release/search_index.py`): the search index.

Documents are described, serialised and checked one at a time, in two interleaved halves side by
side (the site listing and the search index in a third process beside them); what is kept until
both halves are done is each document's compressed rows (~35 MB at a million triples, where
2,440 documents are stored: observations' documents are not, see release/assemble.py).
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from operator import itemgetter

from rdflib import Graph

from ..release.assemble import CONTEXT_FILE
from ..release.describe import Describer, skipped_incoming
from ..release.documents import DOCUMENTS_FILE, DocumentWriter, compress_uniform, document_rows
from ..release.labels import TERM_LABELS_FILE, TermLabels
from ..release.manifest import SITE
from ..release.page_models import page_model, site_model
from ..release.serialise import Writers
from ..release.stored_slots import pack_slots
from ..release.uniform import MemoryIndex
from ..release.uniform_slots import link_label_rows
from .dump import FORMATS, ReleaseWriter, representations
from .search import write_search_index
from .side_by_side import Forked
from .verify import expected_triples, verify

FOLDER = "pages"


def _json(value: object) -> bytes:
    return (json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()


def write_representations(writer: ReleaseWriter, data: Graph, ontology: Graph, base_uri: str,
                          version: str, context: dict, figures: dict[str, dict] | None = None,
                          uniform: Sequence[tuple[str, list[tuple], str]] = (), terms: TermLabels | None = None) -> int:
    """Write the documents file, the context graph and the site listing; returns the number of documents.

    `uniform` holds the uniform resources (observations), not in `data`, as (key, own triples,
    the same in N-Triples): their documents are assembled on request (publisher/release/assemble.py)
    by the same Describer, from their triples and links written here."""
    index = MemoryIndex(((key, triples) for key, triples, _ in uniform), base_uri, skipped_incoming(base_uri))
    describer = Describer(data, ontology, base_uri, version, index if uniform else None)
    keys = set(describer.keys) | set(index.own_triples)
    writers = Writers(describer.namespaces.namespaces(), context)

    def rows(part: Sequence[str]) -> Iterator[tuple[str, list]]:
        memo: dict = {}  # labels of the terms already seen, shared by the page models
        for key in part:
            doc = describer.document(key)
            payloads = representations(doc.graph, writers, context)
            expected = expected_triples(doc.graph)
            for fmt in FORMATS:
                verify(payloads[fmt.suffix], fmt, expected, f"{DOCUMENTS_FILE}[{key}].{fmt.suffix}")
            yield key, document_rows(key, payloads, page_model(doc, data, ontology, base_uri, keys, memo, terms),
                                     (figures or {}).get(key))
            if len(memo) > 50_000:
                memo.clear()

    ordered = list(describer.keys)  # sorted
    # every other document in a forked process (side_by_side), the rest here meanwhile: interleaved, so
    # the two halves cost alike (contiguous halves did not: at 1M triples one took twice the other's time)
    here, there = ordered[0::2], ordered[1::2]

    def other_half() -> tuple[list, dict]:  # with the label fallbacks its page models took (listed by the build)
        made = list(rows(there))
        return made, (terms.fallbacks if terms is not None else {})

    def site_and_search() -> tuple[dict, dict]:
        """The site listing and the search index (they need only the keys and the graphs), with the
        entries they added to the file table and the label fallbacks the listing took."""
        before = set(writer.files)
        writer.write(SITE, _json(site_model(describer.keys, data, ontology, base_uri, terms)))
        write_search_index(writer, describer.keys, data, ontology, base_uri)  # pages/search.sqlite
        return ({name: info for name, info in writer.files.items() if name not in before},
                terms.fallbacks if terms is not None else {})

    def uniform_rows(own: list[tuple[str, bytes]]) -> tuple[list, tuple]:
        """The observations' own triples, compressed against the first one's, and their class and
        slots for the templates (release/stored_slots.py), with the links' labels the server reads."""
        return (compress_uniform(own, own[0][1]),
                pack_slots(own, base_uri, lambda iri: link_label_rows(describer.link_labels, iri)))

    own = sorted((key, nt.encode()) for key, _, nt in uniform)
    dictionary = own[0][1] if own else b""
    packed = Forked("uniform rows", uniform_rows, own) if own else None
    second = Forked("documents (every other one)", other_half)
    # forked last: with two cores it runs while the halves' processes wait for a core, not after them
    listing = Forked("site listing and search index", site_and_search)
    out = DocumentWriter(writer.path(DOCUMENTS_FILE))
    try:
        made_here = list(rows(here))  # held until the other half comes (which is held as it is sent anyway)
        made, fallbacks = second.result()
        for key, document in heapq.merge(made_here, made, key=itemgetter(0)):  # in key order, as the file wants
            out.add_rows(key, document)
        del made_here, made
        if terms is not None:
            terms.fallbacks.update(fallbacks)
        del own
        if packed is not None:
            rows_packed, (classes, slot_dictionary, slots) = packed.result()
            out.set_dictionary(dictionary)
            out.set_slot_classes(classes, slot_dictionary)
            out.add_uniform_compressed(rows_packed, slots)
        for target in sorted(index.links):
            out.add_links(target, index.links[target])
        files, fallbacks = listing.result()
        writer.files.update(files)
        if terms is not None:
            terms.fallbacks.update(fallbacks)
    except BaseException:
        for job in (packed, second, listing):
            if job is not None:
                job.cancel()
        out.abort()
        raise
    out.close()
    writer.register(DOCUMENTS_FILE)
    writer.write_text(CONTEXT_FILE, Writers.ntriples_text(data))  # what the server describes from
    writer.write(TERM_LABELS_FILE, (terms or TermLabels()).to_json())  # for the documents made on request
    return len(keys)
