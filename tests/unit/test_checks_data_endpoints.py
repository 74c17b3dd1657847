"""Dedicated data endpoints: each one resolves and answers."""


import pytest

from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, run_registry, with_registry
from tests.support.fakecloud import Scenario


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



def test_a_data_endpoint_behind_the_firewall_is_the_firewall_finding(make_cloud):
    """The login server lets this machine in; its data endpoint (another server here) refuses it."""
    data = make_cloud(Scenario(v2="forbidden", forbidden_ip="198.51.100.9"), host="127.0.0.2")
    cloud = make_cloud()
    with_registry(cloud, dataEndpointEnabled=True, dataEndpointHostNames=[data.netloc],
                  networkRuleSet={"defaultAction": "Deny", "ipRules": [{"value": "203.0.113.7"}]})
    results = run_registry(cloud)
    assert outcome(results, "challenge").status is Status.PASSED
    found = outcome(results, "data_endpoints")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_FORBIDDEN_ERROR")
    assert "{}/v2/ answered 403: client with IP '198.51.100.9'".format(data.url) in found.message
    assert found.commands == ("az acr network-rule add -n myreg --ip-address 198.51.100.9",)


def test_a_firewall_refusal_already_reported_on_v2_is_not_reported_again(cloud):
    with_registry(cloud, dataEndpointEnabled=True, dataEndpointHostNames=[cloud.netloc])
    cloud.scenario.v2 = "forbidden"
    results = run_registry(cloud)
    assert outcome(results, "challenge").code == "CONNECTIVITY_FORBIDDEN_ERROR"
    assert outcome(results, "data_endpoints").status is Status.PASSED
