"""Which proxy a request goes through: the same choice as the HTTP client of az, from the run's environment.

requests (used by az and MSAL) takes the proxy from urllib's reading of the environment: lower-case
variables win over upper-case ones (an empty lower-case one removes the upper-case one), `https_proxy`
before `all_proxy`; `no_proxy`/`NO_PROXY` lists hosts, domain suffixes, IP addresses and CIDR ranges
that go direct, and "*" sends everything direct. We choose it here, from the environment the run was
given, and pass it to the client explicitly: the proxy we report is the proxy we used.
"""

import ipaddress
from urllib.parse import urlsplit

from .text import without_userinfo


def environment_proxies(env):
    """{scheme: proxy URL} as urllib.request.getproxies_environment reads it, from env instead of os.environ."""
    proxies = {}
    # Two passes, as urllib does: any case first, then lower case only, so lower case wins.
    for name, value in env.items():
        low = name.lower()
        if value and low.endswith("_proxy"):
            proxies[low[:-6]] = value
    if "REQUEST_METHOD" in env:        # CGI: HTTP_PROXY may come from a request header (httpoxy)
        proxies.pop("http", None)
    for name, value in env.items():
        if name.endswith("_proxy"):
            key = name.lower()[:-6]
            if value:
                proxies[key] = value
            else:
                proxies.pop(key, None)
    return proxies


def proxy_for(url, env):
    """The proxy URL a request to url goes through, or None when it goes direct."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    proxies = environment_proxies(env)
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or bypassed(host, port, env.get("no_proxy") or env.get("NO_PROXY") or proxies.get("no")):
        return None
    return proxy


def bypassed(host, port, no_proxy):
    """Whether no_proxy sends host direct, matched as requests matches it."""
    if not no_proxy:
        return False
    entries = [e for e in no_proxy.replace(" ", "").split(",") if e]
    if "*" in entries:
        return True
    host = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        for entry in entries:
            try:
                if address in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
        return False
    with_port = "{}:{}".format(host, port) if port else host
    for entry in entries:
        entry = entry.lower()
        bare = entry.lstrip(".")
        if host == bare or host.endswith("." + bare) or host.endswith(entry) or with_port.endswith(entry):
            return True
    return False


def masked(proxy):
    """The proxy URL fit for a report: no user name or password."""
    return without_userinfo(proxy) if proxy else None
