"""Run the real `az` of this environment with the extension built from this checkout.

Used by the end-to-end tests: the wheel is built the way users get it and installed with
`az extension add --source`, into a temporary AZURE_EXTENSION_DIR.
"""

import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

from tests.support.standins import NO_TOOLS

ROOT = Path(__file__).resolve().parents[2]
AZ = Path(sys.executable).parent / "az"
# Found on the test process's PATH: the environments given to az hold no tools on PATH.
UNSHARE = shutil.which("unshare") or "unshare"


def build_wheel(out_dir):
    """Build acrhealth-<version>-py3-none-any.whl from this checkout into out_dir; return its path."""
    out_dir = Path(out_dir)
    build = out_dir / "src"
    shutil.copytree(ROOT, build, ignore=shutil.ignore_patterns(
        ".venv", ".git", "dist", "build", "*.egg-info", ".az", "__pycache__", ".pytest_cache", ".hypothesis",
        ".cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--disable-pip-version-check", "-w", str(out_dir), str(build)],
                   check=True, timeout=300, capture_output=True)
    wheels = sorted(out_dir.glob("acrhealth-*-py3-none-any.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def install_from_checkout(root):
    """Build the wheel from this checkout into root/dist and install it with `az extension add --source`
    into root/extensions, a fresh AZURE_EXTENSION_DIR; return that folder."""
    root = Path(root)
    wheel = build_wheel(root / "dist")
    ext_dir = root / "extensions"
    (root / "home").mkdir(parents=True, exist_ok=True)
    install_extension(wheel, base_env(root / "home", root / "config", ext_dir))
    return ext_dir


def base_env(home, config_dir, extension_dir):
    """An environment for one az run, built from nothing (no variable of this machine's: no proxy, no
    DOCKER_HOST, no PATH to its tools): its own HOME and config, our extension folder, no telemetry.
    PATH holds no tools; a test that wants stand-ins sets PATH to their folder. az itself is run by its
    absolute path."""
    env = {
        "PATH": NO_TOOLS,
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "AZURE_CONFIG_DIR": str(config_dir),
        "AZURE_EXTENSION_DIR": str(extension_dir),
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
        "AZURE_CORE_SURVEY_MESSAGE": "false",
        "AZURE_CORE_NO_COLOR": "true",
        "PYTHONIOENCODING": "utf-8",
    }
    return env


@lru_cache(maxsize=4)
def namespaces_available(flags="-rn"):
    """Unprivileged user and network namespaces (`unshare -rn`) let a test cut az off the network;
    with -m also a mount namespace, for a private /etc/hosts."""
    if not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(["unshare", flags, "true"], timeout=10, capture_output=True).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def run_az(args, env, timeout=120, cwd=None, isolated=True):
    """Run az; isolated runs happen in a new network namespace where nothing but a down loopback
    exists, so no lookup or request can leave the machine."""
    argv = [str(AZ), *args]
    if isolated:
        argv = [UNSHARE, "-rn", *argv]
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)


def install_extension(wheel, env):
    proc = run_az(["extension", "add", "--source", str(wheel), "--yes"], env, timeout=300, isolated=False)
    assert proc.returncode == 0, proc.stderr
    return proc
