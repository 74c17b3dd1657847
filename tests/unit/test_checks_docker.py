"""Docker checks against real executables on PATH: stand-ins for each state, most of them replaying what
real docker 20.10 and 28.2 clients (against dockerd 20.10) and podman 4.3 printed in that case (see
tests/support/recordings), and, when this machine has one, its own docker CLI with no daemon to talk to."""

import json
import os
import shutil
import subprocess
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth.checks import docker
from azext_acrhealth.outcome import Status
from tests.support import standins
from tests.support.account import StubAccount
from tests.support.checks import context, run_checks

HANG_GUARD = 10.0
DOCKER = ("docker_client", "docker_daemon", "docker_version", "docker_pull")
DOCKERS = ("docker-20.10.24", "docker-28.2.2")


def real_docker():
    """This machine's docker CLI, when PATH has a real one (a stand-in or another program does not count)."""
    found = shutil.which("docker")
    if not found:
        return None
    try:
        proc = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=10,
                              env={"PATH": "/nonexistent", "HOME": "/nonexistent"})
    except (OSError, subprocess.SubprocessError):
        return None
    return found if proc.returncode == 0 and proc.stdout.startswith("Docker version ") else None


REAL_DOCKER = real_docker()


def make_ctx(tmp_path, bin_dir, yes=True, confirm=None, cwd=None, **env):
    return context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=cwd or tmp_path, confirm=confirm, yes=yes)


def run_docker(ctx):
    """The docker checks of the real plan (run with what they need and use): {name: outcome} of those four."""
    return {name: r.outcome for name, r in run_checks(ctx, only=DOCKER).items() if name in DOCKER}


def check(ctx, name):
    """One check of the real plan (and the checks it needs): its outcome."""
    return run_checks(ctx, only=(name,))[name].outcome


# ---------------------------------------------------------------- client

def test_no_docker_and_no_podman_is_a_command_error(tmp_path, bin_dir):
    outcome = check(make_ctx(tmp_path, bin_dir), "docker_client")
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_COMMAND_ERROR"
    assert "no docker (or podman) executable on PATH" in outcome.message
    assert "install Docker" in outcome.fix


def test_podman_is_used_when_docker_is_absent(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "podman", name="podman")
    outcome = check(make_ctx(tmp_path, bin_dir), "docker_client")
    assert outcome.status is Status.PASSED
    assert outcome.details["path"] == str(bin_dir / "podman") and outcome.details["client"] == "podman"
    assert outcome.details["version"] == "4.9.3"


def test_docker_command_names_the_client(tmp_path, bin_dir):
    other = tmp_path / "elsewhere"
    other.mkdir()
    standins.write_docker(bin_dir, "ok")
    chosen = standins.write_docker(other, "ok", name="my-docker")
    outcome = check(make_ctx(tmp_path, bin_dir, DOCKER_COMMAND=chosen), "docker_client")
    assert outcome.status is Status.PASSED and outcome.details["path"] == chosen


def test_docker_command_that_does_not_exist_is_a_command_error(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")   # present, but the user asked for another one
    outcome = check(make_ctx(tmp_path, bin_dir, DOCKER_COMMAND="/nonexistent/docker"), "docker_client")
    assert outcome.code == "DOCKER_COMMAND_ERROR" and outcome.details["docker_command"] == "/nonexistent/docker"
    assert "DOCKER_COMMAND names '/nonexistent/docker'" in outcome.message


def test_docker_in_the_current_directory_is_refused(tmp_path, bin_dir):
    # PATH holds ".", the current directory holds a docker: the built-in refuses it, so do we.
    standins.write_docker(bin_dir, "ok")
    ctx = make_ctx(tmp_path, bin_dir, cwd=bin_dir)
    ctx.env["PATH"] = os.curdir
    outcome = check(ctx, "docker_client")
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_COMMAND_ERROR"
    assert "refusing to run" in outcome.message and "current directory" in outcome.message
    assert "DOCKER_COMMAND" in outcome.fix
    assert standins.calls(bin_dir, "docker") == []       # never executed


def test_an_absolute_docker_command_in_the_current_directory_is_trusted(tmp_path, bin_dir):
    path = standins.write_docker(bin_dir, "ok")
    outcome = check(make_ctx(tmp_path, bin_dir, cwd=bin_dir, DOCKER_COMMAND=path), "docker_client")
    assert outcome.status is Status.PASSED


def test_a_client_that_cannot_start_is_a_command_error(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "broken")
    outcome = check(make_ctx(tmp_path, bin_dir), "docker_client")
    assert outcome.code == "DOCKER_COMMAND_ERROR"
    assert "could not start" in outcome.message and "interpreter or loader is missing" in outcome.message


# ---------------------------------------------------------------- daemon

def test_everything_passes_with_a_running_daemon(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")
    results = run_docker(make_ctx(tmp_path, bin_dir))
    assert [o.status for o in results.values()] == [Status.PASSED] * 4
    assert results["docker_daemon"].details["endpoint"] == standins.SOCKET
    assert results["docker_daemon"].details["endpointSource"] == "docker context 'default'"
    assert results["docker_version"].message == "client 28.2.2, server 28.2.2"


def test_daemon_down_is_a_daemon_error_and_the_version_check_is_skipped(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    results = run_docker(make_ctx(tmp_path, bin_dir))
    daemon = results["docker_daemon"]
    assert daemon.status is Status.FAILED and daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == "the daemon is not running, or not reachable at " + standins.SOCKET
    assert "Cannot connect to the Docker daemon" in daemon.details["output"]
    assert "systemctl start docker" in daemon.fix
    # One cause, one finding: the version check is skipped, not passed; the client check shows the version.
    assert results["docker_client"].details["version"] == "28.2.2"
    for name in ("docker_version", "docker_pull"):
        assert results[name].status is Status.SKIPPED
        assert results[name].message == "skipped because Docker daemon failed"


@pytest.mark.skipif(REAL_DOCKER is None, reason="no docker CLI on this machine")
def test_real_docker_cli_without_a_daemon(tmp_path, bin_dir):
    # The machine's own docker, pointed at a socket that does not exist: a real daemon-down answer.
    os.symlink(REAL_DOCKER, bin_dir / "docker")
    socket = "unix://{}/docker.sock".format(tmp_path)
    results = run_docker(make_ctx(tmp_path, bin_dir, DOCKER_HOST=socket))
    assert results["docker_client"].status is Status.PASSED
    daemon = results["docker_daemon"]
    assert daemon.status is Status.FAILED and daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.details["endpoint"] == socket and daemon.details["endpointSource"] == "DOCKER_HOST"
    assert "Cannot connect to the Docker daemon at " + socket in daemon.details["output"]
    assert daemon.message == "nothing answers at {}, where DOCKER_HOST points".format(socket)
    assert daemon.commands == ("unset DOCKER_HOST",)
    assert results["docker_version"].status is Status.SKIPPED
    assert results["docker_pull"].status is Status.SKIPPED


@pytest.mark.skipif(REAL_DOCKER is None, reason="no docker CLI on this machine")
def test_real_docker_context_names_the_expected_daemon(tmp_path, bin_dir):
    # A docker context created with the real CLI, in a private DOCKER_CONFIG, becomes the current one.
    os.symlink(REAL_DOCKER, bin_dir / "docker")
    config = tmp_path / "docker-config"
    socket = "unix://{}/context.sock".format(tmp_path)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "DOCKER_CONFIG": str(config)}
    for argv in (["context", "create", "acrhealth-test", "--docker", "host=" + socket],
                 ["context", "use", "acrhealth-test"]):
        subprocess.run([str(bin_dir / "docker"), *argv], env=env, check=True, capture_output=True, timeout=30)
    daemon = check(make_ctx(tmp_path, bin_dir, DOCKER_CONFIG=str(config)), "docker_daemon")
    assert daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.details["endpoint"] == socket
    assert daemon.details["endpointSource"] == "docker context 'acrhealth-test'"


def test_permission_denied_names_the_socket_and_the_fix(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "permission_denied")
    daemon = run_docker(make_ctx(tmp_path, bin_dir))["docker_daemon"]
    assert daemon.status is Status.FAILED and daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == "permission denied on the daemon socket /var/run/docker.sock"
    assert daemon.details["socket"] == "/var/run/docker.sock"
    assert "'docker' group" in daemon.fix and "rootless" in daemon.fix


def test_a_daemon_that_never_answers_fails_after_the_stated_wait(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "hang")
    start = time.monotonic()
    results = run_docker(make_ctx(tmp_path, bin_dir))
    assert time.monotonic() - start < HANG_GUARD
    daemon = results["docker_daemon"]
    assert daemon.status is Status.FAILED and daemon.code == "DOCKER_DAEMON_ERROR"
    assert "did not answer 'docker ps' within 2 s" in daemon.message
    assert daemon.details["waitedSeconds"] == 2
    assert "restart the Docker daemon" in daemon.fix
    assert results["docker_version"].status is Status.SKIPPED


def test_docker_host_is_reported_as_the_expected_daemon(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    daemon = run_docker(make_ctx(tmp_path, bin_dir, DOCKER_HOST="tcp://127.0.0.1:2375"))["docker_daemon"]
    assert daemon.details["endpoint"] == "tcp://127.0.0.1:2375"
    assert daemon.details["endpointSource"] == "DOCKER_HOST"
    assert "docker context" not in " ".join(standins.calls(bin_dir, "docker"))


def test_without_docker_context_the_default_socket_is_expected(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "no_context")
    daemon = run_docker(make_ctx(tmp_path, bin_dir))["docker_daemon"]
    assert daemon.status is Status.PASSED
    assert daemon.details["endpoint"] == docker.DEFAULT_ENDPOINT and daemon.details["endpointSource"] == "default"


def test_docker_scout_hint_on_stderr_is_not_a_failure(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "scout_hint")
    results = run_docker(make_ctx(tmp_path, bin_dir))
    assert results["docker_daemon"].status is Status.PASSED
    assert results["docker_pull"].status is Status.PASSED
    assert results["docker_pull"].message == "pulled " + standins.IMAGE


def test_podman_notice_on_stderr_is_not_a_failure(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "podman_notice")
    results = run_docker(make_ctx(tmp_path, bin_dir))
    assert [o.status for o in results.values()] == [Status.PASSED] * 4
    assert results["docker_client"].details["client"] == "podman"
    assert results["docker_daemon"].details["endpointSource"] == "podman"
    assert results["docker_version"].message == "client 4.9.3, server 4.9.3"


# ---------------------------------------------------------------- version

def test_a_version_command_that_fails_is_a_version_error_with_its_message(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "version_unsupported")
    outcome = check(make_ctx(tmp_path, bin_dir), "docker_version")
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_VERSION_ERROR"
    assert outcome.message == "'docker version' exited with status 125: unknown flag: --format"
    assert "docker version --help" in outcome.details["output"]


# ---------------------------------------------------------------- pull

def test_pull_without_a_terminal_and_without_yes_is_skipped_with_a_note(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")
    outcome = run_docker(make_ctx(tmp_path, bin_dir, yes=False, confirm=None))["docker_pull"]
    assert outcome.status is Status.SKIPPED and "pass --yes" in outcome.message
    assert not any(call.startswith("pull") for call in standins.calls(bin_dir, "docker"))


def test_pull_declined_is_skipped(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")
    questions = []

    def no(question):
        questions.append(question)
        return False

    outcome = run_docker(make_ctx(tmp_path, bin_dir, yes=False, confirm=no))["docker_pull"]
    assert outcome.status is Status.SKIPPED and outcome.message.startswith("declined")
    assert questions == ["This will pull the image {}. Proceed?".format(standins.IMAGE)]
    assert not any(call.startswith("pull") for call in standins.calls(bin_dir, "docker"))


def test_pull_accepted_at_the_prompt_pulls(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "pull_ok")
    outcome = run_docker(make_ctx(tmp_path, bin_dir, yes=False, confirm=lambda _q: True))["docker_pull"]
    assert outcome.status is Status.PASSED and outcome.details["image"] == standins.IMAGE
    assert "pull " + standins.IMAGE in standins.calls(bin_dir, "docker")


def test_the_sample_image_is_removed_after_the_pull_when_it_was_not_there_before(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "pull_ok")
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert outcome.details["removedAfterwards"] is True
    assert "rmi " + standins.IMAGE in standins.calls(bin_dir, "docker")


def test_a_sample_image_that_was_already_there_is_kept(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "image_present")
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert outcome.status is Status.PASSED and outcome.details["removedAfterwards"] is False
    assert not any(call.startswith("rmi") for call in standins.calls(bin_dir, "docker"))


def test_pull_failure_is_a_pull_error_with_dockers_message(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "pull_fail")
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_PULL_ERROR"
    assert outcome.message == ("'docker pull {}' failed: the Docker daemon could not resolve mcr.microsoft.com "
                               "(DNS server 127.0.0.53:53): server misbehaving".format(standins.IMAGE))
    assert standins.PULL_FAIL in outcome.details["output"] and outcome.details["cause"] == "dns"


def test_wrong_platform_counts_as_pulled_with_a_warning(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "wrong_platform")
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert outcome.status is Status.WARNING and outcome.code is None
    assert "cannot be used on this platform" in outcome.message


def test_a_pull_that_never_finishes_is_bounded(tmp_path, bin_dir, monkeypatch):
    monkeypatch.setattr(docker, "PULL_TIMEOUT", 1)
    standins.write_docker(bin_dir, "pull_hang")
    start = time.monotonic()
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert time.monotonic() - start < HANG_GUARD
    assert outcome.code == "DOCKER_PULL_ERROR" and "did not finish within 1 s" in outcome.message
    assert outcome.details["waitedSeconds"] == 1


def test_pull_when_the_terminal_input_is_closed_is_skipped_with_a_note(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "ok")

    def closed(_question):
        raise EOFError()

    outcome = run_docker(make_ctx(tmp_path, bin_dir, yes=False, confirm=closed))["docker_pull"]
    assert outcome.status is Status.SKIPPED and "pass --yes" in outcome.message


@pytest.mark.parametrize("entry", ["bin", "./node_modules/.bin", ""])
def test_docker_found_through_a_relative_path_entry_is_refused(tmp_path, entry):
    # PATH=bin:/usr/bin (or an empty entry): which docker runs depends on where the command is started.
    folder = tmp_path / (entry or ".")
    folder.mkdir(parents=True, exist_ok=True)
    standins.write_docker(folder, "ok")
    elsewhere = tmp_path / "system"
    elsewhere.mkdir()
    standins.write_docker(elsewhere, "ok")
    ctx = make_ctx(tmp_path, elsewhere, cwd=tmp_path)
    ctx.env["PATH"] = os.pathsep.join([entry, str(elsewhere)])
    outcome = check(ctx, "docker_client")
    assert outcome.status is Status.FAILED and outcome.code == "DOCKER_COMMAND_ERROR"
    assert "relative PATH entry" in outcome.message or "current directory" in outcome.message
    assert "remove relative entries" in outcome.fix
    assert standins.calls(folder, "docker") == [] and standins.calls(elsewhere, "docker") == []


def test_an_absolute_docker_command_is_trusted_whatever_path_holds(tmp_path):
    relative = tmp_path / "bin"
    relative.mkdir()
    path = standins.write_docker(relative, "ok")
    ctx = make_ctx(tmp_path, relative, cwd=tmp_path, DOCKER_COMMAND=path)
    ctx.env["PATH"] = "bin"
    assert check(ctx, "docker_client").status is Status.PASSED


# ---------------------------------------------------------------- the version parser, on any text

_json_leaf = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(_json_leaf, lambda inner: st.lists(inner, max_size=4) |
                    st.dictionaries(st.sampled_from(["Client", "Server", "Version", "Os", "Arch", "OsArch",
                                                     "GitCommit"]) | st.text(max_size=8), inner, max_size=5),
                    max_leaves=20)


@settings(max_examples=2000, deadline=None)
@given(st.text())
def test_docker_version_parser_never_raises_on_any_text(text):
    parsed = docker.parse_docker_version(text)
    assert parsed is None or isinstance(parsed, docker.DockerVersion)


@settings(max_examples=2000, deadline=None)
@given(JSON)
def test_docker_version_parser_never_raises_on_any_json(document):
    parsed = docker.parse_docker_version(json.dumps(document))
    assert parsed is None or isinstance(parsed.client, str)
    if parsed is not None:
        assert parsed.server is None or isinstance(parsed.server, str)
        assert parsed.platform is None or isinstance(parsed.platform, str)


def test_docker_version_parser_reads_a_down_daemon():
    parsed = docker.parse_docker_version(standins.DOCKER_VERSION_JSON_NO_SERVER)
    assert parsed == docker.DockerVersion("28.2.2", None, "linux/amd64", "e6534b4", api="1.50")


@pytest.mark.parametrize("state, platform", [("ok", "linux/amd64"), ("podman", "linux/amd64"),
                                             ("arm64_daemon", "linux/arm64")])
def test_docker_version_hands_on_the_daemons_platform(tmp_path, bin_dir, state, platform):
    standins.write_docker(bin_dir, state)
    found = run_checks(context(bin_dir, tmp_path), only=("docker_version",))["docker_version"].outcome
    assert found.status is Status.PASSED
    assert found.handoff["platform"] == platform
    assert found.details["clientPlatform"] == "linux/amd64"      # the client's own platform


@pytest.mark.parametrize("tool", [*DOCKERS, "podman-4.3.1"])
def test_docker_version_parser_reads_real_answers(tool):
    parsed = docker.parse_docker_version(standins.recording(tool, "01-healthy-version")["stdout"])
    if tool.startswith("podman"):      # podman without a service: a client part only
        assert (parsed.client, parsed.server, parsed.platform) == ("4.3.1", None, "linux/amd64")
    else:
        assert parsed.server == "20.10.24+dfsg1" and parsed.server_platform == "linux/amd64"
        assert parsed.server_api == "1.41"


# ---------------------------------------------------------------- recorded cases: where the daemon is expected

def recorded_ctx(tmp_path, bin_dir, tool, case, subs=None, account=None, clock_offset=0, **env):
    """A context whose PATH holds a stand-in replaying a real client in a recorded case."""
    standins.write_recorded(bin_dir, tool, case, subs=subs, clock_offset=clock_offset)
    return context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=tmp_path, yes=True, account=account)


def run_all(ctx):
    return {name: r.outcome for name, r in run_checks(ctx, only=(*DOCKER, "docker_info")).items()}


def assert_dependants_skipped(results, because):
    for name in ("docker_version", "docker_info", "docker_pull"):
        assert results[name].status is Status.SKIPPED, (name, results[name])
    assert results["docker_version"].message == "skipped because {} failed".format(because)


@pytest.mark.parametrize("tool", DOCKERS)
def test_docker_context_naming_a_missing_context_is_one_finding(tmp_path, bin_dir, tool):
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "06-context-env-nonexistent",
                                   DOCKER_CONTEXT="nonexistent"))
    # docker 20.10 cannot even print its version with a missing context: the client is still sound.
    assert results["docker_client"].status is Status.PASSED
    assert results["docker_client"].details["version"] in ("20.10.24+dfsg1", "28.2.2")
    daemon = results["docker_daemon"]
    assert (daemon.status, daemon.code) == (Status.FAILED, "DOCKER_DAEMON_ERROR")
    assert daemon.message == "DOCKER_CONTEXT names the docker context 'nonexistent', which does not exist"
    assert "unset DOCKER_CONTEXT" in daemon.fix and "docker context ls" in daemon.fix
    assert daemon.commands == ("unset DOCKER_CONTEXT", "docker context ls")
    assert_dependants_skipped(results, "Docker daemon")


@pytest.mark.parametrize("tool", DOCKERS)
def test_current_context_missing_from_the_configuration_is_one_finding(tmp_path, bin_dir, tool):
    config = tmp_path / "docker-config"
    ctx = recorded_ctx(tmp_path, bin_dir, tool, "06-context-config-missing", subs={"<DOCKER_CONFIG>": str(config)},
                       DOCKER_CONFIG=str(config))
    results = run_all(ctx)
    assert results["docker_client"].status is Status.PASSED
    daemon = results["docker_daemon"]
    assert daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == ("the current docker context 'missing' (currentContext in {}/config.json, set by "
                              "'docker context use') does not exist".format(config))
    # Plain `docker context use default` fails on docker 20.10 while the current context is missing.
    assert daemon.commands == ("docker --context default context use default", "docker context ls")
    assert standins.recording(tool, "06-context-config-missing-context-use-default-with-context-flag")[
        "returncode"] == 0
    assert_dependants_skipped(results, "Docker daemon")


@pytest.mark.parametrize("tool", DOCKERS)
def test_docker_host_that_refuses_names_the_variable_and_the_address(tmp_path, bin_dir, tool):
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-tcp-refused", DOCKER_HOST="tcp://127.0.0.1:1"))
    daemon = results["docker_daemon"]
    assert daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == "nothing answers at tcp://127.0.0.1:1, where DOCKER_HOST points"
    assert daemon.fix == "start the daemon at tcp://127.0.0.1:1, or unset DOCKER_HOST to use the current docker context"
    assert daemon.commands == ("unset DOCKER_HOST",)
    assert "start the Docker daemon" not in daemon.fix
    assert_dependants_skipped(results, "Docker daemon")


@pytest.mark.parametrize("tool", DOCKERS)
def test_docker_host_socket_that_does_not_exist(tmp_path, bin_dir, tool):
    socket = "unix://{}/none.sock".format(tmp_path)
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "02-daemon-down-nosocket", subs={"<D>": str(tmp_path)},
                                  DOCKER_HOST=socket))["docker_daemon"]
    assert daemon.message == "nothing answers at {}, where DOCKER_HOST points".format(socket)
    assert daemon.commands == ("unset DOCKER_HOST",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_a_context_that_points_at_a_refusing_daemon_names_the_context(tmp_path, bin_dir, tool):
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "06-context-remote-refused"))["docker_daemon"]
    assert daemon.details["endpointSource"] == "docker context 'remote'"
    assert daemon.message == "nothing answers at tcp://127.0.0.1:1, the endpoint of the current docker context 'remote'"
    assert daemon.commands == ("docker context ls", "docker context use default")


@pytest.mark.parametrize("tool", DOCKERS)
def test_docker_host_that_never_answers_names_the_variable(tmp_path, bin_dir, tool):
    start = time.monotonic()
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-tcp-blackhole",
                                  DOCKER_HOST="tcp://127.0.0.1:23751"))["docker_daemon"]
    assert time.monotonic() - start < HANG_GUARD
    assert daemon.message == "the daemon at tcp://127.0.0.1:23751 (DOCKER_HOST) did not answer 'docker ps' within 2 s"
    assert "firewall" in daemon.fix and "unset DOCKER_HOST" in daemon.fix
    assert daemon.commands == ("unset DOCKER_HOST",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_a_stopped_daemon_that_never_answers(tmp_path, bin_dir, tool):
    # dockerd stopped with SIGSTOP: its socket accepts connections, nothing answers (docker 20.10 even
    # hangs in `docker context inspect`).
    start = time.monotonic()
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "03-hung-daemon", subs={"<D>": str(tmp_path)},
                                   DOCKER_HOST="unix://{}/docker.sock".format(tmp_path)))
    assert time.monotonic() - start < HANG_GUARD
    daemon = results["docker_daemon"]
    assert daemon.message == ("the daemon at unix://{}/docker.sock (DOCKER_HOST) did not answer 'docker ps' within "
                              "2 s".format(tmp_path))
    assert_dependants_skipped(results, "Docker daemon")


def test_podman_service_that_never_answers_names_container_host(tmp_path, bin_dir):
    standins.write_recorded(bin_dir, "podman-4.3.1", "01-healthy",
                            ps=standins.recorded_answer("podman-4.3.1", "09-remote-hung-blackhole-ps"))
    ctx = context(env=standins.env_for(bin_dir, tmp_path, CONTAINER_HOST="tcp://127.0.0.1:23751"), cwd=tmp_path)
    daemon = run_all(ctx)["docker_daemon"]
    assert daemon.message == ("the daemon at tcp://127.0.0.1:23751 (CONTAINER_HOST) did not answer 'podman ps' "
                              "within 2 s")
    assert daemon.commands == ("unset CONTAINER_HOST",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_tls_with_the_wrong_ca_names_docker_cert_path(tmp_path, bin_dir, tool):
    certs = tmp_path / "certs"
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-tls-wrong-ca", subs={"<CERT_PATH>": str(certs)},
                                  DOCKER_HOST="tcp://127.0.0.1:23762", DOCKER_TLS_VERIFY="1",
                                  DOCKER_CERT_PATH=str(certs)))["docker_daemon"]
    assert daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == ("the daemon at tcp://127.0.0.1:23762 (DOCKER_HOST) answered with a certificate that the "
                              "CA in {}/ca.pem did not sign".format(certs))
    assert "{} (DOCKER_CERT_PATH)".format(certs) in daemon.fix


@pytest.mark.parametrize("tool", DOCKERS)
def test_tls_files_missing_names_docker_cert_path(tmp_path, bin_dir, tool):
    certs = tmp_path / "no-certs"
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-tls-certpath-missing",
                                   subs={"<CERT_PATH>": str(certs)}, DOCKER_HOST="tcp://127.0.0.1:23762",
                                   DOCKER_TLS_VERIFY="1", DOCKER_CERT_PATH=str(certs)))
    assert results["docker_client"].status is Status.PASSED      # docker 20.10 needs the retry without them
    daemon = results["docker_daemon"]
    assert daemon.message == ("DOCKER_CERT_PATH points at {}, which holds no ca.pem: the client cannot set up TLS "
                              "to tcp://127.0.0.1:23762".format(certs))
    assert "DOCKER_TLS_VERIFY" in daemon.fix


@pytest.mark.parametrize("tool", DOCKERS)
def test_plain_http_to_a_tls_daemon_asks_for_docker_tls_verify(tmp_path, bin_dir, tool):
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-tcp-plain-to-tls-port",
                                  DOCKER_HOST="tcp://127.0.0.1:23762"))["docker_daemon"]
    assert daemon.message == ("the daemon at tcp://127.0.0.1:23762 (DOCKER_HOST) expects TLS, and this client "
                              "speaks plain HTTP to it")
    assert daemon.commands == ("export DOCKER_TLS_VERIFY=1",) and "DOCKER_CERT_PATH" in daemon.fix


@pytest.mark.parametrize("tool", DOCKERS)
def test_ssh_that_fails_says_what_ssh_said(tmp_path, bin_dir, tool):
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "05-ssh-refused",
                                  DOCKER_HOST="ssh://nobody@127.0.0.1:1"))["docker_daemon"]
    assert daemon.message == ("ssh to the daemon's host failed for ssh://nobody@127.0.0.1:1 (DOCKER_HOST): ssh: "
                              "connect to host 127.0.0.1 port 1: Connection refused")
    assert daemon.commands == ("unset DOCKER_HOST",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_recorded_permission_denied(tmp_path, bin_dir, tool):
    daemon = run_all(recorded_ctx(tmp_path, bin_dir, tool, "07-permission-denied", subs={"<D>": str(tmp_path)},
                                  DOCKER_HOST="unix://{}/docker.sock".format(tmp_path)))["docker_daemon"]
    assert daemon.message == "permission denied on the daemon socket {}/docker.sock".format(tmp_path)
    assert "'docker' group" in daemon.fix


def test_podman_with_a_container_host_that_refuses(tmp_path, bin_dir):
    standins.write_recorded(bin_dir, "podman-4.3.1", "09-container-host-without-remote-flag")
    ctx = context(env=standins.env_for(bin_dir, tmp_path, CONTAINER_HOST="tcp://127.0.0.1:1"), cwd=tmp_path, yes=True)
    results = run_all(ctx)
    daemon = results["docker_daemon"]
    assert daemon.details["endpointSource"] == "CONTAINER_HOST"
    assert daemon.message == ("no Podman service answers at tcp://127.0.0.1:1, where CONTAINER_HOST points (dial tcp "
                              "127.0.0.1:1: connect: connection refused)")
    assert daemon.commands == ("unset CONTAINER_HOST",)
    assert_dependants_skipped(results, "Docker daemon")


def test_podman_whose_machine_is_not_running(tmp_path, bin_dir):
    # podman-remote (macOS, Windows) without CONTAINER_HOST: its default connection, here a missing socket.
    standins.write_recorded(bin_dir, "podman-4.3.1", "01-healthy",
                            ps=standins.recorded_answer("podman-4.3.1", "09-remote-default-ps"))
    daemon = run_all(context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True))["docker_daemon"]
    assert daemon.message.startswith("podman cannot reach its Podman machine or service (dial unix "
                                     "///run/podman/podman.sock")
    assert daemon.commands == ("podman machine start", "podman system connection list")


# ---------------------------------------------------------------- recorded cases: the API version

@pytest.mark.parametrize("tool", DOCKERS)
def test_api_version_too_new_with_docker_api_version_set(tmp_path, bin_dir, tool):
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "04-api-1.50", subs={"<D>": str(tmp_path)},
                                   DOCKER_HOST="unix://{}/docker.sock".format(tmp_path), DOCKER_API_VERSION="1.50"))
    daemon = results["docker_daemon"]
    # The daemon answered: it is not a daemon error, and nobody is told to start it.
    assert daemon.status is Status.PASSED and daemon.message.startswith("answers at unix://")
    version = results["docker_version"]
    assert (version.status, version.code) == (Status.FAILED, "DOCKER_VERSION_ERROR")
    assert version.message == ("DOCKER_API_VERSION=1.50 asks for API 1.50, but the daemon at unix://{}/docker.sock "
                               "supports at most API 1.41".format(tmp_path))
    assert version.fix.startswith("unset DOCKER_API_VERSION") and version.commands == ("unset DOCKER_API_VERSION",)
    assert version.details["maxApiVersion"] == "1.41"
    for name in ("docker_info", "docker_pull"):
        assert results[name].message == "skipped because Docker version failed"


def test_api_version_too_new_without_docker_api_version_means_an_old_engine(tmp_path, bin_dir):
    # The same answers, from a client that pins its API version itself.
    version = run_all(recorded_ctx(tmp_path, bin_dir, "docker-28.2.2", "04-api-1.50", DOCKER_HOST="tcp://10.0.0.4:2375")
                      )["docker_version"]
    assert version.code == "DOCKER_VERSION_ERROR"
    assert "upgrade the Docker engine at tcp://10.0.0.4:2375" in version.fix
    assert version.commands == ("export DOCKER_API_VERSION=1.41",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_api_version_too_old(tmp_path, bin_dir, tool):
    version = run_all(recorded_ctx(tmp_path, bin_dir, tool, "04-api-1.11-too-old", DOCKER_HOST="tcp://10.0.0.4:2375",
                                   DOCKER_API_VERSION="1.11"))["docker_version"]
    assert version.message == ("DOCKER_API_VERSION=1.11 asks for API 1.11, but the daemon at tcp://10.0.0.4:2375 "
                               "needs at least API 1.12")
    assert version.commands == ("unset DOCKER_API_VERSION",)


@pytest.mark.parametrize("tool", DOCKERS)
@pytest.mark.parametrize("pinned", ["1.24", "1.41"])
def test_docker_api_version_within_the_daemons_range_passes(tmp_path, bin_dir, tool, pinned):
    case = "04-api-1.24-old" if pinned == "1.24" else "04-api-1.41-ok"
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, case, DOCKER_HOST="tcp://10.0.0.4:2375",
                                   DOCKER_API_VERSION=pinned))
    assert results["docker_version"].status is Status.PASSED
    assert results["docker_version"].details["apiVersion"] == pinned


@pytest.mark.parametrize("tool", DOCKERS)
def test_docker_api_version_that_is_not_a_version(tmp_path, bin_dir, tool):
    results = run_all(recorded_ctx(tmp_path, bin_dir, tool, "04-api-abc", DOCKER_HOST="tcp://10.0.0.4:2375",
                                   DOCKER_API_VERSION="abc"))
    assert results["docker_daemon"].status is Status.PASSED
    version = results["docker_version"]
    assert version.message == ("DOCKER_API_VERSION='abc' is not an API version: the daemon at tcp://10.0.0.4:2375 "
                               "answers 'page not found'")
    assert version.commands == ("unset DOCKER_API_VERSION",)


@pytest.mark.parametrize("tool", DOCKERS)
def test_the_version_check_hands_off_the_daemons_platform(tmp_path, bin_dir, tool):
    ctx = recorded_ctx(tmp_path, bin_dir, tool, "01-healthy")
    result = run_checks(ctx, only=("docker_version",))["docker_version"]
    assert result.outcome.status is Status.PASSED
    assert result.outcome.handoff["platform"] == "linux/amd64" == result.outcome.details["platform"]
    assert result.outcome.message == "client {}, server 20.10.24+dfsg1".format(
        "28.2.2" if tool.endswith("28.2.2") else "20.10.24+dfsg1")


def test_podman_without_a_service_is_its_own_engine(tmp_path, bin_dir):
    standins.write_recorded(bin_dir, "podman-4.3.1", "01-healthy")
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True)
    results = run_checks(ctx, only=DOCKER)
    version = results["docker_version"].outcome
    assert version.status is Status.PASSED and version.message == "podman 4.3.1, no service: it pulls by itself"
    assert results["docker_version"].outcome.handoff["platform"] == "linux/amd64"
    assert results["docker_pull"].outcome.message == "pulled " + standins.IMAGE
    assert "pull " + standins.IMAGE in standins.calls(bin_dir, "podman")


# ---------------------------------------------------------------- recorded cases: pull failures

def recorded_ctx_default(tmp_path, bin_dir, **env):
    return context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=tmp_path, yes=True)


PULLS = [
    # (recording, cause, what the message says, what the fix says, commands)
    ("08-pull-dns-failure", "dns", "could not resolve mcr.microsoft.com (DNS server 10.255.255.53:53): no such host",
     "DNS servers", ()),
    ("08-pull-proxy-refused", "proxy", "could not reach its proxy: dial tcp 127.0.0.1:1: connect: connection refused",
     "does not answer", ()),
    ("08-pull-x509-unknown-authority", "tls-untrusted", "does not trust the certificate presented for "
     "untrusted.azurecr.io:5442 (x509: certificate signed by unknown authority)", "certs.d/untrusted.azurecr.io:5442/"
     "ca.crt", ()),
    ("08-pull-tls-handshake-timeout", "timeout", "to badtls.azurecr.io:5444 timed out (tls handshake timeout)",
     "a firewall or proxy stops the connection to badtls.azurecr.io:5444", ()),
    ("08-pull-401-manifest-denied", "denied", "auth.azurecr.io:5445 refused it", "log in to auth.azurecr.io:5445",
     ("{tool} login auth.azurecr.io:5445",)),
    ("08-pull-401-token-endpoint-401", "denied", "auth.azurecr.io:5445 refused it", "log in",
     ("{tool} login auth.azurecr.io:5445",)),
    ("08-pull-429-toomanyrequests-retry-after-1", "throttled", "throttled.azurecr.io:5447 throttled the pull",
     "wait a moment", ()),
    ("08-pull-no-space-left", "no-space", "ran out of disk space", "system prune",
     ("{tool} system df", "{tool} system prune")),
    ("08-pull-no-matching-manifest", "platform", "has no image for linux/amd64", "choose an image built for "
     "linux/amd64", ()),
    ("08-pull-repo-not-found", "not-found", "does not exist on myreg.azurecr.io:5443",
     "check the repository and tag", ("az config unset acr.check_health_image",)),
    ("08-pull-repo-not-found-name-unknown", "not-found", "repository name not known to registry",
     "check the repository and tag", ("az config unset acr.check_health_image",)),
    ("08-pull-manifest-unknown", "not-found", "manifest unknown", "check the repository and tag",
     ("az config unset acr.check_health_image",)),
]


@pytest.mark.parametrize("tool", [*DOCKERS, "podman-4.3.1"])
@pytest.mark.parametrize("case, cause, said, fix, commands", PULLS, ids=[p[0] for p in PULLS])
def test_pull_failures_are_classified_with_their_own_fix(tmp_path, bin_dir, tool, case, cause, said, fix, commands):
    recorded = standins.recording(tool, case)
    image = recorded["argv"][-1]       # the image the real client pulled, set as the sample image
    name = tool.split("-")[0]
    standins.write_recorded(bin_dir, tool, "01-healthy", pull=standins.recorded_answer(tool, case))
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True,
                  account=StubAccount(config={"acr.check_health_image": image}))
    outcome = run_checks(ctx, only=("docker_pull",))["docker_pull"].outcome
    assert (outcome.status, outcome.code) == (Status.FAILED, "DOCKER_PULL_ERROR"), outcome
    assert outcome.details["cause"] == cause, outcome
    assert outcome.message.startswith("'{} pull {}' failed: ".format(name, image)), outcome.message
    assert said in outcome.message, outcome.message
    assert fix in outcome.fix, outcome.fix
    assert outcome.commands == tuple(c.format(tool=name) for c in commands)
    assert outcome.details["image"] == image and outcome.details["imageSource"] == "acr.check_health_image"
    assert "pull " + image in standins.calls(bin_dir, name)


def test_pull_denied_by_an_azure_container_registry_suggests_az_acr_login(tmp_path, bin_dir):
    subs = {"auth.azurecr.io:5445": "myregistry.azurecr.io"}
    standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy",
                            pull=standins.recorded_answer("docker-28.2.2", "08-pull-401-manifest-denied", subs))
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True,
                  account=StubAccount(config={"acr.check_health_image": "myregistry.azurecr.io/denied/x:1"}))
    outcome = run_checks(ctx, only=("docker_pull",))["docker_pull"].outcome
    assert outcome.commands == ("az acr login -n myregistry",) and "AcrPull" in outcome.fix


def test_pull_denied_by_mcr_means_a_stored_login_for_it(tmp_path, bin_dir):
    subs = {"auth.azurecr.io:5445/denied/x": "mcr.microsoft.com/mcr/hello-world"}
    standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy",
                            pull=standins.recorded_answer("docker-28.2.2", "08-pull-401-manifest-denied", subs))
    outcome = run_checks(recorded_ctx_default(tmp_path, bin_dir), only=("docker_pull",))["docker_pull"].outcome
    assert outcome.commands == ("docker logout mcr.microsoft.com",)


def test_a_dns_failure_with_a_proxy_in_the_shell_and_none_in_the_daemon_names_the_proxy(tmp_path, bin_dir):
    # The classic: the shell reaches the internet through a proxy, the daemon tries directly and cannot even
    # resolve the registry. The pull's fix is the daemon's proxy, not its DNS.
    standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy",
                            pull=standins.recorded_answer("docker-28.2.2", "08-pull-dns-failure"))
    ctx = recorded_ctx_default(tmp_path, bin_dir, HTTPS_PROXY="http://proxy.corp.example:3128")
    outcome = run_checks(ctx, only=("docker_info", "docker_pull"))["docker_pull"].outcome
    assert outcome.details["cause"] == "dns"
    assert outcome.fix.startswith("this shell reaches mcr.microsoft.com through the proxy "
                                  "http://proxy.corp.example:3128, the Docker daemon connects directly")
    assert outcome.commands == ("sudo systemctl edit docker", "sudo systemctl restart docker")


@pytest.mark.parametrize("tool", DOCKERS)
def test_a_daemon_proxy_that_refuses_is_named(tmp_path, bin_dir, tool):
    # dockerd started with HTTP(S)_PROXY=http://127.0.0.1:1: `docker info` shows it, the pull cannot reach it.
    standins.write_recorded(bin_dir, tool, "01-healthy",
                            info=standins.recorded_answer(tool, "08-pull-proxy-refused-info"),
                            pull=standins.recorded_answer(tool, "08-pull-proxy-refused"))
    results = run_checks(recorded_ctx_default(tmp_path, bin_dir), only=("docker_info", "docker_pull"))
    assert "the daemon uses the proxy http://127.0.0.1:1" in results["docker_info"].outcome.message
    pull = results["docker_pull"].outcome
    assert pull.message.endswith("the Docker daemon could not reach its proxy: dial tcp 127.0.0.1:1: connect: "
                                 "connection refused")
    assert pull.fix.startswith("the daemon's HTTPS_PROXY (http://127.0.0.1:1) names a proxy that does not answer")


def test_a_client_name_unfit_for_a_command_line_is_not_put_in_one(tmp_path, bin_dir):
    path = standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy", name="my docker;x",
                                   pull=standins.recorded_answer("docker-28.2.2", "08-pull-no-space-left"))
    outcome = run_checks(recorded_ctx_default(tmp_path, bin_dir, DOCKER_COMMAND=path),
                         only=("docker_pull",))["docker_pull"].outcome
    assert outcome.details["cause"] == "no-space"
    assert outcome.commands == ("docker system df", "docker system prune")


def test_unknown_pull_output_keeps_the_generic_fix(tmp_path, bin_dir):
    standins.write_recorded(bin_dir, "docker-28.2.2", "01-healthy", pull=("", "something nobody has seen", 1))
    outcome = run_checks(recorded_ctx_default(tmp_path, bin_dir), only=("docker_pull",))["docker_pull"].outcome
    assert outcome.details["cause"] == "unknown"
    assert outcome.message == "'docker pull {}' failed: something nobody has seen".format(standins.IMAGE)
    assert outcome.fix == "run 'docker pull {}' yourself and read its message".format(standins.IMAGE)


# ---------------------------------------------------------------- the sample image, from az config

def test_the_sample_image_can_be_changed_with_az_config(tmp_path, bin_dir):
    image = "myregistry.azurecr.io/samples/hello-world:1.0"
    standins.write_docker(bin_dir, "pull_ok")
    questions = []

    def yes(question):
        questions.append(question)
        return True

    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, confirm=yes,
                  account=StubAccount(config={"acr.check_health_image": image}))
    outcome = run_checks(ctx, only=("docker_pull",))["docker_pull"].outcome
    assert outcome.status is Status.PASSED and outcome.message == "pulled " + image
    assert outcome.details["imageSource"] == "acr.check_health_image"
    assert questions == ["This will pull the image {}. Proceed?".format(image)]
    assert "pull " + image in standins.calls(bin_dir, "docker") and "rmi " + image in standins.calls(bin_dir, "docker")


@pytest.mark.parametrize("value", ["-rm /", "my image", "Registry.io/UPPER/case", "a" * 300, "x/y:tag with space"])
def test_a_sample_image_setting_that_is_no_image_is_refused_before_any_pull(tmp_path, bin_dir, value):
    standins.write_docker(bin_dir, "pull_ok")
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True,
                  account=StubAccount(config={"acr.check_health_image": value}))
    outcome = run_checks(ctx, only=("docker_pull",))["docker_pull"].outcome
    assert outcome.code == "DOCKER_PULL_ERROR" and "is not an image reference" in outcome.message
    assert outcome.commands == ("az config unset acr.check_health_image",)
    assert not any(call.startswith(("pull", "image", "rmi")) for call in standins.calls(bin_dir, "docker"))


def test_a_pull_still_retrying_at_the_time_limit_says_why(tmp_path, bin_dir, monkeypatch):
    # podman honours Retry-After: 30 several times per attempt, so a throttled pull looks hung for minutes.
    monkeypatch.setattr(docker, "PULL_TIMEOUT", 1)
    case = "08-pull-429-toomanyrequests"
    standins.write_recorded(bin_dir, "podman-4.3.1", "01-healthy",
                            pull=standins.recorded_answer("podman-4.3.1", case))
    image = standins.recording("podman-4.3.1", case)["argv"][-1]
    ctx = context(env=standins.env_for(bin_dir, tmp_path), cwd=tmp_path, yes=True,
                  account=StubAccount(config={"acr.check_health_image": image}))
    outcome = run_checks(ctx, only=("docker_pull",))["docker_pull"].outcome
    assert outcome.message == ("'podman pull {}' did not finish within 1 s; it was retrying after: "
                               "throttled.azurecr.io:5446 throttled the pull (toomanyrequests)".format(image))
    assert outcome.fix.startswith("wait a moment and try again")


def test_an_image_docker_cannot_tell_was_there_is_never_removed(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "inspect_fails")
    outcome = run_docker(make_ctx(tmp_path, bin_dir))["docker_pull"]
    assert outcome.status is Status.PASSED and "kept, since docker could not tell" in outcome.message
    assert outcome.details["removedAfterwards"] is False
    assert not [call for call in standins.calls(bin_dir, "docker") if call.startswith("rmi")]


def _interrupt_when_started(bin_dir, name="docker"):
    """Ctrl-C to the main thread once a hanging stand-in has started (it writes its pid file)."""
    import signal
    import threading

    def watch():
        deadline = time.monotonic() + HANG_GUARD
        while not standins.pids(bin_dir, name) and time.monotonic() < deadline:
            time.sleep(0.02)
        signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

    threading.Thread(target=watch, daemon=True).start()


@pytest.mark.parametrize("state, message, rmi", [
    ("pull_hang", "was stopped and the image removed", True),
    ("pull_hang_image_present", "the image was there before and is kept", False),
])
def test_ctrl_c_during_the_pull_kills_it_and_tidies_up(tmp_path, bin_dir, state, message, rmi):
    # Under the command's own signal handling, as in `az`: without it, the signal could land between the
    # pull's start and its registration, which the command itself never lets happen.
    from azext_acrhealth import interruptions
    from azext_acrhealth.outcome import Interrupted
    standins.write_docker(bin_dir, state)
    reported = []
    _interrupt_when_started(bin_dir)
    try:
        with pytest.raises(Interrupted) as raised, interruptions.handling():
            run_checks(make_ctx(tmp_path, bin_dir), only=DOCKER, on_result=reported.append)
        leftovers = standins.alive(bin_dir)
    finally:
        standins.kill_leftovers(bin_dir)
    assert leftovers == []
    assert raised.value.outcome.status is Status.SKIPPED and message in raised.value.outcome.message
    assert reported[-1].check.name == "docker_pull" and reported[-1].outcome == raised.value.outcome
    assert ("rmi " + standins.IMAGE in standins.calls(bin_dir, "docker")) is rmi
