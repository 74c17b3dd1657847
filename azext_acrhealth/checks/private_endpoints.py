"""--vnet: the registry's private endpoint names must resolve, here, to the endpoint's private addresses."""

from ..outcome import failed, passed, warning
from . import arm
from .arm import dicts_at, get_path

MAX_ENDPOINTS = 20


def private_endpoints(ctx, given):
    registry = given["registry_resource"]["registry"]
    vnet = ctx.options.vnet.strip().rstrip("/")
    connections = arm.properties(registry).get("privateEndpointConnections")
    ids = [get_path(c, "properties", "privateEndpoint", "id") for c in connections or () if isinstance(c, dict)] \
        if isinstance(connections, list) else []
    ids = [i for i in ids if isinstance(i, str)][:MAX_ENDPOINTS]
    if not ids:
        return failed("PRIVATE_ENDPOINT_DNS_ERROR", "registry has no private endpoints", vnet=vnet)
    expected, unreadable = {}, []
    for pe_id in ids:
        endpoint, why = arm.get(ctx, pe_id, arm.API_NETWORK)
        if endpoint is None:
            unreadable.append("{}: {}".format(pe_id, why))
            continue
        subnet = get_path(endpoint, "properties", "subnet", "id")
        if not (isinstance(subnet, str) and in_vnet(subnet, vnet)):
            continue
        for fqdn, ips in endpoint_records(ctx, endpoint, unreadable):
            expected.setdefault(fqdn.lower().rstrip("."), set()).update(ips)
    if not expected:
        if unreadable:
            return warning("could not read the registry's private endpoints: {}".format("; ".join(unreadable)),
                           vnet=vnet, unreadable=unreadable)
        return failed("PRIVATE_ENDPOINT_DNS_ERROR", "registry has no private endpoint in virtual network "
                      "'{}'".format(vnet), vnet=vnet)
    records, wrong = [], []
    for fqdn, ips in sorted(expected.items()):
        res = ctx.edges.resolve(fqdn)
        got = list(res.addresses)
        ok = bool(set(got) & ips)
        records.append({"fqdn": fqdn, "expected": sorted(ips), "resolved": got, "ok": ok})
        if not ok:
            wrong.append("{} resolves to {} instead of {}".format(fqdn, ", ".join(got) or
                                                                  "nothing ({})".format(res.reason),
                                                                  ", ".join(sorted(ips))))
    if wrong:
        return failed("PRIVATE_ENDPOINT_DNS_ERROR", "; ".join(wrong), vnet=vnet, records=records)
    return passed("{} name{} resolve to the private endpoint".format(len(records), "" if len(records) == 1
                                                                    else "s"), vnet=vnet, records=records)


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
        if isinstance(fqdn, str) and isinstance(ips, list):
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
                pairs += [(f, {ip}) for f in fqdns if isinstance(f, str)]
    return pairs

