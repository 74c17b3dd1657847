"""The fake cloud itself: what the end-to-end suite relies on (AAD, ARM, process mode, request log)."""

import json
import os
import subprocess
import sys

import pytest
import requests
import trustme

from azext_acrhealth import jwt_claims
from tests.support import fakecloud
from tests.support.fakecloud import FakeCloud, Scenario, main, sample_image


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


# ---------------------------------------------------------------- the registry's content (--image)

def pull_token(cloud, repository="app", actions="pull"):
    return requests.post(cloud.url + "/oauth2/token", timeout=5, data={
        "grant_type": "refresh_token", "refresh_token": "r", "service": cloud.netloc,
        "scope": "repository:{}:{}".format(repository, actions)}).json()["access_token"]


def test_manifests_by_tag_and_digest_need_a_pull_token(cloud):
    image = sample_image(platforms=("linux/amd64", "linux/arm64/v8"))
    cloud.scenario = Scenario(**image.fields())
    url = cloud.url + "/v2/app/manifests/v1"
    refused = requests.get(url, timeout=5)
    assert refused.status_code == 401 and 'scope="repository:app:pull"' in refused.headers["WWW-Authenticate"]
    assert requests.get(url, timeout=5, headers={"Authorization": "Bearer not-issued"}).status_code == 401
    assert requests.get(url, timeout=5, headers={"Authorization": "Bearer " + pull_token(cloud, "other")}) \
        .status_code == 401
    auth = {"Authorization": "Bearer " + pull_token(cloud)}
    index = requests.get(url, timeout=5, headers=auth)
    assert index.headers["Content-Type"] == fakecloud.OCI_INDEX
    assert index.headers["Docker-Content-Digest"] == image.digest == fakecloud.digest_of(index.content)
    platforms = [m["platform"] for m in index.json()["manifests"]]
    assert platforms == [{"os": "linux", "architecture": "amd64"},
                         {"os": "linux", "architecture": "arm64", "variant": "v8"}]
    child = requests.get(cloud.url + "/v2/app/manifests/" + image.manifests["linux/arm64/v8"], headers=auth,
                         timeout=5).json()
    assert child["config"]["digest"] == image.configs["linux/arm64/v8"]
    assert requests.get(cloud.url + "/v2/app/manifests/v2", timeout=5, headers=auth).json()["errors"][0]["code"] \
        == "MANIFEST_UNKNOWN"
    tags = requests.get(cloud.url + "/v2/app/tags/list?n=5", timeout=5, headers=auth).json()
    assert tags == {"name": "app", "tags": ["v1"]}
    other = {"Authorization": "Bearer " + pull_token(cloud, "nothing")}
    assert requests.get(cloud.url + "/v2/nothing/manifests/v1", timeout=5, headers=other).json()["errors"][0][
        "code"] == "NAME_UNKNOWN"


def test_blobs_directly_with_ranges(cloud):
    image = sample_image(layer_size=1000)
    cloud.scenario = Scenario(**image.fields())
    auth = {"Authorization": "Bearer " + pull_token(cloud)}
    url = cloud.url + "/v2/app/blobs/" + image.layers["linux/amd64"]
    whole = requests.get(url, timeout=5, headers=auth).content
    assert len(whole) == 1000 and fakecloud.digest_of(whole) == image.layers["linux/amd64"]
    part = requests.get(url, timeout=5, headers=dict(auth, Range="bytes=0-99"))
    assert part.status_code == 206 and part.content == whole[:100]
    assert part.headers["Content-Range"] == "bytes 0-99/1000"


def test_blob_redirects_carry_a_signature_and_refuse_credentials(cloud):
    image = sample_image()
    cloud.scenario = Scenario(**image.fields(), blob_redirect="https://localhost:{}".format(cloud.port))
    auth = {"Authorization": "Bearer " + pull_token(cloud)}
    config = image.configs["linux/amd64"]
    answer = requests.get(cloud.url + "/v2/app/blobs/" + config, timeout=5, headers=auth, allow_redirects=False)
    location = answer.headers["Location"]
    assert answer.status_code == 307 and location.startswith("https://localhost:{}/blobstore/".format(cloud.port))
    assert location.split("sig=", 1)[1] in cloud.issued_tokens          # a secret the output scans look for
    assert fakecloud.digest_of(requests.get(location, timeout=5).content) == config
    assert requests.get(location, timeout=5, headers=auth).status_code == 400
    assert requests.get(location.split("sig=")[0] + "sig=forged", timeout=5).status_code == 403
    cloud.scenario.redirected = "forbidden"
    assert "is not allowed access" in requests.get(location, timeout=5).text
    cloud.scenario.redirected = "storage_forbidden"
    assert "AuthorizationFailure" in requests.get(location, timeout=5).text


def test_signed_access_tokens_verify_with_the_chains_key(cloud, tmp_path):
    import base64

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
    signer = trustme.CA(key_type=trustme.KeyType.ECDSA).issue_cert("token-signer")
    signer.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    signer.cert_chain_pems[0].write_to_path(str(tmp_path / "chain.pem"))
    cloud.scenario.token_signing_key, cloud.scenario.token_signing_chain = str(tmp_path / "key.pem"), \
        str(tmp_path / "chain.pem")
    token = pull_token(cloud)
    head, payload, signature = token.split(".")
    header = json.loads(base64.urlsafe_b64decode(head + "=="))
    cert = x509.load_der_x509_certificate(base64.b64decode(header["x5c"][0]))
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    cert.public_key().verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                             "{}.{}".format(head, payload).encode(), ec.ECDSA(hashes.SHA256()))
    assert header["alg"] == "ES256" and jwt_claims.claims(token)["access"][0]["actions"] == ["pull"]
