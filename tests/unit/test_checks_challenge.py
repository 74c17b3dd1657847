"""The /v2/ challenge against the fake cloud on loopback: answers, transport failures, TLS, and the clock."""


import pytest

from azext_acrhealth.outcome import Status
from tests.support.checks import outcome, registry_env, registry_json, run_registry
from tests.support.checks import run_bounded as run
from tests.support.proxy import ConnectProxy

REGISTRY_LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


# ---------------------------------------------------------------- challenge

@pytest.mark.parametrize("behaviour, code, words", [
    ("forbidden", "CONNECTIVITY_FORBIDDEN_ERROR", "client with IP '203.0.113.7' is not allowed access"),
    ("status:403", "CONNECTIVITY_FORBIDDEN_ERROR", "403 Forbidden"),
    ("anonymous", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200 without a challenge"),
    ("no_header", "CONNECTIVITY_CHALLENGE_ERROR", "401 without a WWW-Authenticate"),
    ("status:503", "CONNECTIVITY_CHALLENGE_ERROR", "answered 503"),
    ("status:429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "429"),
    ("redirect:https://login.example/v2/", "CONNECTIVITY_CHALLENGE_ERROR", "redirecting to https://login.example/v2/"),
    # A Location that is not UTF-8 (a raw C1 byte): still the redirect, not an 'invalid URL'.
    ("redirect:https://login.example/\x9b2J", "CONNECTIVITY_CHALLENGE_ERROR",
     "redirecting to https://login.example/\x9b2J"),
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
    cloud.scenario.registries = [registry_json(cloud)]
    found = outcome(run_registry(cloud, registry_name="myreg"), "challenge")
    assert found.details["clientIp"] == "203.0.113.7" and "203.0.113.7" in found.fix
    assert found.commands == ("az acr network-rule add -n myreg --ip-address 203.0.113.7",)


@pytest.mark.parametrize("claimed", ["203.0.113.7; rm -rf ~", "$(id)", "203.0.113.7 --subscription x", "999.1.1.1"])
def test_a_client_address_that_is_not_an_ip_never_enters_a_command(cloud, claimed):
    cloud.scenario.v2 = "forbidden"
    cloud.scenario.forbidden_ip = claimed
    cloud.scenario.registries = [registry_json(cloud)]
    found = outcome(run_registry(cloud, registry_name="myreg"), "challenge")
    assert found.code == "CONNECTIVITY_FORBIDDEN_ERROR" and found.commands == ()
    assert "not an IP address" in found.message and found.fix is None


def firewalled(cloud, **properties):
    cloud.scenario.v2 = "forbidden"
    properties.setdefault("networkRuleSet", {"defaultAction": "Deny", "ipRules": [{"action": "Allow",
                                                                                   "value": "198.51.100.0/24"}]})
    cloud.scenario.registries = [registry_json(cloud, **properties)]


def test_forbidden_compares_the_address_with_the_rules(cloud):
    firewalled(cloud)
    found = outcome(run_registry(cloud), "challenge")
    assert "(default action Deny, 1 IP rule)" in found.message
    # The name comes from the registry's resource, even when the user gave its login server.
    assert found.commands == ("az acr network-rule add -n myreg --ip-address 203.0.113.7",)
    assert "or reach the registry through a private endpoint" in found.fix


@pytest.mark.parametrize("rule", ["203.0.113.0/24", "203.0.113.7", "203.0.113.7/32", "203.0.0.0/16 "])
def test_an_address_already_allowed_gets_no_rule(cloud, rule):
    firewalled(cloud, networkRuleSet={"defaultAction": "Deny", "ipRules": [{"value": "not an address"},
                                                                           {"action": "Allow", "value": rule}]})
    found = outcome(run_registry(cloud), "challenge")
    assert found.code == "CONNECTIVITY_FORBIDDEN_ERROR" and found.commands == ()
    assert "although the registry's IP rule {} allows it".format(rule.strip()) in found.message
    assert "no rule is missing" in found.fix and "may not be in effect yet" in found.fix
    assert found.details["allowedBy"] == rule.strip()


def test_a_registry_open_to_all_networks_that_refuses_says_so(cloud):
    firewalled(cloud, networkRuleSet={"defaultAction": "Allow", "ipRules": []})
    found = outcome(run_registry(cloud), "challenge")
    assert "open to all networks (default action Allow)" in found.message and found.commands == ()


def test_public_access_disabled_without_endpoints_offers_selected_networks(cloud):
    firewalled(cloud, publicNetworkAccess="Disabled")
    found = outcome(run_registry(cloud), "challenge")
    assert "public network access is disabled, so no IP rule can let it in" in found.message
    assert found.commands == ("az acr update -n myreg --public-network-enabled true --default-action Deny",
                              "az acr network-rule add -n myreg --ip-address 203.0.113.7")


def test_public_access_disabled_with_an_endpoint_points_to_it(cloud):
    pe = ("/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg/providers/Microsoft.Network/"
          "privateEndpoints/myreg-pe")
    firewalled(cloud, publicNetworkAccess="Disabled",
               privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": pe}}}])
    found = outcome(run_registry(cloud), "challenge")
    assert found.commands == () and "private endpoint (myreg-pe)" in found.fix


def test_public_access_disabled_behind_a_proxy_names_no_proxy(make_cloud):
    cloud = make_cloud()
    firewalled(cloud, publicNetworkAccess="Disabled")
    with ConnectProxy() as proxy:
        env = registry_env(cloud, HTTPS_PROXY="http://127.0.0.1:{}".format(proxy.port))
        found = outcome(run(cloud, env=env), "challenge")
    assert found.code == "CONNECTIVITY_FORBIDDEN_ERROR" and found.commands == ()
    assert "went through proxy http://127.0.0.1:{}".format(proxy.port) in found.fix and "NO_PROXY" in found.fix
    assert found.details["proxy"] == "http://127.0.0.1:{}".format(proxy.port)


def test_an_ipv6_client_gets_no_ipv4_rule(cloud):
    firewalled(cloud)
    cloud.scenario.forbidden_ip = "2001:db8::7"
    found = outcome(run_registry(cloud), "challenge")
    assert found.commands == () and "IPv4 addresses only" in found.fix


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


# ---------------------------------------------------------------- broken and hostile servers

@pytest.mark.parametrize("step, behaviour, check, code, words", [
    ("v2", "huge_headers", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "headers"),
    ("v2", "huge_body", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200"),
    ("v2", "endless", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200"),
    ("v2", "drip", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "no answer"),
    ("v2", "drip_headers", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "no answer"),
    ("v2", "redirect_loop", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "redirecting to https://"),
])
def test_hostile_answers(cloud, step, behaviour, check, code, words):
    setattr(cloud.scenario, step, behaviour)
    found = outcome(run(cloud, timeout=2), check)
    assert (found.status, found.code) == (Status.FAILED, code), found
    assert words in found.message


def test_tls_interception_behind_a_proxy_names_issuer_and_proxy(make_cloud):
    # The registry's certificate comes from a CA the client does not trust, as with an inspecting proxy.
    cloud = make_cloud(cert="self_signed")
    with ConnectProxy() as proxy:
        env = registry_env(cloud, HTTPS_PROXY="http://user:secret@127.0.0.1:{}".format(proxy.port))
        found = outcome(run(cloud, env=env), "challenge")
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_SSL_ERROR")
    assert found.details["proxy"] == "http://***@127.0.0.1:{}".format(proxy.port)
    assert "proxy http://***@127.0.0.1" in found.message and "secret" not in found.message
    assert found.details["certificateIssuer"] == "CN=self-signed.example"
    assert proxy.targets.count(cloud.netloc) >= 2     # the request and the certificate probe both tunnelled


def test_dead_proxy_is_a_challenge_error_naming_it(cloud):
    found = outcome(run(cloud, env=registry_env(cloud, HTTPS_PROXY="http://127.0.0.1:9")), "challenge")
    assert found.code == "CONNECTIVITY_CHALLENGE_ERROR" and "proxy http://127.0.0.1:9 is in effect" in found.message


def test_no_proxy_is_honoured_in_the_report(cloud):
    env = registry_env(cloud, HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1")
    assert outcome(run(cloud, env=env), "challenge").status is Status.PASSED
