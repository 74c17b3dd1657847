"""--image: repository access, manifest, layer download through the registry's redirect, platform and
download speed, against the fake cloud. The data endpoint and storage names resolve to the fake cloud
on loopback (tests/support/names.py) and are in its certificate; NOT_IN_CERT resolves but is not."""

import json
import shlex

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from azext_acrhealth._validators import image_type
from azext_acrhealth.checks import image as image_checks
from azext_acrhealth.context import Options
from azext_acrhealth.edges import Edges
from azext_acrhealth.http_requests import HttpResult
from azext_acrhealth.outcome import Status
from azext_acrhealth.plan import build_plan
from azext_acrhealth.resolver import Resolution
from tests.support import pki as pki_support
from tests.support import standins
from tests.support.account import StubAccount
from tests.support.checks import context, outcome, registry_env, registry_json, run_checks, run_registry
from tests.support.fakecloud import FakeCloud, Scenario, digest_of, sample_image
from tests.support.names import loopback_names
from tests.support.strategies import keyed_json

DATA = "myreg.westus.data.azurecr.io"
STORAGE = "acrstore1.blob.core.windows.net"
NOT_IN_CERT = "other.westus.data.azurecr.io"
UNRESOLVED = "gone.westus.data.azurecr.io"
IMAGE_CHECKS = ("image_access", "image_manifest", "layer_download", "image_platform", "layer_throughput")
APP_ID = "11111111-2222-3333-4444-555555555555"    # the StubAccount's identity


@pytest.fixture(scope="module")
def layer_cert(ca, tmp_path_factory):
    folder = tmp_path_factory.mktemp("layer-pki")
    leaf = ca.issue_cert(*pki_support.NAMES, DATA, STORAGE)
    leaf.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    leaf.private_key_pem.write_to_path(str(folder / "key.pem"))
    return str(folder / "cert.pem"), str(folder / "key.pem")


@pytest.fixture
def cloud(layer_cert, pki, monkeypatch):
    loopback_names(monkeypatch, {DATA: "127.0.0.1", STORAGE: "127.0.0.1", NOT_IN_CERT: "127.0.0.1"})
    server = FakeCloud(Scenario(), *layer_cert).start()
    server.ca = pki["ca"]
    yield server
    server.stop()


def serve(cloud, image=None, to=DATA, registry=True, **behaviour):
    """The cloud serves `image` (default: app:v1 for linux/amd64), redirecting blobs to host `to` (None:
    served by the registry itself), with the registry's ARM resource unless registry=False."""
    image = image or sample_image()
    cloud.scenario = Scenario(**image.fields(), **behaviour)
    if to:
        cloud.scenario.blob_redirect = "https://{}:{}".format(to, cloud.port)
    if registry:
        cloud.scenario.registries = [registry_json(cloud) if registry is True else registry]
    return image


def run(cloud, image="app:v1", **options):
    options.setdefault("registry_name", "myreg")
    if options["registry_name"] is None:
        del options["registry_name"]      # the login server alone, as with a full login server for -n
    results = run_registry(cloud, image=image_type(image), **options)
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED], results
    return results


def statuses(results):
    return {name: outcome(results, name).status for name in IMAGE_CHECKS}


def hop_requests(cloud):
    return [r for r in cloud.requests if r["path"].startswith("/blobstore/")]


def shown(results):
    """Everything the report and the JSON may show of the image checks."""
    return json.dumps([[o.message, o.fix, list(o.commands), o.details] for o in
                       (outcome(results, n) for n in IMAGE_CHECKS)], default=str)


def assert_no_secret(cloud, results):
    text = shown(results)
    assert not [t for t in cloud.issued_tokens if t in text]
    assert "sig=" not in text


# ---------------------------------------------------------------- the healthy pull

def test_an_index_pulled_through_the_data_endpoint(cloud):
    image = serve(cloud, sample_image(platforms=("linux/amd64", "linux/arm64/v8"), layer_size=5 << 20))
    results = run(cloud)
    assert statuses(results) == {name: Status.PASSED for name in IMAGE_CHECKS}
    manifest = outcome(results, "image_manifest")
    assert "OCI image index" in manifest.message and "2 platforms (linux/amd64, linux/arm64/v8)" in manifest.message
    assert manifest.details["platformManifest"] == image.manifests["linux/amd64"]
    download = outcome(results, "layer_download")
    assert download.details["host"] == "{}:{}".format(DATA, cloud.port) and "digest verified" in download.message
    speed = outcome(results, "layer_throughput")
    assert speed.details["bytes"] == 4 << 20          # the first 4 MiB of the 5 MiB layer, no more
    assert "MB/s from {}".format(DATA) in speed.message and speed.details["megabytesPerSecond"] > 0
    # The access token went to the registry only; the redirected downloads carried no credential.
    hops = hop_requests(cloud)
    assert [r["host"].split(":")[0] for r in hops] == [DATA, DATA]
    assert {r["authorization"] for r in hops} == {None}
    with_token = [r for r in cloud.requests if r["authorization"] == "Bearer"]
    assert with_token and {r["host"] for r in with_token} == {cloud.netloc}
    assert_no_secret(cloud, results)


def test_a_digest_reference_through_blob_storage(cloud):
    image = serve(cloud, sample_image(index=False), to=STORAGE)
    results = run(cloud, "app@" + image.digest)
    assert statuses(results) == {name: Status.PASSED for name in IMAGE_CHECKS}
    assert "(blob storage)" in outcome(results, "layer_download").message
    assert "single-platform image for linux/amd64" in outcome(results, "image_platform").message
    paths = cloud.paths("GET")
    assert paths.index("/v2/app/manifests/" + image.digest) < paths.index("/v2/app/blobs/" +
                                                                          image.configs["linux/amd64"])


def test_a_registry_that_serves_blobs_itself(cloud):
    serve(cloud, to=None)
    results = run(cloud)
    assert statuses(results) == {name: Status.PASSED for name in IMAGE_CHECKS}
    assert "the registry itself" in outcome(results, "layer_download").message
    assert outcome(results, "layer_throughput").details["host"] == cloud.netloc
    assert hop_requests(cloud) == []


def test_without_image_nothing_changes_and_nothing_is_asked(cloud):
    serve(cloud)
    plain = [c.name for c in build_plan(Options(registry_name="myreg"), {})]
    with_image = [c.name for c in build_plan(Options(registry_name="myreg", image=image_type("app:v1")), {})]
    assert [n for n in with_image if n not in IMAGE_CHECKS] == plain
    assert set(with_image) - set(plain) == set(IMAGE_CHECKS)
    # The image's checks come after the access token.
    assert with_image.index(IMAGE_CHECKS[0]) > with_image.index("access_token")
    results = run_registry(cloud, registry_name="myreg")
    assert not set(IMAGE_CHECKS) & set(results)
    assert not [p for p in cloud.paths() if p.startswith(("/v2/app", "/blobstore"))]


# ---------------------------------------------------------------- repository access

OBJECT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"   # a service principal's object id is not its app id


def identity(cloud, **claims):
    """An account whose Azure AD token names an identity by its object id, as Entra ID's tokens do."""
    account = StubAccount(cloud)
    account.aad = cloud.issue(dict({"aud": account.audience, "tid": cloud.scenario.tenant, "oid": OBJECT_ID,
                                    "appid": APP_ID}, **claims))
    return account


def test_no_pull_permission_names_the_identity_and_the_role_command(cloud):
    registry = serve(cloud, granted_actions=[]) and registry_json(cloud)
    results = run(cloud, account=identity(cloud))
    found = outcome(results, "image_access")
    assert (found.status, found.code) == (Status.FAILED, "REPOSITORY_PERMISSION_ERROR")
    assert "application {} (object ID {}) has no pull permission on repository 'app'".format(
        APP_ID, OBJECT_ID) in found.message
    # The access token check's command, by the same rules: the object id, so no Graph look-up is needed.
    assert found.commands == (
        "az role assignment create --assignee-object-id {} --assignee-principal-type ServicePrincipal --role AcrPull "
        "--scope {}".format(OBJECT_ID, registry["id"]),)
    assert "AcrPull" in found.fix
    assert outcome(results, "image_manifest").message == "skipped because Repository access failed"


def test_no_pull_in_abac_mode_asks_for_the_repository_role_with_a_condition(cloud):
    registry = registry_json(cloud, roleAssignmentMode="AbacRepositoryPermissions")
    serve(cloud, registry=registry, granted_actions=[])
    account = identity(cloud, scp="user_impersonation", upn="dev@example.com")
    found = outcome(run(cloud, "team/app:v1", account=account), "image_access")
    assert found.code == "REPOSITORY_PERMISSION_ERROR" and "AcrPull is not honoured" in found.fix
    assert shlex.split(found.commands[0]) == [
        "az", "role", "assignment", "create", "--assignee-object-id", OBJECT_ID, "--assignee-principal-type", "User",
        "--role", "Container Registry Repository Reader", "--scope", registry["id"],
        "--condition", "((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND "
        "!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR "
        "(@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase 'team/app'))",
        "--condition-version", "2.0"]
    assert found.details["roleAssignmentMode"] == "AbacRepositoryPermissions"


def test_no_pull_for_a_token_without_an_object_id_gives_the_scope_in_words(cloud):
    serve(cloud, granted_actions=[])
    found = outcome(run(cloud), "image_access")
    assert found.code == "REPOSITORY_PERMISSION_ERROR" and found.commands == ()
    assert "scope: the registry's resource ID, from `az acr show -n myreg --query id -o tsv`" in found.fix


def test_no_pull_without_the_registry_resource_gives_no_command(cloud):
    serve(cloud, registry=False, granted_actions=[])
    found = outcome(run(cloud, registry_name=None), "image_access")
    assert found.code == "REPOSITORY_PERMISSION_ERROR" and found.commands == ()
    assert "scope: the registry's resource ID" in found.fix


def test_a_pull_token_refused_is_the_access_token_error(cloud):
    serve(cloud, token="401")
    results = run(cloud)
    assert outcome(results, "access_token").code == "CONNECTIVITY_ACCESS_TOKEN_ERROR"
    assert outcome(results, "image_access").status is Status.SKIPPED       # one cause, one finding


# ---------------------------------------------------------------- with -u/-p

PASSWORD = "t0ken-passw0rd/given+with=minus-p"
SP_ID = "cccccccc-1111-2222-3333-444444444444"


def basic_token_requests(cloud):
    return [r for r in cloud.requests if (r["method"], r["path"], r["authorization"]) == ("GET", "/oauth2/token",
                                                                                          "Basic")]


def test_with_username_the_image_is_fetched_with_those_credentials(cloud):
    serve(cloud, basic_users={"ci-puller": PASSWORD}, catalog=False)
    results = run(cloud, username="ci-puller", password=PASSWORD)
    assert statuses(results) == {name: Status.PASSED for name in IMAGE_CHECKS}, results
    assert outcome(results, "credentials").status is Status.WARNING     # a token need not list the catalog
    # The credentials check's token, then the repository's: both with Basic, none through Entra ID.
    assert len(basic_token_requests(cloud)) == 2
    assert not [p for p in cloud.paths() if p == "/oauth2/exchange"]
    assert PASSWORD not in repr(results)


def test_with_rejected_credentials_the_image_is_not_tried(cloud):
    serve(cloud, basic_users={"ci-puller": "another"})
    results = run(cloud, username="ci-puller", password=PASSWORD)
    assert outcome(results, "credentials").code == "CREDENTIALS_REJECTED_ERROR"
    assert outcome(results, "image_access").message == "skipped because User name and password failed"
    assert len(basic_token_requests(cloud)) == 1                 # one cause, one finding


def test_a_token_without_pull_is_told_which_scope_map_to_change(cloud):
    serve(cloud, basic_users={"ci-puller": PASSWORD}, granted_actions=[])
    rid = registry_json(cloud)["id"]
    cloud.scenario.resources = {rid + "/tokens/ci-puller": {"name": "ci-puller", "properties": {
        "status": "enabled", "scopeMapId": rid + "/scopeMaps/ci-pull-map"}}}
    found = outcome(run(cloud, "team/app:v1", username="ci-puller", password=PASSWORD), "image_access")
    assert found.code == "REPOSITORY_PERMISSION_ERROR"
    assert found.message.startswith("the repository-scoped token 'ci-puller' has no pull permission on repository "
                                    "'team/app' (the token grants nothing)")
    assert "to the scope map 'ci-pull-map' of token 'ci-puller'" in found.fix
    assert found.commands == ("az acr scope-map update -n ci-pull-map -r myreg --add-repository team/app "
                              "content/read metadata/read",)


def test_a_service_principal_without_pull_is_given_the_role_by_its_application_id(cloud):
    serve(cloud, basic_users={SP_ID: PASSWORD}, granted_actions=[])
    rid = registry_json(cloud)["id"]
    found = outcome(run(cloud, username=SP_ID, password=PASSWORD), "image_access")
    assert found.code == "REPOSITORY_PERMISSION_ERROR" and "the service principal " + SP_ID in found.message
    assert found.commands == ("az role assignment create --assignee {} --role AcrPull --scope {}".format(SP_ID, rid),)


# ---------------------------------------------------------------- manifest

def test_a_missing_tag_lists_the_closest_tags(cloud):
    serve(cloud, sample_image(tags=("v1", "v1.1", "v2.0", "latest", "beta", "old", "z")))
    found = outcome(run(cloud, "app:v1.2"), "image_manifest")
    assert (found.status, found.code) == (Status.FAILED, "IMAGE_NOT_FOUND_ERROR")
    assert "has no tag 'v1.2' (MANIFEST_UNKNOWN); tags it has include: v1.1, v1, v2.0" in found.message
    assert len(found.details["tags"]) == 5
    assert found.commands == ("az acr repository show-tags -n myreg --repository app -o table",)
    assert "app:v1.2" in found.fix


def test_a_missing_repository_says_so(cloud):
    serve(cloud)
    found = outcome(run(cloud, "nothing:v1"), "image_manifest")
    assert found.code == "IMAGE_NOT_FOUND_ERROR" and "repository 'nothing' does not exist" in found.message
    assert found.commands == ("az acr repository list -n myreg -o table",)


def test_tags_that_cannot_be_listed_are_said_so(cloud):
    serve(cloud, tags_list="status:403")
    found = outcome(run(cloud, "app:v9"), "image_manifest")
    assert found.code == "IMAGE_NOT_FOUND_ERROR" and "its tags could not be listed (HTTP 403)" in found.message


def test_a_manifest_that_does_not_match_its_digest(cloud):
    image = serve(cloud)
    manifests = cloud.scenario.images["app"]
    manifests[image.digest] = manifests[image.digest].replace("linux", "Linux")
    found = outcome(run(cloud, "app@" + image.digest), "image_manifest")
    assert found.code == "IMAGE_MANIFEST_ERROR" and "not the {} asked for".format(image.digest) in found.message


@pytest.mark.parametrize("behaviour, code, words", [
    ("status:500", "IMAGE_MANIFEST_ERROR", "answered 500: FAKE"),
    ("html", "IMAGE_MANIFEST_ERROR", "not a JSON manifest (text/html)"),
    ("429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "429 Too Many Requests"),
    ("redirect:https://elsewhere.example/x", "IMAGE_MANIFEST_ERROR", "redirecting to"),
])
def test_manifest_answers_that_cannot_be_used(cloud, behaviour, code, words):
    serve(cloud, manifests=behaviour)
    found = outcome(run(cloud), "image_manifest")
    assert (found.status, found.code) == (Status.FAILED, code) and words in found.message


@pytest.mark.parametrize("field, value", [("manifests", 5), ("manifests", True), ("layers", True), ("layers", 7)])
def test_a_manifest_with_a_list_of_another_type_is_read_not_crashed_on(cloud, field, value):
    # A registry's answer is untrusted: a list that is not one is read as empty, never iterated.
    serve(cloud, sample_image(index=field == "manifests"))
    manifests = cloud.scenario.images["app"]
    manifests["v1"] = json.dumps(dict(json.loads(manifests["v1"]), **{field: value}))
    results = run(cloud)      # run() fails on a crashed check
    assert outcome(results, "image_manifest").status in (Status.PASSED, Status.FAILED, Status.WARNING)


_MANIFEST = keyed_json(["schemaVersion", "mediaType", "manifests", "config", "layers", "digest", "size", "platform",
                        "architecture", "os", "variant", "annotations"],
                       [image_checks.OCI_INDEX, image_checks.OCI_MANIFEST, "sha256:" + "a" * 64])


@settings(max_examples=500, deadline=None)
@given(_MANIFEST, st.sampled_from([None, "application/vnd.oci.image.index.v1+json", "text/html"]))
@example({"manifests": True}, None)         # crashes found by this test, always tried first
@example({"config": {"digest": "sha256:" + "a" * 64}, "layers": 7}, None)
def test_any_manifest_is_read_or_refused_never_raised_on(document, content_type):
    res = HttpResult("https://myreg.azurecr.io/v2/app/manifests/v1", status=200, body=json.dumps(document).encode(),
                     headers={"content-type": content_type} if content_type else {})
    parts, why = image_checks._read_manifest(res)
    assert (parts is None) != (why is None)


# ---------------------------------------------------------------- layer download

def test_a_redirect_to_a_foreign_host_is_refused_and_not_followed(cloud):
    serve(cloud, to="evil.example")
    found = outcome(run(cloud), "layer_download")
    assert (found.status, found.code) == (Status.FAILED, "LAYER_DOWNLOAD_ERROR")
    assert "redirected the download to evil.example:{}, which was refused".format(cloud.port) in found.message
    assert "nothing went there" in found.message and hop_requests(cloud) == []
    assert outcome(run(cloud), "layer_throughput").status is Status.SKIPPED


def test_a_firewall_403_on_the_data_endpoint(cloud):
    serve(cloud, redirected="forbidden")
    results = run(cloud)
    found = outcome(results, "layer_download")
    assert found.code == "LAYER_DOWNLOAD_ERROR"
    assert "{}:{} (data endpoint) answered 403: DENIED client with IP '203.0.113.7'".format(DATA, cloud.port) \
        in found.message
    assert "firewall covers its data endpoints too" in found.fix and "allow 203.0.113.7" in found.fix
    assert found.commands == ("az acr network-rule add -n myreg --ip-address 203.0.113.7",)
    assert_no_secret(cloud, results)


def test_a_data_endpoint_that_resolves_publicly_behind_a_private_login_server(cloud):
    """403 from the data endpoint's public address while the registry is reached privately: the record is
    missing from the private DNS zone, which allowing an address would not fix."""
    serve(cloud, redirected="forbidden")
    account = StubAccount(cloud)
    edges = Edges(2, registry_env(cloud), "/", account)
    real = edges.resolve
    seen = {DATA: ("20.60.1.2",), "127.0.0.1": ("10.0.0.5",)}
    edges.resolve = lambda host, timeout=None: Resolution(host, seen[host]) if host in seen else real(host, timeout)
    found = outcome(run(cloud, account=account, edges=edges), "layer_download")
    assert "resolves to the public address 20.60.1.2 while the login server resolves to the private address " \
        "10.0.0.5" in found.message
    assert "add the record myreg.westus.data" in found.fix and "privatelink.azurecr.io" in found.fix


def test_a_403_from_storage(cloud):
    serve(cloud, to=STORAGE, redirected="storage_forbidden")
    found = outcome(run(cloud), "layer_download")
    assert "(blob storage) answered 403: <?xml" in found.message or "AuthorizationFailure" in found.message
    assert "clock" in found.fix


def test_a_hung_data_endpoint_is_bounded_and_named(cloud):
    serve(cloud, redirected="hang", hang_seconds=10)
    found = outcome(run(cloud, timeout=1), "layer_download")
    assert found.code == "LAYER_DOWNLOAD_ERROR" and found.details["error"] == "timeout"
    assert "download from {}:{} (data endpoint): no answer".format(DATA, cloud.port) in found.message
    assert "a data endpoint needs a rule of its own (*.data.azurecr.io)" in found.fix


def test_a_data_endpoint_that_does_not_resolve_points_at_the_private_dns_zone(cloud):
    serve(cloud, to=UNRESOLVED)
    found = outcome(run(cloud), "layer_download")
    assert found.details["error"] == "dns" and "{} (data endpoint) does not resolve".format(UNRESOLVED) in found.message
    assert "add the record gone.westus.data to the private DNS zone privatelink.azurecr.io" in found.fix


def test_a_certificate_not_for_the_data_endpoint(cloud):
    serve(cloud, to=NOT_IN_CERT)
    found = outcome(run(cloud), "layer_download")
    assert found.details["error"] == "ssl" and "TLS failed" in found.message
    assert "the certificate presented is for localhost, {}, {}".format(DATA, STORAGE) in found.message
    assert found.details["certificateNames"][:3] == ["localhost", DATA, STORAGE]
    assert "REQUESTS_CA_BUNDLE" in found.fix


def test_a_second_redirect_is_not_followed(cloud):
    serve(cloud, redirected="redirect:https://{}:{}/elsewhere?sig=secret2".format(STORAGE, cloud.port))
    results = run(cloud)
    found = outcome(results, "layer_download")
    assert "with another redirect (to {}:{})".format(STORAGE, cloud.port) in found.message
    assert len(hop_requests(cloud)) == 1 and "secret2" not in shown(results)


def test_content_that_does_not_match_its_digest(cloud):
    image = serve(cloud)
    config = image.configs["linux/amd64"]
    original = cloud.scenario.blobs[config]["data"]
    cloud.scenario.blobs[config] = {"data": original.replace("amd64", "arm64")}     # same length, other bytes
    found = outcome(run(cloud), "layer_download")
    assert found.code == "LAYER_DOWNLOAD_ERROR" and "do not match that digest" in found.message
    assert digest_of(original.encode()) == config


def test_content_cut_short(cloud):
    image = serve(cloud)
    cloud.scenario.blobs[image.configs["linux/amd64"]] = {"data": "{}"}
    found = outcome(run(cloud), "layer_download")
    assert "sent 2 bytes of the config blob" in found.message


def test_a_layer_host_that_stops_answering_is_a_bounded_warning(cloud):
    """Download speed is report only: the config came, the largest layer does not; a warning with a bound,
    and nothing fails for it."""
    image = serve(cloud, hang_seconds=10)
    cloud.scenario.blobs[image.layers["linux/amd64"]]["behaviour"] = "hang"
    results = run(cloud, timeout=1)
    assert outcome(results, "layer_download").status is Status.PASSED
    found = outcome(results, "layer_throughput")
    assert (found.status, found.code) == (Status.WARNING, None)
    assert found.message == "less than 65.5 kB in 1 s from {}:{}: under 0.07 MB/s".format(DATA, cloud.port)


# ---------------------------------------------------------------- platform

def platform_context(cloud, bin_dir, tmp_path, docker_state, reference="app:v1"):
    standins.write_docker(bin_dir, docker_state)
    env = standins.env_for(bin_dir, tmp_path, REQUESTS_CA_BUNDLE=cloud.ca)
    return context(account=StubAccount(cloud), env=env, login_server=cloud.netloc, image=image_type(reference))


def test_the_daemons_platform_picks_the_manifest(cloud, bin_dir, tmp_path):
    image = serve(cloud, sample_image(platforms=("linux/amd64", "linux/arm64/v8")))
    results = run_checks(platform_context(cloud, bin_dir, tmp_path, "arm64_daemon"),
                         only=("docker_version", "image_platform", "layer_download"))
    assert outcome(results, "image_manifest").details["platformManifest"] == image.manifests["linux/arm64/v8"]
    found = outcome(results, "image_platform")
    assert found.status is Status.PASSED and found.message.startswith("linux/arm64 (the Docker daemon) is one of")
    assert "/v2/app/blobs/" + image.configs["linux/arm64/v8"] in cloud.paths()


def test_an_index_without_the_daemons_platform_is_a_warning_listing_its_platforms(cloud, bin_dir, tmp_path):
    serve(cloud, sample_image(platforms=("linux/amd64", "windows/amd64")))
    results = run_checks(platform_context(cloud, bin_dir, tmp_path, "arm64_daemon"),
                         only=("docker_version", "image_platform", "layer_download"))
    found = outcome(results, "image_platform")
    assert (found.status, found.code) == (Status.WARNING, "IMAGE_PLATFORM_WARNING")
    assert found.message == "app:v1 has no manifest for linux/arm64 (the Docker daemon); it has: linux/amd64, " \
                            "windows/amd64"
    assert "--platform linux/arm64" in found.fix
    assert outcome(results, "layer_download").status is Status.PASSED   # another platform's layers still came


def test_a_single_platform_image_for_another_platform(cloud):
    serve(cloud, sample_image(platforms=("linux/arm64",), index=False))
    found = outcome(run(cloud), "image_platform")
    assert found.code == "IMAGE_PLATFORM_WARNING"
    assert "built for linux/arm64 only, and the daemon is linux/amd64 (assumed: Docker did not say)" in found.message


def test_without_docker_linux_amd64_is_assumed(cloud):
    serve(cloud, sample_image(platforms=("linux/arm64", "linux/amd64")))
    found = outcome(run(cloud), "image_platform")
    assert found.status is Status.PASSED and found.details["platformSource"] == "assumed: Docker did not say"


def test_media_type_names_and_helpers():
    assert image_checks.ACCEPT.count("application/vnd.") == 4
    assert image_checks.megabytes(4 << 20) == "4.2 MB" and image_checks.megabytes(999) == "999 B"
