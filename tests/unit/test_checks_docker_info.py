"""The container engine's settings (checks/docker_info.py, checks/daemon_settings.py) against this machine's,
with stand-ins replaying real `docker info` / `podman info` answers (tests/support/recordings)."""

import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from azext_acrhealth import report
from azext_acrhealth.checks import daemon_settings
from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.checks import context, run_checks

DOCKERS = ("docker-20.10.24", "docker-28.2.2")
CODE = "DOCKER_DAEMON_SETTINGS_WARNING"


def info(tmp_path, bin_dir, tool="docker-28.2.2", case="01-healthy", clock_offset=0, login_server=None, **env):
    standins.write_recorded(bin_dir, tool, case, clock_offset=clock_offset)
    options = {"login_server": login_server} if login_server else {}
    ctx = context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=tmp_path, yes=True, **options)
    only = ("docker_info", "docker_registry_settings") if login_server else ("docker_info",)
    return {name: r.outcome for name, r in run_checks(ctx, only=only).items()}


@pytest.mark.parametrize("tool", DOCKERS)
def test_a_healthy_daemon_matches_this_shell(tmp_path, bin_dir, tool):
    found = info(tmp_path, bin_dir, tool)["docker_info"]
    assert found.status is Status.PASSED, found
    assert found.message.startswith("linux/x86_64; no proxy, as this shell; clock within ")
    assert found.details["serverVersion"] == "20.10.24+dfsg1" and found.details["daemonProxy"]["httpsProxy"] is None


def test_a_shell_behind_a_proxy_and_a_daemon_without_one(tmp_path, bin_dir):
    # The classic: `docker login` times out although every other check passed.
    found = info(tmp_path, bin_dir, HTTPS_PROXY="http://alice:s3cret@proxy.corp.example:3128",
                 NO_PROXY="localhost,.corp.example")["docker_info"]
    assert (found.status, found.code) == (Status.WARNING, CODE)
    assert found.message == ("this shell reaches mcr.microsoft.com through the proxy "
                             "http://***@proxy.corp.example:3128, but the Docker daemon connects directly: docker pull "
                             "and docker login may time out")
    assert "sudo systemctl edit docker" in found.fix
    assert 'Environment="HTTPS_PROXY=http://***@proxy.corp.example:3128"' in found.fix
    assert '"NO_PROXY=localhost,.corp.example"' in found.fix
    assert found.commands == ("sudo systemctl edit docker", "sudo systemctl restart docker")
    assert found.details["findings"][0]["setting"] == "proxy:shell-only"
    # The proxy's password is nowhere: not in the message, the fix, the commands or the JSON.
    entry = json.dumps(report.check_entry(run_result(found)))
    assert "s3cret" not in entry and "alice" not in entry


def run_result(outcome):
    from azext_acrhealth.runner import Check, CheckResult
    return CheckResult(Check("docker_info", "Docker daemon settings", None), outcome, 0.1)


@pytest.mark.parametrize("tool", DOCKERS)
def test_the_same_proxy_in_the_daemon_and_the_shell_passes(tmp_path, bin_dir, tool):
    # The daemon's proxy was started as http://user:secret@proxy.example:3129; docker shows it masked.
    found = info(tmp_path, bin_dir, tool, "01-healthy-proxy-mirror",
                 HTTPS_PROXY="http://user:secret@proxy.example:3129")["docker_info"]
    assert found.status is Status.PASSED, found
    assert "proxy http://***@proxy.example:3129, as this shell" in found.message


def test_a_daemon_with_another_proxy_than_the_shell(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, case="01-healthy-proxy-mirror", HTTPS_PROXY="http://other.example:8080")[
        "docker_info"]
    assert found.code == CODE
    assert found.message == ("this shell reaches mcr.microsoft.com through the proxy http://other.example:8080, the "
                             "Docker daemon through http://***@proxy.example:3129")


def test_a_daemon_with_a_proxy_and_a_shell_without_is_reported_not_warned(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, case="01-healthy-proxy-mirror")["docker_info"]
    assert found.status is Status.PASSED
    assert "the daemon uses the proxy http://***@proxy.example:3129 for mcr.microsoft.com (this shell: none)" in \
        found.message


@pytest.mark.parametrize("offset, word", [(-3600, "behind"), (900, "ahead of")])
def test_a_daemon_clock_that_drifted(tmp_path, bin_dir, offset, word):
    found = info(tmp_path, bin_dir, clock_offset=offset)["docker_info"]
    assert (found.status, found.code) == (Status.WARNING, CODE)
    assert re.match(r"the Docker daemon's clock is (\d+) s {} this machine's: ".format(word), found.message)
    assert abs(found.details["clockSkewSeconds"] - offset) <= 5
    assert "NTP" in found.fix


def test_a_daemon_clock_a_minute_off_is_fine(tmp_path, bin_dir):
    assert info(tmp_path, bin_dir, clock_offset=60)["docker_info"].status is Status.PASSED


def test_windows_containers_mode(tmp_path, bin_dir):
    # No Windows daemon was at hand to record: the Linux answer with the two fields Docker Desktop reports in
    # Windows containers mode.
    answer = standins.recorded_answer("docker-28.2.2", "01-healthy-info")
    document = json.loads(answer[0])
    document.update(OSType="windows", Architecture="x86_64", OperatingSystem="Microsoft Windows Version 10.0.22631")
    standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy", info=(json.dumps(document), "", 0))
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True)
    found = run_checks(ctx, only=("docker_info",))["docker_info"].outcome
    assert found.code == CODE and "runs Windows containers" in found.message
    assert found.commands == ('& "$Env:ProgramFiles\\Docker\\Docker\\DockerCli.exe" -SwitchLinuxEngine',)


def test_podman_without_a_service_uses_this_shells_proxy(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, "podman-4.3.1", HTTPS_PROXY="http://proxy.corp.example:3128")["docker_info"]
    assert found.status is Status.PASSED
    assert found.message == "linux/amd64; podman pulls with this shell's proxy settings"


def test_settings_are_skipped_without_a_daemon(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, "docker-28.2.2", "05-tcp-refused", DOCKER_HOST="tcp://127.0.0.1:1")["docker_info"]
    assert found.status is Status.SKIPPED and found.message == "skipped because Docker version did not run"


# ---------------------------------------------------------------- the registry, once the login server is known

@pytest.mark.parametrize("tool", DOCKERS)
def test_an_insecure_registry_entry_for_the_login_server(tmp_path, bin_dir, tool):
    # dockerd was started with --insecure-registry myreg.azurecr.io
    found = info(tmp_path, bin_dir, tool, "01-healthy-proxy-mirror", login_server="myreg.azurecr.io")[
        "docker_registry_settings"]
    assert (found.status, found.code) == (Status.WARNING, CODE)
    assert found.message == ("the Docker daemon treats myreg.azurecr.io as an insecure registry: it accepts any "
                             "certificate, or plain HTTP, for it")
    assert "remove 'myreg.azurecr.io' from the insecure registries in /etc/docker/daemon.json" in found.fix
    assert found.details["registryEntries"] == [{"prefix": "myreg.azurecr.io", "insecure": True, "mirrors": [],
                                                 "blocked": False, "location": None}]


def test_an_insecure_registry_entry_in_podmans_registries_conf(tmp_path, bin_dir):
    standins.write_recorded(bin_dir, "podman-4.3.1", "01-healthy",
                            info=standins.recorded_answer("podman-4.3.1", "01-healthy-proxy-mirror-info"))
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True, login_server="myreg.azurecr.io")
    found = run_checks(ctx, only=("docker_info", "docker_registry_settings"))["docker_registry_settings"].outcome
    assert found.code == CODE and found.message.startswith("podman treats myreg.azurecr.io as an insecure registry")
    assert "registries.conf" in found.fix


def test_a_login_server_without_entries_passes(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, "docker-28.2.2", "01-healthy-proxy-mirror", login_server="other.azurecr.io")[
        "docker_registry_settings"]
    assert found.status is Status.PASSED
    assert found.message.startswith("other.azurecr.io: no insecure, mirror or blocking entry")


def test_a_daemon_whose_no_proxy_sends_the_registry_direct_while_the_shell_uses_the_proxy(tmp_path, bin_dir):
    # The daemon's NO_PROXY lists .azurecr.io; this shell sends registry traffic through the same proxy.
    found = info(tmp_path, bin_dir, "docker-28.2.2", "01-healthy-proxy-mirror", login_server="other.azurecr.io",
                 HTTPS_PROXY="http://proxy.example:3129")
    assert found["docker_info"].status is Status.PASSED     # for mcr.microsoft.com both use the proxy
    registry = found["docker_registry_settings"]
    assert registry.code == CODE
    assert registry.message == ("this shell reaches other.azurecr.io through the proxy http://proxy.example:3129, but "
                                "the Docker daemon's NO_PROXY sends it direct")
    assert "localhost,127.0.0.1,.azurecr.io" in registry.fix


def test_the_shell_only_proxy_is_not_reported_twice(tmp_path, bin_dir):
    found = info(tmp_path, bin_dir, login_server="myreg.azurecr.io", HTTPS_PROXY="http://proxy.corp.example:3128")
    assert found["docker_info"].code == CODE
    assert found["docker_registry_settings"].status is Status.PASSED


def test_without_the_engines_settings_the_registry_check_is_skipped(tmp_path):
    ctx = context(env=standins.env_for(None, tmp_path), cwd=tmp_path, login_server="myreg.azurecr.io")
    found = run_checks(ctx, only=("docker_info", "docker_registry_settings"))["docker_registry_settings"].outcome
    assert found.status is Status.SKIPPED and "settings were not read" in found.message


# ---------------------------------------------------------------- the parser, on real and on any text

@pytest.mark.parametrize("case", ["04-api-1.50-info", "05-tcp-refused-info"])
def test_server_errors_in_docker_info_are_not_settings(case):
    parsed, why = daemon_settings.parse("docker", standins.recording("docker-20.10.24", case)["stdout"])
    assert parsed is None and why


def test_the_system_time_keeps_its_zone_and_drops_nanoseconds():
    parsed, _ = daemon_settings.parse("docker", standins.recording("docker-28.2.2", "01-healthy-info")["stdout"])
    assert parsed.system_time.isoformat() == "2026-11-29T04:20:23.223945+00:00"


_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
_JSON = st.recursive(_leaf, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["ServerErrors", "ServerVersion", "OSType", "HttpsProxy", "NoProxy", "SystemTime", "RegistryConfig",
                     "IndexConfigs", "Secure", "Mirrors", "host", "store", "registries", "Insecure", "Location",
                     "Blocked", "os", "arch", "serviceIsRemote"]) | st.text(max_size=6), inner, max_size=6),
    max_leaves=25)


@settings(max_examples=1500, deadline=None)
@given(_JSON, st.sampled_from(["docker", "podman"]))
@example({"registries": {"ServerErrors": {"Mirrors": True}}}, "podman")     # found by this test in CI
def test_the_parser_never_raises(document, kind):
    parsed, why = daemon_settings.parse(kind, json.dumps(document))
    assert (parsed is None) != (why is None)
    if parsed is not None:
        parsed.registries_for("myreg.azurecr.io")
        parsed.proxy_for("https://myreg.azurecr.io/")
