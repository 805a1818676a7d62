"""/sparql: the SPARQL 1.1 Protocol over the release's store (or an external engine), read-only.

A query travels through these modules in this order:

    fastpath.py     plain ASGI: GET/HEAD with a query answered straight from the scope; POST to protocol.py
    protocol.py     HTTP: GET, POST (form or direct), OPTIONS, the service description (sd.py) or query page
    service.py      the pipeline: parameters → `Job` → cache.py → guard.py (lexer.py) → engine → `Answer` → reply
    engine.py       query threads with deadlines and a memory watch, running execute.py (pyoxigraph) …
    backend.py      … or an external engine over HTTP, behind backend_guard.py, read by backend_results.py
    execute.py      evaluate, choose the format (formats.py), serialise (results.py), cut at the row cap
    syntax.py       an engine's syntax error explained with the line and column of the query

config.py holds the limits, routes.py mounts it all on the app (with the query page's
examples.py and the canned queries of web/canned_routes.py).
"""
