"""Helm's own stored login for the registry (`helm registry login`), against the fake cloud: Helm's registry
configuration found where Helm looks, its refresh token or password judged as Docker's is, and the fix that
logs Helm in again the way Azure's documentation does."""

import base64
import json
import os
import time

import pytest

from azext_acrhealth.checks.helm_login import registry_config
from azext_acrhealth.context import Context, Options
from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.account import StubAccount
from tests.support.checks import outcome, registry_json, run_checks
from tests.support.fakecloud import unsigned_jwt

NULL_GUID = "00000000-0000-0000-0000-000000000000"
ADMIN_PASSWORD = "Adm1nPassw0rd+stored/in=helm"
CHECKS = ("login_server", "challenge", "helm_client", "helm_login")


def refresh_token(lifetime=3 * 3600):
    return unsigned_jwt({"jti": os.urandom(8).hex(), "sub": "stored", "grant_type": "refresh_token",
                         "exp": int(time.time() + lifetime)})


@pytest.fixture
def helm(cloud, tmp_path, bin_dir):
    """The fake cloud holding registry 'myreg', Helm 3.14 on PATH, a HOME of the test's own; returns
    (run, write the Helm registry configuration at its default place)."""
    cloud.scenario.registries = [registry_json(cloud)]
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    env = standins.env_for(bin_dir, tmp_path, REQUESTS_CA_BUNDLE=cloud.ca)
    seen = []

    def logged_in(user, secret, path=tmp_path / ".config" / "helm" / "registry" / "config.json"):
        seen.append(secret)
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {"auth": base64.b64encode("{}:{}".format(user, secret).encode()).decode()}
        path.write_text(json.dumps({"auths": {cloud.netloc: entry}}))

    def run(**variables):
        ctx = Context(Options(registry_name="myreg", timeout=2), account=StubAccount(cloud), env=dict(env, **variables),
                      cwd=str(tmp_path))
        results = run_checks(ctx, only=CHECKS)
        text = repr(results)
        assert not [s for s in seen if s.split(".", 1)[-1] in text], "a stored secret was reported"
        return outcome(results, "helm_login")

    return run, logged_in


def login_command(server):
    return ("az acr login -n myreg --expose-token --output tsv --query accessToken | helm registry login {} "
            "--username {} --password-stdin".format(server, NULL_GUID))


def test_without_a_helm_login_helm_sends_dockers_and_the_check_says_so(helm, cloud, tmp_path):
    run, _ = helm
    found = run()
    assert found.status is Status.SKIPPED
    path = tmp_path / ".config" / "helm" / "registry" / "config.json"
    assert found.message == ("helm holds no login of its own for {} in {}, so it sends Docker's (see Docker "
                             "login)".format(cloud.netloc, path))


def test_a_current_refresh_token_is_accepted(helm, cloud):
    run, logged_in = helm
    logged_in(NULL_GUID, refresh_token())
    found = run()
    assert found.status is Status.PASSED, found
    assert found.message.startswith("helm's stored login for {} (the ACR refresh token of `az acr login "
                                    "--expose-token`, in ".format(cloud.netloc))
    assert "valid for 2 h 59 min" in found.message


def test_an_expired_refresh_token_is_the_helm_code_with_helms_own_login(helm, cloud):
    # Docker's login may be fresh: Helm's is its own, and `az acr login` alone does not renew it.
    run, logged_in = helm
    logged_in(NULL_GUID, refresh_token(lifetime=-3600))
    found = run()
    assert (found.status, found.code) == (Status.FAILED, "HELM_LOGIN_EXPIRED_ERROR")
    assert "expired 60 min ago" in found.message
    assert found.commands == (login_command(cloud.netloc),)
    # Helm's entry shadows Docker's login: without it, Helm sends Docker's, which `az acr login` renews.
    assert found.fix.endswith("or remove Helm's own login (`helm registry logout {}`), so that Helm sends Docker's, "
                              "which `az acr login` renews".format(cloud.netloc))
    assert not [r for r in cloud.requests if r["path"] == "/oauth2/token"]       # an expired token is not sent


def test_a_token_about_to_expire_warns_that_pushes_will_fail(helm, cloud):
    run, logged_in = helm
    logged_in(NULL_GUID, refresh_token(lifetime=240))
    found = run()
    assert (found.status, found.code) == (Status.WARNING, "HELM_LOGIN_EXPIRED_ERROR")
    assert "pushes and pulls after that fail with 'unauthorized'" in found.message


def test_a_rejected_admin_password_names_the_cause_and_logout_for_anonymous_pull(helm, cloud):
    run, logged_in = helm
    cloud.scenario.registries = [registry_json(cloud, adminUserEnabled=True, anonymousPullEnabled=True)]
    cloud.scenario.basic_users = {"myreg": "the-current-one"}
    logged_in("myreg", ADMIN_PASSWORD)
    found = run()
    assert (found.status, found.code) == (Status.FAILED, "HELM_LOGIN_REJECTED_ERROR")
    assert "password was most likely regenerated" in found.message
    assert "helm sends the stored credential, and it fails" in found.message
    assert found.commands == ("helm registry logout {}".format(cloud.netloc), login_command(cloud.netloc))


def test_helm_registry_config_is_honoured(helm, cloud, tmp_path):
    run, logged_in = helm
    elsewhere = tmp_path / "ci" / "helm-registry.json"
    logged_in(NULL_GUID, refresh_token(lifetime=-60), path=elsewhere)
    found = run(HELM_REGISTRY_CONFIG=str(elsewhere))
    assert found.code == "HELM_LOGIN_EXPIRED_ERROR" and str(elsewhere) in found.message


def test_without_helm_the_login_is_not_looked_for(helm, bin_dir):
    run, logged_in = helm
    (bin_dir / "helm").unlink()
    logged_in(NULL_GUID, refresh_token(lifetime=-60))
    assert run().message == "Helm is not installed"


@pytest.mark.parametrize("env, platform, expected", [
    ({"HOME": "/home/u"}, "linux", "/home/u/.config/helm/registry/config.json"),
    ({"HOME": "/home/u", "XDG_CONFIG_HOME": "/xdg"}, "linux", "/xdg/helm/registry/config.json"),
    ({"HOME": "/home/u", "HELM_CONFIG_HOME": "/hc"}, "linux", "/hc/registry/config.json"),
    ({"HOME": "/Users/u"}, "darwin", "/Users/u/Library/Preferences/helm/registry/config.json"),
    ({"HOME": "/h", "APPDATA": "/appdata"}, "win32", "/appdata/helm/registry/config.json"),
    ({"HOME": "/h", "HELM_REGISTRY_CONFIG": "/r.json"}, "linux", "/r.json"),
])
def test_the_registry_configuration_is_where_helm_keeps_it(env, platform, expected):
    assert registry_config(env, platform) == expected
