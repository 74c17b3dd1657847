"""The fake cloud itself: what the end-to-end suite relies on (AAD, ARM, process mode, request log)."""

import json
import os
import subprocess
import sys

import pytest
import requests

from azext_acrhealth import jwt_claims
from tests.support.fakecloud import FakeCloud, Scenario, main


@pytest.fixture(autouse=True)
def trust(pki, monkeypatch):
    """These tests talk to the fake cloud with requests itself: trust its CA, use no proxy."""
    for name in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pki["ca"])


FAKECLOUD = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support", "fakecloud.py")


def test_aad_login_calls(cloud):
    tenant = cloud.scenario.tenant
    config = requests.get("{}/{}/v2.0/.well-known/openid-configuration".format(cloud.url, tenant), timeout=5).json()
    assert config["token_endpoint"] == "{}/{}/oauth2/v2.0/token".format(cloud.url, tenant)
    assert config["issuer"] and config["authorization_endpoint"]
    answer = requests.post(config["token_endpoint"], timeout=5, data={
        "grant_type": "client_credentials", "client_id": "app-1", "client_secret": "s3cret",
        "scope": "https://containerregistry.azure.net/.default"}).json()
    claims = jwt_claims.claims(answer["access_token"])
    assert claims["aud"] == "https://containerregistry.azure.net" and claims["appid"] == "app-1"
    assert {"iss", "tid", "oid", "exp"} <= set(claims) and answer["token_type"] == "Bearer"
    assert answer["access_token"] in cloud.issued_tokens
    subs = requests.get(cloud.url + "/subscriptions?api-version=2022-12-01", timeout=5).json()["value"]
    assert subs[0]["subscriptionId"] == cloud.scenario.subscription and subs[0]["tenantId"] == tenant
    logged = json.dumps(cloud.requests)
    assert "s3cret" not in logged and answer["access_token"] not in logged
    assert cloud.requests[1]["form"] == ["client_id", "client_secret", "grant_type", "scope"]


def test_unrecognised_requests_are_404_and_recorded(cloud):
    assert requests.get(cloud.url + "/nowhere", timeout=5).status_code == 404
    assert requests.get(cloud.url + "/oauth2/exchange", timeout=5).status_code == 404   # like ACR: GET is 404
    assert [r["path"] for r in cloud.unrecognised] == ["/nowhere", "/oauth2/exchange"]


def test_scenario_json_round_trip_and_unknown_fields():
    scenario = Scenario(v2="forbidden", granted_actions=["pull"], registries=[{"name": "r"}])
    assert Scenario.from_json(scenario.to_json()) == scenario
    with pytest.raises(ValueError, match="unknown scenario fields: nope"):
        Scenario.from_dict({"nope": 1})


def test_ipv6_loopback(make_cloud):
    try:
        cloud = make_cloud(host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback here")
    assert requests.get(cloud.url + "/v2/", timeout=5).status_code == 401
    assert cloud.url.startswith("https://[::1]:")


def test_process_mode(pki, tmp_path):
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"v2": "forbidden"}))
    cert, key = pki["good"]
    proc = subprocess.Popen([sys.executable, FAKECLOUD, "--port", "0", "--cert", cert, "--key", key,
                             "--scenario", str(scenario)], stdout=subprocess.PIPE, text=True)
    try:
        ready = proc.stdout.readline().split()
        assert ready[:2] == ["READY", "127.0.0.1"]
        url = "https://127.0.0.1:{}".format(ready[2])
        assert requests.get(url + "/v2/", timeout=5).status_code == 403
        logged = json.loads(proc.stdout.readline())
        assert logged["path"] == "/v2/" and logged["recognised"] is True
    finally:
        proc.terminate()
        proc.wait(10)


def test_bad_scenario_file_is_an_error(tmp_path, pki):
    bad = tmp_path / "bad.json"
    bad.write_text('{"v3": "x"}')
    with pytest.raises(ValueError):
        main(["--cert", pki["good"][0], "--key", pki["good"][1], "--scenario", str(bad), "--port", "0"])


def test_context_manager(pki):
    with FakeCloud(Scenario(v2="anonymous"), *pki["good"]) as cloud:
        assert requests.get(cloud.url + "/v2/", timeout=5).status_code == 200
