"""-u/--username and -p/--password (or ACR_CHECK_HEALTH_PASSWORD), against the fake cloud's token endpoint
with Basic authentication: accepted, rejected with the cause ARM can tell, and the Entra checks skipped."""

import base64
import json
import time

import pytest

from azext_acrhealth import report
from azext_acrhealth.context import Context, Options
from azext_acrhealth.http_requests import HttpResult
from azext_acrhealth.outcome import Status
from tests.support.account import ACR_AUDIENCE, StubAccount
from tests.support.checks import outcome, registry_env, registry_json, run_checks
from tests.support.checks import run_registry as _run_registry

PASSWORD = "Adm1n-passw0rd/given+with=minus-p"
TOKEN_PASSWORD = "t0ken-passw0rd-from-the-environment"
WINDOW = 16
HANG_GUARD = 30


def run(cloud, account=None, env=None, secrets=(), **options):
    options.setdefault("registry_name", "myreg")
    start = time.monotonic()
    results = _run_registry(cloud, account=account, env=env, **options)
    assert time.monotonic() - start < HANG_GUARD
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED]
    text = json.dumps(report.summarise(list(results.values()), 0.1)) + repr(results)
    for secret in (options.get("password"), *secrets):
        if secret:
            assert not [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)
                        if secret[i:i + WINDOW] in text], "a piece of the password was reported"
    return results


@pytest.fixture
def registry(cloud):
    cloud.scenario.registries = [registry_json(cloud, adminUserEnabled=True)]
    return cloud


def basic_requests(cloud):
    return [r for r in cloud.requests if r["path"] == "/oauth2/token" and r["method"] == "GET"]


def test_the_admin_user_is_accepted_and_the_entra_checks_are_skipped(registry):
    registry.scenario.basic_users = {"myreg": PASSWORD}
    account = StubAccount(registry)
    results = run(registry, account, username="myreg", password=PASSWORD)
    found = outcome(results, "credentials")
    assert found.status is Status.PASSED, found
    assert found.message == "the admin user 'myreg': access token issued for registry:catalog:* by {}".format(
        registry.url + "/oauth2/token")
    assert (found.details["kind"], found.details["user"]) == ("admin user", "myreg")
    for name in ("aad_token", "refresh_token", "access_token"):
        skipped = outcome(results, name)
        assert skipped.status is Status.SKIPPED and "-u/--username was given" in skipped.message
    assert ACR_AUDIENCE not in account.audiences()                  # no Entra token was asked for
    assert "/oauth2/exchange" not in registry.paths()
    (request,) = basic_requests(registry)
    assert request["authorization"] == "Basic"


def test_the_password_comes_from_the_environment_variable(registry):
    registry.scenario.basic_users = {"ci-puller": TOKEN_PASSWORD}
    registry.scenario.catalog = False
    env = registry_env(registry, ACR_CHECK_HEALTH_PASSWORD=TOKEN_PASSWORD)
    found = outcome(run(registry, env=env, secrets=(TOKEN_PASSWORD,), username="ci-puller"), "credentials")
    assert found.status is Status.WARNING        # a token may pull; the catalog is not its to list
    assert "the repository-scoped token 'ci-puller'" in found.message and "does not grant listing" in found.message


def test_without_any_password_the_check_says_where_to_put_one(registry):
    found = outcome(run(registry, username="myreg"), "credentials")
    assert found.status is Status.SKIPPED and "ACR_CHECK_HEALTH_PASSWORD" in found.message
    assert basic_requests(registry) == []


def test_a_disabled_admin_user_is_the_named_cause(registry):
    registry.scenario.registries = [registry_json(registry, adminUserEnabled=False)]
    registry.scenario.basic_users = {}
    found = outcome(run(registry, username="myreg", password=PASSWORD), "credentials")
    assert (found.status, found.code) == (Status.FAILED, "CREDENTIALS_REJECTED_ERROR")
    assert "rejected the admin user 'myreg': the admin user of registry 'myreg' is disabled" in found.message
    assert "az acr update -n myreg --admin-enabled true" in found.fix


def test_an_expired_token_password_is_the_named_cause(registry):
    rid = registry_json(registry)["id"] + "/tokens/ci-puller"
    registry.scenario.resources = {rid: {"name": "ci-puller", "properties": {"status": "enabled", "credentials": {
        "passwords": [{"name": "password1", "expiry": "2025-01-31T23:59:59.9999999Z"}]}}}}
    registry.scenario.basic_users = {}
    found = outcome(run(registry, username="ci-puller", password=PASSWORD), "credentials")
    assert found.code == "CREDENTIALS_REJECTED_ERROR"
    assert "the password of token 'ci-puller' expired (the last on 2025-01-31 23:59 UTC)" in found.message
    assert found.commands == ("az acr token credential generate -n ci-puller -r myreg --password1 "
                              "--expiration-in-days 30",)


def test_without_a_login_to_azure_the_rejection_still_says_what_it_can(registry):
    registry.scenario.basic_users = {}
    account = StubAccount(registry, login_error="Please run 'az login' to setup account.")
    found = outcome(run(registry, account, username="myreg", password=PASSWORD, registry_name=None,
                        login_server=registry.netloc), "credentials")
    assert found.code == "CREDENTIALS_REJECTED_ERROR"
    assert "could not be read: not logged in to Azure" in found.message


def test_with_a_repository_every_action_is_asked_for(registry):
    registry.scenario.granted_actions = ["pull"]
    found = outcome(run(registry, username="myreg", password=PASSWORD, repository="app/web"), "credentials")
    assert (found.status, found.code) == (Status.WARNING, "REPOSITORY_PERMISSION_ERROR")
    assert "granted: pull; missing: push" in found.message


def test_the_realm_elsewhere_gets_no_password(registry):
    registry.scenario.realm = "https://evil.example/oauth2/token"
    found = outcome(run(registry, username="myreg", password=PASSWORD), "credentials")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_REALM_ERROR")
    assert "the password was not sent" in found.message
    assert basic_requests(registry) == []


def test_a_failing_token_server_is_the_access_token_error(registry):
    registry.scenario.basic = "status:503"
    found = outcome(run(registry, username="myreg", password=PASSWORD), "credentials")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_ACCESS_TOKEN_ERROR")
    assert "503" in found.message


def test_an_answer_that_quotes_the_password_is_scrubbed(registry, tmp_path):
    """A token server (or a proxy) that echoes what it got: the excerpt must not carry it back."""
    ctx = Context(Options(registry_name="myreg", username="myreg", password=PASSWORD, timeout=2),
                  account=StubAccount(registry), env=registry_env(registry))
    real_get = ctx.edges.get

    def echoing_get(url, headers=None, **kwargs):
        if "/oauth2/token" not in url:
            return real_get(url, headers=headers, **kwargs)
        body = "<html>bad request for {} with password {}</html>".format(headers["Authorization"], PASSWORD)
        return HttpResult(url, status=400, headers={"content-type": "text/html"}, body=body.encode())

    ctx.edges.get = echoing_get
    results = run_checks(ctx, only=("credentials",))
    found = outcome(results, "credentials")
    assert found.code == "CONNECTIVITY_ACCESS_TOKEN_ERROR" and "400" in found.message
    text = json.dumps(report.summarise(list(results.values()), 0.1)) + repr(results)
    encoded = base64.b64encode("myreg:{}".format(PASSWORD).encode()).decode()
    assert PASSWORD[:WINDOW] not in text and encoded[:WINDOW] not in text
    assert "with password ***" in found.message


def test_without_username_the_entra_checks_run_and_there_is_no_credentials_check(registry):
    results = run(registry)
    assert "credentials" not in results
    assert outcome(results, "access_token").status is Status.PASSED
