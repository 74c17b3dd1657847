"""Dedicated data endpoints: each one resolves and answers."""


import pytest

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


def test_no_data_endpoints_is_skipped(cloud):
    with_registry(cloud)
    found = outcome(run_registry(cloud), "data_endpoints")
    assert found.status is Status.SKIPPED and "no dedicated data endpoints" in found.message


def test_data_endpoint_reachable(cloud):
    with_registry(cloud, dataEndpointEnabled=True, dataEndpointHostNames=[cloud.netloc])
    found = outcome(run_registry(cloud), "data_endpoints")
    assert found.status is Status.PASSED and found.details["endpoints"][0]["status"] == 401


@pytest.mark.parametrize("name, words", [("127.0.0.1:9", "cannot be reached"),
                                         ("x" * 70 + ".data.azurecr.io", "is not a host name"),
                                         ("nothing-here.data.invalid", "does not resolve")])
def test_data_endpoint_unreachable(cloud, name, words):
    with_registry(cloud, dataEndpointEnabled=True, dataEndpointHostNames=[cloud.netloc, name])
    found = outcome(run_registry(cloud), "data_endpoints")
    assert (found.status, found.code) == (Status.FAILED, "DATA_ENDPOINT_ERROR") and words in found.message
