"""Docker's stored login for the registry, against the fake cloud: config files with each kind of entry,
real stand-in credential helpers on the test's PATH, the realm accepting or refusing the credential,
and the registry's resource telling why."""

import base64
import json
import os
import time

import pytest
from hypothesis import given, settings

from azext_acrhealth import report
from azext_acrhealth.context import Context, Options
from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.account import StubAccount
from tests.support.checks import outcome, registry_json, run_checks
from tests.support.fakecloud import unsigned_jwt
from tests.support.strategies import keyed_json

HANG_GUARD = 30     # seconds: generous; only catches a hang, never measures speed
NULL_GUID = "00000000-0000-0000-0000-000000000000"
ADMIN_PASSWORD = "Adm1nPassw0rd+stored/in=docker"
TOKEN_PASSWORD = "t0kenPassw0rd-stored-in-docker-helper"
SP_SECRET = "sp~Secret.value_stored_in_docker_config"
WINDOW = 16
CHECKS = ("docker_client", "docker_credentials", "docker_login")


def refresh_token(lifetime=3 * 3600):
    return unsigned_jwt({"jti": os.urandom(8).hex(), "sub": "stored", "grant_type": "refresh_token",
                         "exp": int(time.time() + lifetime)})


def auth(user, secret):
    return {"auth": base64.b64encode("{}:{}".format(user, secret).encode()).decode()}


@pytest.fixture
def world(cloud, tmp_path, bin_dir):
    """The fake cloud holding registry 'myreg' (its login server is the cloud), a working docker on PATH,
    a HOME of the test's own."""
    cloud.scenario.registries = [registry_json(cloud)]
    standins.write_docker(bin_dir, "ok")
    return World(cloud, tmp_path, bin_dir)


class World:
    def __init__(self, cloud, home, bin_dir):
        self.cloud, self.home, self.bin = cloud, home, bin_dir
        self.env = standins.env_for(bin_dir, home, REQUESTS_CA_BUNDLE=cloud.ca)
        self.secrets = []

    @property
    def server(self):
        return self.cloud.netloc

    def config(self, content, path=None):
        path = path or self.home / ".docker" / "config.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(content))

    def logged_in(self, user, secret, key=None):
        self.secrets.append(secret)
        self.config({"auths": {key or self.server: auth(user, secret)}})

    def registry(self, **properties):
        self.cloud.scenario.registries = [registry_json(self.cloud, **properties)]

    def run(self, cwd=None, **options):
        options.setdefault("registry_name", "myreg")
        options.setdefault("timeout", 2)
        ctx = Context(Options(**options), account=StubAccount(self.cloud), env=self.env, cwd=str(cwd or self.home))
        start = time.monotonic()
        results = run_checks(ctx, only=CHECKS)
        assert time.monotonic() - start < HANG_GUARD
        assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED], results
        self.assert_no_secret(results)
        return outcome(results, "docker_login")

    def assert_no_secret(self, results):
        """Not a piece of any stored secret in the report, the JSON or the outcomes' repr."""
        body = report.summarise(list(results.values()), 0.1, registry="myreg")
        text = json.dumps(body) + repr(results)
        for secret in self.secrets:
            secret = secret.split(".", 1)[-1]      # a JWT's header is common to every token
            pieces = [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)]
            assert not [p for p in pieces if p in text], "a piece of a stored secret was reported"

    def token_requests(self):
        return [r for r in self.cloud.requests if r["path"] == "/oauth2/token"]


# ---------------------------------------------------------------- no entry

def test_not_logged_in_is_a_warning_with_the_login_command(world):
    found = world.run()
    assert found.status is Status.WARNING
    assert found.message.startswith("docker is not logged in to this registry")
    assert found.commands == ("az acr login -n myreg",)
    assert world.token_requests() == []


def test_not_logged_in_to_a_registry_that_allows_anonymous_pull_passes(world):
    world.registry(anonymousPullEnabled=True)
    found = world.run()
    assert found.status is Status.PASSED and "allows anonymous pull" in found.message


def test_an_entry_for_another_registry_is_not_a_login(world):
    world.logged_in(NULL_GUID, refresh_token(), key="other.azurecr.io")
    assert world.run().status is Status.WARNING


# ---------------------------------------------------------------- the refresh token of `az acr login`

def test_a_current_refresh_token_is_accepted_by_the_realm(world):
    world.logged_in(NULL_GUID, refresh_token())
    found = world.run()
    assert found.status is Status.PASSED, found
    assert "(the ACR refresh token of `az acr login`, in " in found.message
    assert "valid for 2 h 59 min" in found.message
    (request,) = world.token_requests()
    assert (request["method"], request["form"]) == ("POST", ["grant_type", "refresh_token", "scope", "service"])
    assert found.details["kind"] == "refresh token" and found.details["storedIn"].endswith("config.json")


def test_an_expired_refresh_token_fails_without_being_sent(world):
    world.logged_in(NULL_GUID, refresh_token(lifetime=-600))
    found = world.run()
    assert (found.status, found.code) == (Status.FAILED, "DOCKER_LOGIN_EXPIRED_ERROR")
    assert "expired 10 min ago" in found.message
    assert found.commands == ("az acr login -n myreg",)
    assert world.token_requests() == []


def test_a_refresh_token_about_to_expire_is_a_warning(world):
    world.logged_in(NULL_GUID, refresh_token(lifetime=240))
    found = world.run()
    assert (found.status, found.code) == (Status.WARNING, "DOCKER_LOGIN_EXPIRED_ERROR")
    assert "expires in" in found.message and found.commands == ("az acr login -n myreg",)


def test_a_refresh_token_the_registry_refuses_is_rejected_with_the_fix(world):
    world.cloud.scenario.stored_token = "401"
    world.logged_in(NULL_GUID, refresh_token())
    found = world.run()
    assert (found.status, found.code) == (Status.FAILED, "DOCKER_LOGIN_REJECTED_ERROR")
    assert "the ACR refresh token of `az acr login`" in found.message and "(401)" in found.message
    assert found.commands == ("az acr login -n myreg",)


def test_an_identity_token_is_sent_as_a_refresh_token(world):
    token = refresh_token()
    world.config({"auths": {world.server: {"auth": "", "identitytoken": token}}})
    world.secrets.append(token)
    found = world.run()
    assert found.status is Status.PASSED and "identity token" in found.message
    assert world.token_requests()[0]["method"] == "POST"


def test_a_stale_credential_with_anonymous_pull_says_docker_sends_it_and_fails(world):
    world.registry(anonymousPullEnabled=True)
    world.logged_in(NULL_GUID, refresh_token(lifetime=-60))
    found = world.run()
    assert found.code == "DOCKER_LOGIN_EXPIRED_ERROR"
    assert "allows anonymous pull, but docker sends the stored credential, and it fails" in found.message
    assert found.commands == ("docker logout {}".format(world.server), "az acr login -n myreg")


# ---------------------------------------------------------------- user name and password: Basic at the realm

def test_the_admin_user_is_sent_with_basic_authentication(world):
    world.cloud.scenario.basic_users = {"myreg": ADMIN_PASSWORD}
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert found.status is Status.PASSED and "the admin user 'myreg'" in found.message
    (request,) = world.token_requests()
    assert (request["method"], request["authorization"], request["form"]) == ("GET", "Basic", [])


def test_a_disabled_admin_user_is_named(world):
    world.registry(adminUserEnabled=False)
    world.cloud.scenario.basic_users = {}
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert (found.status, found.code) == (Status.FAILED, "DOCKER_LOGIN_REJECTED_ERROR")
    assert "the admin user 'myreg'" in found.message and "admin user of registry 'myreg' is disabled" in found.message
    assert found.commands == ("az acr login -n myreg",)


def test_an_enabled_admin_user_that_is_refused_had_its_password_regenerated(world):
    world.registry(adminUserEnabled=True)
    world.cloud.scenario.basic_users = {"myreg": "the-new-password"}
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert "regenerated" in found.message and "az acr credential show -n myreg" in found.fix


def token_resource(cloud, name, status="enabled", expiries=("2099-01-01T00:00:00.0000000Z",)):
    rid = registry_json(cloud)["id"] + "/tokens/" + name
    return rid, {"id": rid, "name": name, "properties": {
        "status": status, "scopeMapId": registry_json(cloud)["id"] + "/scopeMaps/_repositories_pull",
        "credentials": {"certificates": [], "passwords": [
            {"name": "password{}".format(i + 1), "creationTime": "2024-01-01T00:00:00Z", "expiry": e}
            for i, e in enumerate(expiries)]}}}


@pytest.mark.parametrize("state, expected, command", [
    ({"status": "disabled"}, "token 'ci-puller' is disabled",
     "az acr token update -n ci-puller -r myreg --status enabled"),
    ({"expiries": ("2024-02-01T10:00:00.1234567Z", "2024-03-01T10:00:00Z")},
     "the passwords of token 'ci-puller' expired (the last on 2024-03-01 10:00 UTC)",
     "az acr token credential generate -n ci-puller -r myreg --password1 --expiration-in-days 30"),
    ({}, "not current", "az acr token credential generate -n ci-puller -r myreg --password1 --expiration-in-days 30"),
])
def test_a_refused_token_is_explained_from_its_resource(world, state, expected, command):
    rid, resource = token_resource(world.cloud, "ci-puller", **state)
    world.cloud.scenario.resources = {rid: resource}
    world.cloud.scenario.basic_users = {}
    world.logged_in("ci-puller", TOKEN_PASSWORD)
    found = world.run()
    assert found.code == "DOCKER_LOGIN_REJECTED_ERROR"
    assert "the repository-scoped token 'ci-puller'" in found.message and expected in found.message
    assert found.commands == (command, "az acr login -n myreg")
    assert rid in world.cloud.paths("GET")


@pytest.mark.parametrize("passwords", [True, 3, "password1"])
def test_a_token_resource_whose_passwords_are_no_list_is_read_as_having_none(world, passwords):
    # ARM's answer is untrusted too: a field of the wrong type means no passwords, not a crash.
    rid, resource = token_resource(world.cloud, "ci-puller")
    resource["properties"]["credentials"]["passwords"] = passwords
    world.cloud.scenario.resources = {rid: resource}
    world.cloud.scenario.basic_users = {}
    world.logged_in("ci-puller", TOKEN_PASSWORD)
    found = world.run()          # run() fails on a crashed check
    assert found.code == "DOCKER_LOGIN_REJECTED_ERROR" and "token 'ci-puller' has no password" in found.message


@pytest.mark.parametrize("status, expected", [(404, "has no token named 'ci-puller'"),
                                              (403, "its resource could not be read: no permission")])
def test_a_token_arm_cannot_show_is_reported_gracefully(world, status, expected):
    rid, _ = token_resource(world.cloud, "ci-puller")
    world.cloud.scenario.resources = {rid: {"status": status}}
    world.cloud.scenario.basic_users = {}
    world.logged_in("ci-puller", TOKEN_PASSWORD)
    found = world.run()
    assert found.code == "DOCKER_LOGIN_REJECTED_ERROR" and expected in found.message


def test_a_refused_service_principal_is_named_with_the_secret_fix(world):
    app = "3f0c2a11-0000-4000-8000-00000000abcd"
    world.cloud.scenario.basic_users = {}
    world.logged_in(app, SP_SECRET)
    found = world.run()
    assert "the service principal {}".format(app) in found.message
    assert found.commands == ("az ad app credential reset --id {} --append".format(app), "az acr login -n myreg")


def test_a_token_server_failure_is_a_warning_not_a_verdict_on_the_credential(world):
    world.cloud.scenario.basic = "status:503"
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert found.status is Status.WARNING and found.code is None and "unknown" in found.message


def test_with_a_repository_the_stored_credential_must_grant_pull(world):
    world.cloud.scenario.granted_actions = []
    world.cloud.scenario.basic_users = {"ci-puller": "token-password-value-123"}
    world.logged_in("ci-puller", "token-password-value-123")
    found = world.run(repository="app/web")
    assert (found.status, found.code) == (Status.WARNING, "REPOSITORY_PERMISSION_ERROR")
    assert "does not grant pull on repository 'app/web'" in found.message
    assert found.details["scope"] == "repository:app/web:pull"


def test_a_refresh_token_without_pull_leaves_the_finding_to_the_access_token_check(world):
    world.cloud.scenario.granted_actions = []
    world.logged_in(NULL_GUID, refresh_token())
    found = world.run(repository="app/web")
    assert found.status is Status.PASSED and "grants no pull on repository 'app/web' (see Access token)" in \
        found.message


def test_the_realm_elsewhere_gets_nothing(world):
    world.cloud.scenario.realm = "https://evil.example/oauth2/token"
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert found.status is Status.SKIPPED and "not sent" in found.message
    assert world.token_requests() == []


# ---------------------------------------------------------------- config files

def test_a_key_with_scheme_and_path_is_the_same_registry(world):
    world.logged_in(NULL_GUID, refresh_token(), key="https://{}/v1/".format(world.server))
    assert world.run().status is Status.PASSED


def test_an_entry_with_separate_username_and_password_fields_is_read(world):
    world.cloud.scenario.basic_users = {"myreg": ADMIN_PASSWORD}
    world.secrets.append(ADMIN_PASSWORD)
    world.config({"auths": {world.server: {"username": "myreg", "password": ADMIN_PASSWORD}}})
    found = world.run()
    assert found.status is Status.PASSED and "the admin user 'myreg'" in found.message


def test_an_auth_value_that_is_not_base64_is_reported(world):
    world.config({"auths": {world.server: {"auth": "%%%not base64"}}})
    found = world.run()
    assert (found.status, found.code) == (Status.FAILED, "DOCKER_CREDENTIAL_HELPER_ERROR")
    assert "not base64" in found.message


def test_docker_config_variable_is_honoured(world, tmp_path):
    world.logged_in("myreg", "ignored-password-in-home")                   # not read
    world.config({"auths": {world.server: auth(NULL_GUID, refresh_token())}},
                 path=tmp_path / "elsewhere" / "config.json")
    world.env["DOCKER_CONFIG"] = str(tmp_path / "elsewhere")
    found = world.run()
    assert found.status is Status.PASSED and "refresh token of `az acr login`" in found.message
    assert found.details["storedIn"] == str(tmp_path / "elsewhere" / "config.json")


# ---------------------------------------------------------------- credential helpers

def test_creds_store_helper_is_asked_with_get_and_the_server_on_stdin(world):
    standins.write_credential_helper(world.bin, "desktop", stored={world.server: ("myreg", ADMIN_PASSWORD)})
    world.secrets.append(ADMIN_PASSWORD)
    world.config({"auths": {world.server: {}}, "credsStore": "desktop"})
    world.cloud.scenario.basic_users = {"myreg": ADMIN_PASSWORD}
    found = world.run()
    assert found.status is Status.PASSED and "docker-credential-desktop (credsStore in" in found.message
    assert standins.calls(world.bin, "desktop") == ["get"]
    assert standins.helper_stdin(world.bin, "desktop") == [world.server]


def test_cred_helpers_entry_wins_over_creds_store_and_auths(world):
    standins.write_credential_helper(world.bin, "desktop", stored={world.server: ("myreg", "wrong")})
    standins.write_credential_helper(world.bin, "acr-env", stored={world.server: (NULL_GUID, refresh_token())})
    world.config({"auths": {world.server: auth("myreg", "also-wrong")}, "credsStore": "desktop",
                  "credHelpers": {world.server: "acr-env"}})
    found = world.run()
    assert found.status is Status.PASSED and "docker-credential-acr-env (credHelpers" in found.message
    assert standins.calls(world.bin, "desktop") == []


def test_an_identity_token_from_a_helper_is_a_refresh_token(world):
    standins.write_credential_helper(world.bin, "desktop", stored={world.server: ("<token>", refresh_token())})
    world.config({"credsStore": "desktop"})
    found = world.run()
    assert found.status is Status.PASSED and found.details["kind"] == "refresh token"
    assert world.token_requests()[0]["method"] == "POST"


def test_a_helper_without_an_entry_means_not_logged_in(world):
    standins.write_credential_helper(world.bin, "desktop")
    world.config({"credsStore": "desktop"})
    found = world.run()
    assert found.status is Status.WARNING and "not logged in" in found.message


@pytest.mark.parametrize("state, words, fix", [
    ("hang", "did not answer within 2 s", "unlocked"),
    ("crash", "exited with status 2: panic: runtime error", "unlocked"),
    ("garbage", "not the JSON docker expects", "reinstall docker-credential-secretservice"),
    ("locked", "exited with status 1: error getting credentials", "unlocked"),
])
def test_a_broken_helper_is_reported_and_bounded(world, state, words, fix):
    standins.write_credential_helper(world.bin, "secretservice", state=state)
    world.config({"credsStore": "secretservice"})
    found = world.run()
    assert (found.status, found.code) == (Status.FAILED, "DOCKER_CREDENTIAL_HELPER_ERROR")
    assert "`docker-credential-secretservice get` " in found.message and words in found.message, found.message
    assert fix in found.fix
    assert standins.calls(world.bin, "secretservice") == ["get"]


def test_a_helper_that_prints_json_on_failure_is_not_echoed(world):
    helper = world.bin / "docker-credential-leaky"
    helper.write_text('#!/bin/sh\nprintf \'{"Secret":"%s"}\\n\' "leaked-secret-value-0123456789"\nexit 1\n')
    helper.chmod(0o755)
    world.secrets.append("leaked-secret-value-0123456789")
    world.config({"credsStore": "leaky"})
    found = world.run()
    assert found.code == "DOCKER_CREDENTIAL_HELPER_ERROR" and "its output is not shown" in found.message


def test_a_helper_found_through_a_relative_path_entry_is_never_run(world, tmp_path):
    relative = tmp_path / "tools"
    relative.mkdir()
    standins.write_credential_helper(relative, "desktop", stored={world.server: ("myreg", ADMIN_PASSWORD)})
    world.env["PATH"] = "{}:tools".format(world.bin)
    world.config({"credsStore": "desktop"})
    ctx_found = world.run(cwd=tmp_path)
    assert ctx_found.status is Status.SKIPPED and "Docker credential helpers" in ctx_found.message
    assert standins.calls(relative, "desktop") == []


def test_without_a_docker_client_the_login_is_not_checked(world):
    os.remove(world.bin / "docker")
    world.logged_in("myreg", ADMIN_PASSWORD)
    found = world.run()
    assert found.status is Status.SKIPPED and "Docker client" in found.message
    assert world.token_requests() == []


# ---------------------------------------------------------------- podman

def test_podman_reads_its_own_auth_file_first(world, tmp_path):
    os.remove(world.bin / "docker")
    standins.write_docker(world.bin, "podman", name="podman")
    runtime = tmp_path / "run"
    world.env["XDG_RUNTIME_DIR"] = str(runtime)
    world.logged_in("myreg", "docker-config-password-not-used")
    world.config({"auths": {world.server: auth(NULL_GUID, refresh_token(lifetime=-5))}},
                 path=runtime / "containers" / "auth.json")
    found = world.run()
    assert found.code == "DOCKER_LOGIN_EXPIRED_ERROR"
    assert found.details["storedIn"] == str(runtime / "containers" / "auth.json")
    assert found.commands == ("DOCKER_COMMAND=podman az acr login -n myreg",)


def test_podman_honours_registry_auth_file(world, tmp_path):
    os.remove(world.bin / "docker")
    standins.write_docker(world.bin, "podman", name="podman")
    world.config({"auths": {world.server: auth(NULL_GUID, refresh_token())}}, path=tmp_path / "auth.json")
    world.env["REGISTRY_AUTH_FILE"] = str(tmp_path / "auth.json")
    found = world.run()
    assert found.status is Status.PASSED and found.details["storedIn"] == world.env["REGISTRY_AUTH_FILE"]


def test_the_registry_resource_is_looked_up_once_for_a_rejection(world):
    """-n as a login server: no look-up by name came first; the cause and the fix share one."""
    world.registry(anonymousPullEnabled=True)
    rid, resource = token_resource(world.cloud, "ci-puller", status="disabled")
    world.cloud.scenario.resources = {rid: resource}
    world.cloud.scenario.basic_users = {}
    world.logged_in("ci-puller", TOKEN_PASSWORD)
    found = world.run(registry_name=None, login_server=world.server)
    assert "token 'ci-puller' is disabled" in found.message and "anonymous pull" in found.message
    assert "az acr token update -n ci-puller -r myreg --status enabled" in found.commands
    lists = [p for p in world.cloud.paths("GET") if p.endswith("/providers/Microsoft.ContainerRegistry/registries")]
    assert len(lists) == 1


def test_podman_ignores_a_creds_store_of_docker(world):
    os.remove(world.bin / "docker")
    standins.write_docker(world.bin, "podman", name="podman")
    standins.write_credential_helper(world.bin, "desktop", stored={world.server: ("myreg", ADMIN_PASSWORD)})
    world.env["XDG_RUNTIME_DIR"] = str(world.home / "run")
    world.config({"auths": {world.server: auth(NULL_GUID, refresh_token())}, "credsStore": "desktop"})
    found = world.run()
    assert found.status is Status.PASSED and found.details["kind"] == "refresh token"
    assert standins.calls(world.bin, "desktop") == []


# ---------------------------------------------------------------- any configuration file

_CONFIG = keyed_json(["auths", "credsStore", "credHelpers", "auth", "identitytoken", "username", "password",
                      "myreg.azurecr.io", "https://myreg.azurecr.io/v1/"],
                     ["bXlyZWc6cGFzcw==", "not base64!", NULL_GUID, "desktop"], max_leaves=16)


@settings(max_examples=400, deadline=None)
@given(_CONFIG)
def test_any_configuration_file_gives_a_login_or_a_finding(document):
    # The files docker and Helm read are the user's, and may hold anything: never a crash, never a process
    # (no helper is on this PATH), and a problem is always an outcome with a code.
    import tempfile

    from azext_acrhealth.checks.docker_login import stored_login
    from tests.support.checks import context
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "config.json")
        with open(path, "w") as handle:
            json.dump(document, handle)
        ctx = context(env={"PATH": folder, "HOME": folder}, cwd=folder)
        stored = stored_login(ctx, [path], "myreg.azurecr.io", "myreg")
    assert stored.problem is None or stored.problem.code == "DOCKER_CREDENTIAL_HELPER_ERROR"
    assert stored.credential is None or isinstance(stored.credential.secret, str)
