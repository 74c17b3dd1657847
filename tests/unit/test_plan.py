"""The plan: order, dependencies, budgets, Azure CLI version, and Azure Cloud Shell."""

from azext_acrhealth.context import Options
from azext_acrhealth.outcome import NotRun, Status
from azext_acrhealth.plan import build_plan
from azext_acrhealth.runner import run_plan
from tests.support import standins
from tests.support.account import StubAccount
from tests.support.checks import context, outcome, run_checks, run_registry

ENVIRONMENT = ["docker_client", "docker_daemon", "docker_version", "docker_info", "docker_credentials",
               "docker_pull", "cli_version"]


def test_environment_checks_come_first_and_helm_last():
    names = [c.name for c in build_plan(Options(), {})]
    assert names[:len(ENVIRONMENT)] == ENVIRONMENT and names[-2:] == ["helm_client", "helm_version"]
    with_registry = [c.name for c in build_plan(Options(registry_name="myregistry"), {})]
    assert with_registry[:len(ENVIRONMENT)] == ENVIRONMENT
    # With a registry, Helm's own stored login for it follows the Helm checks.
    assert with_registry[-3:] == ["helm_client", "helm_version", "helm_login"] and len(with_registry) > len(names)


def test_the_pull_prompts_on_the_main_thread_and_needs_the_daemon():
    pull = {c.name: c for c in build_plan(Options(), {})}["docker_pull"]
    assert pull.interactive and pull.needs == ("docker_client", "docker_daemon", "docker_version")
    assert pull.uses == ("docker_info",)


def test_checks_that_need_a_daemon_wait_for_the_daemon_check():
    # One cause, one finding: without a daemon, the version and the daemon's settings are skipped.
    plan = {c.name: c for c in build_plan(Options(registry_name="myregistry"), {})}
    assert "docker_daemon" in plan["docker_version"].needs
    assert "docker_version" in plan["docker_info"].needs
    assert plan["docker_registry_settings"].uses == ("docker_info",)


def test_every_need_names_an_earlier_check_whatever_the_options():
    # build_plan validates; this walks the widest plan and says which need is wrong if one is.
    plan = build_plan(Options(registry_name="myregistry", vnet="myvnet", repository="app"), {"ACC_CLOUD": "1"})
    seen = set()
    for check in plan:
        assert set(check.needs) <= seen, check.name
        seen.add(check.name)


def test_budgets_grow_with_the_timeout():
    short = {c.name: c.budget for c in build_plan(Options(registry_name="myregistry", timeout=2), {})}
    long = {c.name: c.budget for c in build_plan(Options(registry_name="myregistry", timeout=30), {})}
    assert all(long[name] > short[name] for name in ("docker_daemon", "challenge", "login_server", "helm_version"))


def test_cli_version_is_reported_without_a_network_call():
    account = StubAccount()
    outcome = run_checks(context(account=account), only=("cli_version",))["cli_version"].outcome
    assert outcome.status is Status.PASSED and outcome.message == "azure-cli 2.91.0"
    assert outcome.details["version"] == "2.91.0" and account.calls == [("cli_version", None)]


def test_whole_environment_passes_with_working_tools(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    ctx = context(bin_dir, tmp_path, yes=True)
    results = run_plan(build_plan(ctx.options, ctx.env), ctx)
    assert [(r.check.name, r.outcome.status) for r in results] == \
        [(name, Status.PASSED) for name in ENVIRONMENT + ["helm_client", "helm_version"]]


def test_stop_at_the_first_failure_leaves_the_rest_not_run(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    ctx = context(bin_dir, tmp_path)
    results = {r.check.name: r for r in run_plan(build_plan(ctx.options, ctx.env), ctx)}
    assert results["docker_daemon"].outcome.code == "DOCKER_DAEMON_ERROR"
    assert all(results[name].outcome.status is Status.SKIPPED and results[name].not_run is NotRun.FIRST_FAILURE
               for name in ["docker_version", "docker_info", "docker_pull", "cli_version", "helm_version"])


def test_in_azure_cloud_shell_environment_checks_are_skipped_with_a_note(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")      # would fail if it ran
    env = standins.env_for(bin_dir, tmp_path, ACC_CLOUD="PROD")
    ctx = context(env=env, cwd=tmp_path)
    results = run_plan(build_plan(ctx.options, ctx.env), ctx)
    assert [r.check.name for r in results] == ENVIRONMENT + ["helm_client", "helm_version"]
    assert all(r.outcome.status is Status.SKIPPED and "Azure Cloud Shell" in r.outcome.message for r in results)
    assert standins.calls(bin_dir, "docker") == []


# ---------------------------------------------------------------- the registry family, end to end in-process

def test_healthy_registry_passes_every_step(cloud):
    results = run_registry(cloud)
    for name in ("login_server", "dns", "challenge", "clock_skew", "aad_token", "refresh_token", "access_token"):
        assert outcome(results, name).status is Status.PASSED, (name, outcome(results, name))
    assert outcome(results, "access_token").details["scope"] == "registry:catalog:*"
    assert [r["path"] for r in cloud.requests if r["path"] == "/v2/"] == ["/v2/"]     # one GET of /v2/
    exchange = next(r for r in cloud.requests if r["path"] == "/oauth2/exchange")
    assert exchange["form"] == ["access_token", "grant_type", "service", "tenant"]
    assert not cloud.unrecognised


# ---------------------------------------------------------------- credentials other than the CLI's identity

def test_docker_login_follows_the_token_checks_and_reads_the_docker_checks():
    plan = {c.name: c for c in build_plan(Options(registry_name="myregistry"), {})}
    names = list(plan)
    assert names.index("docker_login") == names.index("access_token") + 1
    assert plan["docker_login"].uses == ("docker_client", "docker_credentials", "registry_resource")
    assert "credentials" not in plan


def test_with_a_username_the_entra_checks_give_way_to_the_credentials_check():
    plan = build_plan(Options(registry_name="myregistry", username="myregistry"), {})
    names = [c.name for c in plan]
    assert names.index("credentials") == names.index("access_token") + 1
    by_name = {c.name: c for c in plan}
    for name in ("aad_token", "refresh_token", "access_token"):
        assert by_name[name].needs == ()
        found = by_name[name].func(None, {})
        assert found.status is Status.SKIPPED and "-u/--username was given" in found.message


# ---------------------------------------------------------------- what a plan imports

_IMPORTED_BY_PLAN = """
import json, sys
from azext_acrhealth.context import Context, Options
from azext_acrhealth.plan import build_plan
options = Options(**json.loads(sys.argv[1]))
Context(options, env={})
build_plan(options, {})
print(json.dumps(sorted(m for m in sys.modules if m.startswith("azext_acrhealth."))))
"""


def _modules_imported(**options):
    """Our modules a fresh interpreter has imported after making the context and the plan for these options,
    without the package prefix ("edges", "checks.docker")."""
    import json
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run([sys.executable, "-c", _IMPORTED_BY_PLAN, json.dumps(options)], cwd=root, timeout=60,
                          env={"PATH": "", "PYTHONPATH": str(root)}, capture_output=True, text=True, check=True)
    return {name.partition(".")[2] for name in json.loads(proc.stdout)}


def test_a_run_imports_only_the_modules_of_its_checks():
    # Importing every check module costs more than the environment checks take: a run imports what it runs.
    environment = _modules_imported()
    assert {"checks.docker", "checks.docker_info", "checks.docker_config", "checks.helm", "checks.cli"} <= environment
    registry_only = {"checks." + name for name in ("challenge", "tokens", "login_server", "dns", "credentials",
                                                   "docker_login", "image", "image_access", "layers",
                                                   "private_endpoints", "data_endpoints", "cmk", "replications",
                                                   "answers")}
    assert not environment & registry_only
    # Nor the network edges (HTTP, DNS, certificates, login server names), nor the diagnosis of a failed pull.
    assert not environment & {"http_requests", "resolver", "tls", "login_servers", "checks.pull_errors"}
    registry = _modules_imported(registry_name="myregistry")
    image = {"checks.image", "checks.image_access", "checks.layers"}
    assert registry_only - {"checks.credentials", *image} <= registry
    assert not image & registry
    # Any true value stands for the ImageReference here: the plan only asks whether there is one.
    assert image <= _modules_imported(registry_name="myregistry", image="app:v1")
