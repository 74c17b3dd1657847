"""Where a layer download may follow the registry's redirect: once, without credentials, and only to the
cloud's own hosts for layers.

A registry answers a blob GET with a redirect to a dedicated data endpoint (<registry>.<region>.data
under the cloud's registry suffix, such as *.data.azurecr.io) or to blob storage (*.blob. under the
cloud's storage suffix, such as *.blob.core.windows.net). Nothing else is followed: the URL comes from
a server, and a proxy or a hostile registry could name any host. The URL requested is rebuilt from the
validated origin and the location's path and query; the query of a storage URL holds a signature, so
reports show the host, never the URL.
"""

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .login_servers import parse_origin

DATA_ENDPOINT = "data endpoint"
STORAGE = "blob storage"


@dataclass(frozen=True)
class Hop:
    origin: object        # login_servers.Origin of the host the download goes to
    url: str              # built from origin, path and query: what is requested, never shown
    kind: str             # DATA_ENDPOINT or STORAGE
    suffix: str           # the domain that made the host acceptable ("data.azurecr.io")

    @property
    def host(self):
        return self.origin.netloc


def layer_hop(location, base_url, acr_suffix, storage_suffix):
    """(Hop, None) when the redirect may be followed, else (None, why not). A relative location is
    read against base_url (the registry's URL), as a client would; it then names the registry itself,
    which is not a host for layers."""
    if not isinstance(location, str) or not location.strip():
        return None, "the redirect names no location"
    try:
        absolute = urljoin(base_url, location.strip())
    except ValueError:
        return None, "the location is not a URL"
    origin, problem = parse_origin(absolute)
    if problem:
        return None, "the location is not a plain HTTPS URL: {}".format(problem)
    allowed = []
    acr = (acr_suffix or "").strip().strip(".").lower()
    if acr:
        allowed.append(("data." + acr, DATA_ENDPOINT))
    storage = (storage_suffix or "").strip().strip(".").lower()
    if storage:
        allowed.append(("blob." + storage, STORAGE))
    for suffix, kind in allowed:
        if origin.host.endswith("." + suffix):
            parts = urlsplit(absolute)
            path = parts.path if parts.path.startswith("/") else "/" + parts.path
            return Hop(origin, origin.url(path + ("?" + parts.query if parts.query else "")), kind, suffix), None
    if not allowed:
        return None, "the cloud defines neither a registry nor a storage suffix"
    return None, "{} is not under {}".format(origin.host, " nor ".join("." + s for s, _ in allowed))


def describe(location, base_url=None, limit=100):
    """The host a location names, for a report (never its path or query, which may hold a signature)."""
    try:
        absolute = urljoin(base_url or "", location) if isinstance(location, str) else ""
    except ValueError:
        absolute = ""
    origin, _ = parse_origin(absolute)
    if origin is not None:
        return origin.netloc
    try:
        host = urlsplit(absolute).netloc.rsplit("@", 1)[-1]
    except ValueError:
        host = ""
    text = "".join(ch if ch.isprintable() and not ch.isspace() else "?" for ch in host) or "(no host)"
    return text if len(text) <= limit else text[:limit - 1] + "…"
