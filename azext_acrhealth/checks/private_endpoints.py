"""The registry's private endpoints seen from here: every name an approved endpoint serves (login server, data
endpoints) must resolve to that endpoint's private address, or every name to public addresses (this machine
then uses the public endpoint). --vnet narrows the endpoints to one virtual network and requires the private
path. Two endpoints of the registry in one virtual network make DNS routing unreliable: a warning."""

import threading

from ..outcome import failed, passed, warning
from . import arm
from .arm import dicts_at, get_path
from .dns import address_kind, private_zone_name, resolve_all, resolves_publicly

MAX_ENDPOINTS = 10
MAX_NAMES = 20
CODE = "PRIVATE_ENDPOINT_DNS_ERROR"


def private_endpoints(ctx, given):
    settings = given["registry_resource"]["settings"]
    vnet = (ctx.options.vnet or "").strip().rstrip("/") or None
    details = {"vnet": vnet} if vnet else {}
    approved = settings.approved_endpoints[:MAX_ENDPOINTS]
    if not approved:
        others = len(settings.connections)
        what = "no private endpoints" if not others else "no approved private endpoint ({} not approved)".format(
            others)
        if vnet:
            return failed(CODE, "registry has {}".format(what), **details)
        return passed("the registry has {}".format(what), **details)
    endpoints, unreadable = _read_endpoints(ctx, approved)
    if vnet:
        endpoints = [e for e in endpoints if e["subnet"] and in_vnet(e["subnet"], vnet)]
    details["endpoints"] = [{"id": e["id"], "vnet": e["vnet"]} for e in endpoints]
    if unreadable:
        details["unreadable"] = unreadable
    expected, serving = {}, {}
    for endpoint in endpoints:
        for fqdn, ips in endpoint["records"]:
            name = fqdn.lower().rstrip(".")
            expected.setdefault(name, set()).update(ips)
            serving.setdefault(name, set()).add(endpoint["name"])
    if not expected:
        if unreadable:
            return warning("could not read the registry's private endpoints: {}".format("; ".join(unreadable)),
                           **details)
        if vnet:
            return failed(CODE, "registry has no private endpoint in virtual network '{}'".format(vnet), **details)
        return warning("the registry's private endpoints list no DNS names to check", **details)
    names = sorted(expected)[:MAX_NAMES]
    found = resolve_all(ctx, names)
    records = []
    for name in names:
        res = found.get(name)
        got = list(res.addresses) if res is not None else []
        state = ("private endpoint" if set(got) & expected[name] else "no answer" if not got
                 else "public" if resolves_publicly(res) else "other address")
        records.append({"fqdn": name, "expected": sorted(expected[name]), "resolved": got, "state": state,
                        "ok": state == "private endpoint",
                        "reason": res.reason if res is not None and not got else None})
    details["records"] = records
    crowded = _crowded(endpoints)
    if crowded:
        details["sharedVnets"] = crowded
    return _verdict(settings, vnet, records, crowded, details)


def _verdict(settings, vnet, records, crowded, details):
    ok = [r for r in records if r["ok"]]
    wrong = [r for r in records if not r["ok"]]
    also = (" Besides, " + _crowded_text(crowded)) if crowded else ""
    if not wrong:
        text = "{} name{} resolve to the private endpoint".format(len(ok), "" if len(ok) == 1 else "s")
        if crowded:
            return warning("{}, but {}".format(text, _crowded_text(crowded)), code=CODE, fix=_CROWDED_FIX, **details)
        return passed(text, **details)
    if vnet:
        # The user named the network this machine is in: every name must take the private path.
        return failed(CODE, "; ".join(_describe(r) for r in wrong) + "." + also, fix=_fix(wrong, ok), **details)
    if not ok and all(r["state"] in ("public", "no answer") for r in records):
        # Outside the endpoints' networks: the public endpoint is this machine's way in (when public access is
        # disabled, the DNS check has already said so). Names that do not resolve are the DNS check's and the
        # data endpoint check's to report.
        text = ("this machine resolves the registry's names to public addresses, so it uses the public "
                "endpoint, not the private endpoint{} ({})".format("" if len(_names(details)) == 1 else "s",
                                                                   ", ".join(_names(details))))
        if crowded:
            return warning("{}; {}".format(text, _crowded_text(crowded)), code=CODE, fix=_CROWDED_FIX, **details)
        return passed(text, **details)
    message = "; ".join(_describe(r) for r in wrong)
    if ok:
        message += ", while {} resolve{} to the private endpoint".format(
            ", ".join(r["fqdn"] for r in ok), "s" if len(ok) == 1 else "")
    message += "." + also
    if all(r["state"] == "public" for r in wrong) and not settings.public_disabled \
            and (settings.default_action or "allow").lower() == "allow":
        # Open to all networks: it works, but those names bypass the private link.
        return warning(message + " Requests to {} leave the private network.".format(
            ", ".join(r["fqdn"] for r in wrong)), code=CODE, fix=_fix(wrong, ok), **details)
    return failed(CODE, message, fix=_fix(wrong, ok), **details)


def _describe(record):
    expected = ", ".join(record["expected"])
    if record["state"] == "no answer":
        return "{} does not resolve ({}) instead of resolving to {}".format(record["fqdn"], record["reason"],
                                                                             expected)
    kinds = {address_kind(a) for a in record["resolved"]}
    # Public: the name bypasses the private zone; loopback: a hosts file entry overrides DNS.
    kind = " ({})".format(kinds.pop()) if kinds in ({"public"}, {"loopback"}) else ""
    return "{} resolves to {}{} instead of {}".format(record["fqdn"], ", ".join(record["resolved"]), kind, expected)


def _fix(wrong, ok):
    names = ", ".join(private_zone_name(r["fqdn"]) for r in wrong)
    pairs = ", ".join("{} to {}".format(private_zone_name(r["fqdn"]), r["expected"][0]) for r in wrong if r["expected"])
    if ok:
        return ("this machine's DNS answers from the private zone for some names, so its records are incomplete or "
                "stale: set {} in the privatelink.azurecr.io zone (a private DNS zone group on the endpoint keeps "
                "the records in step with its addresses)".format(pairs or names))
    return ("make this machine's DNS answer from the privatelink.azurecr.io zone: link the private DNS zone to its "
            "virtual network (or forward privatelink.azurecr.io to Azure DNS, 168.63.129.16, from your DNS server), "
            "with the records {}".format(pairs or names))


_CROWDED_FIX = ("keep one private endpoint of the registry per virtual network (delete the extra one), or give each "
                "its own network: their records overwrite each other in the private DNS zone")


def _crowded(endpoints):
    """{vnet id: [endpoint names]} for the virtual networks holding more than one endpoint of the registry."""
    by_vnet = {}
    for endpoint in endpoints:
        if endpoint["vnet"]:
            by_vnet.setdefault(endpoint["vnet"].lower(), []).append(endpoint["name"])
    return {vnet: names for vnet, names in by_vnet.items() if len(names) > 1}


def _crowded_text(crowded):
    return "; ".join("virtual network {} holds {} private endpoints of the registry ({}): DNS routing to it is "
                     "unreliable".format(vnet.rsplit("/", 1)[-1], len(names), ", ".join(names))
                     for vnet, names in sorted(crowded.items()))


def _names(details):
    return [e["id"].rstrip("/").rsplit("/", 1)[-1] for e in details.get("endpoints", [])]


def _read_endpoints(ctx, connections):
    """Each approved endpoint's subnet, virtual network and DNS records, read at once; and what could not be."""
    results = [None] * len(connections)

    def read(index, connection):
        unreadable = []
        endpoint, why = arm.get(ctx, connection.endpoint_id, arm.API_NETWORK)
        if endpoint is None:
            results[index] = (None, ["{}: {}".format(connection.endpoint_id, why)])
            return
        subnet = get_path(endpoint, "properties", "subnet", "id")
        subnet = subnet if isinstance(subnet, str) else None
        records = endpoint_records(ctx, endpoint, unreadable)
        results[index] = ({"id": connection.endpoint_id, "name": connection.name, "subnet": subnet,
                           "vnet": subnet.lower().split("/subnets/", 1)[0] if subnet and "/subnets/" in subnet.lower()
                           else None, "records": records}, unreadable)

    threads = [threading.Thread(target=read, args=(i, c), daemon=True) for i, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * ctx.timeout + 1)      # the endpoint, then its NICs
    endpoints, unreadable = [], []
    for connection, result in zip(connections, results, strict=True):
        if result is None:
            unreadable.append("{}: no answer in time".format(connection.endpoint_id))
            continue
        endpoint, problems = result
        unreadable += problems
        if endpoint is not None:
            endpoints.append(endpoint)
    return endpoints, unreadable


def in_vnet(subnet_id, vnet):
    """A subnet id belongs to the VNet given as a resource id, or by name (in any resource group)."""
    subnet_id = subnet_id.lower()
    vnet = vnet.lower()
    if vnet.startswith("/subscriptions/"):
        return subnet_id.startswith(vnet + "/subnets/")
    return "/virtualnetworks/{}/subnets/".format(vnet) in subnet_id


def endpoint_records(ctx, endpoint, unreadable):
    """(fqdn, {private IPs}) pairs of a private endpoint: its customDnsConfigs, else its NICs' records."""
    pairs = []
    for config in dicts_at(endpoint, "properties", "customDnsConfigs"):
        fqdn, ips = config.get("fqdn"), config.get("ipAddresses")
        if isinstance(fqdn, str) and fqdn and isinstance(ips, list):
            pairs.append((fqdn, {ip for ip in ips if isinstance(ip, str)}))
    if pairs:
        return pairs
    for nic_ref in dicts_at(endpoint, "properties", "networkInterfaces")[:4]:
        nic, why = arm.get(ctx, nic_ref.get("id", ""), arm.API_NETWORK) if isinstance(nic_ref.get("id"), str) \
            else (None, "no id")
        if nic is None:
            unreadable.append("{}: {}".format(nic_ref.get("id"), why))
            continue
        for ip_config in dicts_at(nic, "properties", "ipConfigurations"):
            ip = get_path(ip_config, "properties", "privateIPAddress")
            fqdns = get_path(ip_config, "properties", "privateLinkConnectionProperties", "fqdns")
            if isinstance(ip, str) and isinstance(fqdns, list):
                pairs += [(f, {ip}) for f in fqdns if isinstance(f, str) and f]
    return pairs
