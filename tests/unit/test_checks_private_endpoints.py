"""Private endpoint DNS (--vnet) against ARM resources served by the fake cloud, names resolved here."""


import pytest

from azext_acrhealth.checks.private_endpoints import in_vnet
from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, registry_json, run_registry

SUB = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers"
IDENTITY = SUB + "/Microsoft.ManagedIdentity/userAssignedIdentities/cmk-id"
CLIENT_ID = "aaaaaaaa-0000-0000-0000-0000000000c1"
VNET = SUB + "/Microsoft.Network/virtualNetworks/corp-vnet"
PE = SUB + "/Microsoft.Network/privateEndpoints/myreg-pe"
NIC = SUB + "/Microsoft.Network/networkInterfaces/myreg-pe.nic"


def with_registry(cloud, **properties):
    registry = registry_json(cloud, **properties)
    cloud.scenario.registries = [registry]
    return registry


def encrypted(cloud, client_id=CLIENT_ID, assigned=None):
    registry = with_registry(cloud, encryption={"status": "enabled", "keyVaultProperties": {
        "identity": client_id, "keyIdentifier": "https://kv.vault.azure.net/keys/k/1"}})
    registry["identity"] = {"type": "UserAssigned", "userAssignedIdentities": assigned if assigned is not None else
                            {IDENTITY: {"clientId": CLIENT_ID, "principalId": "p"}}}
    return registry


def private_endpoint(cloud, subnet_vnet=VNET, dns_configs=None, nic=False):
    with_registry(cloud, privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": PE}}}])
    props = {"subnet": {"id": subnet_vnet + "/subnets/default"},
             "customDnsConfigs": dns_configs if dns_configs is not None else
             [{"fqdn": "localhost", "ipAddresses": ["127.0.0.1"]}]}
    if nic:
        props["networkInterfaces"] = [{"id": NIC}]
    cloud.scenario.resources[PE] = {"id": PE, "properties": props}


@pytest.mark.parametrize("vnet", ["corp-vnet", VNET, VNET.upper()])
def test_private_endpoint_dns_resolves_to_the_private_address(cloud, vnet):
    private_endpoint(cloud)
    found = outcome(run_registry(cloud, vnet=vnet), "private_endpoints")
    assert found.status is Status.PASSED
    assert found.details["records"] == [{"fqdn": "localhost", "expected": ["127.0.0.1"], "resolved": ["127.0.0.1"],
                                         "ok": True}]


def test_private_endpoint_dns_mismatch(cloud):
    private_endpoint(cloud, dns_configs=[{"fqdn": "localhost", "ipAddresses": ["10.0.0.5"]}])
    found = outcome(run_registry(cloud, vnet="corp-vnet", ignore_errors=False), "private_endpoints")
    assert (found.status, found.code) == (Status.FAILED, "PRIVATE_ENDPOINT_DNS_ERROR")
    assert "localhost resolves to 127.0.0.1 instead of 10.0.0.5" in found.message


def test_private_endpoint_records_from_the_nic(cloud):
    private_endpoint(cloud, dns_configs=[], nic=True)
    cloud.scenario.resources[NIC] = {"properties": {"ipConfigurations": [{"properties": {
        "privateIPAddress": "10.1.0.4", "privateLinkConnectionProperties": {"fqdns": ["localhost"]}}}]}}
    found = outcome(run_registry(cloud, vnet="corp-vnet"), "private_endpoints")
    assert found.code == "PRIVATE_ENDPOINT_DNS_ERROR" and "instead of 10.1.0.4" in found.message


def test_private_endpoint_in_another_vnet(cloud):
    private_endpoint(cloud, subnet_vnet=SUB + "/Microsoft.Network/virtualNetworks/other")
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


def test_private_endpoints_only_with_vnet(cloud):
    assert "private_endpoints" not in run_registry(cloud)


def test_in_vnet():
    assert in_vnet(VNET + "/subnets/a", "corp-vnet")
    assert not in_vnet(VNET + "-2/subnets/a", VNET)
    assert not in_vnet(VNET + "/subnets/a", "corp")
