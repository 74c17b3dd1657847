"""The promises of README's Security section, end to end through the real az, against hostile servers,
tools and environments: tokens go only to the registry, no process outlives the command, no credential
of the proxy or of ~/.netrc shows up or goes out, nothing hostile reaches the terminal.

Each test groups its cases into one namespace batch (several az runs, one fake cloud), to stay fast.
"""

import pytest

from tests.support import e2e, listener, standins
from tests.support.e2e import Invocation

pytestmark = pytest.mark.e2e


def spare(index):
    return e2e.SPARE_REGISTRIES[index - 1] + e2e.SUFFIX


def with_spares(**overrides):
    """The fake cloud, with the spare registries known to ARM too (no data endpoint of their own)."""
    registries = [e2e.registry_resource()] + [e2e.registry_resource(name, name + e2e.SUFFIX, dataEndpointHostNames=[])
                                              for name in e2e.SPARE_REGISTRIES]
    return e2e.scenario(registries=registries, **overrides)


def bearer(realm, service):
    return 'Bearer realm="{}",service="{}"'.format(realm, service)


# ---------------------------------------------------------------- 1, 2: a token goes only to the registry

# (login server, the WWW-Authenticate header it sends exactly as written, the realm az reads from it as the
# report shows it, why it is refused). In a quoted string "\\" stands for one backslash (RFC 7230 quoted-pair).
HOSTILE_REALMS = [
    # The validator read these as hosts under the registry domain (or the registry itself); the HTTP client
    # sends to attacker.example, or to host:8443.
    (spare(1), bearer(r"https://attacker.example\\.azurecr.fake/oauth2/token", spare(1)),
     r"https://attacker.example\.azurecr.fake/oauth2/token", "backslash"),
    (spare(2), bearer(r"https://host:8443\\@{}/".format(spare(2)), spare(2)),
     # The report masks what looks like user information.
     "https://***@{}/".format(spare(2)), "backslash"),
    # The same realm, with quoted-pairs all along, as a sender may write it.
    (spare(3), bearer(r"https:\/\/attacker.example\\.azurecr.fake\/oauth2\/token", spare(3)),
     r"https://attacker.example\.azurecr.fake/oauth2/token", "backslash"),
    # Malformed: a finding, not a crash.
    (spare(4), bearer("https://[::1/oauth2/token", spare(4)), "https://[::1/oauth2/token", "not host[:port]"),
    # 'ª' becomes 'a' under NFKC: read naively, the registry's own domain.
    (spare(5), bearer("https://{}.ªzurecr.fake/oauth2/token".format(e2e.SPARE_REGISTRIES[4]), spare(5)),
     "https://{}.ªzurecr.fake/oauth2/token".format(e2e.SPARE_REGISTRIES[4]), "Unicode normalisation"),
]


def test_a_hostile_or_malformed_realm_gets_no_token_and_the_foreign_host_hears_nothing(e2e_run, tmp_path):
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    service, hosts, log = e2e.foreign_host(tmp_path, ["attacker.example", "host"])
    cloud = with_spares(per_host={server: {"challenge_header": header} for server, header, _, _ in HOSTILE_REALMS})

    runs = [Invocation(("-n", server, "--ignore-errors", "--timeout", "5", "-o", "json"))
            for server, *_ in HOSTILE_REALMS]
    results = e2e_run.check_health_runs(runs, cloud=cloud, hosts=hosts, services=[service])

    for (server, _, realm, reason), result in zip(HOSTILE_REALMS, results, strict=True):
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr
        assert result.check("challenge")["details"]["realm"] == realm, result
        assert result.check("aad_token")["status"] == "passed", result       # there was a token to leak
        refused = result.check("refresh_token")
        assert (refused["status"], refused["code"]) == ("failed", "CONNECTIVITY_REALM_ERROR"), refused
        assert reason in refused["message"] and "was not sent" in refused["message"], refused["message"]
        assert result.check("access_token")["status"] == "skipped"
        assert "CONNECTIVITY_REALM_ERROR" in result.stderr
        # The registry saw the anonymous /v2/ and nothing else.
        assert result.paths(server) == ["/v2/"], result.requests
    assert [r for r in results[0].requests if r["path"].startswith("/oauth2/")] == []
    assert listener.connections(log) == [], "a request reached the foreign host"
