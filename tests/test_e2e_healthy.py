"""The healthy path end to end, and the promise that no token reaches the output, even with --debug."""

import re

import pytest

from tests import e2e, standins

pytestmark = pytest.mark.e2e

WINDOW = 16


@pytest.fixture
def healthy(e2e_run):
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    return e2e_run


def test_healthy_registry_every_check_passes(healthy):
    result = healthy.check_health("-n", e2e.REGISTRY, "--yes", "-o", "json")

    assert result.returncode == 0, result
    body = result.body
    assert body["status"] == "passed"
    assert body["registry"] == e2e.REGISTRY
    assert [c["name"] for c in body["checks"] if c["status"] != "passed"] == [], result
    assert body["summary"]["passed"] == len(body["checks"]) >= 15
    checks = {c["name"]: c for c in body["checks"]}
    assert checks["login_server"]["details"]["loginServer"] == e2e.LOGIN_SERVER
    assert checks["login_server"]["details"]["source"] == "arm"
    assert checks["aad_token"]["details"]["tenant"] == e2e.TENANT
    assert checks["access_token"]["details"]["scope"] == "registry:catalog:*"
    assert checks["helm_version"]["message"].startswith("3.14.0") or "3.14.0" in checks["helm_version"]["message"]
    assert all(c["code"] is None for c in body["checks"])
    # Stand-ins were really run: the pull went through the docker on PATH.
    assert "pull " + standins.IMAGE in standins.calls(healthy.tools, "docker")
    # The report: one passed line per check, no failure help, the summary.
    for check in body["checks"]:
        assert "[✓] {}: ".format(check["title"]) in result.stderr
    assert "Potential solutions" not in result.stderr
    assert re.search(r"^{} passed, 0 failed in \d+\.\d s$".format(len(body["checks"])), result.stderr, re.M)
    # One registry list, one AAD token for the registry, then the registry's own endpoints in order.
    registry_calls = result.paths(e2e.LOGIN_SERVER)
    assert registry_calls == ["/v2/", "/oauth2/exchange", "/oauth2/token"], result.requests
    assert result.paths(e2e.DATA_ENDPOINT) == ["/v2/"]


def test_healthy_run_with_debug_prints_no_token(e2e_run):
    """A fresh login in the same fake cloud, so every token of the run is in its issued_tokens."""
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    e2e_run.config = "anonymous"

    result = e2e_run.check_health("-n", e2e.REGISTRY, "--yes", "--debug", "-o", "json", before=[e2e.login()])

    assert result.returncode == 0, result
    assert "cli.azure.cli.core" in result.stderr or "DEBUG" in result.stderr   # --debug really logged
    issued = {(token["kind"], token["audience"]) for token in result.issued_tokens}
    # AAD tokens for ARM (login, registry look-up) and for the registry, then the registry's own two.
    assert {("aad", "https://{}/".format(e2e.ARM_HOST)), ("aad", "https://containerregistry.azure.net"),
            ("refresh", e2e.LOGIN_SERVER), ("access", e2e.LOGIN_SERVER)} <= issued, issued
    output = "\n".join(c["stdout"] + c["stderr"] for c in result.commands)
    # Not even a piece: any 16 characters of a token's claims or signature (its header is common to all).
    seen = {output[i:i + WINDOW] for i in range(len(output) - WINDOW + 1)}
    for token in result.issued_tokens:
        secret = token["token"].split(".", 1)[-1]
        leaked = [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1) if secret[i:i + WINDOW] in seen]
        assert not leaked, "part of a {} token appears in the output: {}".format(token["kind"], leaked[0])
    assert e2e.SECRET not in result.stdout + result.stderr
