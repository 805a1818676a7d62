"""The `publisher` command.

Exit codes: 0 success; 1 the data does not conform to the shapes; 2 bad input, settings or
usage; 3 a dump failed verification (a bug: please report it); 6 an external store refused or lost
part of a release (`publisher load`); 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import PublisherError
from .settings import DEFAULT_BASE_URI, Settings

EXIT_OK = 0
EXIT_NOT_CONFORMING = 1
EXIT_BAD_INPUT = 2
EXIT_DUMP_MISMATCH = 3
EXIT_NO_SERVER = 4  # publisher serve: no serving process ever got ready (web/supervisor.py)
EXIT_RELEASE_IO = 5  # the release could not be written (errors.ReleaseIOError)
EXIT_STORE_LOAD = 6  # publisher load: the external store refused or lost part of the release
EXIT_INTERRUPTED = 130


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="publisher", description=__doc__.split("\n")[0])
    p.add_argument("--root", type=Path, default=Path.cwd(),
                   help="project folder holding data/, ontology/, shapes/ (default: current folder)")
    p.add_argument("--base-uri", default=None,
                   help=f"base of every URI in the dataset, ending in '/' (default: {DEFAULT_BASE_URI})")
    p.add_argument("--dist", type=Path, default=None, help="output folder (default: ROOT/dist)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="load, validate and publish a new release into dist/")
    sub.add_parser("validate", help="load and validate the data without writing anything")
    _static_commands(sub)
    _serve_command(sub)
    _import_commands(sub)
    _load_command(sub)
    return p


def _static_commands(sub: argparse._SubParsersAction) -> None:
    """export-static and static-config: the release as a static site for nginx."""
    export = sub.add_parser("export-static", help="write the current release as a static site with its nginx "
                                                  "configuration (docs/deployment.md)")
    export.add_argument("dir", type=Path, help="folder of the exports (DIR/current is the latest)")
    export.add_argument("--force", action="store_true", help="export again even if DIR/current holds this release")
    static = sub.add_parser("static-config", help="write the nginx.conf that serves DIR/current on HOST:PORT "
                                                  "and print its path")
    static.add_argument("dir", type=Path, help="folder of the exports (as given to export-static)")
    static.add_argument("--host", default="127.0.0.1")
    static.add_argument("--port", type=int, default=8080)
    static.add_argument("--sparql", default="http://127.0.0.1:8000/sparql",
                        help="the SPARQL service /sparql is proxied to (default: a publisher serve on port 8000)")


def _serve_command(sub: argparse._SubParsersAction) -> None:
    """serve: the HTTP server, its SPARQL limits, backend and proxies."""
    serve = sub.add_parser("serve", help="serve the current release over HTTP")
    serve.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--build", action="store_true", help="build first, then serve")
    serve.add_argument("--dev", action="store_true",
                       help="development mode: serve the release on any host and port without warning that its "
                            "URIs name another address")
    serve.add_argument("--extra-graph", action="append", default=[], metavar="IRI=FILE",
                       help="also serve FILE as the named graph IRI in /sparql (test fixtures; repeatable)")
    serve.add_argument("--query-timeout", type=float, default=10.0,
                       help="wall-clock limit of a SPARQL query in seconds (default: 10)")
    serve.add_argument("--query-workers", type=int, default=4,
                       help="SPARQL queries evaluated at once, threads of the serving process (default: 4)")
    serve.add_argument("--query-store", choices=("memory", "disk"), default="memory",
                       help="answer SPARQL from an in-memory copy of the store, loaded in the background "
                            "(default), or only from the on-disk store (less memory, slower)")
    serve.add_argument("--max-rows", type=int, default=10_000,
                       help="result-size cap of /sparql in rows or triples (default: 10000)")
    serve.add_argument("--query-memory-mb", type=int, default=2048,
                       help="resident memory of the serving process in MB past which its SPARQL queries are "
                            "stopped and it is replaced (default: 2048)")
    serve.add_argument("--copy-first-below", type=int, default=20_000, metavar="QUADS",
                       help="copy a store of fewer quads into memory before serving; serve a larger one from "
                            "disk until its copy has loaded (default: 20000)")
    serve.add_argument("--query-cache-mb", type=int, default=32,
                       help="memory for answers of queries asked again, in MB; 0 turns the cache off (default: 32)")
    serve.add_argument("--per-client", type=int, default=4,
                       help="SPARQL queries one client may run at once before 429 (default: 4)")
    serve.add_argument("--header-timeout", type=float, default=20.0, metavar="SECONDS",
                       help="time a client has to send a complete request head before 408 (default: 20)")
    serve.add_argument("--sparql-backend", metavar="URL", default=None,
                       help="answer /sparql by forwarding to this external SPARQL 1.1 query endpoint (e.g. "
                            "Oxigraph server's http://127.0.0.1:7878/query), loaded with `publisher load --into`")
    serve.add_argument("--sparql-backend-engine", choices=("oxigraph", "virtuoso", "other"), default="other",
                       help="the backend's engine, for how the time limit is passed on (default: other)")
    serve.add_argument("--forwarded-allow-ips", default="", metavar="ADDRESSES",
                       help="reverse proxies (comma-separated addresses, * for any) trusted to name the client in "
                            "X-Forwarded-For; the per-client query limit then applies per visitor (default: none)")


def _import_commands(sub: argparse._SubParsersAction) -> None:
    """import-observations and import scb|wikidata|covenant: source files into data/."""
    imp = sub.add_parser("import-observations",
                         help="convert a local export (Kolada JSON/CSV or our CSV) into data/observations/, checked")
    imp.add_argument("file", type=Path, help="the local file to import (never a URL: nothing is fetched)")
    imp.add_argument("--layout", choices=("kolada", "native"), required=True, help="the file's layout")
    imp.add_argument("--source", help="id in data/sources.yaml the figures come from (required for kolada)")
    imp.add_argument("--indicator", help="indicator id in the scheme 'nyckeltal' (default: by the Kolada KPI id)")
    imp.add_argument("--status", choices=("sourced", "sourced-but-old"), default="sourced",
                     help="confidence of the imported figures (default: sourced)")
    imp.add_argument("--output", type=Path, help="CSV to write (default: data/observations/<file name>.csv)")
    imp.add_argument("--replace", action="store_true", help="overwrite the output file if it exists")
    bulk = sub.add_parser("import", help="import a bulk source file, as published, into a reviewable file in data/")
    which = bulk.add_subparsers(dest="importer", required=True)
    scb = which.add_parser("scb", help="SCB's municipalities and counties (CSV) -> data/import-scb.yaml")
    scb.add_argument("municipalities", type=Path, help="municipalities.csv (municipality_code, …_short, county_code)")
    scb.add_argument("counties", type=Path, help="counties.csv (county_code, county_name)")
    wd = which.add_parser("wikidata", help="kommunkod -> Wikidata ids (CSV) -> data/import-wikidata.yaml")
    wd.add_argument("file", type=Path, help="kommunkod-wikidata.csv (kommunkod, wikidata)")
    com = which.add_parser("covenant", help="the JRC's Covenant of Mayors workbook (xlsx) -> data/import-covenant.yaml")
    com.add_argument("file", type=Path, help="df1_Signatories_2024.xlsx (GCoM – MyCovenant, df1)")


def _load_command(sub: argparse._SubParsersAction) -> None:
    """load: the release into an external SPARQL store."""
    load = sub.add_parser("load", help="load the current release into an external SPARQL store and switch to it")
    load.add_argument("--into", required=True, metavar="URL",
                      help="the store's SPARQL 1.1 Graph Store endpoint, e.g. http://127.0.0.1:7878/store")
    load.add_argument("--keep", type=int, default=2,
                      help="releases kept in the store, the new one included (default: 2)")
    load.add_argument("--user", default=None,
                      help="user name for HTTP digest authentication, e.g. Virtuoso's /sparql-graph-crud-auth")
    load.add_argument("--password-file", type=Path, default=None, metavar="FILE",
                      help="file holding the password of --user (its first line)")


def settings_from(args: argparse.Namespace) -> Settings:
    root = args.root.resolve()
    overrides = {"dist_dir": args.dist.resolve()} if args.dist else {}
    return Settings.from_root(root, base_uri=args.base_uri or DEFAULT_BASE_URI, **overrides)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = settings_from(args)
        if args.command == "import-observations":
            from .dataset.importer import import_observations

            result = import_observations(settings.data_dir, args.file, args.layout, source=args.source,
                                         indicator=args.indicator, status=args.status, output=args.output,
                                         replace=args.replace)
            print(f"wrote {result.written} observations to {result.output}"
                  + (f" ({result.skipped} cells without a value left out)" if result.skipped else ""))
        elif args.command == "import":
            from .dataset import national_import as ni

            if args.importer == "scb":
                done = ni.import_scb(settings.data_dir, args.municipalities, args.counties)
            elif args.importer == "wikidata":
                done = ni.import_wikidata(settings.data_dir, args.file)
            else:
                done = ni.import_covenant(settings.data_dir, args.file)
            print(f"wrote {done.rows} rows to {done.output}")
        elif args.command == "validate":
            from .dataset.pipeline import check

            result = check(settings)
            print(f"conforms: {result.violations} violations, {result.warnings} warnings")
        elif args.command == "build" or (args.command == "serve" and args.build):
            from .dataset.pipeline import build

            result = build(settings)
            print(f"built release {result.version}: {result.triples} triples, "
                  f"{result.summary()} -> {settings.current_release}")
        if args.command == "export-static":
            from .static.export import export_static

            folder, written = export_static(settings, args.dir, force=args.force)
            print(f"{'exported' if written else 'already exported'}: {folder} (DIR/current)")
        elif args.command == "static-config":
            from .static.nginx_conf import write_main_config

            try:
                print(write_main_config(args.dir, args.host, args.port, args.sparql))
            except ValueError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return EXIT_BAD_INPUT
        elif args.command == "load":
            return _load(settings, args)
        if args.command == "serve":
            from .release.manifest import open_release
            from .web.base_check import mismatch_warning
            from .web.serve import serve

            release_base = open_release(settings.current_release).manifest.get("base_uri", "")
            warning = mismatch_warning(release_base, args.host, args.port, args.base_uri is not None, args.dev)
            if warning:
                print(warning, file=sys.stderr, flush=True)
            from .web.sparql.config import SparqlConfig, parse_extra_graph

            sparql = SparqlConfig(workers=args.query_workers, timeout=args.query_timeout, max_rows=args.max_rows,
                                  per_client=args.per_client, memory_mb=args.query_memory_mb,
                                  memory_copy=args.query_store == "memory", cache_mb=args.query_cache_mb,
                                  copy_first_below=args.copy_first_below, backend=_backend(args),
                                  extra_graphs=tuple(parse_extra_graph(g) for g in args.extra_graph))
            code = serve(settings, host=args.host, port=args.port, sparql=sparql,
                         forwarded_allow_ips=args.forwarded_allow_ips, header_timeout=args.header_timeout)
            if code:
                return code  # no serving process could start (the log says why)
        return EXIT_OK
    except PublisherError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def _backend(args: argparse.Namespace):
    if not args.sparql_backend:
        return None
    from .errors import ConfigError
    from .web.sparql.backend import BackendConfig

    try:
        return BackendConfig(args.sparql_backend, args.sparql_backend_engine)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _load(settings: Settings, args: argparse.Namespace) -> int:
    import httpx

    from .release.manifest import open_release
    from .store_load import GraphStore, load_release

    release = open_release(settings.current_release)
    auth = None
    if args.user:
        from .errors import ConfigError

        try:
            password = args.password_file.read_text(encoding="utf-8").splitlines()[0] if args.password_file else ""
        except (OSError, IndexError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--password-file {args.password_file}: cannot read a password ({exc})") from None
        auth = httpx.DigestAuth(args.user, password)
    try:
        load_release(release.path, release.manifest, GraphStore(args.into, auth), keep=args.keep,
                     progress=lambda line: print(line, file=sys.stderr))
    except httpx.HTTPError as exc:
        from .store_load import StoreLoadError

        raise StoreLoadError(f"the store at {args.into} cannot be reached: {exc}") from None
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
