"""The credentials actually used, through the real az: docker's stored login, and -u/-p instead of the CLI's
identity. No piece of a password or stored secret may reach the output, even with --debug, nor any file."""

import re

import pytest

from tests.support import e2e, standins
from tests.support.e2e import Invocation

pytestmark = pytest.mark.e2e

WINDOW = 16
PASSWORD = "Adm1n-Passw0rd+given/to=check-health"
STORED_PASSWORD = "Stored-Admin-Passw0rd+in/docker=config"
KNACK_ARGUMENTS = "Command arguments:"     # azure-cli's own --debug line, printed before any extension loads


@pytest.fixture
def run(healthy_run):
    return healthy_run


def pieces(secret):
    return {secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)}


def leaks(secret, text):
    """The lines of text that hold any 16 characters of secret."""
    found = pieces(secret)
    return [line for line in text.splitlines() if any(p in line for p in found)]


def files_holding(secret, run, but=()):
    """Files in the run's HOME and az configuration (what az and the extension may write) that hold a piece
    of the secret, besides the ones named, which hold it by design."""
    found = pieces(secret)
    hits = []
    for path in [*run.home.rglob("*"), *run._config.rglob("*")]:
        if path.is_file() and path not in but:
            text = path.read_bytes().decode("utf-8", "replace")
            if any(p in text for p in found):
                hits.append(str(path))
    return hits


def checks(result):
    return {c["name"]: c for c in result.body["checks"]}


def test_not_logged_in_is_a_warning_with_the_login_command(run):
    e2e.write_docker_config(run.home, {"auths": {}})
    result = run.check_health("-n", e2e.REGISTRY, "--yes", "-o", "json")

    assert result.returncode == 0, result
    login = checks(result)["docker_login"]
    assert login["status"] == "warning" and login["code"] is None
    assert login["message"].startswith("docker is not logged in to this registry")
    assert login["commands"] == ["az acr login -n myregistry"]
    assert "[!] Docker login: docker is not logged in to this registry" in result.stderr
    assert "    Run:\n      az acr login -n myregistry\n" in result.stderr


def test_username_with_the_password_in_the_environment_replaces_the_entra_checks(run):
    run.extra_env["ACR_CHECK_HEALTH_PASSWORD"] = PASSWORD
    cloud = e2e.scenario(basic_users={e2e.REGISTRY: PASSWORD})
    result = run.check_health("-n", e2e.REGISTRY, "--yes", "-u", e2e.REGISTRY, "--debug", "-o", "json", cloud=cloud)

    assert result.returncode == 0, result
    found = checks(result)
    assert found["credentials"]["status"] == "passed", found["credentials"]
    assert found["credentials"]["message"].startswith("the admin user 'myregistry': access token issued")
    for name in ("aad_token", "refresh_token", "access_token"):
        assert found[name]["status"] == "skipped" and "-u/--username was given" in found[name]["message"]
    assert "/oauth2/exchange" not in result.paths()
    assert "[-] Azure AD token: not run: -u/--username was given" in result.stderr
    # Not a piece of the password anywhere: output, --debug, the files az wrote.
    assert leaks(PASSWORD, result.stdout + result.stderr) == []
    assert files_holding(PASSWORD, run) == []


def test_without_a_password_it_is_asked_at_the_terminal_and_never_shown(run):
    """-u alone, on a terminal: the password is asked as `az acr login -u` asks (knack's prompt, no echo); the
    right one passes, a wrong one is the rejection. Not a piece of either reaches the output, even with --debug."""
    wrong = "Wr0ng-Passw0rd+typed/at=the-prompt"
    cloud = e2e.scenario(basic_users={e2e.REGISTRY: PASSWORD}, registries=[
        e2e.registry_resource(adminUserEnabled=True)])
    args = ("-n", e2e.REGISTRY, "--yes", "-u", e2e.REGISTRY, "--debug", "-o", "json")
    right, rejected = run.check_health_runs([Invocation(args, password=PASSWORD), Invocation(args, password=wrong)],
                                            cloud=cloud, timeout=60)

    assert right.returncode == 0, right
    assert "Password: " in right.stderr
    assert checks(right)["credentials"]["status"] == "passed", checks(right)["credentials"]
    assert rejected.returncode == 1, rejected
    assert checks(rejected)["credentials"]["code"] == "CREDENTIALS_REJECTED_ERROR"
    for result, typed in ((right, PASSWORD), (rejected, wrong)):
        assert leaks(typed, result.stdout + result.stderr) == []
    assert files_holding(PASSWORD, run) == [] and files_holding(wrong, run) == []


def test_a_password_given_with_minus_p_shows_only_in_azure_clis_own_argument_line(run):
    """azure-cli logs its arguments under --debug before any extension loads (as for `az acr login -p`):
    the reason README sends CI to ACR_CHECK_HEALTH_PASSWORD. Nothing of ours may repeat it."""
    cloud = e2e.scenario(basic_users={e2e.REGISTRY: "another-password"}, registries=[
        e2e.registry_resource(adminUserEnabled=True)])
    result = run.check_health("-n", e2e.REGISTRY, "--yes", "-u", e2e.REGISTRY, "-p", PASSWORD, "--debug",
                              "-o", "json", cloud=cloud)

    assert result.returncode == 1, result
    rejected = checks(result)["credentials"]
    assert rejected["code"] == "CREDENTIALS_REJECTED_ERROR" and "regenerated" in rejected["message"]
    assert "az acr credential show -n myregistry" in rejected["solutions"][0]
    lines = leaks(PASSWORD, result.stdout + result.stderr)
    assert lines and all(KNACK_ARGUMENTS in line for line in lines), lines
    # azure-cli's command log masks argument values; nothing else of ours is written.
    assert files_holding(PASSWORD, run) == []


def test_a_stored_password_and_refresh_token_never_show_even_with_debug(run):
    """Docker's stored secrets: the admin password a credential helper holds, rejected, and the refresh
    token in config.json for another registry's entry... both are read, neither is shown."""
    standins.write_credential_helper(run.tools, "desktop",
                                     stored={e2e.LOGIN_SERVER: (e2e.REGISTRY, STORED_PASSWORD)})
    token = e2e.stored_refresh_token()
    config = e2e.write_docker_config(run.home, {"auths": {"other" + e2e.SUFFIX: e2e.auth_entry(e2e.NULL_GUID, token)},
                                                "credsStore": "desktop"})
    cloud = e2e.scenario(basic_users={}, registries=[e2e.registry_resource(adminUserEnabled=False)])
    result = run.check_health("-n", e2e.REGISTRY, "--yes", "--debug", "-o", "json", cloud=cloud)

    assert result.returncode == 1, result
    login = checks(result)["docker_login"]
    assert login["code"] == "DOCKER_LOGIN_REJECTED_ERROR"
    assert re.search(r"the admin user 'myregistry', in docker-credential-desktop \(credsStore in .*\) is rejected",
                     login["message"])
    assert standins.calls(run.tools, "desktop") == ["get"]
    assert standins.helper_stdin(run.tools, "desktop") == [e2e.LOGIN_SERVER]
    output = result.stdout + result.stderr
    assert leaks(STORED_PASSWORD, output) == []
    signature = token.rsplit(".", 1)[1]         # the random part; claims share their shape with other tokens
    assert leaks(signature, output) == []
    assert files_holding(STORED_PASSWORD, run) == []
    assert files_holding(signature, run, but=(config,)) == []


def test_the_default_login_of_this_suite_is_what_az_acr_login_leaves(run):
    """Every e2e run starts logged in (e2e.docker_logged_in): the check passes on it, with one request."""
    result = run.check_health("-n", e2e.REGISTRY, "--yes", "-o", "json")
    assert result.returncode == 0, result
    login = checks(result)["docker_login"]
    assert login["status"] == "passed" and "the ACR refresh token of `az acr login`" in login["message"]
    assert re.search(r"valid for 2 h 5\d min", login["message"]), login["message"]
