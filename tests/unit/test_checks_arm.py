"""The checks that read ARM resources (checks/arm.py, registry_settings.py and their users): any shape gives an
outcome, never raises; and what goes into a command stays valid whatever ARM said."""

import json
import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth.checks import answers, registry_settings
from azext_acrhealth.checks.cmk import cmk
from azext_acrhealth.checks.data_endpoints import data_endpoints
from azext_acrhealth.checks.dns import dns
from azext_acrhealth.checks.login_server import registry_resource
from azext_acrhealth.checks.private_endpoints import private_endpoints
from azext_acrhealth.checks.replications import replications
from azext_acrhealth.checks.tokens import _repository_permissions
from azext_acrhealth.context import Context, Options
from azext_acrhealth.edges import Edges
from azext_acrhealth.http_requests import HttpResult
from azext_acrhealth.outcome import Outcome, Status
from azext_acrhealth.resolver import Resolution
from tests.support.account import StubAccount

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=10)
KEYS = ["encryption", "status", "keyVaultProperties", "identity", "privateEndpointConnections", "properties",
        "privateEndpoint", "id", "dataEndpointHostNames", "userAssignedIdentities", "clientId", "subnet",
        "customDnsConfigs", "fqdn", "ipAddresses", "networkInterfaces", "networkRuleSet", "ipRules", "value",
        "action", "defaultAction", "publicNetworkAccess", "roleAssignmentMode", "privateLinkServiceConnectionState",
        "sku", "name", "location", "loginServer", "provisioningState"]
VALUES = ["enabled", "system", "/x/subnets/a", "Disabled", "Enabled", "Deny", "Allow", "Approved", "Pending",
          "Premium", "AbacRepositoryPermissions", "LegacyRegistryPermissions", "10.0.0.0/8", "20.1.2.3",
          "203.0.113.7/33", "::1", "myregistry", "r.example", "myreg.westus.data.azurecr.io",
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
          "Microsoft.ContainerRegistry/registries/myregistry",
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
          "privateEndpoints/pe; rm -rf ~"]
SHAPED = st.recursive(st.none() | st.text(max_size=12) | st.sampled_from(VALUES),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner,
                                                                                  max_size=4),
                      max_leaves=14)
ADDRESSES = st.sampled_from([(), ("20.1.2.3",), ("10.0.0.5",), ("127.0.0.1",), ("20.1.2.3", "::1")])
CLIENT_IPS = st.sampled_from(["203.0.113.7", "10.1.2.3", "2001:db8::7", "20.1.2.3; id", "", "x" * 64])


class OfflineEdges(Edges):
    """Every ARM GET answers with a fixed shape; names resolve to fixed addresses (or not at all); nothing is
    sent: no network here."""

    def __init__(self, answer, addresses=()):
        super().__init__(1, {}, "/", StubAccount())
        self.answer = answer
        self.addresses = addresses

    def arm_get(self, path, api_version):
        return HttpResult(str(path), status=200, body=json.dumps(self.answer).encode())

    def resolve(self, host, timeout=None):
        if not self.addresses:
            return Resolution(host, error="not_found", reason="offline")
        return Resolution(host, addresses=self.addresses)

    def get(self, url, headers=None, timeout=None, max_body=None):
        return HttpResult(url, error="connect", reason="offline")


def offline(answer, addresses=(), **options):
    options.setdefault("login_server", "r.example")
    return Context(Options(timeout=1, **options), account=StubAccount(), env={},
                   edges=OfflineEdges(answer, addresses))


def resource_handoff(ctx, registry):
    """What the registry_resource check hands on for this ARM shape (it must pass for any dict)."""
    found = registry_resource(ctx, {"login_server": {"login_server": "r.example", "looked_up": True,
                                                     "registry": registry}})
    assert found.status is Status.PASSED
    return found.handoff


@settings(max_examples=500, deadline=None)
@given(SHAPED | JSON, SHAPED | JSON, ADDRESSES, st.sampled_from([None, "v"]))
def test_any_registry_shape_gives_an_outcome(registry, answer, addresses, vnet):
    ctx = offline(answer, addresses, vnet=vnet)
    registry = registry if isinstance(registry, dict) and registry else {"properties": registry}
    given_ = {"registry_resource": resource_handoff(ctx, registry), "login_server": {"login_server": "r.example"}}
    for check in (cmk, private_endpoints, data_endpoints, replications, dns):
        assert isinstance(check(ctx, given_), Outcome)


@settings(max_examples=300, deadline=None)
@given(SHAPED | JSON, CLIENT_IPS, st.sampled_from([None, "http://127.0.0.1:3128"]))
def test_any_registry_shape_reads_a_firewall_refusal_with_valid_commands(registry, client_ip, proxy):
    ctx = offline(None, registry_name="myregistry")
    registry = registry if isinstance(registry, dict) and registry else {"properties": registry}
    given_ = {"registry_resource": resource_handoff(ctx, registry)}
    body = json.dumps({"errors": [{"code": "DENIED", "message": "client with IP '{}' is not allowed access. Refer "
                                   "https://aka.ms/acr/firewall to grant access.".format(client_ip)}]})
    res = HttpResult("https://myregistry.azurecr.io/oauth2/token", status=403, body=body.encode(), proxy=proxy)
    found = answers.refusal(res, "CONNECTIVITY_ACCESS_TOKEN_ERROR", "the access token",
                            network=answers.network(ctx, given_))
    assert found.code == "CONNECTIVITY_FORBIDDEN_ERROR"
    name = given_["registry_resource"]["settings"].name or "myregistry"
    for command in found.commands:
        words = shlex.split(command)
        assert words[:2] == ["az", "acr"] and words[words.index("-n") + 1] == name
        if "--ip-address" in words:
            assert words[words.index("--ip-address") + 1] == client_ip


@settings(max_examples=300, deadline=None)
@given(SHAPED | JSON, st.sampled_from([None, ("6f1c0000-0000-4000-8000-000000000001", "User"),
                                       ("x; rm -rf ~", "ServicePrincipal"), ("6f1c0000-0000-4000-8000-00000000000",
                                                                             "App")]),
       st.lists(st.sampled_from(["pull", "push", "metadata_read", "metadata_write", "delete"]), max_size=4))
def test_any_registry_shape_gives_a_permission_finding_with_valid_commands(registry, principal, granted):
    registry = registry if isinstance(registry, dict) and registry else {"properties": registry}
    settings_ = registry_settings.read(registry)
    claims = {"access": [{"type": "repository", "name": "app", "actions": granted}]}
    found = _repository_permissions(claims, "app", {}, settings_, principal)
    assert isinstance(found, Outcome)
    for command in found.commands:
        words = shlex.split(command)
        assert words[:4] == ["az", "role", "assignment", "create"]
        assert words[words.index("--assignee-object-id") + 1] == principal[0]
        assert words[words.index("--scope") + 1] == settings_.resource_id
