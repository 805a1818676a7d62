"""Where a release lives in an external SPARQL store: one named graph per release, and a small
register graph saying which release graphs are complete. Shared by `publisher load` (writes them)
and `/sparql --sparql-backend` (reads them). Pure values.

- Each release is loaded into its own graph, `urn:x-klimatsamarbeten:release:<version>` (the
  version is the release's content hash, so the same content always gets the same graph).
- The register graph `urn:x-klimatsamarbeten:releases` lists the complete ones with the DCAT 3
  series vocabulary: `<release graph> dcat:inSeries <urn:x-klimatsamarbeten:releases>`,
  `owl:versionInfo`, `void:triples`; the series' `dcat:last` is the most recently loaded one.
  A release graph appears there only after it was written in full and its triples counted, and
  the register is replaced as a whole by one Graph Store PUT: that PUT is the switch.
"""

from __future__ import annotations

import re

SERIES = "urn:x-klimatsamarbeten:releases"  # the register graph, and the series it describes
DCAT = "http://www.w3.org/ns/dcat#"
OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#versionInfo"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
DCTERMS_ISSUED = "http://purl.org/dc/terms/issued"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_VERSION = re.compile(r"[A-Za-z0-9._-]{1,64}")


def release_graph(version: str) -> str:
    """The graph IRI of release `version`."""
    if not _VERSION.fullmatch(version):
        raise ValueError(f"release version {version!r} cannot name a graph")
    return f"urn:x-klimatsamarbeten:release:{version}"


def is_loaded_query(version: str) -> str:
    """ASK whether release `version` is registered as completely loaded."""
    return (f"ASK {{ GRAPH <{SERIES}> {{ <{release_graph(version)}> <{DCAT}inSeries> <{SERIES}> ; "
            f"<{VOID_TRIPLES}> ?n }} }}")
