"""The login server's addresses, as this machine resolves them; and, when the registry's public network
access is disabled, whether this machine resolves its names to public addresses (where it is refused)."""

import ipaddress
import threading

from .. import fix_commands, login_servers
from ..outcome import failed, passed

MAX_NAMES = 10     # data endpoints looked up beside the login server


# The shared address space (RFC 6598): not private to Python, but an Azure virtual network may use it, and
# then its private endpoints have such addresses; no public endpoint of a registry does.
_SHARED = ipaddress.ip_network("100.64.0.0/10")


def address_kind(address):
    """"loopback", "private" or "public": loopback is private too, but says something else (a hosts file)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unknown"
    ip = getattr(ip, "ipv4_mapped", None) or ip     # ::ffff:a.b.c.d is judged as a.b.c.d
    if ip.is_loopback:
        return "loopback"
    return "private" if ip.is_private or ip in _SHARED else "public"


def resolves_publicly(resolution):
    """The name resolves, and to public addresses only: a client reaches the public endpoint."""
    return resolution.ok and all(address_kind(a) == "public" for a in resolution.addresses)


def resolve_all(ctx, hosts):
    """{host: Resolution} for several names at once; each lookup is bounded by the run's timeout."""
    found, threads = {}, []

    def lookup(host):
        found[host] = ctx.edges.resolve(host)

    for host in dict.fromkeys(hosts):
        thread = threading.Thread(target=lookup, args=(host,), daemon=True, name="resolve-" + host[:40])
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(ctx.timeout + 1)
    return found


def dns(ctx, given):
    server = given["login_server"]["login_server"]
    host, _ = login_servers.split_host_port(server)
    res = ctx.edges.resolve(host)
    if not res.ok:
        what = {"invalid": "is not a valid host name", "timeout": "did not resolve in time",
                "not_found": "does not resolve"}.get(res.error, "could not be resolved")
        return failed("CONNECTIVITY_DNS_ERROR", "{} {}: {}".format(host, what, res.reason),
                      fix=_private_zone_hint(host, given), host=host, error=res.error, reason=res.reason)
    addresses = [{"address": a, "kind": address_kind(a)} for a in res.addresses]
    text = ", ".join("{} ({})".format(a["address"], a["kind"]) for a in addresses)
    settings = (given.get("registry_resource") or {}).get("settings")
    if settings is not None and settings.public_disabled and not ctx.edges.proxy_for("https://{}/".format(host)):
        refused = _public_while_disabled(ctx, host, res, settings, addresses)
        if refused:
            return refused
    return passed("{} at {}".format(host, text), handoff={"login_server": server}, host=host, addresses=addresses)


def _public_while_disabled(ctx, host, res, settings, addresses):
    """PUBLIC_ACCESS_DISABLED_ERROR when this machine resolves the login server or a data endpoint to a public
    address while the registry accepts no public traffic; None otherwise. Behind a proxy the proxy resolves the
    names, so the caller does not ask."""
    others = [h for h in dict.fromkeys(login_servers.split_host_port(d)[0] for d in settings.data_endpoints)
              if h != host][:MAX_NAMES]
    found = dict(resolve_all(ctx, others), **{host: res})
    public = [h for h in [host, *others] if h in found and resolves_publicly(found[h])]
    if not public:
        return None
    private = [h for h in [host, *others] if h in found and found[h].ok and h not in public]
    where = "; ".join("{} resolves to {}".format(h, ", ".join(found[h].addresses)) for h in public)
    message = ("public network access to the registry is disabled, and here {}, a public address: the registry "
               "refuses every request that arrives there".format(where))
    records = [{"host": h, "resolved": list(found[h].addresses), "public": h in public}
               for h in [host, *others] if h in found]
    details = {"host": host, "addresses": addresses, "publicNetworkAccess": settings.public_access, "names": records}
    endpoints = settings.approved_endpoints
    if not endpoints:
        command = fix_commands.enable_public_access(settings.name)
        fix = ("the registry has no approved private endpoint either, so no network reaches it (only trusted Azure "
               "services): create a private endpoint for it, or enable public access for selected networks, then "
               "allow this machine's address with `az acr network-rule add`")
        return failed("PUBLIC_ACCESS_DISABLED_ERROR", message, fix=fix, commands=[command] if command else [],
                      **details)
    if private:
        # The DNS server does answer from the private zone, for some names: the others lack their records.
        fix = ("this machine's DNS resolves {} privately but not {}: the private DNS zone lacks {}; add {} with "
               "the private endpoint's address (a private DNS zone group on the endpoint keeps the records in "
               "step)".format(", ".join(private), ", ".join(public), "their records" if len(public) > 1 else
                              "its record", ", ".join(private_zone_name(h) for h in public)))
        return failed("PUBLIC_ACCESS_DISABLED_ERROR", message, fix=fix, **details)
    fix = ("this machine is outside the registry's private network, or its DNS server does not answer from the "
           "privatelink.azurecr.io zone: run from a network of the private endpoint{} ({}), with the private DNS "
           "zone privatelink.azurecr.io linked to that virtual network, or a DNS forwarder sending "
           "privatelink.azurecr.io to Azure DNS (168.63.129.16)".format(
               "" if len(endpoints) == 1 else "s", ", ".join(c.name for c in endpoints)))
    return failed("PUBLIC_ACCESS_DISABLED_ERROR", message, fix=fix, **details)


def _private_zone_hint(host, given):
    """For a registry with private endpoints, a name that does not resolve is most often a private DNS zone
    that is linked but lacks the registry's record."""
    settings = (given.get("registry_resource") or {}).get("settings")
    if settings is None or not settings.approved_endpoints or host != settings.login_server:
        return None
    return ("the registry has private endpoints: if this machine's DNS answers from a privatelink.azurecr.io zone, "
            "that zone lacks the record {} (a private DNS zone group on the endpoint adds it)".format(
                private_zone_name(host)))


def private_zone_name(host):
    """myreg.westus.data.azurecr.io -> myreg.westus.data.privatelink.azurecr.io: the name the private zone
    answers for it."""
    prefix, sep, suffix = host.partition(".azurecr.")
    return "{}.privatelink.azurecr.{}".format(prefix, suffix) if sep and prefix else host
