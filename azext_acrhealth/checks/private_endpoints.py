"""--vnet: the registry's private endpoint names must resolve, here, to the endpoint's private addresses."""

from ..outcome import failed, passed, skipped, warning
from . import arm

MAX_ENDPOINTS = 20


def private_endpoints(ctx):
    registry = ctx.data("registry_resource").get("registry")
    if not registry:
        return skipped("no registry resource from Azure Resource Manager")
    vnet = ctx.options.vnet.strip().rstrip("/")
    connections = arm.properties(registry).get("privateEndpointConnections")
    ids = [_get(c, "properties", "privateEndpoint", "id") for c in connections or () if isinstance(c, dict)] \
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
        subnet = _get(endpoint, "properties", "subnet", "id")
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
        res = ctx.resolve(fqdn)
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
    for config in _list(endpoint, "properties", "customDnsConfigs"):
        fqdn, ips = config.get("fqdn"), config.get("ipAddresses")
        if isinstance(fqdn, str) and isinstance(ips, list):
            pairs.append((fqdn, {ip for ip in ips if isinstance(ip, str)}))
    if pairs:
        return pairs
    for nic_ref in _list(endpoint, "properties", "networkInterfaces")[:4]:
        nic, why = arm.get(ctx, nic_ref.get("id", ""), arm.API_NETWORK) if isinstance(nic_ref.get("id"), str) \
            else (None, "no id")
        if nic is None:
            unreadable.append("{}: {}".format(nic_ref.get("id"), why))
            continue
        for ip_config in _list(nic, "properties", "ipConfigurations"):
            ip = _get(ip_config, "properties", "privateIPAddress")
            fqdns = _get(ip_config, "properties", "privateLinkConnectionProperties", "fqdns")
            if isinstance(ip, str) and isinstance(fqdns, list):
                pairs += [(f, {ip}) for f in fqdns if isinstance(f, str)]
    return pairs


def _get(value, *path):
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _list(value, *path):
    found = _get(value, *path)
    return [v for v in found if isinstance(v, dict)] if isinstance(found, list) else []
