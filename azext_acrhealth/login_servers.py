"""Login server names and the HTTPS origins built from them: small pure helpers, strict on purpose.

An `Origin` is the only thing a URL that carries a credential is built from: scheme https, a host that
is a plain DNS name or IP literal, and a port. `parse_origin` makes one from untrusted text (a realm, a
redirect) or says why it cannot, and checks that the standard library and urllib3 (requests' parser)
read the text the same way, so the host we validated is the host the request goes to.
"""

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_AUTHORITY = re.compile(r"^(?:\[(?P<v6>[0-9a-fA-F:.]+)\]|(?P<name>[A-Za-z0-9.-]*))(?::(?P<port>[0-9]{1,5}))?$")
_NUMERIC = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")   # a last label the resolver reads as a number
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]{0,15})://")
_FORBIDDEN = {"\\": "a backslash", "%": "a percent sign", "@": "an at sign (user information)"}
MAX_URL = 2048


@dataclass(frozen=True)
class Origin:
    host: str      # lower case, no trailing dot; an IPv6 literal without brackets
    port: int = 443

    @property
    def netloc(self):
        host = "[{}]".format(self.host) if ":" in self.host else self.host
        return host if self.port == 443 else "{}:{}".format(host, self.port)

    def url(self, path="/"):
        return "https://{}{}".format(self.netloc, path)

    def __str__(self):
        return self.url("")


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
    """A login server as typed by a user or given by ARM: without a scheme, path or trailing dot, in lower
    case."""
    value = (value or "").strip()
    if "://" in value:
        value = value.split("://", 1)[1]
    value = value.split("/", 1)[0]
    return value.rstrip(".").lower()


def host_problem(host):
    """Why host is not a DNS name or IP address we may connect to, or None."""
    if not host:
        return "it names no host"
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        pass
    if len(host) > 253 or not all(_LABEL.match(label) for label in host.split(".")):
        return "'{}' is not a valid host name".format(host[:80])
    if _NUMERIC.match(host.rsplit(".", 1)[-1]):
        # The resolver reads '127.1', '0x7f.1' or '2130706433' as an IPv4 address (inet_aton): it is one,
        # in a form the URL parsers and our checks would each read their own way.
        return "'{}' is an IPv4 address in a form other than a.b.c.d".format(host[:80])
    return None


def login_server_origin(server):
    """The Origin of a login server ('myreg.azurecr.io', 'localhost:8443'), or None when it is not one."""
    host, port = split_host_port(normalise_login_server(server))
    host = host.lower().rstrip(".")
    if host_problem(host) or (port is not None and not 0 < port < 65536):
        return None
    return Origin(host, port or 443)


def parse_origin(url):
    """(Origin, None) for an https URL whose authority is a plain host[:port], or (None, why not).

    Refused: anything but https; whitespace or control characters anywhere; an authority that holds a
    backslash, a percent sign, an at sign, or characters that change under Unicode normalisation; and any
    URL that urllib.parse and urllib3 do not read as the same scheme, host and port.
    """
    if not isinstance(url, str) or not url:
        return None, "it is empty"
    if len(url) > MAX_URL:
        return None, "it is longer than {} characters".format(MAX_URL)
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return None, "it holds whitespace or control characters"
    scheme = _SCHEME.match(url)
    if not scheme or scheme.group(1).lower() != "https":
        return None, "it is not HTTPS"
    authority = re.match(r"[^/?#]*", url[scheme.end():]).group()
    if unicodedata.normalize("NFKC", authority) != authority:
        return None, "its host changes under Unicode normalisation"
    if not authority.isascii():
        return None, "its host is not plain ASCII"
    for ch, what in _FORBIDDEN.items():
        if ch in authority:
            return None, "its host part holds {}".format(what)
    match = _AUTHORITY.match(authority)
    if not match:
        return None, "its host part is not host[:port]"
    host = (match.group("v6") or match.group("name") or "").lower()
    if match.group("name") is not None:
        host = host[:-1] if host.endswith(".") else host
    port = int(match.group("port")) if match.group("port") else 443
    problem = host_problem(host)
    if problem:
        return None, problem
    if match.group("v6") is not None and not isinstance(_ip(host), ipaddress.IPv6Address):
        return None, "its host is not a valid IPv6 address"
    if not 0 < port < 65536:
        return None, "its port is out of range"
    if _parsers_disagree(url, host, port):
        return None, "URL parsers disagree on its host"
    return Origin(host, port), None


def _ip(text):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _parsers_disagree(url, host, port):
    from urllib3.util import parse_url
    try:
        mine, theirs = urlsplit(url), parse_url(url)
        readings = {((mine.hostname or "").rstrip("."), mine.port or 443),
                    ((theirs.host or "").lower().strip("[]").rstrip("."), theirs.port or 443)}
    except (ValueError, TypeError):
        return True
    return readings != {(host, port)}
