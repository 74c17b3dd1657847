"""The customer-managed key check against ARM resources served by the fake cloud."""


import pytest

from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, run_registry, with_registry

SUB = "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers"
IDENTITY = SUB + "/Microsoft.ManagedIdentity/userAssignedIdentities/cmk-id"
CLIENT_ID = "aaaaaaaa-0000-0000-0000-0000000000c1"


def encrypted(cloud, client_id=CLIENT_ID, assigned=None):
    registry = with_registry(cloud, encryption={"status": "enabled", "keyVaultProperties": {
        "identity": client_id, "keyIdentifier": "https://kv.vault.azure.net/keys/k/1"}})
    registry["identity"] = {"type": "UserAssigned", "userAssignedIdentities": assigned if assigned is not None else
                            {IDENTITY: {"clientId": CLIENT_ID, "principalId": "p"}}}
    return registry


def test_no_customer_managed_key(cloud):
    with_registry(cloud)
    found = outcome(run_registry(cloud), "cmk")
    assert found.status is Status.PASSED and "not encrypted" in found.message


def test_no_arm_data_skips_cmk(cloud):
    results = run_registry(cloud)
    assert outcome(results, "registry_resource").status is Status.SKIPPED
    assert outcome(results, "cmk").message == "skipped because Registry resource did not run"


def test_cmk_identity_exists(cloud):
    encrypted(cloud)
    cloud.scenario.resources = {IDENTITY: {"id": IDENTITY, "properties": {"clientId": CLIENT_ID}}}
    found = outcome(run_registry(cloud), "cmk")
    assert found.status is Status.PASSED and found.details["identityId"] == IDENTITY
    assert IDENTITY in cloud.paths("GET")


def test_cmk_identity_deleted_is_cmk_error(cloud):
    encrypted(cloud)
    cloud.scenario.resources = {IDENTITY: {"status": 404}}
    found = outcome(run_registry(cloud, registry_name="myreg"), "cmk")
    assert (found.status, found.code) == (Status.FAILED, "CMK_ERROR") and "does not exist" in found.message


@pytest.mark.parametrize("answer, words", [({"status": 403}, "no permission"), ({"behaviour": "hang"}, "timeout")])
def test_cmk_identity_unreadable_is_a_warning_not_a_claim(cloud, answer, words):
    encrypted(cloud)
    cloud.scenario.resources = {IDENTITY: answer}
    found = outcome(run_registry(cloud, timeout=1), "cmk")
    assert found.status is Status.WARNING and found.code is None
    assert "could not read identity" in found.message and words in found.message


def test_cmk_identity_not_assigned_is_cmk_error(cloud):
    encrypted(cloud, assigned={})
    found = outcome(run_registry(cloud), "cmk")
    assert found.code == "CMK_ERROR" and "not assigned" in found.message
