"""The plan: every check in report order, with what it needs."""

from dataclasses import replace

from ..context import PULL_TIMEOUT
from ..outcome import skipped
from ..runner import Check
from . import cli, credentials, docker, helm, registry

ENVIRONMENT = "environment"
REGISTRY = "registry"


def build_plan(options, env):
    """The checks to run for these options. Environment checks come first and Helm last, as in the
    built-in command; the registry checks join only with --name."""
    tool = options.timeout + 5            # one tool invocation, and the runner's margin
    plan = [
        Check("docker_client", "Docker client", docker.docker_client, budget=tool, code="DOCKER_COMMAND_ERROR"),
        # `docker context inspect` (local, at most CONTEXT_TIMEOUT), then `docker ps`.
        Check("docker_daemon", "Docker daemon", docker.docker_daemon, needs=("docker_client",),
              budget=tool + docker.CONTEXT_TIMEOUT, code="DOCKER_DAEMON_ERROR"),
        Check("docker_version", "Docker version", docker.docker_version, needs=("docker_client",),
              budget=tool, code="DOCKER_VERSION_ERROR"),
        Check("docker_credentials", "Docker credential helpers", credentials.docker_credentials,
              code="DOCKER_CREDENTIAL_HELPER_ERROR"),
        Check("docker_pull", "Docker pull", docker.docker_pull, needs=("docker_daemon",), interactive=True,
              budget=PULL_TIMEOUT + 5, code="DOCKER_PULL_ERROR"),
        Check("cli_version", "Azure CLI version", cli.cli_version),
    ]
    if options.registry_requested:
        plan += registry.plan(options, group=REGISTRY)
    plan += [
        Check("helm_client", "Helm client", helm.helm_client, code="HELM_COMMAND_ERROR"),
        Check("helm_version", "Helm version", helm.helm_version, needs=("helm_client",), budget=2 * tool,
              code="HELM_VERSION_ERROR"),
    ]
    if env.get("ACC_CLOUD"):
        plan = [replace(c, func=_in_cloud_shell, needs=()) if c.group == ENVIRONMENT else c for c in plan]
    return plan


def _in_cloud_shell(_ctx):
    return skipped("Azure Cloud Shell: the local environment is not checked")
