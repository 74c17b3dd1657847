"""The DNS check: every address of the login server, with its kind."""

import pytest

from azext_acrhealth.checks.dns import address_kind
from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, registry_env, registry_json, run_registry

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


def no_crash(results):
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED]


# ---------------------------------------------------------------- DNS

def test_dns_lists_every_address_with_its_kind(cloud):
    found = outcome(run_registry(cloud), "dns")
    assert found.details["addresses"] == [{"address": "127.0.0.1", "kind": "loopback"}]
    assert [address_kind(a) for a in ("20.1.2.3", "10.0.0.4", "::1", "fd00::1", "2603:1030::1", "x")] == \
        ["public", "private", "loopback", "private", "public", "unknown"]
    # A virtual network in the shared address space gives its private endpoints such addresses.
    assert [address_kind(a) for a in ("100.64.0.4", "100.127.255.1", "100.128.0.1", "::ffff:100.64.0.4",
                                       "::ffff:20.1.2.3")] == ["private", "private", "public", "private", "public"]


@pytest.mark.parametrize("server, error", [("a" * 70 + ".example", "invalid"),
                                           ("nothing-here.invalid", "not_found"),
                                           ("bad name.example:443", None)])
def test_dns_failure_is_dns_error(cloud, server, error):
    results = run_registry(cloud, login_server=server)
    no_crash(results)
    found = outcome(results, "dns")
    assert found.status is Status.FAILED and found.code == "CONNECTIVITY_DNS_ERROR"
    assert error is None or found.details["error"] == error
    assert outcome(results, "challenge").status is Status.SKIPPED


# ---------------------------------------------------------------- public network access disabled

PUBLIC = "20.49.96.5"          # only ever resolved (NamedEdges), never connected to
DATA = "myreg.westus.data.azurecr.io"
PE = ("/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Network/"
      "privateEndpoints/myreg-pe")


def registry(cloud, **properties):
    cloud.scenario.registries = [registry_json(cloud, **properties)]


def test_public_access_disabled_and_a_public_answer_here_is_refused_before_any_request(cloud):
    registry(cloud, publicNetworkAccess="Disabled")
    results = run_registry(cloud, registry_name="myreg", names={"127.0.0.1": [PUBLIC]})
    found = outcome(results, "dns")
    assert (found.status, found.code) == (Status.FAILED, "PUBLIC_ACCESS_DISABLED_ERROR")
    assert "public network access to the registry is disabled, and here 127.0.0.1 resolves to 20.49.96.5, a " \
        "public address" in found.message
    # No private endpoint either: the only ways in are a new endpoint or public access for selected networks.
    assert "no approved private endpoint" in found.fix
    assert found.commands == ("az acr update -n myreg --public-network-enabled true --default-action Deny",)
    assert outcome(results, "challenge").message == "skipped because DNS lookup failed"
    assert "/v2/" not in cloud.paths()


def test_outside_the_private_network_names_the_endpoint_and_the_zone(cloud):
    registry(cloud, publicNetworkAccess="Disabled",
             privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": PE}}}])
    found = outcome(run_registry(cloud, names={"127.0.0.1": [PUBLIC]}), "dns")
    assert found.code == "PUBLIC_ACCESS_DISABLED_ERROR" and found.commands == ()
    assert "outside the registry's private network, or its DNS server does not answer from the " \
        "privatelink.azurecr.io zone" in found.fix
    assert "private endpoint (myreg-pe)" in found.fix and "168.63.129.16" in found.fix


def test_a_data_endpoint_missing_from_the_private_zone_is_named(cloud):
    registry(cloud, publicNetworkAccess="Disabled", dataEndpointHostNames=[DATA],
             privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": PE}}}])
    found = outcome(run_registry(cloud, names={"127.0.0.1": ["10.0.0.5"], DATA: [PUBLIC]}), "dns")
    assert found.code == "PUBLIC_ACCESS_DISABLED_ERROR"
    assert "myreg.westus.data.azurecr.io resolves to 20.49.96.5" in found.message
    assert "resolves 127.0.0.1 privately but not myreg.westus.data.azurecr.io" in found.fix
    assert "myreg.westus.data.privatelink.azurecr.io" in found.fix
    assert found.details["names"] == [{"host": "127.0.0.1", "resolved": ["10.0.0.5"], "public": False},
                                      {"host": DATA, "resolved": [PUBLIC], "public": True}]


@pytest.mark.parametrize("access, names", [("Enabled", {"127.0.0.1": [PUBLIC]}),
                                           ("Disabled", {"127.0.0.1": ["10.0.0.5"]}),
                                           # a virtual network in the shared address space (RFC 6598)
                                           ("Disabled", {"127.0.0.1": ["100.64.0.5"]}),
                                           ("Disabled", None)])
def test_a_public_answer_matters_only_when_public_access_is_disabled(cloud, access, names):
    registry(cloud, publicNetworkAccess=access)
    assert outcome(run_registry(cloud, names=names), "dns").status is Status.PASSED


def test_behind_a_proxy_the_proxy_resolves_the_names(cloud):
    registry(cloud, publicNetworkAccess="Disabled")
    env = registry_env(cloud, HTTPS_PROXY="http://127.0.0.1:9")
    found = outcome(run_registry(cloud, env=env, names={"127.0.0.1": [PUBLIC]}), "dns")
    assert found.status is Status.PASSED


def test_a_name_that_does_not_resolve_points_at_the_private_zone_when_there_are_endpoints(cloud):
    registry(cloud, loginServer="myreg.azurecr.io",
             privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": PE}}}])
    found = outcome(run_registry(cloud, registry_name="myreg", names={"myreg.azurecr.io": []}), "dns")
    assert found.code == "CONNECTIVITY_DNS_ERROR"
    assert "that zone lacks the record myreg.privatelink.azurecr.io" in found.fix
