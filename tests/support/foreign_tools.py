"""Proof that the tests do not depend on this machine's tools: run a part of the suite with a docker, a
podman and a helm that only record being run, first on PATH and in the system's folders (/usr/bin,
/usr/local/bin, ...), and fail if any test ran one.

    python -m tests.support.foreign_tools                      # every end-to-end test
    python -m tests.support.foreign_tools tests/e2e/test_codes.py -k docker

The system folders get them through an overlay mount in a private user and mount namespace (`unshare
-rm`), so nothing changes on the machine; without such namespaces only PATH gets them, and the run says
so. A test that builds its own PATH (stand-ins only) never finds them; a test that inherits the machine's
PATH, names a system folder, or asks for `docker` does, and the run fails naming the command it ran.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("docker", "podman", "helm", "docker.exe")
DEFAULT = ("tests/e2e",)    # every end-to-end test: the command surface, every code, the prompt, ...
STATUS = 97      # what a foreign tool exits with
SYSTEM_FOLDERS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


def write_tools(folder, log):
    """Executables that append their command line to log, say what they are on stderr, and fail."""
    for name in TOOLS:
        path = Path(folder) / name
        path.write_text("#!/bin/sh\nprintf '%s\\n' \"$0 $*\" >> '{}'\necho \"a foreign {} ran: this machine's "
                        "tools must not be used by tests\" >&2\nexit {}\n".format(log, name, STATUS))
        path.chmod(0o755)


def run(pytest_args=DEFAULT, timeout=3600, system_folders=True):
    """(pytest's exit status, the foreign tools' command lines, whether the system folders had them too)
    after running pytest_args with the foreign tools first on PATH and, where possible, in SYSTEM_FOLDERS."""
    with tempfile.TemporaryDirectory(prefix="acrhealth-foreign-") as folder:
        folder = Path(folder)
        log = folder / "calls.log"
        tools = folder / "bin"
        tools.mkdir()
        write_tools(tools, log)
        env = dict(os.environ, PATH=os.pathsep.join([str(tools), os.environ.get("PATH", os.defpath)]))
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args]
        prefix = _overlays(folder, log) if system_folders else None
        proc = subprocess.run([*(prefix or ()), *pytest], cwd=ROOT, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        calls = log.read_text().splitlines() if log.exists() else []
    return proc.returncode, calls, prefix is not None


def _overlays(folder, log):
    """The command prefix that runs a command with the foreign tools added to every system folder (an
    overlay in a private namespace), or None when this machine cannot do that."""
    unshare = shutil.which("unshare")
    if not unshare:
        return None
    mounts, seen = [], set()
    for index, system in enumerate(SYSTEM_FOLDERS):
        real = os.path.realpath(system)
        if real in seen or not os.path.isdir(real):
            continue
        seen.add(real)
        upper, work = folder / "upper{}".format(index), folder / "work{}".format(index)
        upper.mkdir()
        work.mkdir()
        write_tools(upper, log)
        mounts.append("mount -t overlay overlay -o lowerdir={0},upperdir={1},workdir={2} {0}".format(
            real, upper, work))
    prefix = [unshare, "-rm", "sh", "-c", " && ".join([*mounts, 'exec "$@"']), "sh"]
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return prefix if probe.returncode == 0 else None


def main(argv):
    status, calls, everywhere = run(tuple(argv) or DEFAULT)
    if not everywhere:
        print("note: no user and mount namespaces with overlays here: the foreign tools are first on PATH only, "
              "not in the system folders", file=sys.stderr)
    if calls:
        print("FAILED: tests ran this machine's tools (a foreign docker, podman or helm first on PATH):",
              file=sys.stderr)
        for call in calls:
            print("    " + call, file=sys.stderr)
        return 1
    if status == 0:
        print("No test ran a docker, podman or helm from this machine's PATH.", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
