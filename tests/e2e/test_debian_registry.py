"""The challenge against a real registry server: Debian's docker-registry (CNCF distribution) with token
auth, whose token server (the realm) is the fake cloud under the cloud's registry domain."""

import pytest

from tests.support import e2e, standins
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


def test_challenge_of_debians_registry_passes_and_the_exchange_reaches_the_token_server(e2e_run, docker_registry):
    login_server = e2e.REAL_REGISTRY + e2e.SUFFIX
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
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
