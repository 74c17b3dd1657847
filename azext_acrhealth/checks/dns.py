"""The login server's addresses, as this machine resolves them."""

import ipaddress

from .. import login_servers
from ..outcome import failed, passed


def address_kind(address):
    """"loopback", "private" or "public": loopback is private too, but says something else (a hosts file)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unknown"
    return "loopback" if ip.is_loopback else "private" if ip.is_private else "public"


def dns(ctx, given):
    server = given["login_server"]["login_server"]
    host, _ = login_servers.split_host_port(server)
    res = ctx.edges.resolve(host)
    if not res.ok:
        what = {"invalid": "is not a valid host name", "timeout": "did not resolve in time",
                "not_found": "does not resolve"}.get(res.error, "could not be resolved")
        return failed("CONNECTIVITY_DNS_ERROR", "{} {}: {}".format(host, what, res.reason),
                      host=host, error=res.error, reason=res.reason)
    addresses = [{"address": a, "kind": address_kind(a)} for a in res.addresses]
    text = ", ".join("{} ({})".format(a["address"], a["kind"]) for a in addresses)
    return passed("{} at {}".format(host, text), handoff={"login_server": server}, host=host, addresses=addresses)
