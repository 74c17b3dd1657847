"""Host names, ports and URLs of the registry: small pure helpers shared by the registry checks."""

from urllib.parse import urlsplit


def split_host_port(server):
    """('host', port or None) for 'host', 'host:port', '[v6]:port' or a bare IPv6 address."""
    server = (server or "").strip()
    if server.startswith("["):
        host, _, rest = server[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
        return host, int(port) if port.isdigit() else None
    if server.count(":") == 1:
        host, port = server.split(":")
        return host, int(port) if port.isdigit() else None
    return server, None


def normalise_login_server(value):
    """A login server as typed by a user: without a scheme, path or trailing dot, in lower case."""
    value = (value or "").strip()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0]
    return value.rstrip(".").lower()


def origin(url):
    """scheme://host[:port] of a URL, or None when it has no host."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return "{}://{}".format(parts.scheme.lower(), parts.netloc)


def _netloc(host, port):
    return host.lower().rstrip("."), port or 443


def realm_problem(realm, login_server, suffix):
    """Why the AAD token must not be sent to this realm, or None when it may.

    The token may go only over HTTPS, to the login server itself or to a host under the cloud's
    registry domain (such as *.azurecr.io): a challenge is unauthenticated, so anything else could be a
    proxy or a DNS entry harvesting tokens.
    """
    try:
        parts = urlsplit(realm or "")
        host, port = parts.hostname, parts.port
    except ValueError:
        return "it is not a valid URL"
    if parts.scheme.lower() != "https":
        return "it is not HTTPS"
    if not host:
        return "it names no host"
    if _netloc(host, port) == _netloc(*split_host_port(login_server)):
        return None
    suffix = (suffix or "").lower().strip()
    if suffix:
        suffix = "." + suffix.lstrip(".")
        if host.lower().rstrip(".").endswith(suffix) and (port or 443) == 443:
            return None
        return "it is neither the login server nor a host under {}".format(suffix)
    return "it is not the login server"
