"""The Azure AD token, the refresh token exchange and the access token, against the fake cloud."""

import io
import json
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import report
from azext_acrhealth.checks import tokens
from azext_acrhealth.http_requests import HttpResult
from azext_acrhealth.outcome import Outcome, Status
from tests.support.account import StubAccount
from tests.support.checks import outcome, registry_json, run_registry
from tests.support.checks import run_bounded as run
from tests.support.fakecloud import Scenario
from tests.support.strategies import BODIES, ERRORS, HEADERS, STATUSES

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


# ---------------------------------------------------------------- tokens

def test_not_logged_in_is_azure_login_error_and_the_rest_still_runs(cloud):
    results = run_registry(cloud, StubAccount(cloud, login_error="Please run 'az login' to setup account."),
                           ignore_errors=False)
    found = outcome(results, "aad_token")
    assert (found.status, found.code) == (Status.FAILED, "AZURE_LOGIN_ERROR") and "az login" in found.fix
    for name in ("dns", "challenge", "clock_skew"):
        assert outcome(results, name).status is Status.PASSED
    assert outcome(results, "refresh_token").message == "skipped because Azure AD token failed"


def test_the_aad_token_is_asked_for_the_registry_audience(cloud):
    account = StubAccount(cloud)
    run_registry(cloud, account)
    # The registry audience once for the AAD token; the ARM audience only for the ARM look-ups.
    assert account.audiences().count("https://containerregistry.azure.net") == 1
    assert set(account.audiences()) <= {"https://containerregistry.azure.net", account.arm_audience()}


@pytest.mark.parametrize("behaviour, code, words", [
    ("401", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "answered 401: UNAUTHORIZED authentication required"),
    ("status:500", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "answered 500"),
    ("429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "429 Too Many Requests"),
    ("html", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON (text/html), not a refresh token; a proxy's page? "
                                                 "Access denied Blocked by corporate proxy"),
    ("invalid_json", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON"),
    ("no_refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "no 'refresh_token' field (fields: expires_in, "
                                                             "token_type)"),
    ("list", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON list instead of an object"),
    ("number", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON int instead of an object"),
    ("object_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "a dict value"),
])
def test_exchange_failures(cloud, behaviour, code, words):
    cloud.scenario.exchange = behaviour
    results = run_registry(cloud)
    found = outcome(results, "refresh_token")
    assert (found.status, found.code) == (Status.FAILED, code)
    assert words in found.message
    assert outcome(results, "access_token").status is Status.SKIPPED


def test_exchange_timeout(cloud):
    cloud.scenario.exchange = "hang"
    found = outcome(run_registry(cloud, timeout=1), "refresh_token")
    assert found.code == "CONNECTIVITY_REFRESH_TOKEN_ERROR" and "no answer" in found.message


def test_refresh_token_that_is_not_a_jwt_is_a_warning_and_the_run_goes_on(cloud):
    cloud.scenario.exchange = "not_jwt"
    results = run_registry(cloud)
    found = outcome(results, "refresh_token")
    assert found.status is Status.WARNING and "not a JWT" in found.message
    assert outcome(results, "access_token").status is Status.PASSED


@pytest.mark.parametrize("behaviour, code, words", [
    ("401", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "answered 401"),
    ("429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "429"),
    ("html", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "not JSON (text/html)"),
    ("no_access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "no 'access_token' field"),
    ("object_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "a dict value"),
])
def test_token_failures(cloud, behaviour, code, words):
    cloud.scenario.token = behaviour
    found = outcome(run_registry(cloud), "access_token")
    assert (found.status, found.code) == (Status.FAILED, code) and words in found.message


def test_access_token_not_a_jwt(cloud):
    cloud.scenario.token = "not_jwt"
    assert outcome(run_registry(cloud), "access_token").status is Status.WARNING
    found = outcome(run_registry(cloud, repository="app"), "access_token")
    assert found.code == "CONNECTIVITY_ACCESS_TOKEN_ERROR" and "not a JWT" in found.message


def test_catalog_not_granted_is_a_warning(cloud):
    cloud.scenario.catalog = False
    found = outcome(run_registry(cloud), "access_token")
    assert found.status is Status.WARNING and "--repository" in found.message


@pytest.mark.parametrize("granted, status, words", [
    (None, Status.PASSED, "grants pull, push, metadata_read, metadata_write, delete"),
    (["pull"], Status.WARNING, "granted: pull; missing: push, metadata_read, metadata_write, delete"),
    ([], Status.FAILED, "granted: none; missing: pull, push"),
])
def test_repository_permissions(cloud, granted, status, words):
    cloud.scenario.granted_actions = granted
    found = outcome(run_registry(cloud, repository="team/app"), "access_token")
    assert found.status is status and words in found.message
    assert found.details["scope"] == "repository:team/app:pull,push,metadata_read,metadata_write,delete"
    if status is not Status.PASSED:
        assert found.code == "REPOSITORY_PERMISSION_ERROR"


# ---------------------------------------------------------------- the registry's firewall on the token steps

@pytest.mark.parametrize("step, check", [("exchange", "refresh_token"), ("token", "access_token")])
def test_a_firewall_refusal_on_a_token_step_is_the_firewall_finding(cloud, step, check):
    cloud.scenario.registries = [registry_json(cloud, networkRuleSet={"defaultAction": "Deny", "ipRules": []})]
    setattr(cloud.scenario, step, "forbidden")
    found = outcome(run_registry(cloud), check)
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_FORBIDDEN_ERROR")
    assert "/oauth2/{}".format(step) in found.message and "client with IP '203.0.113.7'" in found.message
    assert found.commands == ("az acr network-rule add -n myreg --ip-address 203.0.113.7",)


def test_a_firewall_refusal_on_a_token_step_without_the_resource_still_names_the_address(cloud):
    cloud.scenario.exchange = "forbidden"
    found = outcome(run_registry(cloud), "refresh_token")
    # No ARM resource, and a login server (127.0.0.1) that names no registry: the fix, but no command.
    assert found.code == "CONNECTIVITY_FORBIDDEN_ERROR" and found.commands == ()
    assert "allow 203.0.113.7 in the registry's firewall" in found.fix


# ---------------------------------------------------------------- what to assign: ABAC or legacy roles

OBJECT_ID = "6f1c0000-0000-4000-8000-0000000000e1"
READER_CONDITION = ("((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND "
                    "!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR "
                    "(@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase "
                    "'team/app'))")


def identity(cloud, **claims):
    """An account whose Azure AD token names this identity (an application's token unless scp is given)."""
    account = StubAccount(cloud)
    account.aad = cloud.issue(dict({"aud": account.audience, "tid": cloud.scenario.tenant, "oid": OBJECT_ID,
                                    "appid": OBJECT_ID}, **claims))
    return account


def permissions(cloud, granted, account=None, **properties):
    cloud.scenario.granted_actions = granted
    registry = registry_json(cloud, **properties)
    cloud.scenario.registries = [registry]
    found = outcome(run_registry(cloud, account or identity(cloud), repository="team/app"), "access_token")
    assert found.code == "REPOSITORY_PERMISSION_ERROR"
    return found, registry["id"]


def test_abac_registry_names_the_repository_roles_and_scopes_the_assignment(cloud):
    found, rid = permissions(cloud, [], roleAssignmentMode="AbacRepositoryPermissions")
    assert "AcrPull, AcrPush and AcrDelete are not honoured" in found.fix
    assert "Container Registry Repository Reader role, scoped to repository 'team/app'" in found.fix
    assert found.details["roleAssignmentMode"] == "AbacRepositoryPermissions"
    (command,) = found.commands
    assert shlex.split(command) == [
        "az", "role", "assignment", "create", "--assignee-object-id", OBJECT_ID,
        "--assignee-principal-type", "ServicePrincipal", "--role", "Container Registry Repository Reader",
        "--scope", rid, "--condition", READER_CONDITION, "--condition-version", "2.0"]


def test_on_windows_the_command_is_quoted_for_powershell(cloud, monkeypatch):
    # POSIX quoting ('"'"') breaks in PowerShell, where a single quote in a single-quoted string is doubled.
    from azext_acrhealth import shell
    monkeypatch.setattr(shell, "WINDOWS", True)
    found, rid = permissions(cloud, [], roleAssignmentMode="AbacRepositoryPermissions")
    assert found.commands == (
        "az role assignment create --assignee-object-id {} --assignee-principal-type ServicePrincipal --role "
        "'Container Registry Repository Reader' --scope {} --condition '{}' --condition-version 2.0".format(
            OBJECT_ID, rid, READER_CONDITION.replace("'", "''")),)


def test_abac_registry_pull_only_identity_is_told_the_writer_role(cloud):
    account = identity(cloud, scp="user_impersonation", upn="dev@example.com")
    found, rid = permissions(cloud, ["pull", "metadata_read"], account, roleAssignmentMode="AbacRepositoryPermissions")
    assert found.status is Status.WARNING and "Container Registry Repository Writer" in found.fix
    words = shlex.split(found.commands[0])
    assert words[words.index("--assignee-principal-type") + 1] == "User"
    assert "Microsoft.ContainerRegistry/registries/repositories/content/write" in words[words.index("--condition") + 1]


def test_legacy_registry_names_acrpull_on_the_whole_registry(cloud):
    found, rid = permissions(cloud, [], roleAssignmentMode="LegacyRegistryPermissions")
    assert "assign the AcrPull role on the registry" in found.fix
    assert found.commands == ("az role assignment create --assignee-object-id {} --assignee-principal-type "
                              "ServicePrincipal --role AcrPull --scope {}".format(OBJECT_ID, rid),)


def test_unknown_mode_names_both_and_gives_no_command(cloud):
    found, _ = permissions(cloud, [])
    assert "AcrPull" in found.fix and "Container Registry Repository Reader" in found.fix and found.commands == ()


def test_no_object_id_in_the_token_gives_no_command(cloud):
    found, _ = permissions(cloud, [], StubAccount(cloud), roleAssignmentMode="AbacRepositoryPermissions")
    assert "Container Registry Repository Reader" in found.fix and found.commands == ()


def test_abac_registry_without_catalog_names_the_lister_role(cloud):
    cloud.scenario.catalog = False
    cloud.scenario.registries = [registry_json(cloud, roleAssignmentMode="AbacRepositoryPermissions")]
    found = outcome(run_registry(cloud), "access_token")
    assert found.status is Status.WARNING and "Container Registry Repository Catalog Lister" in found.message


# ---------------------------------------------------------------- the realm and redirects

def test_realm_on_another_host_gets_no_token(make_cloud):
    other = make_cloud(host="127.0.0.2")
    cloud = make_cloud(Scenario(realm=other.url + "/oauth2/token"))
    results = run_registry(cloud)
    found = outcome(results, "refresh_token")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_REALM_ERROR")
    assert other.netloc in found.message and "not sent" in found.message
    assert other.requests == []
    assert "/oauth2/exchange" not in cloud.paths()


@pytest.mark.parametrize("realm, problem", [("http://{}/oauth2/token", "not HTTPS"),
                                            ("https://evil.example/oauth2/token", "neither the login server")])
def test_realm_must_be_https_and_the_registry(cloud, realm, problem):
    cloud.scenario.realm = realm.format(cloud.netloc)
    found = outcome(run_registry(cloud), "refresh_token")
    assert found.code == "CONNECTIVITY_REALM_ERROR" and problem in found.message


def test_redirect_of_the_exchange_is_not_followed(make_cloud):
    other = make_cloud(host="127.0.0.2")
    cloud = make_cloud(Scenario(exchange="redirect:{}/oauth2/exchange".format(other.url)))
    found = outcome(run_registry(cloud), "refresh_token")
    assert found.code == "CONNECTIVITY_REFRESH_TOKEN_ERROR" and other.url in found.message
    assert other.requests == []


def test_redirect_of_v2_to_another_host_is_not_followed(make_cloud):
    other = make_cloud(host="127.0.0.2")
    cloud = make_cloud(Scenario(v2="redirect:{}/v2/".format(other.url)))
    found = outcome(run_registry(cloud), "challenge")
    assert found.details["location"] == other.url + "/v2/" and other.requests == []


def test_localhost_login_server_with_a_port(cloud):
    results = run_registry(cloud, login_server="localhost:{}".format(cloud.port))
    for name in ("dns", "challenge", "refresh_token", "access_token"):
        assert outcome(results, name).status is Status.PASSED, outcome(results, name)
    assert outcome(results, "challenge").details["realm"] == "https://localhost:{}/oauth2/token".format(cloud.port)


# ---------------------------------------------------------------- broken and hostile servers

@pytest.mark.parametrize("step, behaviour, check, code, words", [
    ("exchange", "huge_body", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "cut at the size limit"),
    ("exchange", "endless", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON"),
    ("exchange", "drip", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "no answer"),
    ("exchange", "redirect_loop", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "redirecting to"),
    ("exchange", "invalid_json", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON"),
    ("exchange", "list", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON list"),
    ("exchange", "number", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON int"),
    ("exchange", "object_token", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "dict value"),
    ("exchange", "reset", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "reset"),
    ("token", "huge_headers", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "headers"),
    ("token", "drip", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "no answer"),
    ("token", "invalid_json", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "not JSON"),
    ("token", "list", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "JSON list"),
])
def test_hostile_answers(cloud, step, behaviour, check, code, words):
    setattr(cloud.scenario, step, behaviour)
    found = outcome(run(cloud, timeout=2), check)
    assert (found.status, found.code) == (Status.FAILED, code), found
    assert words in found.message


# ---------------------------------------------------------------- secrets

SECRET_SCENARIOS = [{}, {"exchange": "not_jwt"}, {"token": "not_jwt"}, {"token": "401"}, {"exchange": "html"},
                    {"granted_actions": ["pull"]}, {"realm": "https://127.0.0.2:1/oauth2/token"}]


@pytest.mark.parametrize("changes", SECRET_SCENARIOS)
def test_no_token_in_any_output(make_cloud, changes):
    cloud = make_cloud(Scenario(**changes))
    cloud.scenario.registries = [registry_json(cloud)]
    account = StubAccount(cloud)
    results = run_registry(cloud, account, repository="app", registry_name="myreg")
    body = report.summarise(list(results.values()), 1.0, registry="myreg")
    human = io.StringIO()
    reporter = report.HumanReport(human)
    for result in results.values():
        reporter.check(result)
    reporter.summary(body)
    text = json.dumps(body) + human.getvalue() + repr([r.outcome for r in results.values()])
    secrets = set(cloud.issued_tokens)
    assert account.aad in secrets and len(secrets) >= 2
    for secret in secrets:
        assert secret not in text
        assert secret.split(".")[-1] not in text      # not even the signature part


# ---------------------------------------------------------------- any answer, property-based

@settings(max_examples=2000, deadline=None)
@given(STATUSES, BODIES, HEADERS, ERRORS, st.sampled_from(["refresh_token", "access_token"]))
def test_any_token_answer_is_a_token_or_a_defined_failure(status, body, headers, error, key):
    res = HttpResult("https://r.example/oauth2/x", status=None if error else status, headers=headers,
                     body=b"" if error else body, error=error, reason="boom" if error else None)
    code = "CONNECTIVITY_REFRESH_TOKEN_ERROR" if key == "refresh_token" else "CONNECTIVITY_ACCESS_TOKEN_ERROR"
    token, outcome = tokens._read_token(res, key, code, key.replace("_", " "))
    if outcome is None:
        assert isinstance(token, str) and token and status == 200
    else:
        assert token is None and isinstance(outcome, Outcome) and outcome.status is Status.FAILED
        assert outcome.code in (code, "CONNECTIVITY_TOOMANYREQUESTS_ERROR")
        assert isinstance(outcome.message, str) and outcome.message
