"""The plan: every check of both families, in report order, with what it needs and how long the runner
waits for it. A `needs` entry that names no earlier check fails here, when the plan is built.

Budgets are named for what they bound, in units of --timeout (each request, lookup or tool run has that
limit of its own); the run as a whole is bounded at RUN_LIMIT_FACTOR x --timeout anyway.
"""

from dataclasses import dataclass, replace

from .checks import (
    challenge,
    cli,
    cmk,
    data_endpoints,
    dns,
    docker,
    docker_config,
    docker_info,
    helm,
    login_server,
    private_endpoints,
    tokens,
)
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
        return self.timeout + docker.CONTEXT_TIMEOUT + MARGIN

    @property
    def arm(self):             # subscription, the ARM token, a registry list page or two
        return self.calls(3)


def build_plan(options, env):
    """The checks to run for these options. Environment checks come first and Helm last, as in the
    built-in command; the registry checks join only with --name."""
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
    if env.get("ACC_CLOUD"):
        plan = [replace(c, func=_in_cloud_shell, needs=()) if c.group == ENVIRONMENT else c for c in plan]
    return validate(plan)


def registry_plan(options, b):
    """login server → DNS → challenge → clock; the AAD token in parallel (its failure, "not logged in",
    does not stop the checks that need no token) → refresh → access token; then the registry's resource."""

    def check(name, title, func, needs=(), budget=None, **kwargs):
        return Check(name, title, func, needs=needs, budget=budget or b.calls(1), group=REGISTRY, **kwargs)

    checks = [
        check("login_server", "Login server", login_server.login_server, budget=b.arm, code="LOGIN_SERVER_ERROR"),
        check("dns", "DNS lookup", dns.dns, needs=("login_server",), code="CONNECTIVITY_DNS_ERROR"),
        # GET /v2/, then after a TLS failure one more connection to read the certificate presented.
        check("challenge", "Challenge endpoint", challenge.challenge, needs=("dns",), budget=b.calls(2),
              code="CONNECTIVITY_CHALLENGE_ERROR"),
        check("clock_skew", "Clock", challenge.clock_skew, needs=("challenge",), blocking=False),
        # The CLI's token cache, and Entra ID when the cached token is stale (the CLI retries once).
        check("aad_token", "Azure AD token", tokens.aad_token, budget=b.calls(3), code="AZURE_LOGIN_ERROR",
              blocking=False),
        check("refresh_token", "Refresh token", tokens.refresh_token, needs=("challenge", "aad_token"),
              code="CONNECTIVITY_REFRESH_TOKEN_ERROR"),
        check("access_token", "Access token", tokens.access_token, needs=("refresh_token",),
              code="CONNECTIVITY_ACCESS_TOKEN_ERROR"),
        check("registry_resource", "Registry resource", login_server.registry_resource, needs=("login_server",),
              budget=b.arm),
        check("cmk", "Customer-managed key", cmk.cmk, needs=("registry_resource",), budget=b.arm, code="CMK_ERROR"),
        # Each endpoint (at most data_endpoints.MAX_ENDPOINTS): a lookup and a GET.
        check("data_endpoints", "Data endpoints", data_endpoints.data_endpoints, needs=("registry_resource",),
              budget=b.calls(4), code="DATA_ENDPOINT_ERROR"),
        # The engine's settings (read by docker_info) for this login server; no request of its own.
        check("docker_registry_settings", "Daemon settings for the registry", docker_info.docker_registry_settings,
              needs=("login_server",), uses=("docker_info",), blocking=False),
    ]
    if options.vnet:
        # Each private endpoint, its NICs when it lists no DNS configuration, then one lookup per name.
        checks.append(check("private_endpoints", "Private endpoint DNS", private_endpoints.private_endpoints,
                            needs=("registry_resource",), budget=b.calls(6), code="PRIVATE_ENDPOINT_DNS_ERROR"))
    return checks


def _in_cloud_shell(_ctx, _given):
    return skipped("Azure Cloud Shell: the local environment is not checked")
