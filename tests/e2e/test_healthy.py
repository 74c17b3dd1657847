"""The healthy path end to end, and the promise that no token reaches the output, even with --debug."""

import json
import re
from pathlib import Path

import pytest

from tests.support import e2e, standins

pytestmark = pytest.mark.e2e

WINDOW = 16


@pytest.fixture
def healthy(healthy_run):
    return healthy_run


def test_healthy_registry_every_check_passes(healthy):
    # Helm logged in as Azure's documentation does it: the user 00000000-... and a refresh token.
    helm = healthy.home / ".config" / "helm" / "registry"
    helm.mkdir(parents=True)
    (helm / "config.json").write_text(json.dumps(e2e.docker_logged_in()))
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
    # One registry list, one AAD token for the registry, then the registry's own endpoints in order; and
    # one token request with docker's stored login and one with Helm's, once /v2/ has named the realm.
    registry_calls = result.paths(e2e.LOGIN_SERVER)
    assert sorted(registry_calls) == ["/oauth2/exchange", "/oauth2/token", "/oauth2/token", "/oauth2/token",
                                      "/v2/"], result.requests
    assert registry_calls[0] == "/v2/"
    assert "is accepted by" in checks["docker_login"]["message"]
    assert checks["helm_login"]["message"].startswith("helm's stored login for {} (the ACR refresh token".format(
        e2e.LOGIN_SERVER))
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


def _files(folder):
    """Every file under folder (relative paths), with its size and modification time."""
    folder = Path(folder)
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()} if folder.exists() else {}


def _changed(before, after):
    return {name for name in after if before.get(name) != after[name]}


def _kind(name):
    """azure-cli names its per-command logs by time and pid: compare their folder, not their names."""
    return name.split("/", 1)[0] + "/*" if "/" in name else name


def test_nothing_is_written_but_what_azure_cli_itself_writes(healthy):
    tmp = healthy.folder / "tmp"
    tmp.mkdir()
    healthy.extra_env["TMPDIR"] = str(tmp)
    home, config = healthy.home, healthy._config
    before_home, before_config = _files(home), _files(config)
    # What az itself writes, on a command that also acquires a registry token (output discarded).
    env = healthy.env()
    report = healthy.session.batch(healthy.folder / "baseline", [(["account", "get-access-token", "--resource",
                                   "https://containerregistry.azure.net", "-o", "none"], env)], e2e.scenario())
    assert report["commands"][0]["returncode"] == 0, report["commands"][0]["stderr"]
    baseline = {_kind(n) for n in _changed(before_config, _files(config))}
    # Then ours, on the same configuration.
    ours_before = _files(config)
    result = healthy.check_health("-n", e2e.REGISTRY, "--yes", "-o", "none")
    assert result.returncode == 0, result
    ours = {_kind(n) for n in _changed(ours_before, _files(config))}
    assert ours <= baseline, "files written by our command only: {}".format(ours - baseline)
    assert _files(home) == before_home, "HOME changed"
    assert _files(tmp) == {}, "temporary files left behind"
