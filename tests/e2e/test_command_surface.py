"""End to end, the way users run it: the real az, the extension installed from its wheel.

Every az run happens in a new network namespace (nothing can leave the machine). PATH holds no
docker unless a test puts a stand-in there, so results do not depend on this machine's tools.
"""

import json
import re
from pathlib import Path

import pytest

from tests.support import standins
from tests.support.azcli import run_az

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(az_env, bin_dir, isolated):
    az_env["PATH"] = str(bin_dir)
    return az_env


def check_health(env, *args, timeout=120):
    return run_az(["acr", "check-health", *args], env, timeout=timeout)


def by_name(body):
    return {c["name"]: c for c in body["checks"]}


def test_extension_is_listed_with_its_version(env):
    proc = run_az(["extension", "list", "-o", "json"], env)
    assert proc.returncode == 0, proc.stderr
    [ext] = [e for e in json.loads(proc.stdout) if e["name"] == "acrhealth"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", ext["version"])
    assert ext["preview"] is True


def test_environment_run_reports_json_on_stdout_and_a_report_on_stderr(env):
    proc = check_health(env, "--ignore-errors", "--yes", "-o", "json")
    assert proc.returncode == 1, proc.stderr
    body = json.loads(proc.stdout)
    assert body["status"] == "failed"
    assert set(body["summary"]) == {"passed", "warning", "failed", "skipped", "crashed"}
    assert body["summary"]["failed"] >= 1
    for check in body["checks"]:
        assert set(check) >= {"name", "title", "status", "code", "message", "solutions", "durationSeconds",
                              "details"}
        assert check["status"] in ("passed", "warning", "failed", "skipped", "crashed")
    docker = by_name(body)["docker_client"]
    assert docker["status"] == "failed"
    assert docker["code"] == "DOCKER_COMMAND_ERROR"
    assert docker["link"] == "https://aka.ms/acr/errors#docker_command_error"
    assert docker["solutions"]
    assert by_name(body)["cli_version"]["status"] == "passed"
    # The human report: the CLI's own override notice, one line per check, the catalogue's help.
    err = proc.stderr
    assert "altered by the following extension: acrhealth" in err
    assert "Docker client:" in err and "DOCKER_COMMAND_ERROR" in err
    assert "https://aka.ms/acr/errors#docker_command_error" in err
    assert "Potential solutions" in err
    assert re.search(r"^\d+ passed(, \d+ (warning|failed|skipped|crashed))+ in \d+\.\d s", err, re.M)
    assert "Traceback" not in err
    assert "\x1b[" not in err  # no colour when piped


def test_default_stops_at_the_first_failure(env):
    proc = check_health(env, "--yes", "-o", "json")
    assert proc.returncode == 1
    checks = json.loads(proc.stdout)["checks"]
    first_failure = next(i for i, c in enumerate(checks) if c["status"] == "failed")
    later = checks[first_failure + 1:]
    assert later, "the plan has checks after the docker client"
    assert all(c["status"] == "skipped" and c["message"].startswith("not run") for c in later)
    assert "stopped at the first failure" in proc.stderr


def test_cloud_shell_skips_the_environment_and_exits_zero(env):
    env["ACC_CLOUD"] = "1"
    proc = check_health(env, "-o", "json")
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert body["status"] == "passed"
    assert all(c["status"] == "skipped" and "Cloud Shell" in c["message"] for c in body["checks"])


@pytest.mark.parametrize("fmt", ["yaml", "table", "tsv", "jsonc"])
def test_other_output_formats(env, fmt):
    proc = check_health(env, "--ignore-errors", "-o", fmt)
    assert proc.returncode == 1
    assert "docker" in proc.stdout.lower()
    if fmt == "table":
        header = proc.stdout.splitlines()[0]
        for column in ("Check", "Status", "Code", "Message"):
            assert column in header
        assert "DOCKER_COMMAND_ERROR" in proc.stdout


def test_output_none_prints_nothing_but_keeps_the_exit_status(env):
    proc = check_health(env, "--ignore-errors", "-o", "none")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "DOCKER_COMMAND_ERROR" in proc.stderr


def test_query_selects_failed_codes(env):
    proc = check_health(env, "--ignore-errors", "-o", "json", "--query", "checks[?status=='failed'].code")
    assert proc.returncode == 1
    assert "DOCKER_COMMAND_ERROR" in json.loads(proc.stdout)


def test_only_show_errors_leaves_failures_and_the_summary(env):
    proc = check_health(env, "--ignore-errors", "--only-show-errors", "-o", "none")
    assert proc.returncode == 1
    assert "DOCKER_COMMAND_ERROR" in proc.stderr
    assert "Azure CLI version" not in proc.stderr
    assert "altered by the following extension" not in proc.stderr
    assert re.search(r"\d+ passed(, \d+ \w+)*, \d+ failed", proc.stderr)


def test_configured_default_registry_is_used(env):
    assert run_az(["configure", "--defaults", "acr=myregistry"], env).returncode == 0
    proc = check_health(env, "--ignore-errors", "-o", "json", timeout=180)
    body = json.loads(proc.stdout)
    assert body["registry"] == "myregistry"
    assert "login_server" in by_name(body)


def test_help_has_the_examples(env):
    proc = run_az(["acr", "check-health", "-h"], env)
    assert proc.returncode == 0
    for text in ("az acr check-health -n myregistry -y", "az acr check-health --ignore-errors",
                 "--repository myrepo", "-o json", "--ignore-errors --yes"):
        assert text in proc.stdout
    for option in ("--name -n", "--ignore-errors", "--yes -y", "--vnet", "--repository", "--timeout"):
        assert option in proc.stdout
    # knack wraps help at hyphens: no option name may be cut across two lines.
    cut = [line for line in proc.stdout.splitlines() if re.search(r"(^|\s)--?[a-z]+(-[a-z]+)*-$", line.rstrip())]
    assert cut == [], cut


def test_tsv_columns_are_in_the_documented_order(env, bin_dir):
    proc = check_health(env, "-o", "tsv")
    rows = [line.split("\t") for line in proc.stdout.splitlines()]
    assert rows and all(len(row) == 5 for row in rows)
    first = dict(zip(("name", "status", "code", "seconds", "message"), rows[0], strict=True))
    assert first["name"] == "docker_client" and first["status"] == "failed"
    assert first["code"] == "DOCKER_COMMAND_ERROR" and float(first["seconds"]) >= 0
    assert "docker" in first["message"]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert "`-o tsv` prints one row per check (name, status, code, seconds, message)" in readme


def test_table_output_fits_a_terminal(env, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    proc = check_health(env, "--ignore-errors", "-o", "table")
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["Check", "Status", "Seconds", "Code", "Message"]
    assert max(len(line) for line in lines) <= 180
    start = lines[0].index("Seconds")
    seconds = [line[start:].split()[0] for line in lines[2:]]
    assert seconds and all(re.match(r"^\d+\.\d\d$", value) for value in seconds), seconds


@pytest.mark.parametrize("name", ["my_reg!", "x" * 300, "", "https://myreg.azurecr.io/v2/path", "ab",
                                  "myreg.azurecr.io:443", "my reg"])
def test_malformed_name_exits_2_with_a_clear_message(env, name):
    proc = check_health(env, "-n", name)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "--name" in proc.stderr
    assert "Traceback" not in proc.stderr
