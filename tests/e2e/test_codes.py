"""Every catalogue code, provoked through `az acr check-health` as users run it.

Each case of CASES names the code it provokes, the check that reports it, and the state of the world:
the fake cloud's behaviour, stand-in docker and helm on PATH, the az configuration. Unless a case
changes it, the environment is healthy (stand-ins for a working docker and Helm 3.14), so the code of
the case is the only problem in the run. test_cases_cover_the_catalogue keeps the table complete.
"""

import json
import re
import shlex
from dataclasses import dataclass, field

import pytest

from azext_acrhealth import catalogue, report
from tests.support import e2e, standins
from tests.support.fakecloud import sample_image

pytestmark = pytest.mark.e2e

IDENTITY_CLIENT_ID = "1d3e7a11-0000-4000-8000-00000000c3c3"
IDENTITY_ID = ("/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
               "cmk-identity".format(e2e.SUBSCRIPTION))
PE_ID = "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1".format(e2e.SUBSCRIPTION)
TOKEN_ID = e2e.registry_id() + "/tokens/ci-puller"
ADMIN_PASSWORD = "stored-admin-password-0123456789abcdef"
TOKEN_PASSWORD = "token-password-from-the-environment-0123"
SUBNET_ID = ("/subscriptions/{}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/myvnet/subnets/"
             "default".format(e2e.SUBSCRIPTION))


# ---------------------------------------------------------------- states of the machine

def healthy_tools(run):
    standins.write_docker(run.tools, "ok")
    standins.write_helm(run.tools, standins.HELM3_OUTPUT)


def tools(docker="ok", helm=standins.HELM3_OUTPUT, helm_rc=0):
    """Stand-ins: docker in that state (None: no docker), helm printing that output (None: no helm)."""
    def setup(run):
        if docker:
            standins.write_docker(run.tools, docker)
        if helm is not None:
            standins.write_helm(run.tools, helm, rc=helm_rc)
    return setup


def recorded(tool, case, client="docker", clock_offset=0, pull=None, subs=None, **env):
    """A stand-in replaying a real client in a recorded case (tests/support/recordings), with helm, and
    the case's variables; "<D>" in them and in the recording is this run's folder."""
    def setup(run):
        subs_ = {"<D>": str(run.folder), **(subs or {})}
        overrides = {"pull": standins.recorded_answer(*pull, subs_)} if pull else {}
        standins.write_recorded(run.tools, tool, case, name=client, subs=subs_, clock_offset=clock_offset,
                                **overrides)
        standins.write_helm(run.tools, standins.HELM3_OUTPUT)
        run.extra_env.update({k: v.replace("<D>", str(run.folder)) for k, v in env.items()})
    return setup


def credential_store(run):
    healthy_tools(run)
    docker = run.home / ".docker"
    docker.mkdir(exist_ok=True)     # docker is logged in by default (e2e.docker_logged_in)
    (docker / "config.json").write_text(json.dumps({"auths": {}, "credsStore": "desktop"}))


def docker_stored(config):
    """Healthy tools, and docker's config.json holding config(run): made when the case runs, so that a
    token's lifetime counts from then, not from when the table was read."""
    def setup(run):
        healthy_tools(run)
        e2e.write_docker_config(run.home, config(run))
    return setup


def helm_stored(config):
    """Healthy tools, and Helm's registry configuration holding config(run), where Helm keeps it by default."""
    def setup(run):
        healthy_tools(run)
        folder = run.home / ".config" / "helm" / "registry"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "config.json").write_text(json.dumps(config(run)))
    return setup


def helm_logs_in_again(result):
    commands("az acr login -n myregistry --expose-token --output tsv --query accessToken | helm registry login {} "
             "--username 00000000-0000-0000-0000-000000000000 --password-stdin".format(e2e.LOGIN_SERVER))(result)
    # Docker's own login is current: one finding, for Helm's.
    assert result.check("docker_login")["status"] == "passed"


def admin_in_credential_store(run):
    standins.write_credential_helper(run.tools, "desktop", stored={e2e.LOGIN_SERVER: (e2e.REGISTRY, ADMIN_PASSWORD)})
    return {"auths": {e2e.LOGIN_SERVER: {}}, "credsStore": "desktop"}


def token_password_in_environment(run):
    healthy_tools(run)
    run.extra_env["ACR_CHECK_HEALTH_PASSWORD"] = TOKEN_PASSWORD


def commands(*expected):
    def extra(result):
        check = next(c for c in result.body["checks"] if c["code"] and c["status"] != "passed")
        assert check["commands"] == list(expected), check
    return extra


def cloud(behaviour=None, **registry):
    """The fake cloud's scenario: its behaviour (fakecloud.Scenario fields) and the registry's ARM
    properties."""
    return e2e.scenario(registries=[e2e.registry_resource(**registry)], **(behaviour or {}))


# ---------------------------------------------------------------- the table

@dataclass(frozen=True)
class Case:
    id: str
    code: str                   # the catalogue code this case provokes
    check: str                  # the check that reports it
    status: str = "failed"      # or "warning"
    args: tuple = ("-n", e2e.REGISTRY, "--yes")
    ignore_errors: bool = True
    setup: object = healthy_tools
    cloud: dict = field(default_factory=lambda: e2e.scenario())
    config: str = "logged_in"
    message: str = ""           # a regular expression the check's message must match
    extra: object = None        # callable(result): assertions of this case
    also_warns: tuple = ()      # checks expected to warn (without a code) because of the same cause
    hosts: dict = None          # the namespace's hosts file, when the case needs other answers than e2e.HOSTS

    @property
    def exit(self):
        return 1 if self.status == "failed" else 0


def no_exchange(result):
    assert "/oauth2/exchange" not in result.paths(), "the AAD token must not be sent"


def later_checks_still_ran(result):
    assert result.check("challenge")["status"] == "passed"
    assert result.check("helm_version")["status"] == "passed"
    assert result.check("refresh_token")["status"] == "skipped"
    assert "azure ad token failed" in result.check("refresh_token")["message"].lower()


def registry_untouched(result):
    assert result.paths(e2e.LOGIN_SERVER) == [], "no request may reach a registry whose name does not resolve"


def stopped_after_it(case_check):
    """Without --ignore-errors the run stops at the failure: the checks after it are listed, not run."""
    def extra(result):
        names = [c["name"] for c in result.body["checks"]]
        for later in result.body["checks"][names.index(case_check) + 1:]:
            assert later["status"] == "skipped", later
        assert result.check("helm_version")["message"].startswith("not run")
        assert "stopped at the first failure" in result.stderr
    return extra


def skew_about_an_hour(result):
    # The Date header has whole seconds: the skew is an hour, give or take one second and the run's latency.
    assert 3590 <= result.check("clock_skew")["details"]["skewSeconds"] <= 3660


def firewall_ip_reported(result):
    assert result.check("challenge")["details"]["clientIp"] == "203.0.113.7"


def cmk_identity_looked_up(result):
    assert IDENTITY_ID in result.paths(e2e.ARM_HOST)


# ---------------------------------------------------------------- network rules seen from here

PUBLIC_ADDRESS = "20.49.96.5"   # in the namespace's hosts file only: resolved, never connected to
PE2_ID = PE_ID[:-1] + "2"
OTHER_SUBNET_ID = SUBNET_ID.replace("/subnets/default", "/subnets/second")


def hosts_with_public_login_server():
    """The registry's name answers a public address here; every other name stays on loopback."""
    hosts = {address: [n for n in names if n != e2e.LOGIN_SERVER] for address, names in e2e.HOSTS.items()}
    hosts[PUBLIC_ADDRESS] = [e2e.LOGIN_SERVER]
    return hosts


def private_endpoint(pe_id=PE_ID, subnet_id=SUBNET_ID, login_ip="10.0.0.5", data_ip="10.0.0.6"):
    return {"id": pe_id, "properties": {"subnet": {"id": subnet_id}, "customDnsConfigs": [
        {"fqdn": e2e.LOGIN_SERVER, "ipAddresses": [login_ip]}, {"fqdn": e2e.DATA_ENDPOINT, "ipAddresses": [data_ip]}]}}


def connections(*pe_ids):
    return [{"properties": {"privateEndpoint": {"id": pe_id},
                            "privateLinkServiceConnectionState": {"status": "Approved"}}} for pe_id in pe_ids]


def runs(*commands):
    """The finding carries exactly these commands, in the JSON and as copyable lines on stderr."""
    def extra(result):
        check = next(c for c in result.body["checks"] if c["status"] in ("failed", "warning") and c["code"])
        assert check["commands"] == list(commands), check
        if commands:
            assert "    Run:\n" + "".join("      {}\n".format(c) for c in commands) in result.stderr, result
        else:
            assert "    Run:" not in result.stderr
    return extra


def refused_before_any_request(result):
    runs("az acr update -n {} --public-network-enabled true --default-action Deny".format(e2e.REGISTRY))(result)
    assert result.check("challenge")["message"] == "skipped because DNS lookup failed"
    assert result.paths(e2e.LOGIN_SERVER) == [], "nothing may be sent to the registry's public address"
    assert result.check("registry_resource")["details"]["publicNetworkAccess"] == "Disabled"


def abac_role_for_this_identity(result):
    condition = ("((!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/content/read'}) AND "
                 "!(ActionMatches{'Microsoft.ContainerRegistry/registries/repositories/metadata/read'})) OR "
                 "(@Request[Microsoft.ContainerRegistry/registries/repositories:name] StringEqualsIgnoreCase "
                 "'hello-world'))")
    check = result.check("access_token")
    assert shlex.split(check["commands"][0]) == [
        "az", "role", "assignment", "create", "--assignee-object-id", e2e.APP_ID, "--assignee-principal-type",
        "ServicePrincipal", "--role", "Container Registry Repository Reader", "--scope", e2e.registry_id(),
        "--condition", condition, "--condition-version", "2.0"]
    assert "AcrPull, AcrPush and AcrDelete are not honoured" in check["solutions"][0]
    assert "ABAC repository permissions" in result.check("registry_resource")["message"]
# ---------------------------------------------------------------- the container engine (issue 11)

def fix_and_commands(check, fix, commands):
    """The case's own fix comes first in the JSON and the report; its commands are in both."""
    def extra(result):
        found = result.check(check)
        assert fix.lower() in found["solutions"][0].lower(), found["solutions"]
        assert found["commands"] == list(commands), found["commands"]
        assert "    Potential solutions:\n      - " + found["solutions"][0] in result.stderr
        for command in commands:
            assert "\n      {}\n".format(command) in result.stderr + "\n"
    return extra


def all_of(*extras):
    def extra(result):
        for one in extras:
            one(result)
    return extra


def skipped_because(reason, *names):
    def extra(result):
        for name in names:
            found = result.check(name)
            assert (found["status"], found["message"]) == ("skipped", "skipped because " + reason), found
    return extra


def daemon_down_is_one_finding(result):
    # The version check is skipped, not passed with "server not reachable"; the client check shows the version.
    skipped_because("Docker daemon failed", "docker_version", "docker_pull")(result)
    assert "[-] Docker version: skipped because Docker daemon failed" in result.stderr
    assert "28.2.2" in result.check("docker_client")["message"]
    assert "sudo systemctl start docker" in result.check("docker_daemon")["solutions"][0]


def no_secret_anywhere(secret):
    def extra(result):
        assert secret not in result.stdout and secret not in result.stderr
    return extra


ENVIRONMENT_ONLY = ("--yes",)


CASES = [
    Case("docker-absent", "DOCKER_COMMAND_ERROR", "docker_client", setup=tools(docker=None),
         message="no docker"),
    Case("docker-daemon-down", "DOCKER_DAEMON_ERROR", "docker_daemon",
         setup=recorded("docker-28.2.2", "02-daemon-down-default"),
         message="not running, or not reachable at unix:///var/run/docker.sock", extra=daemon_down_is_one_finding),
    Case("docker-version-unsupported", "DOCKER_VERSION_ERROR", "docker_version",
         setup=tools(docker="version_unsupported")),
    Case("docker-pull-fails", "DOCKER_PULL_ERROR", "docker_pull", setup=tools(docker="pull_fail"),
         message="mcr.microsoft.com"),
    Case("docker-credential-helper-missing", "DOCKER_CREDENTIAL_HELPER_ERROR", "docker_credentials",
         setup=credential_store, message="docker-credential-desktop"),
    # A warning: registry users who never use Helm must not see the run fail for it.
    Case("helm-absent", "HELM_COMMAND_ERROR", "helm_client", status="warning", setup=tools(helm=None),
         message="no helm"),
    Case("helm-version-garbled", "HELM_VERSION_ERROR", "helm_version",
         setup=tools(helm="Error: something went wrong", helm_rc=1)),
    Case("helm-3.7", "HELM_OCI_WARNING", "helm_version", status="warning",
         setup=tools(helm=standins.helm_output("3.7.2")), message="3.7.2"),
    Case("not-logged-in", "AZURE_LOGIN_ERROR", "aad_token", config="anonymous", extra=later_checks_still_ran,
         also_warns=("login_server",)),
    Case("not-logged-in-without-ignore-errors", "AZURE_LOGIN_ERROR", "aad_token", config="anonymous",
         ignore_errors=False, extra=later_checks_still_ran, also_warns=("login_server",)),
    Case("cloud-without-acr-suffix", "LOGIN_SERVER_ERROR", "login_server", config="no_acr",
         cloud=e2e.scenario(registries=[]), message="defines no registry suffix"),
    Case("dns-failure", "CONNECTIVITY_DNS_ERROR", "dns", args=("-n", "nowhere", "--yes"),
         cloud=e2e.scenario(registries=[]), message=r"nowhere\.azurecr\.fake", extra=registry_untouched),
    Case("dns-failure-stops-the-run", "CONNECTIVITY_DNS_ERROR", "dns", args=("-n", "nowhere", "--yes"),
         ignore_errors=False, cloud=e2e.scenario(registries=[]), message=r"nowhere\.azurecr\.fake",
         extra=stopped_after_it("dns")),
    Case("tls-hostname-mismatch", "CONNECTIVITY_SSL_ERROR", "challenge", args=("-n", e2e.MISMATCH_REGISTRY, "--yes"),
         cloud=e2e.scenario(registries=[e2e.registry_resource(e2e.MISMATCH_REGISTRY,
                                                              e2e.MISMATCH_REGISTRY + e2e.SUFFIX,
                                                              dataEndpointHostNames=[])]),
         message="(?i)hostname|mismatch|match"),
    Case("firewall-403", "CONNECTIVITY_FORBIDDEN_ERROR", "challenge",
         cloud=cloud({"v2": "forbidden", "forbidden_ip": "203.0.113.7"},
                     networkRuleSet={"defaultAction": "Deny", "ipRules": []}),
         message="203.0.113.7", extra=firewall_ip_reported),
    Case("firewall-403-stops-the-run", "CONNECTIVITY_FORBIDDEN_ERROR", "challenge", ignore_errors=False,
         cloud=e2e.scenario(v2="forbidden"), message="203.0.113.7", extra=stopped_after_it("challenge")),
    Case("challenge-503", "CONNECTIVITY_CHALLENGE_ERROR", "challenge",
         cloud=e2e.scenario(v2="status:503"), message="503"),
    Case("challenge-hangs", "CONNECTIVITY_CHALLENGE_ERROR", "challenge",
         # No data endpoint: the same fake server would hang for it too.
         args=("-n", e2e.REGISTRY, "--yes", "--timeout", "2"), cloud=cloud({"v2": "hang"}, dataEndpointHostNames=[]),
         message="no answer|no complete answer|timed out"),
    Case("basic-challenge", "CONNECTIVITY_AAD_LOGIN_ERROR", "challenge",
         cloud=e2e.scenario(v2="basic"),
         message="Basic"),
    Case("realm-elsewhere", "CONNECTIVITY_REALM_ERROR", "refresh_token",
         cloud=e2e.scenario(realm="https://tokens.example.net/oauth2/token"),
         message="tokens.example.net", extra=no_exchange),
    Case("clock-an-hour-behind", "CLOCK_SKEW_WARNING", "clock_skew", status="warning",
         cloud=e2e.scenario(date_offset=-3600.0), message=r"\b36\d\d s ahead of the registry",
         extra=skew_about_an_hour),
    Case("exchange-401", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "refresh_token",
         cloud=e2e.scenario(exchange="401"), message="401"),
    Case("exchange-html-page", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "refresh_token",
         cloud=e2e.scenario(exchange="html"), message="not JSON.*corporate proxy"),
    Case("exchange-429", "CONNECTIVITY_TOOMANYREQUESTS_ERROR", "refresh_token",
         cloud=e2e.scenario(exchange="429"), message="429"),
    Case("token-401", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "access_token",
         cloud=e2e.scenario(token="401"), message="401"),
    Case("pull-only-identity", "REPOSITORY_PERMISSION_ERROR", "access_token", status="warning",
         args=("-n", e2e.REGISTRY, "--yes", "--repository", "hello-world"),
         cloud=e2e.scenario(granted_actions=["pull"]), message="granted: pull; missing: push"),
    Case("no-access-to-repository", "REPOSITORY_PERMISSION_ERROR", "access_token",
         args=("-n", e2e.REGISTRY, "--yes", "--repository", "hello-world"),
         cloud=e2e.scenario(granted_actions=[]), message="granted: none"),
    Case("cmk-identity-deleted", "CMK_ERROR", "cmk",
         cloud=dict(cloud(encryption={"status": "enabled", "keyVaultProperties": {
             "identity": IDENTITY_CLIENT_ID, "keyIdentifier": "https://fakevault.vault.fake/keys/acr/1"}},
             identity={"type": "UserAssigned", "userAssignedIdentities": {IDENTITY_ID: {
                 "clientId": IDENTITY_CLIENT_ID, "principalId": "9a9a9a9a-0000-4000-8000-000000000009"}}}),
             resources={IDENTITY_ID: {"status": 404}}),
         message="does not exist", extra=cmk_identity_looked_up),
    Case("data-endpoint-unresolvable", "DATA_ENDPOINT_ERROR", "data_endpoints",
         cloud=cloud(dataEndpointHostNames=["myregistry.elsewhere.data" + e2e.SUFFIX]),
         message="does not resolve"),
    Case("private-endpoint-resolves-publicly", "PRIVATE_ENDPOINT_DNS_ERROR", "private_endpoints",
         args=("-n", e2e.REGISTRY, "--yes", "--vnet", "myvnet"),
         cloud=dict(cloud(privateEndpointConnections=[{"properties": {"privateEndpoint": {"id": PE_ID}}}]),
                    resources={PE_ID: {"id": PE_ID, "properties": {
                        "subnet": {"id": SUBNET_ID},
                        "customDnsConfigs": [{"fqdn": e2e.LOGIN_SERVER, "ipAddresses": ["10.0.0.5"]}]}}}),
         message="instead of 10.0.0.5"),
    # ---- network rules seen from here
    Case("public-access-disabled-resolves-publicly", "PUBLIC_ACCESS_DISABLED_ERROR", "dns",
         cloud=cloud(publicNetworkAccess="Disabled", dataEndpointHostNames=[]), hosts=hosts_with_public_login_server(),
         message=r"public network access to the registry is disabled, and here myregistry\.azurecr\.fake resolves "
                 r"to 20\.49\.96\.5", extra=refused_before_any_request),
    Case("firewall-403-on-the-token-exchange", "CONNECTIVITY_FORBIDDEN_ERROR", "refresh_token",
         cloud=cloud({"exchange": "forbidden"}, networkRuleSet={"defaultAction": "Deny", "ipRules": []}),
         message=r"/oauth2/exchange answered 403: client with IP '203\.0\.113\.7'",
         extra=runs("az acr network-rule add -n myregistry --ip-address 203.0.113.7")),
    Case("firewall-403-address-already-allowed", "CONNECTIVITY_FORBIDDEN_ERROR", "challenge",
         cloud=cloud({"v2": "forbidden"}, networkRuleSet={"defaultAction": "Deny", "ipRules": [
             {"action": "Allow", "value": "203.0.113.0/24"}]}),
         message=r"although the registry's IP rule 203\.0\.113\.0/24 allows it", extra=runs()),
    Case("firewall-403-public-access-disabled", "CONNECTIVITY_FORBIDDEN_ERROR", "challenge",
         cloud=cloud({"v2": "forbidden"}, publicNetworkAccess="Disabled"),
         message="public network access is disabled, so no IP rule can let it in",
         extra=runs("az acr update -n myregistry --public-network-enabled true --default-action Deny",
                    "az acr network-rule add -n myregistry --ip-address 203.0.113.7")),
    Case("private-endpoint-dns-without-vnet", "PRIVATE_ENDPOINT_DNS_ERROR", "private_endpoints",
         cloud=dict(cloud(privateEndpointConnections=connections(PE_ID)), resources={PE_ID: private_endpoint()}),
         message=r"myregistry\.azurecr\.fake resolves to 127\.0\.0\.1 \(loopback\) instead of 10\.0\.0\.5"),
    Case("two-private-endpoints-in-one-vnet", "PRIVATE_ENDPOINT_DNS_ERROR", "private_endpoints", status="warning",
         cloud=dict(cloud(privateEndpointConnections=connections(PE_ID, PE2_ID)),
                    resources={PE_ID: private_endpoint(login_ip="127.0.0.1", data_ip="127.0.0.1"),
                               PE2_ID: private_endpoint(PE2_ID, OTHER_SUBNET_ID, "10.0.1.5", "10.0.1.6")}),
         message="virtual network myvnet holds 2 private endpoints of the registry .* unreliable"),
    Case("abac-registry-no-access", "REPOSITORY_PERMISSION_ERROR", "access_token",
         args=("-n", e2e.REGISTRY, "--yes", "--repository", "hello-world"),
         cloud=cloud({"granted_actions": []}, roleAssignmentMode="AbacRepositoryPermissions"),
         message="granted: none", extra=abac_role_for_this_identity),
]


IMAGE_ARGS = ("-n", e2e.REGISTRY, "--yes", "--image", "app:v1")


def show_tags_command(result):
    assert result.check("image_manifest")["commands"] == [
        "az acr repository show-tags -n {} --repository app -o table".format(e2e.REGISTRY)]


def data_endpoint_firewall(result):
    check = result.check("layer_download")
    assert check["commands"] == ["az acr network-rule add -n {} --ip-address 203.0.113.7".format(e2e.REGISTRY)]
    assert "firewall covers its data endpoints too" in check["solutions"][0]
    hops = [r for r in result.requests if r["path"].startswith("/blobstore/")]
    assert [(r["host"].split(":")[0], r["authorization"]) for r in hops] == [(e2e.DATA_ENDPOINT, None)]
    assert result.check("layer_throughput")["status"] == "skipped"


CASES += [
    Case("image-tag-missing", "IMAGE_NOT_FOUND_ERROR", "image_manifest",
         args=("-n", e2e.REGISTRY, "--yes", "--image", "app:v2"),
         cloud=e2e.image_scenario(sample_image(tags=("v1", "v2.1"))),
         message="has no tag 'v2' \\(MANIFEST_UNKNOWN\\); tags it has include: v2.1, v1", extra=show_tags_command),
    Case("image-manifest-500", "IMAGE_MANIFEST_ERROR", "image_manifest", args=IMAGE_ARGS,
         cloud=e2e.image_scenario(manifests="status:500"), message="answered 500"),
    Case("layer-download-data-endpoint-firewall", "LAYER_DOWNLOAD_ERROR", "layer_download", args=IMAGE_ARGS,
         cloud=e2e.image_scenario(redirected="forbidden", registries=[e2e.registry_resource(
             networkRuleSet={"defaultAction": "Deny", "ipRules": [{"action": "Allow", "value": "198.51.100.0/24"}]})]),
         message=r"myregistry\.fakeregion\.data\.azurecr\.fake \(data endpoint\) answered 403: DENIED client with "
                 r"IP '203\.0\.113\.7'", extra=data_endpoint_firewall),
    Case("image-without-the-daemons-platform", "IMAGE_PLATFORM_WARNING", "image_platform", status="warning",
         args=IMAGE_ARGS, cloud=e2e.image_scenario(sample_image(platforms=("linux/arm64", "windows/amd64"))),
         message=r"has no manifest for linux/amd64 \(the Docker daemon\); it has: linux/arm64, windows/amd64"),
    # Docker's stored login (docker is logged in as `az acr login` leaves it unless a case says otherwise).
    Case("docker-login-expired", "DOCKER_LOGIN_EXPIRED_ERROR", "docker_login",
         setup=docker_stored(lambda run: e2e.docker_logged_in(token=e2e.stored_refresh_token(lifetime=-3600))),
         message="refresh token of `az acr login`.* expired 60 min ago", extra=commands("az acr login -n myregistry")),
    Case("docker-login-expiring", "DOCKER_LOGIN_EXPIRED_ERROR", "docker_login", status="warning",
         setup=docker_stored(lambda run: e2e.docker_logged_in(token=e2e.stored_refresh_token(lifetime=300))),
         message="expires in [45] min", extra=commands("az acr login -n myregistry")),
    Case("docker-login-revoked", "DOCKER_LOGIN_REJECTED_ERROR", "docker_login",
         cloud=e2e.scenario(stored_token="401"), message=r"is rejected by .*\(401\)",
         extra=commands("az acr login -n myregistry")),
    Case("docker-login-admin-disabled", "DOCKER_LOGIN_REJECTED_ERROR", "docker_login",
         setup=docker_stored(admin_in_credential_store), cloud=cloud({"basic_users": {}}, adminUserEnabled=False),
         message="admin user 'myregistry', in docker-credential-desktop .* disabled",
         extra=commands("az acr login -n myregistry")),
    Case("docker-login-stale-with-anonymous-pull", "DOCKER_LOGIN_REJECTED_ERROR", "docker_login",
         cloud=cloud({"stored_token": "401"}, anonymousPullEnabled=True),
         message="allows anonymous pull, but docker sends the stored credential, and it fails",
         extra=commands("docker logout " + e2e.LOGIN_SERVER, "az acr login -n myregistry")),
    # Helm's own login (helm registry login), apart from Docker's.
    Case("helm-login-expired", "HELM_LOGIN_EXPIRED_ERROR", "helm_login",
         setup=helm_stored(lambda run: e2e.docker_logged_in(token=e2e.stored_refresh_token(lifetime=-7200))),
         message=r"helm's stored login for .* \(the ACR refresh token .*\) expired 2 h 0 min ago",
         extra=helm_logs_in_again),
    Case("helm-login-revoked", "HELM_LOGIN_REJECTED_ERROR", "helm_login",
         setup=helm_stored(lambda run: {"auths": {e2e.LOGIN_SERVER: e2e.auth_entry("ci-charts", "Old-Passw0rd")}}),
         cloud=dict(e2e.scenario(basic_users={}), resources={TOKEN_ID.replace("ci-puller", "ci-charts"): {
             "name": "ci-charts", "properties": {"status": "disabled", "credentials": {"passwords": []}}}}),
         message=r"repository-scoped token 'ci-charts', in .*config.json\) is rejected .*token 'ci-charts' is disabled",
         extra=commands("az acr token update -n ci-charts -r myregistry --status enabled",
                        "az acr login -n myregistry --expose-token --output tsv --query accessToken | helm registry "
                        "login {} --username 00000000-0000-0000-0000-000000000000 --password-stdin".format(
                            e2e.LOGIN_SERVER))),
    # -u/--username with the password in ACR_CHECK_HEALTH_PASSWORD: the token is disabled.
    Case("credentials-token-disabled", "CREDENTIALS_REJECTED_ERROR", "credentials",
         args=("-n", e2e.REGISTRY, "--yes", "-u", "ci-puller"), setup=token_password_in_environment,
         cloud=dict(e2e.scenario(basic_users={}), resources={TOKEN_ID: {"name": "ci-puller", "properties": {
             "status": "disabled", "credentials": {"passwords": []}}}}),
         message="rejected the repository-scoped token 'ci-puller': token 'ci-puller' is disabled",
         extra=commands("az acr token update -n ci-puller -r myregistry --status enabled")),
    # ---- the container engine: every finding with the fix for that very case (issue 11)
    Case("docker-api-version-too-new", "DOCKER_VERSION_ERROR", "docker_version", args=ENVIRONMENT_ONLY,
         setup=recorded("docker-20.10.24", "04-api-1.50", DOCKER_HOST="unix://<D>/docker.sock",
                        DOCKER_API_VERSION="1.50"),
         message=r"^DOCKER_API_VERSION=1\.50 asks for API 1\.50, but the daemon at unix://\S+ supports at most "
                 r"API 1\.41$",
         extra=all_of(fix_and_commands("docker_version", "unset DOCKER_API_VERSION", ["unset DOCKER_API_VERSION"]),
                      skipped_because("Docker version failed", "docker_info", "docker_pull"))),
    Case("docker-context-missing", "DOCKER_DAEMON_ERROR", "docker_daemon", args=ENVIRONMENT_ONLY,
         setup=recorded("docker-20.10.24", "06-context-env-nonexistent", DOCKER_CONTEXT="nonexistent"),
         message="^DOCKER_CONTEXT names the docker context 'nonexistent', which does not exist$",
         extra=all_of(fix_and_commands("docker_daemon", "unset DOCKER_CONTEXT",
                                       ["unset DOCKER_CONTEXT", "docker context ls"]),
                      skipped_because("Docker daemon failed", "docker_version", "docker_pull"))),
    Case("docker-host-refused", "DOCKER_DAEMON_ERROR", "docker_daemon", args=ENVIRONMENT_ONLY,
         setup=recorded("docker-28.2.2", "05-tcp-refused", DOCKER_HOST="tcp://127.0.0.1:1"),
         message="^nothing answers at tcp://127.0.0.1:1, where DOCKER_HOST points$",
         extra=fix_and_commands("docker_daemon", "unset DOCKER_HOST", ["unset DOCKER_HOST"])),
    Case("podman-container-host-refused", "DOCKER_DAEMON_ERROR", "docker_daemon", args=ENVIRONMENT_ONLY,
         setup=recorded("podman-4.3.1", "09-container-host-without-remote-flag", client="podman",
                        CONTAINER_HOST="tcp://127.0.0.1:1"),
         message="^no Podman service answers at tcp://127.0.0.1:1, where CONTAINER_HOST points",
         extra=fix_and_commands("docker_daemon", "unset CONTAINER_HOST", ["unset CONTAINER_HOST"])),
    Case("podman-pull-untrusted-certificate", "DOCKER_PULL_ERROR", "docker_pull", args=ENVIRONMENT_ONLY,
         setup=recorded("podman-4.3.1", "01-healthy", client="podman",
                        pull=("podman-4.3.1", "08-pull-x509-unknown-authority"),
                        AZURE_ACR_CHECK_HEALTH_IMAGE="untrusted.azurecr.io:5442/x:1"),
         message=r"^'podman pull untrusted\.azurecr\.io:5442/x:1' failed: podman does not trust the certificate",
         extra=fix_and_commands("docker_pull", "/etc/containers/certs.d/untrusted.azurecr.io:5442/ca.crt", [])),
    Case("docker-pull-no-space", "DOCKER_PULL_ERROR", "docker_pull", args=ENVIRONMENT_ONLY,
         setup=recorded("docker-20.10.24", "01-healthy", pull=("docker-20.10.24", "08-pull-no-space-left")),
         message="the Docker daemon ran out of disk space",
         extra=fix_and_commands("docker_pull", "docker system prune", ["docker system df", "docker system prune"])),
    Case("daemon-without-the-shells-proxy", "DOCKER_DAEMON_SETTINGS_WARNING", "docker_info", status="warning",
         args=ENVIRONMENT_ONLY,
         setup=recorded("docker-28.2.2", "01-healthy", HTTPS_PROXY="http://alice:s3cret@proxy.corp.example:3128"),
         message="through the proxy http://\\*\\*\\*@proxy.corp.example:3128, but the Docker daemon connects directly",
         extra=all_of(fix_and_commands("docker_info", "sudo systemctl edit docker",
                                       ["sudo systemctl edit docker", "sudo systemctl restart docker"]),
                      no_secret_anywhere("s3cret"))),
    Case("daemon-clock-an-hour-behind", "DOCKER_DAEMON_SETTINGS_WARNING", "docker_info", status="warning",
         args=ENVIRONMENT_ONLY, setup=recorded("docker-28.2.2", "01-healthy", clock_offset=-3600),
         message=r"^the Docker daemon's clock is 36\d\d s behind this machine's"),
    Case("daemon-insecure-registry", "DOCKER_DAEMON_SETTINGS_WARNING", "docker_registry_settings", status="warning",
         # dockerd was started with --insecure-registry myreg.azurecr.io: here, the fake cloud's registry.
         setup=recorded("docker-28.2.2", "01-healthy-proxy-mirror", subs={"myreg.azurecr.io": e2e.LOGIN_SERVER}),
         message="^the Docker daemon treats myregistry.azurecr.fake as an insecure registry",
         extra=fix_and_commands("docker_registry_settings", "remove 'myregistry.azurecr.fake' from the insecure", [])),
]


def test_harness_fails_a_run_on_an_unrecognised_request(e2e_run):
    """The fake cloud knows no resource groups: the batch must fail, not pass quietly."""
    with pytest.raises(AssertionError, match="did not recognise"):
        e2e_run.check_health("-n", e2e.REGISTRY, before=[["group", "list"]])


def test_cases_cover_the_catalogue():
    assert {case.code for case in CASES} == set(catalogue.CODES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_code(e2e_run, case):
    e2e_run.config = case.config
    case.setup(e2e_run)
    args = [*case.args, *(["--ignore-errors"] if case.ignore_errors else []), "-o", "json"]
    result = e2e_run.check_health(*args, cloud=case.cloud, hosts=case.hosts)

    assert result.returncode == case.exit, result
    assert "Traceback" not in result.stderr
    body = result.body
    check = result.check(case.check)
    code = catalogue.get(case.code)
    # JSON on stdout: the check, its code and the catalogue's help; nothing else went wrong.
    assert (check["status"], check["code"]) == (case.status, case.code), result
    assert re.search(case.message, check["message"]), check["message"]
    assert check["meaning"] == code.meaning
    assert check["link"] == code.link
    # Every catalogue solution is shown (as a sentence) unless it only repeats the case's own fix.
    for solution in code.solutions:
        assert report._sentence(solution) in check["solutions"] or report._repeats(solution, check["solutions"][0])
    others = [(c["name"], c["code"]) for c in body["checks"] if c["status"] in ("failed", "crashed", "warning")
              and c["name"] != case.check]
    assert others == [(name, None) for name in case.also_warns], result
    assert body["status"] == case.status
    assert body["summary"][case.status] == 1
    assert body["summary"]["crashed"] == 0
    assert sum(body["summary"].values()) == len(body["checks"])
    # The report on stderr: the check's line with its mark, the code, what it means, the link.
    title = check["title"]
    mark = "✗" if case.status == "failed" else "!"
    assert "[{}] {}: {}".format(mark, title, check["message"]) in result.stderr, result
    assert "    {}: {}".format(case.code, code.meaning) in result.stderr
    assert "    More: " + code.link in result.stderr
    assert re.search(r"^\d+ passed.* in \d+\.\d s", result.stderr, re.M)
    if case.extra:
        case.extra(result)
