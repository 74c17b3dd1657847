"""The plan: every check of both families, in report order, with what it needs and how long the runner
waits for it. A `needs` entry that names no earlier check fails here, when the plan is built.

Budgets are named for what they bound, in units of --timeout (each request, lookup or tool run has that
limit of its own); the run as a whole is bounded at RUN_LIMIT_FACTOR x --timeout anyway.
"""

from dataclasses import dataclass, replace

# The check modules are imported where the plan takes their checks, so a run imports only the ones it
# runs (an environment-only run no registry module, a run without --image no image module): importing
# them all costs more than the environment checks take. All on the calling thread, before any check
# starts.
from .outcome import skipped
from .runner import Check, validate

ENVIRONMENT = "environment"
REGISTRY = "registry"
MARGIN = 5.0     # seconds the runner waits beyond the time limits a check keeps itself


@dataclass(frozen=True)
class Budgets:
    timeout: float

    def calls(self, count):
        """count requests, lookups or tool runs one after the other."""
        return count * self.timeout + MARGIN

    @property
    def daemon(self):          # `docker context inspect` (local files only), then `docker ps`
        from .checks.docker import CONTEXT_TIMEOUT
        return self.timeout + CONTEXT_TIMEOUT + MARGIN

    @property
    def arm(self):             # subscription, the ARM token, a registry list page or two
        return self.calls(3)


def build_plan(options, env):
    """The checks to run for these options. Environment checks come first and Helm last, as in the
    built-in command; the registry checks join only with --name."""
    from .checks import cli, docker, docker_config, docker_info, helm
    b = Budgets(options.timeout)
    plan = [
        Check("docker_client", "Docker client", docker.docker_client, budget=b.calls(1), code="DOCKER_COMMAND_ERROR"),
        Check("docker_daemon", "Docker daemon", docker.docker_daemon, needs=("docker_client",), budget=b.daemon,
              code="DOCKER_DAEMON_ERROR"),
        # Needs the daemon: without one, the client's version is in the client check, and nothing is to compare.
        Check("docker_version", "Docker version", docker.docker_version, needs=("docker_client", "docker_daemon"),
              budget=b.calls(1), code="DOCKER_VERSION_ERROR"),
        # Warnings only; after the version check, which reports an API mismatch that `docker info` meets too.
        Check("docker_info", "Docker daemon settings", docker_info.docker_info,
              needs=("docker_client", "docker_version"), budget=b.calls(1), code="DOCKER_DAEMON_ERROR", blocking=False),
        Check("docker_credentials", "Docker credential helpers", docker_config.docker_credentials,
              budget=b.calls(1), code="DOCKER_CREDENTIAL_HELPER_ERROR"),
        # Interactive: it runs on the main thread, bounded by its own PULL_TIMEOUT, outside the run's limit.
        Check("docker_pull", "Docker pull", docker.docker_pull,
              needs=("docker_client", "docker_daemon", "docker_version"), uses=("docker_info",), interactive=True),
        Check("cli_version", "Azure CLI version", cli.cli_version),
    ]
    if options.registry_requested:
        plan += registry_plan(options, b)
    plan += [
        Check("helm_client", "Helm client", helm.helm_client, code="HELM_COMMAND_ERROR"),
        # `helm version --client`, retried once without --client by a Helm that dropped the flag.
        Check("helm_version", "Helm version", helm.helm_version, needs=("helm_client",), budget=b.calls(2),
              code="HELM_VERSION_ERROR"),
    ]
    if options.registry_requested:
        plan.append(helm_login_check(b))
    if env.get("ACC_CLOUD"):
        plan = [replace(c, func=_in_cloud_shell, needs=()) if c.group == ENVIRONMENT else c for c in plan]
    return validate(plan)


def registry_plan(options, b):
    """login server → the registry's resource (its settings) → DNS → challenge → clock; the AAD token in
    parallel (its failure, "not logged in", does not stop the checks that need no token) → refresh → access
    token; then what the resource names: key, private endpoints, data endpoints, replicas."""
    from .checks import (
        challenge,
        cmk,
        data_endpoints,
        dns,
        docker_info,
        login_server,
        private_endpoints,
        replications,
        tokens,
    )

    def check(name, title, func, needs=(), budget=None, **kwargs):
        return Check(name, title, func, needs=needs, budget=budget or b.calls(1), group=REGISTRY, **kwargs)

    checks = [
        check("login_server", "Login server", login_server.login_server, budget=b.arm, code="LOGIN_SERVER_ERROR"),
        # The registry's settings come first: the DNS and every registry step read their answers against them.
        # Usually no request: the login server's look-up found the resource already.
        check("registry_resource", "Registry resource", login_server.registry_resource, needs=("login_server",),
              budget=b.arm),
        # The login server; with public access disabled, its data endpoints too (at once).
        check("dns", "DNS lookup", dns.dns, needs=("login_server",), uses=("registry_resource",), budget=b.calls(2),
              code="CONNECTIVITY_DNS_ERROR"),
        # GET /v2/, then after a TLS failure one more connection to read the certificate presented.
        check("challenge", "Challenge endpoint", challenge.challenge, needs=("dns",), uses=("registry_resource",),
              budget=b.calls(2), code="CONNECTIVITY_CHALLENGE_ERROR"),
        check("clock_skew", "Clock", challenge.clock_skew, needs=("challenge",), blocking=False),
        # The CLI's token cache, and Entra ID when the cached token is stale (the CLI retries once).
        check("aad_token", "Azure AD token", tokens.aad_token, budget=b.calls(3), code="AZURE_LOGIN_ERROR",
              blocking=False),
        check("refresh_token", "Refresh token", tokens.refresh_token, needs=("challenge", "aad_token"),
              uses=("registry_resource",), code="CONNECTIVITY_REFRESH_TOKEN_ERROR"),
        check("access_token", "Access token", tokens.access_token, needs=("refresh_token",),
              uses=("registry_resource", "aad_token"), code="CONNECTIVITY_ACCESS_TOKEN_ERROR"),
        *credential_checks(options, b, check),
        check("cmk", "Customer-managed key", cmk.cmk, needs=("registry_resource",), budget=b.arm, code="CMK_ERROR"),
        # The approved endpoints at once (each, and its NICs when it lists no DNS configuration), then one lookup
        # per name, at once. After the DNS check: a login server that does not resolve is reported there.
        check("private_endpoints", "Private endpoint DNS", private_endpoints.private_endpoints,
              needs=("registry_resource", "dns"), budget=b.calls(4), code="PRIVATE_ENDPOINT_DNS_ERROR"),
        # Each endpoint (at most data_endpoints.MAX_ENDPOINTS): a lookup and a GET. After the private endpoints:
        # a data endpoint name that misses its private record is reported there, once.
        check("data_endpoints", "Data endpoints", data_endpoints.data_endpoints,
              needs=("registry_resource", "private_endpoints"), uses=("challenge",), budget=b.calls(4),
              code="DATA_ENDPOINT_ERROR"),
        # The engine's settings (read by docker_info) for this login server; no request of its own.
        check("docker_registry_settings", "Daemon settings for the registry", docker_info.docker_registry_settings,
              needs=("login_server",), uses=("docker_info",), blocking=False),
    ]
    if options.image:
        checks += image_plan(check, b, options)
    if options.username:
        # One cause, one finding: the user asked for these credentials, not for the CLI's identity.
        checks = [replace(c, func=_entra_not_used, needs=()) if c.name in ENTRA_CHECKS else c for c in checks]
    # One ARM request, only for Premium registries; nothing stops for it.
    checks.append(check("replications", "Replications", replications.replications, needs=("registry_resource",),
                        budget=b.calls(1), blocking=False))
    return checks


ENTRA_CHECKS = ("aad_token", "refresh_token", "access_token")


def credential_checks(options, b, check):
    """Credentials other than the CLI's identity: -u/-p when given, and the login docker stored."""
    from .checks import credentials, docker_login
    checks = []
    if options.username:
        # The token request, then on a rejection the registry's resource and the token's (ARM).
        checks.append(check("credentials", "User name and password", credentials.given_credentials,
                            needs=("login_server", "challenge"), uses=("registry_resource",), budget=b.calls(2) + b.arm,
                            code="CREDENTIALS_REJECTED_ERROR"))
    # The credential helper, the token request, then on a rejection the ARM look-ups as above. Without a
    # usable docker client or configuration (their own checks report why) it skips itself.
    checks.append(check("docker_login", "Docker login", docker_login.docker_login,
                        needs=("login_server", "challenge"),
                        uses=("docker_client", "docker_credentials", "registry_resource"),
                        budget=b.calls(3) + b.arm, code="DOCKER_LOGIN_REJECTED_ERROR"))
    return checks


def helm_login_check(b):
    """Helm's own stored login for the registry, after the Helm checks (only where Helm is installed): a
    credential helper, the token request, then on a rejection the ARM look-ups as for Docker's."""
    from .checks import helm_login
    return Check("helm_login", "Helm login", helm_login.helm_login, needs=("login_server", "challenge"),
                 uses=("helm_client", "registry_resource"), budget=b.calls(3) + b.arm, group=REGISTRY,
                 code="HELM_LOGIN_REJECTED_ERROR")


def _entra_not_used(_ctx, _given):
    return skipped("not run: -u/--username was given, so the registry is checked with that user name and "
                   "password instead of your Azure identity")


def image_plan(check, b, options):
    """--image: the pull of the user's own image, after the access token (or, with -u, after the check of
    that user name and password, whose credential then asks for the repository's token). Platform comes
    after the layer download, which reads the config that holds a single-platform image's platform."""
    from .checks import image, image_access, layers
    access_needs = ("login_server", "credentials") if options.username else \
        ("login_server", "aad_token", "refresh_token", "access_token")
    return [
        # The token, then on failure the registry (ARM) for the role assignment command; with -u, a token's
        # resource for its scope map.
        check("image_access", "Repository access", image_access.image_access, needs=access_needs,
              uses=("registry_resource",), budget=b.calls(2) + b.arm, code="REPOSITORY_PERMISSION_ERROR"),
        # The manifest, an index's platform manifest, and the tag list when the tag is missing.
        check("image_manifest", "Image manifest", image.image_manifest, needs=("image_access",),
              uses=("docker_version",), budget=b.calls(3), code="IMAGE_MANIFEST_ERROR"),
        # The blob GET at the registry, the redirect's host, and on failure up to two lookups.
        check("layer_download", "Layer download", layers.layer_download, needs=("image_access", "image_manifest"),
              budget=b.calls(4), code="LAYER_DOWNLOAD_ERROR"),
        check("image_platform", "Image platform", image.image_platform, needs=("image_manifest",),
              uses=("layer_download",)),
        # Report only: two requests, each cut at layers.SAMPLE_SECONDS.
        check("layer_throughput", "Download speed", layers.layer_throughput,
              needs=("image_access", "image_manifest", "layer_download"), budget=b.calls(2), blocking=False),
    ]


def _in_cloud_shell(_ctx, _given):
    return skipped("Azure Cloud Shell: the local environment is not checked")
