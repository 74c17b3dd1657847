"""The challenge against a real registry server: Debian's docker-registry (CNCF distribution) with token
auth, whose token server (the realm) is the fake cloud under the cloud's registry domain."""

import pytest

from tests.support import e2e
from tests.support.azcli import ROOT

pytestmark = pytest.mark.e2e

CONFIG = """\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {storage}
http:
  addr: {address}:443
  tls:
    certificate: {cert}
    key: {key}
auth:
  token:
    realm: https://{auth_host}/oauth2/token
    service: {login_server}
    issuer: fake-cloud
    rootcertbundle: {ca}
"""


@pytest.fixture(scope="session")
def docker_registry():
    binary, why = e2e.debian_registry(ROOT / ".cache" / "docker-registry")
    if binary is None:
        pytest.skip("Debian's docker-registry is not available: " + why)
    return binary


def test_challenge_of_debians_registry_passes_and_the_exchange_reaches_the_token_server(healthy_run, docker_registry):
    e2e_run = healthy_run
    login_server = e2e.REAL_REGISTRY + e2e.SUFFIX
    certs = e2e_run.session.certs
    storage = e2e_run.folder / "storage"
    storage.mkdir()
    config = e2e_run.folder / "registry.yml"
    config.write_text(CONFIG.format(storage=storage, address=e2e.REAL_REGISTRY_ADDRESS, cert=certs.cert,
                                    key=certs.key, auth_host=e2e.AUTH_HOST, login_server=login_server,
                                    ca=certs.ca))
    service = {"argv": [str(docker_registry), "serve", str(config)], "address": e2e.REAL_REGISTRY_ADDRESS,
               "port": 443, "log": str(e2e_run.folder / "registry.log")}
    cloud = e2e.scenario(registries=[e2e.registry_resource(e2e.REAL_REGISTRY, login_server,
                                                           dataEndpointHostNames=[])])

    result = e2e_run.check_health("-n", e2e.REAL_REGISTRY, "--ignore-errors", "-o", "json", cloud=cloud,
                                  services=[service])

    log = (e2e_run.folder / "registry.log").read_text()
    assert "GET /v2/" in log, log[-2000:]              # the real server answered the challenge
    challenge = result.check("challenge")
    assert challenge["status"] == "passed", result
    assert challenge["details"]["realm"] == "https://{}/oauth2/token".format(e2e.AUTH_HOST)
    assert challenge["details"]["service"] == login_server
    # The AAD token went to the realm's host (the fake cloud), never to the registry server.
    assert "/oauth2/exchange" in result.paths(host=e2e.AUTH_HOST)
    assert "/oauth2/exchange" not in log
    assert result.check("refresh_token")["status"] == "passed", result
    assert result.check("access_token")["status"] in ("passed", "warning"), result
    assert "Challenge endpoint: https://{}/v2/ answered 401 with a Bearer challenge".format(login_server) \
        in result.stderr
    assert result.returncode == 0, result
    assert [c["name"] for c in result.body["checks"] if c["status"] in ("failed", "crashed")] == []


# ---------------------------------------------------------------- --image against the real registry

def push_spec(folder, login_server, image):
    """What registry_push.py pushes: every blob, the platform manifests by digest, the index by digest,
    then the tags."""
    import base64
    import json

    from tests.support.fakecloud import blob_bytes
    manifests = image.images["app"]
    order = sorted(manifests, key=lambda ref: (not ref.startswith("sha256:"), '"manifests"' in manifests[ref]))
    spec = {"registry": login_server, "token_server": "https://{}/oauth2/token".format(e2e.AUTH_HOST),
            "repository": "app", "manifests": [[ref, manifests[ref]] for ref in order],
            "blobs": {d: base64.b64encode(blob_bytes(s)).decode() for d, s in image.blobs.items()}}
    path = folder / "push.json"
    path.write_text(json.dumps(spec))
    return path


def token_signer(folder):
    """A key and certificate that sign the fake cloud's access tokens, and the CA the registry trusts."""
    import trustme
    ca = trustme.CA(key_type=trustme.KeyType.ECDSA)
    signer = ca.issue_cert("token-signer.fake")
    paths = {name: folder / (name + ".pem") for name in ("signer-key", "signer-chain", "token-ca")}
    signer.private_key_pem.write_to_path(str(paths["signer-key"]))
    signer.cert_chain_pems[0].write_to_path(str(paths["signer-chain"]))
    ca.cert_pem.write_to_path(str(paths["token-ca"]))
    return paths


def test_an_image_pushed_to_debians_registry_is_pulled_without_docker(healthy_run, docker_registry):
    """distribution 2.8.2 verifies the fake cloud's signed tokens, serves an OCI index and its blobs itself
    (no redirect), Range included; the image is pushed by the test over the registry's HTTP API."""
    import sys

    from tests.support.fakecloud import sample_image
    e2e_run = healthy_run
    login_server = e2e.REAL_REGISTRY + e2e.SUFFIX
    certs = e2e_run.session.certs
    storage = e2e_run.folder / "storage"
    storage.mkdir()
    signer = token_signer(e2e_run.folder)
    config = e2e_run.folder / "registry.yml"
    config.write_text(CONFIG.replace("issuer: fake-cloud", "issuer: Azure Container Registry").format(
        storage=storage, address=e2e.REAL_REGISTRY_ADDRESS, cert=certs.cert, key=certs.key, auth_host=e2e.AUTH_HOST,
        login_server=login_server, ca=signer["token-ca"]))
    service = {"argv": [str(docker_registry), "serve", str(config)], "address": e2e.REAL_REGISTRY_ADDRESS,
               "port": 443, "log": str(e2e_run.folder / "registry.log")}
    cloud = e2e.scenario(registries=[e2e.registry_resource(e2e.REAL_REGISTRY, login_server, dataEndpointHostNames=[])],
                         token_signing_key=str(signer["signer-key"]), token_signing_chain=str(signer["signer-chain"]))
    image = sample_image(platforms=("linux/amd64", "linux/arm64/v8"), layer_size=256 << 10)
    push = e2e.Program((sys.executable, str(ROOT / "tests" / "support" / "registry_push.py"),
                        str(push_spec(e2e_run.folder, login_server, image))))

    result = e2e_run.check_health("-n", e2e.REAL_REGISTRY, "--image", "app:v1", "--ignore-errors", "-o", "json",
                                  cloud=cloud, services=[service], before=[push])

    log = (e2e_run.folder / "registry.log").read_text()
    assert "pushed 4 blobs and 4 manifests" in result.commands[0]["stdout"], result.commands[0]
    for name in ("image_access", "image_manifest", "layer_download", "image_platform", "layer_throughput"):
        assert result.check(name)["status"] == "passed", result
    assert result.check("image_manifest")["details"]["platformManifest"] == image.manifests["linux/amd64"]
    download = result.check("layer_download")
    assert download["details"]["host"] == login_server and "the registry itself" in download["message"]
    assert result.check("layer_throughput")["details"]["bytes"] == 256 << 10
    # The real server answered the manifest and blob requests our token opened.
    assert "/v2/app/manifests/v1" in log and "/v2/app/blobs/" + image.configs["linux/amd64"] in log, log[-3000:]
    assert result.returncode == 0, result

    # The same registry, its storage kept: a tag it does not have.
    missing = e2e_run.check_health("-n", e2e.REAL_REGISTRY, "--image", "app:v9", "--ignore-errors", "-o", "json",
                                   cloud=cloud, services=[service])
    check = missing.check("image_manifest")
    assert (check["status"], check["code"]) == ("failed", "IMAGE_NOT_FOUND_ERROR"), missing
    assert "has no tag 'v9' (MANIFEST_UNKNOWN); tags it has include: v1" in check["message"]
