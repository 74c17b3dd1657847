"""Each registry check and branch against the fake cloud on loopback: code, status and detail."""

import pytest
from conftest import StubAccount, outcome, registry_json, run_registry
from fakecloud import Scenario

from azext_acrhealth import hosts
from azext_acrhealth.checks.registry import address_kind
from azext_acrhealth.outcome import Status

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


def no_crash(results):
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED]


# ---------------------------------------------------------------- the whole path

def test_healthy_registry_passes_every_step(cloud):
    results = run_registry(cloud)
    for name in ("login_server", "dns", "challenge", "clock_skew", "aad_token", "refresh_token", "access_token"):
        assert outcome(results, name).status is Status.PASSED, (name, outcome(results, name))
    assert outcome(results, "access_token").details["scope"] == "registry:catalog:*"
    assert [r["path"] for r in cloud.requests if r["path"] == "/v2/"] == ["/v2/"]     # one GET of /v2/
    exchange = next(r for r in cloud.requests if r["path"] == "/oauth2/exchange")
    assert exchange["form"] == ["access_token", "grant_type", "service", "tenant"]
    assert not cloud.unrecognised


# ---------------------------------------------------------------- login server

def test_login_server_given_is_used_as_is(cloud):
    found = outcome(run_registry(cloud), "login_server")
    assert found.status is Status.PASSED and found.details == {"loginServer": cloud.netloc, "source": "argument"}


def test_name_is_found_with_one_arm_call_case_insensitively(cloud):
    cloud.scenario.registries = [registry_json(cloud, "other"), registry_json(cloud, "MyReg")]
    results = run_registry(cloud, registry_name="myreg")
    found = outcome(results, "login_server")
    assert found.status is Status.PASSED
    assert found.details["source"] == "arm" and found.details["loginServer"] == cloud.netloc
    sub = cloud.scenario.subscription
    assert cloud.paths("GET").count(REGISTRY_LIST.format(sub)) == 1
    assert not any("/resources" in p for p in cloud.paths())
    assert outcome(results, "registry_resource").status is Status.PASSED


def test_name_not_found_falls_back_to_the_cloud_suffix(cloud):
    found = outcome(run_registry(cloud, registry_name="myreg"), "login_server")
    assert found.status is Status.PASSED and found.details["loginServer"] == "myreg.azurecr.io"
    assert "no registry named 'myreg'" in found.details["armLookup"]


def test_not_logged_in_falls_back_and_says_why(cloud):
    account = StubAccount(cloud, login_error="Please run 'az login' to setup account.")
    results = run_registry(cloud, account, registry_name="myreg")
    found = outcome(results, "login_server")
    assert found.status is Status.PASSED and "not logged in" in found.details["armLookup"]


def test_no_permission_falls_back_and_says_why(cloud):
    cloud.scenario.arm_registries = "403"
    found = outcome(run_registry(cloud, registry_name="myreg"), "login_server")
    assert "no permission (403: AuthorizationFailed)" in found.details["armLookup"]


def test_arm_timeout_falls_back_and_says_why(cloud):
    cloud.scenario.arm_registries = "hang"
    found = outcome(run_registry(cloud, registry_name="myreg", timeout=1), "login_server")
    assert found.status is Status.PASSED and "did not answer (timeout" in found.details["armLookup"]


def test_no_suffix_and_no_registry_is_login_server_error(cloud):
    results = run_registry(cloud, StubAccount(cloud, suffix=None, cloud_name="FakeCloud"), registry_name="myreg")
    found = outcome(results, "login_server")
    assert found.status is Status.FAILED and found.code == "LOGIN_SERVER_ERROR"
    assert "FakeCloud" in found.message and "no registry named 'myreg'" in found.message
    assert outcome(results, "dns").message == "skipped because Login server failed"


def test_failed_arm_lookup_never_fails_a_given_login_server(cloud):
    cloud.scenario.arm_registries = "status:500"
    results = run_registry(cloud)
    assert outcome(results, "login_server").status is Status.PASSED
    resource = outcome(results, "registry_resource")
    assert resource.status is Status.SKIPPED and "HTTP 500" in resource.message


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


def test_host_port_helpers():
    assert hosts.split_host_port("localhost:5000") == ("localhost", 5000)
    assert hosts.split_host_port("[::1]:5000") == ("::1", 5000)
    assert hosts.split_host_port("myreg.azurecr.io") == ("myreg.azurecr.io", None)
    assert hosts.normalise_login_server("https://MyReg.azurecr.io/") == "myreg.azurecr.io"


# ---------------------------------------------------------------- challenge

@pytest.mark.parametrize("behaviour, code, words", [
    ("forbidden", "CONNECTIVITY_FORBIDDEN_ERROR", "client with IP '203.0.113.7' is not allowed access"),
    ("status:403", "CONNECTIVITY_FORBIDDEN_ERROR", "403 Forbidden"),
    ("anonymous", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200 without a challenge"),
    ("no_header", "CONNECTIVITY_CHALLENGE_ERROR", "401 without a WWW-Authenticate"),
    ("status:503", "CONNECTIVITY_CHALLENGE_ERROR", "answered 503"),
    ("status:429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "429"),
    ("redirect:https://login.example/v2/", "CONNECTIVITY_CHALLENGE_ERROR", "redirecting to https://login.example/v2/"),
    ("basic", "CONNECTIVITY_AAD_LOGIN_ERROR", "challenged with 'Basic realm="),
    ("bearer_no_service", "CONNECTIVITY_AAD_LOGIN_ERROR", "not a Bearer challenge with realm and service"),
])
def test_challenge_answers(cloud, behaviour, code, words):
    cloud.scenario.v2 = behaviour
    results = run_registry(cloud)
    found = outcome(results, "challenge")
    assert (found.status, found.code) == (Status.FAILED, code)
    assert words in found.message
    assert found.details["correlationId"] == cloud.scenario.correlation_id
    assert outcome(results, "refresh_token").message == "skipped because Challenge endpoint failed"
    assert "/oauth2/exchange" not in cloud.paths()


def test_forbidden_quotes_the_client_ip(cloud):
    cloud.scenario.v2 = "forbidden"
    found = outcome(run_registry(cloud), "challenge")
    assert found.details["clientIp"] == "203.0.113.7" and "203.0.113.7" in found.fix


@pytest.mark.parametrize("behaviour, words, fix", [("hang", "no answer", "within 1 s"),
                                                    ("reset", "reset", "cutting HTTPS connections")])
def test_challenge_transport_failures(cloud, behaviour, words, fix):
    cloud.scenario.v2 = behaviour
    found = outcome(run_registry(cloud, timeout=1), "challenge")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_CHALLENGE_ERROR")
    assert words in found.message
    assert fix in found.fix


def test_a_server_error_on_the_challenge_says_to_retry_and_quote_the_correlation_id(cloud):
    cloud.scenario.v2 = "status:503"
    found = outcome(run_registry(cloud), "challenge")
    assert "retry" in found.fix and "correlation id" in found.fix


def test_nothing_listening_is_challenge_error(cloud):
    found = outcome(run_registry(cloud, login_server="127.0.0.1:9"), "challenge")
    assert found.code == "CONNECTIVITY_CHALLENGE_ERROR" and "cannot connect" in found.message
    assert "outbound 443" in found.fix


@pytest.mark.parametrize("cert, problem", [("wrong_name", "not valid for"), ("expired", "expired"),
                                           ("self_signed", "self-signed")])
def test_tls_failures_name_the_problem_and_the_issuer(make_cloud, cert, problem):
    cloud = make_cloud(cert=cert)
    found = outcome(run_registry(cloud), "challenge")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_SSL_ERROR")
    assert problem in found.details["problem"].lower() or problem in found.message.lower()
    assert found.details["certificateIssuer"] and "issued by" in found.message
    assert "proxy" not in found.details


def test_self_signed_issuer_is_reported(make_cloud):
    found = outcome(run_registry(make_cloud(cert="self_signed")), "challenge")
    assert found.details["certificateIssuer"] == "CN=self-signed.example"


# ---------------------------------------------------------------- clock

@pytest.mark.parametrize("offset, status", [(0, Status.PASSED), (600, Status.WARNING), (-900, Status.WARNING)])
def test_clock_skew(cloud, offset, status):
    cloud.scenario.date_offset = offset
    found = outcome(run_registry(cloud), "clock_skew")
    assert found.status is status
    if status is Status.WARNING:
        assert found.code == "CLOCK_SKEW_WARNING" and ("behind" if offset > 0 else "ahead") in found.message


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
    assert account.audiences == ["https://containerregistry.azure.net"]


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


def test_realm_rules():
    assert hosts.realm_problem("https://myreg.azurecr.io/oauth2/token", "myreg.azurecr.io", ".azurecr.io") is None
    assert hosts.realm_problem("https://myreg.westus.data.azurecr.io/x", "myreg.azurecr.io", "azurecr.io") is None
    assert hosts.realm_problem("https://myreg.azurecr.io.evil.example/", "myreg.azurecr.io", ".azurecr.io")
    assert hosts.realm_problem("https://x.azurecr.io:8443/", "myreg.azurecr.io", ".azurecr.io")
    assert hosts.realm_problem("https://[::1", "localhost", None) == "it is not a valid URL"


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
