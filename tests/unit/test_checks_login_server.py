"""The login server and the registry resource, against the fake cloud's ARM."""


from azext_acrhealth.outcome import Status
from tests.support.account import StubAccount
from tests.support.checks import outcome, registry_json, run_registry
from tests.support.checks import run_bounded as run

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


# ---------------------------------------------------------------- login server

def test_login_server_given_is_used_as_is(cloud):
    found = outcome(run_registry(cloud), "login_server")
    assert found.status is Status.PASSED and found.details == {"loginServer": cloud.netloc, "source": "argument"}


def test_name_is_found_with_one_arm_call_case_insensitively(cloud):
    cloud.scenario.registries = [registry_json(cloud, "other"), registry_json(cloud, "MyReg")]
    results = run_registry(cloud, registry_name="myreg")
    found = outcome(results, "login_server")
    assert found.status is Status.PASSED
    assert found.details["source"] == "arm" and found.details["loginServer"] == cloud.netloc
    sub = cloud.scenario.subscription
    assert cloud.paths("GET").count(REGISTRY_LIST.format(sub)) == 1
    assert not any("/resources" in p for p in cloud.paths())
    assert outcome(results, "registry_resource").status is Status.PASSED


def test_name_not_found_falls_back_to_the_cloud_suffix(cloud):
    found = outcome(run_registry(cloud, registry_name="myreg"), "login_server")
    assert found.status is Status.PASSED and found.details["loginServer"] == "myreg.azurecr.io"
    assert "no registry named 'myreg'" in found.details["armLookup"]


def test_not_logged_in_falls_back_and_says_why(cloud):
    account = StubAccount(cloud, login_error="Please run 'az login' to setup account.")
    results = run_registry(cloud, account, registry_name="myreg")
    found = outcome(results, "login_server")
    # A warning that says so plainly; the Azure AD token check carries the code and the fix.
    assert found.status is Status.WARNING and found.code is None and "not logged in" in found.details["armLookup"]
    assert found.message == ("myreg.azurecr.io, guessed from the cloud's registry suffix: not logged in to Azure, "
                             "so the registry was not looked up")
    assert "(" not in found.message
    assert outcome(results, "aad_token").code == "AZURE_LOGIN_ERROR"


def test_no_permission_falls_back_and_says_why(cloud):
    cloud.scenario.arm_registries = "403"
    found = outcome(run_registry(cloud, registry_name="myreg"), "login_server")
    assert "no permission (403: AuthorizationFailed)" in found.details["armLookup"]


def test_arm_timeout_falls_back_and_says_why(cloud):
    cloud.scenario.arm_registries = "hang"
    found = outcome(run_registry(cloud, registry_name="myreg", timeout=1), "login_server")
    assert found.status is Status.PASSED and "did not answer (timeout" in found.details["armLookup"]


def test_no_suffix_and_no_registry_is_login_server_error(cloud):
    results = run_registry(cloud, StubAccount(cloud, suffix=None, cloud_name="FakeCloud"), registry_name="myreg")
    found = outcome(results, "login_server")
    assert found.status is Status.FAILED and found.code == "LOGIN_SERVER_ERROR"
    assert "FakeCloud" in found.message and "no registry named 'myreg'" in found.message
    assert outcome(results, "dns").message == "skipped because Login server failed"


def test_failed_arm_lookup_never_fails_a_given_login_server(cloud):
    cloud.scenario.arm_registries = "status:500"
    results = run_registry(cloud)
    assert outcome(results, "login_server").status is Status.PASSED
    resource = outcome(results, "registry_resource")
    assert resource.status is Status.SKIPPED and "HTTP 500" in resource.message


# ---------------------------------------------------------------- the registry's settings in one line

PE = ("/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Network/"
      "privateEndpoints/pe{}")


def test_registry_resource_sums_up_who_may_reach_the_registry(cloud):
    cloud.scenario.registries = [registry_json(
        cloud, networkRuleSet={"defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "203.0.113.0/24"},
                                                                    {"action": "Allow", "value": "198.51.100.7"}]},
        roleAssignmentMode="AbacRepositoryPermissions", dataEndpointHostNames=["myreg.westus.data.azurecr.io"],
        privateEndpointConnections=[
            {"properties": {"privateEndpoint": {"id": PE.format(1)},
                            "privateLinkServiceConnectionState": {"status": "Approved"}}},
            {"properties": {"privateEndpoint": {"id": PE.format(2)},
                            "privateLinkServiceConnectionState": {"status": "Pending"}}}])]
    found = outcome(run_registry(cloud), "registry_resource")
    assert found.status is Status.PASSED
    assert found.message == ("myreg: Premium, westus; public network access enabled, default action Deny, 2 IP "
                             "rules; ABAC repository permissions; 1 data endpoint; 1 private endpoint (1 more not "
                             "approved)")
    assert found.details["ipRules"] == ["203.0.113.0/24", "198.51.100.7"]
    assert found.details["roleAssignmentMode"] == "AbacRepositoryPermissions"
    assert found.details["privateEndpoints"] == [{"id": PE.format(1), "status": "Approved"},
                                                 {"id": PE.format(2), "status": "Pending"}]
    assert found.details["dataEndpoints"] == ["myreg.westus.data.azurecr.io"]


def test_registry_resource_with_public_access_disabled(cloud):
    cloud.scenario.registries = [registry_json(cloud, publicNetworkAccess="Disabled",
                                               roleAssignmentMode="LegacyRegistryPermissions")]
    found = outcome(run_registry(cloud), "registry_resource")
    assert found.message == ("myreg: Premium, westus; public network access disabled; RBAC registry permissions; "
                             "no data endpoints; no private endpoints")
    assert found.details["publicNetworkAccess"] == "Disabled"


def test_a_cloud_without_the_newer_api_version_gets_the_older_one(cloud):
    """The newer version carries roleAssignmentMode; a cloud that refuses it still gets its registry found."""
    cloud.scenario.registries = [registry_json(cloud)]
    cloud.scenario.arm_registries = "old_api"
    found = outcome(run_registry(cloud, registry_name="myreg"), "login_server")
    assert found.details["source"] == "arm"
    assert cloud.paths("GET").count(REGISTRY_LIST.format(cloud.scenario.subscription)) == 2


# ---------------------------------------------------------------- broken and hostile ARM

def test_hostile_arm_answers_never_crash(cloud):
    for behaviour in ("huge_body", "endless", "drip", "invalid_json", "html", "redirect_loop"):
        cloud.scenario.arm_registries = behaviour if behaviour != "invalid_json" else "status:200"
        results = run(cloud, registry_name="myreg", timeout=2)
        assert outcome(results, "login_server").details["loginServer"] == "myreg.azurecr.io"


def test_wrong_shapes_from_arm_never_crash(cloud):
    registry = registry_json(cloud, encryption=["not", "a", "dict"], privateEndpointConnections={"a": 1},
                             dataEndpointHostNames="not-a-list")
    registry["identity"] = 42
    cloud.scenario.registries = [7, None, "x", registry]
    results = run(cloud, vnet="v", timeout=2)
    assert outcome(results, "cmk").status is Status.PASSED
    assert outcome(results, "private_endpoints").code == "PRIVATE_ENDPOINT_DNS_ERROR"
    assert outcome(results, "data_endpoints").status is Status.SKIPPED
