"""The pull prompt through the real az with a real terminal on stdin (a pty), and without one."""

import json
import os
import pty
import subprocess

import pytest

from tests.support import standins
from tests.support.azcli import AZ, UNSHARE, run_az

pytestmark = pytest.mark.e2e


@pytest.fixture
def env(az_env, bin_dir, isolated):
    standins.write_docker(bin_dir, "pull_ok")
    standins.write_helm(bin_dir, standins.HELM3_OUTPUT)
    az_env["PATH"] = str(bin_dir)
    return az_env


def run_with_terminal(env, answer):
    """az with a pty as stdin; the answer is typed ahead, as a user at the prompt would."""
    master, slave = pty.openpty()
    try:
        os.write(master, answer.encode() + b"\n")
        proc = subprocess.run([UNSHARE, "-rn", str(AZ), "acr", "check-health", "-o", "json"], env=env,
                              stdin=slave, capture_output=True, text=True, timeout=120)
    finally:
        os.close(slave)
        os.close(master)
    return proc


def pull(proc):
    return {c["name"]: c for c in json.loads(proc.stdout)["checks"]}["docker_pull"]


def test_answering_no_skips_the_pull(env, bin_dir):
    proc = run_with_terminal(env, "n")
    assert "This will pull the image mcr.microsoft.com/mcr/hello-world:latest. Proceed? (y/n)" in proc.stderr
    assert pull(proc)["status"] == "skipped" and pull(proc)["message"].startswith("declined")
    assert not any(c.startswith("pull") for c in standins.calls(bin_dir, "docker"))
    assert proc.returncode == 0, proc.stderr


def test_answering_yes_pulls(env, bin_dir):
    proc = run_with_terminal(env, "y")
    assert pull(proc)["status"] == "passed"
    assert "pull mcr.microsoft.com/mcr/hello-world:latest" in standins.calls(bin_dir, "docker")
    assert proc.returncode == 0, proc.stderr
    # The question went to stderr: stdout is the result alone.
    assert json.loads(proc.stdout)["status"] == "passed"


def test_without_a_terminal_and_without_yes_the_pull_is_skipped_with_a_note(env, bin_dir):
    proc = run_az(["acr", "check-health", "-o", "json"], env)
    assert proc.returncode == 0, proc.stderr
    assert "pass --yes" in pull(proc)["message"]
    assert "Traceback" not in proc.stderr
    assert not any(c.startswith("pull") for c in standins.calls(bin_dir, "docker"))


def test_a_healthy_environment_exits_zero_with_every_check_passed(env):
    proc = run_az(["acr", "check-health", "--yes", "-o", "json"], env)
    assert proc.returncode == 0, proc.stderr
    body = json.loads(proc.stdout)
    assert body["status"] == "passed"
    assert {c["status"] for c in body["checks"]} == {"passed"}


def run_on_terminal(env, *args):
    """az with stdout and stderr on a terminal (a pty); returns all it printed there."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen([UNSHARE, "-rn", str(AZ), "acr", "check-health", *args], env=env,
                                stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
        os.close(slave)
        chunks = []
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:   # EIO: the other side closed
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_on_a_terminal(env):
    env.pop("AZURE_CORE_NO_COLOR", None)
    text = run_on_terminal(env, "--yes", "-o", "none")
    assert "\x1b[" in text and "Docker client" in text


def test_no_colour_on_a_terminal_with_core_no_color(env):
    env["AZURE_CORE_NO_COLOR"] = "true"
    text = run_on_terminal(env, "--yes", "-o", "none")
    assert "Docker client" in text
    assert "\x1b[" not in text
