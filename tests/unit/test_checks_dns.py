"""The DNS check: every address of the login server, with its kind."""

import pytest

from azext_acrhealth.checks.dns import address_kind
from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, run_registry

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


def no_crash(results):
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED]


# ---------------------------------------------------------------- DNS

def test_dns_lists_every_address_with_its_kind(cloud):
    found = outcome(run_registry(cloud), "dns")
    assert found.details["addresses"] == [{"address": "127.0.0.1", "kind": "loopback"}]
    assert [address_kind(a) for a in ("20.1.2.3", "10.0.0.4", "::1", "fd00::1", "2603:1030::1", "x")] == \
        ["public", "private", "loopback", "private", "public", "unknown"]


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
