"""Which proxy a request goes through: the same choice as the HTTP client of az, from the run's environment.

requests (used by az and MSAL) takes the proxy from urllib's reading of the environment: lower-case
variables win over upper-case ones (an empty lower-case one removes the upper-case one), `https_proxy`
before `all_proxy`; `no_proxy`/`NO_PROXY` lists hosts, domain suffixes, IP addresses and CIDR ranges
that go direct, and "*" sends everything direct, each read by requests' and urllib's own rules (a test
compares the two choices on many environments). We choose it here, from the environment the run was
given, and pass it to the client explicitly: the proxy we report is the proxy we used.
"""

from urllib.parse import urlsplit


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
        host = parts.hostname
    except ValueError:
        return None
    if not host:
        return None
    proxies = environment_proxies(env)
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy or bypassed(url, env, proxies):
        return None
    return proxy


def bypassed(url, env, proxies=None):
    """Whether NO_PROXY sends url direct, decided as requests (2.32 and later) decides it in
    should_bypass_proxies: its own reading first (no_proxy, else NO_PROXY: CIDR ranges and addresses for an
    IPv4 host, names and their subdomains otherwise), then urllib's (lower case wins, '*' alone means
    every host)."""
    from urllib.request import proxy_bypass_environment

    from requests.utils import address_in_network, is_ipv4_address, is_valid_cidr
    proxies = environment_proxies(env) if proxies is None else proxies
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return False
    if host is None:
        return True
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY")
    if no_proxy:
        entries = [entry for entry in no_proxy.replace(" ", "").split(",") if entry]
        if is_ipv4_address(host):
            for entry in entries:
                if is_valid_cidr(entry):
                    if address_in_network(host, entry):
                        return True
                elif host == entry:
                    return True
        else:
            with_port = "{}:{}".format(host, port) if port else host
            for entry in entries:
                entry = entry.lstrip(".")
                if entry in (host, with_port) or host.endswith("." + entry) or with_port.endswith("." + entry):
                    return True
    return bool(proxy_bypass_environment(host, proxies))


def masked(proxy):
    """The proxy URL fit for a report: everything before its last '@' (the user name and password, even
    with an unencoded '@', '/' or '#' in them, even without a scheme) is masked."""
    if not proxy:
        return None
    scheme, sep, rest = proxy.partition("://")
    if not sep:
        scheme, rest = "", proxy
    if "@" in rest:
        rest = "***@" + rest.rpartition("@")[2]
    return scheme + sep + rest


def secrets(proxy):
    """The user information of a proxy URL, whole and in parts, raw and decoded: what must be scrubbed from
    any text the HTTP client writes about it. Parts shorter than 3 characters are left alone (masking them
    would garble the text more than it protects)."""
    from urllib.parse import unquote
    if not proxy:
        return []
    rest = proxy.partition("://")[2] or proxy
    if "@" not in rest:
        return []
    userinfo = rest.rpartition("@")[0]
    user, _, password = userinfo.partition(":")
    found = {text for part in (userinfo, user, password) for text in (part, unquote(part)) if len(text) >= 3}
    return sorted(found, key=lambda text: (-len(text), text))   # longest first: no part left of a whole


def problem(proxy):
    """Why the HTTP client cannot use the proxy URL as it is written, or None. requests prepends http://
    only when it sees no scheme, and 'proxy:3128' or 'user:password@proxy:3128' read as the schemes 'proxy'
    and 'user'; a user name or password holding an unencoded '/', '?' or '#' ends the host part early."""
    from requests.utils import prepend_scheme_if_needed
    from urllib3.util import parse_url
    rest = proxy.partition("://")[2] or proxy
    if any(ch in rest.rpartition("@")[0] for ch in "/?#"):
        return "its user name or password holds '/', '?' or '#': percent-encode them (%2F, %3F, %23)"
    try:
        host = parse_url(prepend_scheme_if_needed(proxy, "http")).host
    except ValueError:
        host = None
    if not host:
        return "it names no host as the HTTP client reads it: write it with its scheme, as http://host:port"
    return None
