"""The nginx configuration of a static export, and the top-level file that runs it.

Why nginx with njs (Debian's `libnginx-mod-http-js`) rather than Apache's mod_negotiation type
maps: the site must choose what `publisher serve` chooses, byte for byte. mod_negotiation has its
own algorithm: it multiplies the client's q by the server's qs (so `text/turtle;q=0.9, text/html`
can get Turtle), gives `*/*` without a q the value 0.01 when other types are listed, breaks ties by
the smaller file, and knows nothing of JSON-LD profiles. njs runs our own algorithm, ported line by
line (conneg.js), and nginx still sends each file with sendfile once it is chosen.

An export holds `nginx/http.conf` (the http-level part: the njs modules and the map of ETags) and
`nginx/server.conf` (the locations), with absolute paths into that export. `write_main_config`
writes the file nginx is started with: where to listen, where /sparql goes, and where nginx keeps
its pid and temporary files; it includes the two parts of the export `current` points to.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from ..release.formats import RDF_FORMATS
from ..web.resources import document_link_header

JS_MODULE = "/usr/lib/nginx/modules/ngx_http_js_module.so"  # Debian's libnginx-mod-http-js

HTTP_CONF = """\
# http-level part of the static site (written by `publisher export-static`)
js_path {nginx_dir}/;
js_import site from site.js;
js_var $ks_file;
map_hash_max_size {hash_size};
map_hash_bucket_size 512;
map $ks_file $ks_etag {{
    volatile;
    default "";
    include {nginx_dir}/etags.map;
}}
# the choices for the headers real clients send, made at export time by the server's own code
map $http_accept $ks_doc_format {{
    default "";
    include {nginx_dir}/ks_doc_format.map;
}}
map $http_accept $ks_landing {{
    default "";
    include {nginx_dir}/ks_landing.map;
}}
map $http_accept_language $ks_language {{
    default "";
    include {nginx_dir}/ks_language.map;
}}
# a request the fast path may answer: GET or HEAD, no query string, no conditional header, no Accept-Profile
map "$request_method|$args|$http_if_none_match|$http_if_match|$http_if_modified_since|$http_if_unmodified_since|$http_accept_profile" $ks_plain {{
    "GET||||||" 1;
    "HEAD||||||" 1;
    default "";
}}
"""

SERVER_CONF = """\
# locations of the static site (written by `publisher export-static`); include inside a server block
absolute_redirect off;
merge_slashes off;
server_tokens off;
charset off;

location / {{
    default_type "";  # an answer njs sends without a body (304) has no Content-Type
    js_content site.handle;
    add_header Release-Version {version} always;
}}
location @site {{
    default_type "";
    js_content site.handle;
    add_header Release-Version {version} always;
}}
# The fast path, nginx alone: a document of a key without capitals (the maps ignore case), in a fixed
# format or negotiated for Accept / Accept-Language headers the maps know, asked with no query string
# and no conditional header. Everything else, errors included, goes to site.js (the same answer, slower).
location ~ "^/doc/(?<ks_key>[a-z0-9/_-]+)(?:\\.(?<ks_ext>ttl|jsonld|rdf|nt|html))?$" {{
    error_page 418 = @site;
    if ($ks_plain = "") {{ return 418; }}
    if ($ks_doc_format = "") {{ return 418; }}
    if ($ks_language = "") {{ return 418; }}
    set $ks_fmt $ks_ext;
    set $ks_vary "";
    set $ks_location "";
    if ($ks_ext = "") {{
        set $ks_fmt $ks_doc_format;
        set $ks_vary "Accept, Accept-Language";
        set $ks_location "/doc/$ks_key.$ks_doc_format";
    }}
    if ($ks_fmt = "406") {{ return 418; }}
    if ($ks_ext = "html") {{ set $ks_vary "Accept-Language"; }}
    set $ks_lang "";
    set $ks_path "/doc/$ks_key.$ks_fmt";
    if ($ks_fmt = "html") {{
        set $ks_lang $ks_language;
        set $ks_path "/doc/$ks_key.$ks_language.html";
    }}
    set $ks_file $ks_path;
    if ($ks_etag = "") {{ return 418; }}
    rewrite ^ $ks_path break;
    root {site_dir};
    types {{
{rdf_types}
        text/html html;
    }}
    charset utf-8;
    charset_types {text_types};  # and text/html, always
    etag off;
    if_modified_since off;
    max_ranges 0;
    add_header ETag $ks_etag;
    add_header Last-Modified "{last_modified}";
    add_header Cache-Control "public, max-age=300, must-revalidate";
    add_header Vary $ks_vary;
    add_header Content-Language $ks_lang;
    add_header Link '{document_link}';
    add_header Content-Location $ks_location;
    add_header X-Content-Type-Options nosniff;
    add_header Access-Control-Allow-Origin "*";
    add_header Access-Control-Expose-Headers "ETag, Link, Location, Content-Location, Vary";
    add_header Release-Version {version} always;
}}
location = /healthz {{
    default_type application/json;
    add_header Cache-Control no-store always;
    add_header Release-Version {version} always;
    return 200 '{{"status": "ok", "release": "{version}"}}\\n';
}}
# the chosen file, sent by nginx itself; njs set every header before it redirected here
location /_files/ {{
    internal;
    alias {site_dir}/;
    etag off;
    if_modified_since off;
    max_ranges 0;
    add_header Last-Modified "{last_modified}";
    add_header Release-Version {version} always;
}}
location /_ranged/ {{
    internal;
    alias {site_dir}/;
    etag off;
    if_modified_since off;
    add_header Last-Modified "{last_modified}";
    add_header Release-Version {version} always;
}}
"""

MAIN_CONF = """\
# nginx serving the static export {export_dir}/current on {host}:{port} (written by `publisher static-config`)
load_module {js_module};
{user}
daemon off;
worker_processes {workers};
pid {run_dir}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    large_client_header_buffers 4 64k;  # a longer Accept than conneg reads gets our 431, not nginx's 400
    client_body_temp_path {run_dir}/body;
    proxy_temp_path {run_dir}/proxy;
    fastcgi_temp_path {run_dir}/fastcgi;
    uwsgi_temp_path {run_dir}/uwsgi;
    scgi_temp_path {run_dir}/scgi;
    include {export_dir}/current/nginx/http.conf;
    server {{
        listen {host}:{port};
        include {export_dir}/current/nginx/server.conf;
        # SPARQL is not static: /sparql goes to {sparql}; the query pages and their files to its origin
        location = /sparql {{
            proxy_pass {sparql};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_read_timeout 60s;
        }}
        location /queries {{
            proxy_pass {origin};
        }}
        location /static/ {{
            proxy_pass {origin};
        }}
        # a GET or HEAD whose If-Match passed (site.js): asked again of this site without it, since nginx
        # would judge If-Match itself against its static module's validator, not our ETag
        location @if_match {{
            proxy_pass http://unix:{run_dir}/self.sock;
            proxy_http_version 1.1;
            proxy_set_header If-Match "";
            proxy_set_header Host $http_host;
        }}
    }}
    server {{
        listen unix:{run_dir}/self.sock;
        include {export_dir}/current/nginx/server.conf;
    }}
}}
"""


def document_formats() -> dict[str, str]:
    """What the document location says of the RDF formats (release/formats.py): the media type of
    each file suffix, the textual ones (sent with a charset), and a document's Link header."""
    return {"rdf_types": "\n".join(f"        {f.media_type} {f.key};" for f in RDF_FORMATS),
            "text_types": " ".join(f.media_type for f in RDF_FORMATS if f.charset),
            "document_link": document_link_header("/doc/$ks_key").decode()}


def write_site_config(into: Path, final: Path, version: str, last_modified: str, etag_count: int) -> None:
    """http.conf and server.conf into the folder `into`, naming the paths the export will have at `final`."""
    hash_size = max(1024, 1 << (2 * etag_count).bit_length())
    (into / "http.conf").write_text(HTTP_CONF.format(nginx_dir=final / "nginx", hash_size=hash_size), encoding="utf-8")
    server = SERVER_CONF.format(site_dir=final / "site", version=version, last_modified=last_modified,
                                **document_formats())
    (into / "server.conf").write_text(server, encoding="utf-8")


def write_main_config(export_dir: Path, host: str, port: int, sparql: str, workers: int = 2) -> Path:
    """The nginx.conf to start nginx with (`nginx -c`); written atomically, its path returned."""
    from urllib.parse import urlsplit

    export_dir = export_dir.resolve()
    run_dir = export_dir / "run" / f"{host}-{port}"
    run_dir.mkdir(parents=True, exist_ok=True)
    parts = urlsplit(sparql)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"the SPARQL service must be an http(s) URL, not {sparql!r}")
    # nginx started as root hands requests to workers running as `user`: the one who runs it
    user = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.geteuid() == 0 else ""
    text = MAIN_CONF.format(export_dir=export_dir, host=host, port=port, sparql=sparql,
                            origin=f"{parts.scheme}://{parts.netloc}", js_module=JS_MODULE, user=user,
                            workers=workers, run_dir=run_dir)
    target = run_dir / "nginx.conf"
    tmp = target.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target
