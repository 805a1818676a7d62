"""Is the server about to serve a release whose URIs name another address? Said once, at start-up.

Every URI in a release starts with the base URI it was built with. Served on another host or port,
its pages still link and redirect there (`make serve PORT=8001` would serve `:8000` URIs). That is
right behind a reverse proxy that answers at the base URI, which `--base-uri` says; and harmless
while developing (`serve --dev`). Otherwise the server says so, with the command that fixes it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

WILDCARD_HOSTS = {"0.0.0.0", "::", ""}  # listening everywhere: only the port can be compared


def mismatch_warning(release_base: str, host: str, port: int, explicit_base: bool, dev: bool) -> str | None:
    """The warning for serving `release_base` on host:port, or None when it fits or was chosen."""
    if explicit_base or dev or not release_base:
        return None
    base = urlsplit(release_base)
    base_port = base.port or (443 if base.scheme == "https" else 80)
    same_host = host in WILDCARD_HOSTS or (base.hostname or "") == host or \
        {base.hostname, host} <= {"127.0.0.1", "localhost"}
    if same_host and base_port == port:
        return None
    shown_host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    listening = f"http://{shown_host}:{port}/"
    return (
        f"warning: the release was built with the base URI {release_base}, but this server listens on "
        f"{host}:{port}: every URI and link in its pages points to {release_base}, not here.\n"
        f"  To serve it here, rebuild with this address: publisher --base-uri {listening} serve --build "
        f"--host {host} --port {port}   (or: make run HOST={host} PORT={port})\n"
        f"  Behind a reverse proxy that answers at {release_base}, say so and this warning goes: "
        f"publisher --base-uri {release_base} serve --host {host} --port {port}\n"
        f"  While developing, serve --dev serves any release anywhere without this warning."
    )
