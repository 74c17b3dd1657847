"""The registry's replicas, read from the fake cloud's ARM: one request, only for Premium registries."""

from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, registry_json, run_registry


def with_replicas(cloud, value, sku="Premium"):
    registry = registry_json(cloud)
    registry["sku"] = {"name": sku}
    cloud.scenario.registries = [registry]
    if value is not None:
        cloud.scenario.resources[registry["id"] + "/replications"] = value
    return registry


def replica(location, state="Succeeded", status="Ready"):
    return {"location": location, "properties": {"provisioningState": state, "status": {"displayStatus": status}}}


def test_replicas_are_listed_with_their_state(cloud):
    with_replicas(cloud, {"value": [replica("westus"), replica("eastus")]})
    found = outcome(run_registry(cloud), "replications")
    assert found.status is Status.PASSED and found.message == "2 replicas: westus (Ready), eastus (Ready)"
    assert found.details["replications"][1] == {"location": "eastus", "provisioningState": "Succeeded",
                                                "status": "Ready"}


def test_a_replica_that_is_not_ready_is_a_warning(cloud):
    with_replicas(cloud, {"value": [replica("westus"), replica("eastus", "Failed", "Failed")]})
    found = outcome(run_registry(cloud), "replications")
    assert found.status is Status.WARNING and "not ready: eastus" in found.message


def test_no_replicas(cloud):
    with_replicas(cloud, None)
    found = outcome(run_registry(cloud), "replications")
    assert found.status is Status.PASSED and found.message == "none: the registry is served from westus only"


def test_below_premium_no_request_is_made(cloud):
    registry = with_replicas(cloud, None, sku="Standard")
    found = outcome(run_registry(cloud), "replications")
    assert found.status is Status.PASSED and "needs the Premium SKU; this registry is Standard" in found.message
    assert registry["id"] + "/replications" not in cloud.paths()


def test_replicas_not_readable_are_skipped_and_nothing_stops(cloud):
    registry = with_replicas(cloud, {"status": 403})
    results = run_registry(cloud, ignore_errors=False)
    found = outcome(results, "replications")
    assert found.status is Status.SKIPPED and "no permission" in found.message
    assert registry["id"] + "/replications" in cloud.paths()
