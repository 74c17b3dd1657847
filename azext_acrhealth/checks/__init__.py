"""The plan: every check in report order, with what it needs."""

from dataclasses import replace

from ..outcome import skipped
from ..runner import Check
from . import cli, docker, registry

ENVIRONMENT = "environment"
REGISTRY = "registry"


def build_plan(options, env):
    """The checks to run for these options. Environment checks come first and Helm last, as in the
    built-in command; the registry checks join only with --name."""
    plan = [
        Check("docker_client", "Docker client", docker.docker_client, code="DOCKER_COMMAND_ERROR"),
        Check("docker_daemon", "Docker daemon", docker.docker_daemon, needs=("docker_client",),
              code="DOCKER_DAEMON_ERROR"),
        Check("cli_version", "Azure CLI version", cli.cli_version),
    ]
    if options.registry_requested:
        plan += registry.plan(options, group=REGISTRY)
    if env.get("ACC_CLOUD"):
        plan = [replace(c, func=_in_cloud_shell, needs=()) if c.group == ENVIRONMENT else c for c in plan]
    return plan


def _in_cloud_shell(_ctx):
    return skipped("Azure Cloud Shell: the local environment is not checked")
