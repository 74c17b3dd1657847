"""Private endpoint DNS against ARM resources served by the fake cloud: with --vnet (one network, the private
path required) and without (every approved endpoint; public resolution is this machine's public way in).
What this machine's DNS answers comes from NamedEdges: no connection ever goes to those addresses."""


import pytest

from azext_acrhealth.checks.private_endpoints import in_vnet
from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, run_registry, with_registry

SUB = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers"
VNET = SUB + "/Microsoft.Network/virtualNetworks/corp-vnet"
OTHER_VNET = SUB + "/Microsoft.Network/virtualNetworks/other"
PE = SUB + "/Microsoft.Network/privateEndpoints/myreg-pe"
PE2 = SUB + "/Microsoft.Network/privateEndpoints/myreg-pe2"
NIC = SUB + "/Microsoft.Network/networkInterfaces/myreg-pe.nic"
LOGIN = "myreg.azurecr.io"
DATA = "myreg.westus.data.azurecr.io"
PUBLIC = "20.49.96.5"          # only ever resolved (NamedEdges), never connected to
RECORDS = [{"fqdn": LOGIN, "ipAddresses": ["10.0.0.5"]}, {"fqdn": DATA, "ipAddresses": ["10.0.0.6"]}]


def connection(pe_id, status=None):
    props = {"privateEndpoint": {"id": pe_id}}
    if status:
        props["privateLinkServiceConnectionState"] = {"status": status}
    return {"properties": props}


def private_endpoint(cloud, subnet_vnet=VNET, dns_configs=None, nic=False, pe_id=PE, status=None, **properties):
    registry = with_registry(cloud, privateEndpointConnections=[connection(pe_id, status)], **properties)
    add_endpoint(cloud, pe_id, subnet_vnet, dns_configs, nic)
    return registry


def add_endpoint(cloud, pe_id, subnet_vnet=VNET, dns_configs=None, nic=False):
    props = {"subnet": {"id": subnet_vnet + "/subnets/default"},
             "customDnsConfigs": dns_configs if dns_configs is not None else
             [{"fqdn": "localhost", "ipAddresses": ["127.0.0.1"]}]}
    if nic:
        props["networkInterfaces"] = [{"id": NIC}]
    cloud.scenario.resources[pe_id] = {"id": pe_id, "properties": props}


# ---------------------------------------------------------------- with --vnet

@pytest.mark.parametrize("vnet", ["corp-vnet", VNET, VNET.upper()])
def test_private_endpoint_dns_resolves_to_the_private_address(cloud, vnet):
    private_endpoint(cloud)
    found = outcome(run_registry(cloud, vnet=vnet), "private_endpoints")
    assert found.status is Status.PASSED
    assert found.details["records"] == [{"fqdn": "localhost", "expected": ["127.0.0.1"], "resolved": ["127.0.0.1"],
                                         "state": "private endpoint", "ok": True, "reason": None}]


def test_private_endpoint_dns_mismatch(cloud):
    private_endpoint(cloud, dns_configs=[{"fqdn": "localhost", "ipAddresses": ["10.0.0.5"]}])
    found = outcome(run_registry(cloud, vnet="corp-vnet", ignore_errors=False), "private_endpoints")
    assert (found.status, found.code) == (Status.FAILED, "PRIVATE_ENDPOINT_DNS_ERROR")
    assert "localhost resolves to 127.0.0.1 (loopback) instead of 10.0.0.5" in found.message


def test_private_endpoint_records_from_the_nic(cloud):
    private_endpoint(cloud, dns_configs=[], nic=True)
    cloud.scenario.resources[NIC] = {"properties": {"ipConfigurations": [{"properties": {
        "privateIPAddress": "10.1.0.4", "privateLinkConnectionProperties": {"fqdns": ["localhost"]}}}]}}
    found = outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "instead of 10.1.0.4" in found.message


def test_private_endpoint_in_another_vnet(cloud):
    private_endpoint(cloud, subnet_vnet=OTHER_VNET)
    found = outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "no private endpoint in virtual network" in found.message


def test_registry_without_private_endpoints(cloud):
    with_registry(cloud)
    found = outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "no private endpoints" in found.message


def test_private_endpoint_unreadable_is_a_warning(cloud):
    private_endpoint(cloud)
    cloud.scenario.resources[PE] = {"status": 403}
    found = outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints")
    assert found.status is Status.WARNING and "no permission" in found.message


def test_vnet_narrows_to_its_endpoint_and_requires_the_private_path(cloud):
    """Two endpoints in two networks: with --vnet, the names must resolve to that network's endpoint."""
    registry = private_endpoint(cloud, dns_configs=RECORDS)
    registry["properties"]["privateEndpointConnections"].append(connection(PE2))
    add_endpoint(cloud, PE2, OTHER_VNET, [{"fqdn": LOGIN, "ipAddresses": ["10.8.0.5"]},
                                          {"fqdn": DATA, "ipAddresses": ["10.8.0.6"]}])
    names = {LOGIN: ["10.8.0.5"], DATA: ["10.8.0.6"]}
    assert outcome(run_registry(cloud, vnet="other", names=names), "private_endpoints").status is Status.PASSED
    found = outcome(run_registry(cloud, vnet="corp-vnet", names=names), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "myreg.azurecr.io resolves to 10.8.0.5 instead of " \
        "10.0.0.5" in found.message
    # Without --vnet, either network's addresses are right.
    assert outcome(run_registry(cloud, names=names), "private_endpoints").status is Status.PASSED


# ---------------------------------------------------------------- without --vnet

def test_without_private_endpoints_it_passes_saying_so(cloud):
    with_registry(cloud)
    found = outcome(run_registry(cloud), "private_endpoints")
    assert found.status is Status.PASSED and found.message == "the registry has no private endpoints"


def test_every_name_resolves_to_the_endpoint(cloud):
    private_endpoint(cloud, dns_configs=RECORDS)
    found = outcome(run_registry(cloud, names={LOGIN: ["10.0.0.5"], DATA: ["10.0.0.6"]}), "private_endpoints")
    assert found.status is Status.PASSED and found.message == "2 names resolve to the private endpoint"


def test_public_resolution_is_the_public_way_in(cloud):
    private_endpoint(cloud, dns_configs=RECORDS, networkRuleSet={"defaultAction": "Deny", "ipRules": []})
    found = outcome(run_registry(cloud, names={LOGIN: [PUBLIC], DATA: [PUBLIC]}), "private_endpoints")
    assert found.status is Status.PASSED
    assert "uses the public endpoint, not the private endpoint (myreg-pe)" in found.message


def test_a_data_endpoint_missing_from_the_private_zone(cloud):
    private_endpoint(cloud, dns_configs=RECORDS, networkRuleSet={"defaultAction": "Deny", "ipRules": []})
    found = outcome(run_registry(cloud, names={LOGIN: ["10.0.0.5"], DATA: [PUBLIC]}), "private_endpoints")
    assert (found.status, found.code) == (Status.FAILED, "PRIVATE_ENDPOINT_DNS_ERROR")
    assert "myreg.westus.data.azurecr.io resolves to 20.49.96.5 (public) instead of 10.0.0.6" in found.message
    assert "while myreg.azurecr.io resolves to the private endpoint" in found.message
    assert "set myreg.westus.data.privatelink.azurecr.io to 10.0.0.6 in the privatelink.azurecr.io zone" in found.fix


def test_a_data_endpoint_leaving_the_private_network_of_an_open_registry_is_a_warning(cloud):
    private_endpoint(cloud, dns_configs=RECORDS)       # default action Allow: it works, over the internet
    results = run_registry(cloud, names={LOGIN: ["10.0.0.5"], DATA: [PUBLIC]})
    found = outcome(results, "private_endpoints")
    assert (found.status, found.code) == (Status.WARNING, "PRIVATE_ENDPOINT_DNS_ERROR")
    assert "leave the private network" in found.message


def test_a_name_without_a_record_fails_and_data_endpoints_are_not_reported_twice(cloud):
    private_endpoint(cloud, dns_configs=RECORDS, networkRuleSet={"defaultAction": "Deny", "ipRules": []},
                     dataEndpointHostNames=[DATA])
    results = run_registry(cloud, names={LOGIN: ["10.0.0.5"], DATA: []})
    found = outcome(results, "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "myreg.westus.data.azurecr.io does not resolve" in \
        found.message
    assert outcome(results, "data_endpoints").message == "skipped because Private endpoint DNS failed"


def test_a_stale_record_names_the_address_it_should_have(cloud):
    private_endpoint(cloud, dns_configs=RECORDS)
    found = outcome(run_registry(cloud, names={LOGIN: ["10.9.9.9"], DATA: ["10.9.9.10"]}), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and found.status is Status.FAILED
    assert "myreg.azurecr.io resolves to 10.9.9.9 instead of 10.0.0.5" in found.message
    assert "myreg.privatelink.azurecr.io to 10.0.0.5" in found.fix


def test_two_endpoints_in_one_network_make_routing_unreliable(cloud):
    registry = private_endpoint(cloud, dns_configs=RECORDS)
    registry["properties"]["privateEndpointConnections"].append(connection(PE2))
    add_endpoint(cloud, PE2, VNET, [{"fqdn": LOGIN, "ipAddresses": ["10.0.1.5"]},
                                    {"fqdn": DATA, "ipAddresses": ["10.0.1.6"]}])
    found = outcome(run_registry(cloud, names={LOGIN: ["10.0.0.5"], DATA: ["10.0.1.6"]}), "private_endpoints")
    assert (found.status, found.code) == (Status.WARNING, "PRIVATE_ENDPOINT_DNS_ERROR")
    assert "virtual network corp-vnet holds 2 private endpoints of the registry (myreg-pe, myreg-pe2)" in found.message
    assert "DNS routing to it is unreliable" in found.message and "one private endpoint" in found.fix
    assert found.details["sharedVnets"] == {VNET.lower(): ["myreg-pe", "myreg-pe2"]}


def test_only_approved_connections_count(cloud):
    private_endpoint(cloud, dns_configs=RECORDS, status="Pending")
    results = run_registry(cloud, names={LOGIN: [PUBLIC], DATA: [PUBLIC]})
    found = outcome(results, "private_endpoints")
    assert found.status is Status.PASSED and "no approved private endpoint (1 not approved)" in found.message
    assert PE not in cloud.paths()
    assert outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints").code == "PRIVATE_ENDPOINT_DNS_ERROR"


def test_in_vnet():
    assert in_vnet(VNET + "/subnets/a", "corp-vnet")
    assert not in_vnet(VNET + "-2/subnets/a", VNET)
    assert not in_vnet(VNET + "/subnets/a", "corp")
