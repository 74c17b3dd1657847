"""The edges object: ARM requests with the CLI's token (fetched once, sent only to ARM's own host), and
requests that carry nothing the environment did not explicitly give (no ~/.netrc, the proxy we report)."""

import pytest

from azext_acrhealth.account import LoginError
from azext_acrhealth.edges import Edges, arm_url
from azext_acrhealth.http_requests import url_problem
from tests.support.account import StubAccount
from tests.support.checks import registry_env
from tests.support.fakecloud import Scenario
from tests.support.proxy import ConnectProxy

LIST = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries"


def edges(cloud, account=None, **env):
    return Edges(2, registry_env(cloud, **env), "/", account or StubAccount(cloud))


def test_arm_get_uses_one_token_for_many_calls(cloud):
    account = StubAccount(cloud)
    e = edges(cloud, account)
    first = e.arm_get(LIST.format(cloud.scenario.subscription), "2023-07-01")
    second = e.arm_get(LIST.format(cloud.scenario.subscription), "2023-07-01")
    assert first.status == second.status == 200 and first.json() == {"value": []}
    assert account.audiences() == [account.arm_audience()]
    assert all(r["authorization"] for r in cloud.requests)


def test_arm_get_without_login_raises_login_error(cloud):
    with pytest.raises(LoginError):
        edges(cloud, StubAccount(cloud, login_error="Please run 'az login' to setup account.")).arm_get(
            "/subscriptions", "1")
    assert cloud.requests == []


@pytest.mark.parametrize("link", [
    "https://evil.example/x",
    "http://arm.example/x",                     # same host, but not HTTPS
    "https://arm.example:8443/x",               # same host, another port
    "https://arm.example@evil.example/x",
    "https://evil.example\\@arm.example/x",
    "https://arm.example.evil.example/x",
    "https://ARM.example\\.evil/x",
])
def test_a_next_link_that_leaves_arm_gets_no_token(link):
    assert arm_url("https://arm.example/", link, "1") is None


def test_arm_urls_on_the_arm_host():
    assert arm_url("https://arm.example/", "/subscriptions", "1") == "https://arm.example/subscriptions?api-version=1"
    assert arm_url("https://arm.example", "https://arm.example/x?api-version=2&$skip=1", "1") == \
        "https://arm.example/x?api-version=2&$skip=1"
    # A nextLink is rebuilt on ARM's origin: only its path and query are taken from it.
    assert arm_url("https://arm.example", "https://ARM.example.:443/x?$skip=1#frag", "1") == \
        "https://arm.example/x?$skip=1&api-version=1"


def test_a_next_link_to_another_host_is_not_followed_with_the_token(make_cloud):
    other = make_cloud(host="127.0.0.2")
    cloud = make_cloud()
    result = edges(cloud).arm_get(other.url + "/subscriptions", "1")
    assert result.error == "invalid" and "token is not sent" in result.reason
    assert other.requests == []


@pytest.mark.parametrize("url", ["https://a.example\\.b.example/", "https://u:p@a.example/", "https://a.example%2F/",
                                 "https://a .example/", "ftp://a.example/", "https://[::1/"])
def test_urls_the_parsers_could_read_differently_are_never_requested(url):
    assert url_problem(url)


def test_netrc_adds_no_credentials_to_any_request(make_cloud, tmp_path, monkeypatch):
    # `default login ...` matches every host: requests would send it wherever it is not told otherwise.
    # requests reads the process's NETRC/HOME, so point both the process and the run's environment at it.
    cloud = make_cloud()
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text("default login netrc-user password netrc-password\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    e = Edges(2, registry_env(cloud, HOME=home, NETRC=netrc), "/", StubAccount(cloud))
    e.get(cloud.url + "/v2/")
    e.post(cloud.url + "/oauth2/exchange", data={"grant_type": "access_token"})
    e.arm_get(LIST.format(cloud.scenario.subscription), "1")
    seen = {r["path"]: r["authorization"] for r in cloud.requests}
    assert seen["/v2/"] is None and seen["/oauth2/exchange"] is None
    assert seen[LIST.format(cloud.scenario.subscription)] == "Bearer"     # ARM's own header, not Basic


@pytest.mark.parametrize("variables, used", [
    ({"HTTPS_PROXY": "P1"}, "P1"),
    ({"https_proxy": "P2", "HTTPS_PROXY": "P1"}, "P2"),        # lower case first, as urllib and requests
    ({"ALL_PROXY": "P3"}, "P3"),
    ({"https_proxy": "P2", "ALL_PROXY": "P3"}, "P2"),
    ({"HTTPS_PROXY": "P1", "NO_PROXY": "127.0.0.1"}, None),
    ({"HTTPS_PROXY": "P1", "no_proxy": "127.0.0.0/8"}, None),
    ({"HTTPS_PROXY": "P1", "NO_PROXY": "*"}, None),
    ({"HTTPS_PROXY": "P1", "NO_PROXY": "other.example"}, "P1"),
])
def test_the_proxy_used_is_the_one_az_would_use_and_the_one_reported(cloud, variables, used):
    with ConnectProxy() as proxy:
        names = {"P1": "http://127.0.0.1:{}".format(proxy.port), "P2": "http://localhost:{}".format(proxy.port),
                 "P3": "http://127.0.0.1:{}/".format(proxy.port)}
        env = {k: names.get(v, v) for k, v in variables.items()}
        result = edges(cloud, **env).get(cloud.url + "/v2/")
    assert result.status == 401
    assert result.proxy == (names[used] if used else None)
    assert (cloud.netloc in proxy.targets) == (used is not None)


def test_a_proxy_password_never_appears_in_an_error(cloud):
    result = edges(cloud, HTTPS_PROXY="http://user:p@ss@127.0.0.1:9").get(cloud.url + "/v2/")
    assert result.error == "proxy"
    assert result.proxy == "http://***@127.0.0.1:9"
    assert "p@ss" not in result.reason and "ss@127" not in result.reason and "user" not in result.reason


@pytest.mark.parametrize("proxy, shown, why", [
    ("user:p@ss@127.0.0.1:9", "***@127.0.0.1:9", "names no host"),
    ("http://user:p/ss@127.0.0.1:9", "http://***@127.0.0.1:9", "percent-encode"),
    ("http://user:p#ss@127.0.0.1:9", "http://***@127.0.0.1:9", "percent-encode"),
])
def test_a_proxy_url_the_client_cannot_read_is_named_masked_and_nothing_is_sent(cloud, proxy, shown, why):
    result = edges(cloud, HTTPS_PROXY=proxy).get(cloud.url + "/v2/")
    assert result.error == "proxy" and result.proxy == shown
    assert "the proxy {} cannot be used".format(shown) in result.reason and why in result.reason
    for secret in ("p@ss", "p/ss", "p#ss", "user:"):
        assert secret not in result.reason + result.proxy
    assert cloud.requests == []


def test_a_scenario_with_a_realm_elsewhere_is_served(make_cloud):
    # (the fake cloud's own realm knob, used by the end-to-end realm tests)
    cloud = make_cloud(Scenario(realm="https://other.example/oauth2/token"))
    assert "other.example" in edges(cloud).get(cloud.url + "/v2/").header("www-authenticate")


def test_debug_logs_of_our_requests_hold_no_query(cloud, caplog):
    """urllib3 logs request lines at DEBUG (az --debug shows them); a redirected download's query holds a
    storage signature."""
    import logging
    caplog.set_level(logging.DEBUG, logger="urllib3")
    res = edges(cloud).get(cloud.url + "/blobstore/x/data?se=1&sig=SECRETSIG")
    assert res.status is not None
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("urllib3")]
    assert any('"GET /blobstore/x/data?… HTTP/1.1"' in line for line in lines), lines
    assert not any("SECRETSIG" in line for line in lines)


def test_a_failure_inside_the_request_worker_is_a_result_not_a_stray_traceback(cloud, monkeypatch):
    # (what a first import of requests racing another thread's once raised, under --debug with a proxy)
    import threading
    import time

    from azext_acrhealth.http_requests import Http
    stray = []
    monkeypatch.setattr(threading, "excepthook", lambda args: stray.append(args))

    def broken(*_args, **_kwargs):
        raise ImportError("cannot import name 'parse_dict_header' from partially initialized module")

    monkeypatch.setattr(Http, "_request", broken)
    start = time.monotonic()
    result = edges(cloud).get(cloud.url + "/v2/", timeout=10)
    assert result.error == "error" and "ImportError" in result.reason
    assert time.monotonic() - start < 5          # not the whole time limit
    assert stray == []
def test_edges_closed_before_their_first_request_send_nothing(cloud):
    # The HTTP client is made on first use: one made after the run ended is closed too.
    e = edges(cloud)
    e.close()
    assert e.get(cloud.url + "/v2/").error == "cancelled"
    assert e.post(cloud.url + "/oauth2/token", data={"x": "y"}).error == "cancelled"
    assert e.arm_get(LIST.format(cloud.scenario.subscription), "2023-07-01").error == "cancelled"
    assert cloud.requests == []
