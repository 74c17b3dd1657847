"""The environment part of the plan: order, dependencies, Azure CLI version, and Azure Cloud Shell."""


from azext_acrhealth.checks import build_plan, cli
from azext_acrhealth.context import Context, Options
from azext_acrhealth.outcome import Status
from azext_acrhealth.runner import run_plan
from tests import standins

ENVIRONMENT = ["docker_client", "docker_daemon", "docker_version", "docker_credentials", "docker_pull",
               "cli_version"]


class Account:
    def __init__(self):
        self.calls = 0

    def cli_version(self):
        self.calls += 1
        return "2.91.0"


def test_environment_checks_come_first_and_helm_last():
    names = [c.name for c in build_plan(Options(), {})]
    assert names[:len(ENVIRONMENT)] == ENVIRONMENT and names[-2:] == ["helm_client", "helm_version"]
    with_registry = [c.name for c in build_plan(Options(registry_name="myregistry"), {})]
    assert with_registry[:len(ENVIRONMENT)] == ENVIRONMENT
    assert with_registry[-2:] == ["helm_client", "helm_version"] and len(with_registry) > len(names)


def test_the_pull_prompts_on_the_main_thread_and_needs_the_daemon():
    pull = {c.name: c for c in build_plan(Options(), {})}["docker_pull"]
    assert pull.interactive and pull.needs == ("docker_daemon",) and pull.code == "DOCKER_PULL_ERROR"


def test_cli_version_is_reported_without_a_network_call():
    account = Account()
    outcome = cli.cli_version(Context(Options(), account=account, env={}, confirm=None))
    assert outcome.status is Status.PASSED and outcome.message == "azure-cli 2.91.0"
    assert outcome.details["version"] == "2.91.0" and account.calls == 1


def test_whole_environment_passes_with_working_tools(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    ctx = Context(Options(yes=True, timeout=2), account=Account(), env=standins.env_for(bin_dir, tmp_path),
                  cwd=str(tmp_path), confirm=None)
    results = run_plan(build_plan(ctx.options, ctx.env), ctx)
    assert [(r.check.name, r.outcome.status) for r in results] == \
        [(name, Status.PASSED) for name in ENVIRONMENT + ["helm_client", "helm_version"]]


def test_stop_at_the_first_failure_leaves_the_rest_not_run(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    ctx = Context(Options(timeout=2), account=Account(), env=standins.env_for(bin_dir, tmp_path),
                  cwd=str(tmp_path), confirm=None)
    results = {r.check.name: r.outcome for r in run_plan(build_plan(ctx.options, ctx.env), ctx)}
    assert results["docker_daemon"].code == "DOCKER_DAEMON_ERROR"
    assert all(results[name].status is Status.SKIPPED and results[name].message.startswith("not run")
               for name in ["docker_version", "docker_pull", "cli_version", "helm_version"])


def test_in_azure_cloud_shell_environment_checks_are_skipped_with_a_note(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")      # would fail if it ran
    env = standins.env_for(bin_dir, tmp_path, ACC_CLOUD="PROD")
    ctx = Context(Options(timeout=2), account=Account(), env=env, cwd=str(tmp_path), confirm=None)
    results = run_plan(build_plan(ctx.options, ctx.env), ctx)
    assert [r.check.name for r in results] == ENVIRONMENT + ["helm_client", "helm_version"]
    assert all(r.outcome.status is Status.SKIPPED and "Azure Cloud Shell" in r.outcome.message for r in results)
    assert standins.calls(bin_dir, "docker") == []
