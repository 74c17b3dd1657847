"""May a credential go to the token server a registry's challenge names (its realm)?

A challenge is unauthenticated: a proxy, a DNS entry or a hostile server can name any realm, to harvest
the Azure AD token or a stored Docker credential. A credential may go only over HTTPS, to the login
server itself or to a host under the cloud's registry domain (such as *.azurecr.io) on port 443. The
decision returns an Origin: every token URL is built from it, never from the realm's text.
"""

from .login_servers import login_server_origin, parse_origin


def token_server(realm, login_server, suffix):
    """(Origin, None) when credentials may be sent to realm's host, else (None, why not)."""
    origin, problem = parse_origin(realm)
    if problem:
        return None, problem
    registry = login_server_origin(login_server)
    if registry is not None and origin == registry:
        return origin, None
    suffix = (suffix or "").lower().strip().strip(".")
    if suffix:
        if origin.host.endswith("." + suffix) and origin.port == 443:
            return origin, None
        return None, "it is neither the login server nor a host under .{}".format(suffix)
    return None, "it is not the login server"


def describe(realm, limit=100):
    """The realm as a report may show it: its origin when it has one, else a printable excerpt."""
    origin, _ = parse_origin(realm)
    if origin is not None:
        return str(origin)
    text = realm if isinstance(realm, str) else repr(realm)
    return text if len(text) <= limit else text[:limit - 1] + "…"
