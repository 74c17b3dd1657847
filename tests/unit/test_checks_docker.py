"""Docker checks against real executables on PATH: stand-ins for each state, and the machine's own
docker CLI (with no daemon to talk to) for the daemon-down case."""

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
from tests.support.checks import context, run_checks

HANG_GUARD = 10.0
REAL_DOCKER = shutil.which("docker")
DOCKER = ("docker_client", "docker_daemon", "docker_version", "docker_pull")


def make_ctx(tmp_path, bin_dir, yes=True, confirm=None, cwd=None, **env):
    return context(env=standins.env_for(bin_dir, tmp_path, **env), cwd=cwd or tmp_path, confirm=confirm, yes=yes)


def run_docker(ctx):
    """The docker checks of the real plan, with what they need: {name: outcome}."""
    return {name: r.outcome for name, r in run_checks(ctx, only=DOCKER).items()}


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


def test_daemon_down_is_a_daemon_error_and_the_client_version_is_still_reported(tmp_path, bin_dir):
    standins.write_docker(bin_dir, "daemon_down")
    results = run_docker(make_ctx(tmp_path, bin_dir))
    daemon = results["docker_daemon"]
    assert daemon.status is Status.FAILED and daemon.code == "DOCKER_DAEMON_ERROR"
    assert daemon.message == "the daemon is not running, or not reachable at " + standins.SOCKET
    assert "Cannot connect to the Docker daemon" in daemon.details["output"]
    assert "systemctl start docker" in daemon.fix
    version = results["docker_version"]
    assert version.status is Status.PASSED and version.details["clientVersion"] == "28.2.2"
    assert version.details["serverVersion"] is None and "server not reachable" in version.message
    assert results["docker_pull"].status is Status.SKIPPED
    assert results["docker_pull"].message == "skipped because Docker daemon failed"


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
    version = results["docker_version"]
    assert version.status is Status.PASSED and version.details["serverVersion"] is None
    assert version.details["clientVersion"] == results["docker_client"].details["version"]
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
    # `docker version` hangs too: the client version comes from `docker --version` instead.
    assert results["docker_version"].status is Status.PASSED
    assert results["docker_version"].details["clientVersion"] == "28.2.2"


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
    assert outcome.message.endswith("exited with status 1: " + standins.PULL_FAIL)


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
    assert parsed == docker.DockerVersion("28.2.2", None, "linux/amd64", "e6534b4")


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
    from azext_acrhealth.outcome import Interrupted
    standins.write_docker(bin_dir, state)
    reported = []
    _interrupt_when_started(bin_dir)
    try:
        with pytest.raises(Interrupted) as raised:
            run_checks(make_ctx(tmp_path, bin_dir), only=DOCKER, on_result=reported.append)
        leftovers = standins.alive(bin_dir)
    finally:
        standins.kill_leftovers(bin_dir)
    assert leftovers == []
    assert raised.value.outcome.status is Status.SKIPPED and message in raised.value.outcome.message
    assert reported[-1].check.name == "docker_pull" and reported[-1].outcome == raised.value.outcome
    assert ("rmi " + standins.IMAGE in standins.calls(bin_dir, "docker")) is rmi
