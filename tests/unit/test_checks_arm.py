"""The checks that read ARM resources (checks/arm.py and its users): any shape gives an outcome, never raises."""

from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth.checks.cmk import cmk
from azext_acrhealth.checks.data_endpoints import data_endpoints
from azext_acrhealth.checks.private_endpoints import private_endpoints
from azext_acrhealth.context import Context, Options
from azext_acrhealth.edges import Edges
from azext_acrhealth.http_requests import HttpResult
from azext_acrhealth.outcome import Outcome
from azext_acrhealth.resolver import Resolution
from tests.support.account import StubAccount

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=10)
KEYS = ["encryption", "status", "keyVaultProperties", "identity", "privateEndpointConnections", "properties",
        "privateEndpoint", "id", "dataEndpointHostNames", "userAssignedIdentities", "clientId", "subnet",
        "customDnsConfigs", "fqdn", "ipAddresses", "networkInterfaces"]
SHAPED = st.recursive(st.none() | st.text(max_size=12) | st.sampled_from(["enabled", "system", "/x/subnets/a"]),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner,
                                                                                  max_size=4),
                      max_leaves=14)


class OfflineEdges(Edges):
    """Every ARM GET answers with a fixed shape; names never resolve; nothing is sent: no network here."""

    def __init__(self, answer):
        super().__init__(1, {}, "/", StubAccount())
        self.answer = answer

    def arm_get(self, path, api_version):
        import json
        return HttpResult(str(path), status=200, body=json.dumps(self.answer).encode())

    def resolve(self, host, timeout=None):
        return Resolution(host, error="not_found", reason="offline")

    def get(self, url, headers=None, timeout=None, max_body=None):
        return HttpResult(url, error="connect", reason="offline")


@settings(max_examples=500, deadline=None)
@given(SHAPED | JSON, SHAPED | JSON)
def test_any_registry_shape_gives_an_outcome(registry, answer):
    ctx = Context(Options(login_server="r.example", vnet="v", timeout=1), account=StubAccount(), env={},
                  edges=OfflineEdges(answer))
    # registry_resource hands on a dict: whatever ARM said is under it.
    given = {"registry_resource": {"registry": registry if isinstance(registry, dict) else {"properties": registry}}}
    for check in (cmk, private_endpoints, data_endpoints):
        assert isinstance(check(ctx, given), Outcome)
