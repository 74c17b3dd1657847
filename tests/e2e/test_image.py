"""--image through the real az: the pull of the user's own image from the fake cloud, layers included,
through the redirect to the data endpoint or to storage, with no token and no signature in the output."""

import pytest

from tests.support import e2e
from tests.support.fakecloud import sample_image

pytestmark = pytest.mark.e2e

IMAGE_CHECKS = ("image_access", "image_manifest", "layer_download", "image_platform", "layer_throughput")
WINDOW = 16


@pytest.fixture
def healthy(healthy_run):
    return healthy_run


def hops(result, host):
    return [r for r in result.requests if (r.get("host") or "").split(":")[0] == host and
            r["path"].startswith("/blobstore/")]


def assert_nothing_secret_in(result):
    output = "\n".join(c["stdout"] + c["stderr"] for c in result.commands)
    seen = {output[i:i + WINDOW] for i in range(len(output) - WINDOW + 1)}
    assert result.issued_tokens
    for token in result.issued_tokens:
        secret = token["token"].split(".", 1)[-1]      # a JWT's claims and signature, or an opaque value
        leaked = [secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1) if secret[i:i + WINDOW] in seen]
        assert not leaked, "part of a {} token appears in the output: {}".format(token["kind"], leaked[0])
    assert "sig=" not in output


def test_an_image_pulled_through_the_data_endpoint_even_with_debug(healthy):
    image = sample_image(platforms=("linux/amd64", "linux/arm64/v8"), layer_size=1 << 20)
    result = healthy.check_health("-n", e2e.REGISTRY, "--image", "app:v1", "--yes", "--debug", "-o", "json",
                                  cloud=e2e.image_scenario(image))

    assert result.returncode == 0, result
    checks = {c["name"]: c for c in result.body["checks"]}
    assert [checks[name]["status"] for name in IMAGE_CHECKS] == ["passed"] * 5, result
    # In the report, after the access token, each with its title.
    names = [c["name"] for c in result.body["checks"]]
    assert names.index("access_token") < names.index("image_access") < names.index("layer_throughput")
    download = checks["layer_download"]
    assert "[✓] Layer download: {}".format(download["message"]) in result.stderr
    assert download["details"]["host"] == e2e.DATA_ENDPOINT and download["details"]["hostKind"] == "data endpoint"
    assert checks["image_manifest"]["details"]["platformManifest"] == image.manifests["linux/amd64"]
    assert checks["image_platform"]["details"]["platformSource"] == "the Docker daemon"
    assert "MB/s from {}".format(e2e.DATA_ENDPOINT) in checks["layer_throughput"]["message"]
    # The repository token went to the registry alone; the data endpoint got no credential.
    assert "/v2/app/manifests/v1" in result.paths(e2e.LOGIN_SERVER)
    assert [r["authorization"] for r in hops(result, e2e.DATA_ENDPOINT)] == [None, None]
    assert {r["host"].split(":")[0] for r in result.requests if r["authorization"] == "Bearer" and
            r["path"].startswith("/v2/app/")} == {e2e.LOGIN_SERVER}
    assert_nothing_secret_in(result)


def test_a_full_reference_by_digest_through_storage(healthy):
    """The registry comes from the reference (no -n), layers from blob storage under the cloud's storage
    suffix, which az's own cloud definition gives."""
    image = sample_image(index=False)
    cloud = e2e.image_scenario(image, redirect=e2e.STORAGE_HOST,
                               registries=[e2e.registry_resource(dataEndpointHostNames=[])])
    result = healthy.check_health("--image", "{}/app@{}".format(e2e.LOGIN_SERVER, image.digest), "--yes", "-o", "json",
                                  cloud=cloud)

    assert result.returncode == 0, result
    assert result.body["registry"] == e2e.LOGIN_SERVER
    download = result.check("layer_download")
    assert download["status"] == "passed" and download["details"]["hostKind"] == "blob storage", result
    assert [r["authorization"] for r in hops(result, e2e.STORAGE_HOST)] == [None, None]
    assert "/v2/app/manifests/" + image.digest in result.paths(e2e.LOGIN_SERVER)
    assert "single-platform image for linux/amd64" in result.check("image_platform")["message"]


def test_no_pull_permission_gives_the_role_assignment_command(healthy):
    result = healthy.check_health("-n", e2e.REGISTRY, "--image", "app:v1", "--yes", "-o", "json",
                                  cloud=e2e.image_scenario(granted_actions=[]))

    assert result.returncode == 1, result
    access = result.check("image_access")
    assert (access["status"], access["code"]) == ("failed", "REPOSITORY_PERMISSION_ERROR")
    assert "application {} (object ID".format(e2e.APP_ID) in access["message"]
    assert access["commands"] == ["az role assignment create --assignee-object-id {} --assignee-principal-type "
                                  "ServicePrincipal --role AcrPull --scope {}".format(e2e.APP_ID, e2e.registry_id())]
    assert access["solutions"][0].startswith("Assign application {}".format(e2e.APP_ID))
    assert result.check("image_manifest")["status"] == "skipped"
    assert "/v2/app/manifests/v1" not in result.paths(e2e.LOGIN_SERVER)


def test_with_a_token_given_by_username_the_image_is_fetched_with_it(healthy):
    # A CI agent that logs in with a repository-scoped token: --image proves that very token can pull.
    password = "T0ken-Passw0rd+for/the=ci-agent"
    healthy.extra_env["ACR_CHECK_HEALTH_PASSWORD"] = password
    result = healthy.check_health("-n", e2e.REGISTRY, "-u", "ci-puller", "--image", "app:v1", "--yes", "-o", "json",
                                  cloud=e2e.image_scenario(basic_users={"ci-puller": password}, catalog=False))

    assert result.returncode == 0, result
    assert result.check("image_access")["message"] == "pull granted on repository 'app'"
    assert result.check("layer_download")["status"] == "passed", result.check("layer_download")
    assert result.check("aad_token")["status"] == "skipped"
    assert "/oauth2/exchange" not in result.paths(e2e.LOGIN_SERVER)
    output = result.stdout + result.stderr
    assert not [password[i:i + WINDOW] for i in range(len(password) - WINDOW + 1) if password[i:i + WINDOW] in output]
    assert_nothing_secret_in(result)
