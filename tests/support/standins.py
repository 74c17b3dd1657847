"""Stand-in executables for docker, podman and helm, written into a folder that a test puts on PATH.

Each reproduces one state of the real tool: its exit status, stdout and stderr for the commands the
checks run, copied from real docker, podman and helm output. Every call is appended to
`<folder>/<name>.calls` (one line of arguments per call), so tests can count invocations.

    write_docker(folder, "daemon_down")              # docker ps: "Cannot connect to the Docker daemon ..."
    write_helm(folder, HELM3_OUTPUT)                 # helm version --client: Helm 3.14.0
    calls(folder, "helm")                            # ["version --client"]

A command that hangs (HANG) starts a child of its own, as docker's plugins do, then sleeps; both write their
process ids to `<folder>/<name>.pids`, so a test can tell whether any of them outlived the command
(`alive(folder)`).
"""

import os
import shutil
import signal
import stat
from pathlib import Path

SLEEP = shutil.which("sleep") or "/bin/sleep"
HANG = object()            # the command never answers (sleeps far longer than any test timeout)

IMAGE = "mcr.microsoft.com/mcr/hello-world:latest"
SOCKET = "unix:///var/run/docker.sock"

# ---------------------------------------------------------------- real output

DOCKER_VERSION_LINE = "Docker version 28.2.2, build e6534b4"
_CLIENT_JSON = ('"Client":{"Version":"28.2.2","ApiVersion":"1.50","DefaultAPIVersion":"1.50",'
                '"GitCommit":"e6534b4","GoVersion":"go1.24.3","Os":"linux","Arch":"amd64",'
                '"BuildTime":"Fri May 30 12:07:14 2025","Context":"default"}')
DOCKER_VERSION_JSON = ('{' + _CLIENT_JSON + ',"Server":{"Platform":{"Name":"Docker Engine - Community"},'
                       '"Version":"28.2.2","ApiVersion":"1.50","MinAPIVersion":"1.24","Os":"linux",'
                       '"Arch":"amd64","GitCommit":"45873be","GoVersion":"go1.24.3","KernelVersion":"6.8.0-60-generic",'
                       '"BuildTime":"2025-05-30T12:07:26.000000000+00:00"}}')
DOCKER_VERSION_JSON_NO_SERVER = '{' + _CLIENT_JSON + ',"Server":null}'
DAEMON_DOWN = "Cannot connect to the Docker daemon at {}. Is the docker daemon running?".format(SOCKET)
PERMISSION_DENIED = ('permission denied while trying to connect to the Docker daemon socket at '
                     'unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.50/containers/json": '
                     'dial unix /var/run/docker.sock: connect: permission denied')
PS_HEADER = "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"
PULL_OK = ("latest: Pulling from mcr/hello-world\n"
           "Digest: sha256:92c7f9c92844bbbb5d0a101b22f7c2a7949e40f8ea90c8b3bc396879d95e899a\n"
           "Status: Image is up to date for {0}\n{0}".format(IMAGE))
SCOUT_HINT = ("\nWhat's next:\n    View a summary of image vulnerabilities and recommendations → "
              "docker scout quickview {}".format(IMAGE))
PULL_FAIL = ('Error response from daemon: Get "https://mcr.microsoft.com/v2/": dial tcp: lookup '
             'mcr.microsoft.com on 127.0.0.53:53: server misbehaving')
WRONG_PLATFORM = 'image operating system "linux" cannot be used on this platform: operating system is not supported'
PODMAN_NOTICE = "Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg."
PODMAN_VERSION_LINE = "podman version 4.9.3"
PODMAN_VERSION_JSON = ('{"Client":{"APIVersion":"4.9.3","Version":"4.9.3","GoVersion":"go1.22.2","GitCommit":"",'
                       '"BuiltTime":"Thu Jan  1 00:00:00 1970","Built":0,"OsArch":"linux/amd64","Os":"linux"},'
                       '"Server":{"APIVersion":"4.9.3","Version":"4.9.3","GoVersion":"go1.22.2","GitCommit":"",'
                       '"BuiltTime":"Thu Jan  1 00:00:00 1970","Built":0,"OsArch":"linux/amd64","Os":"linux"}}')
# Clear the screen, retitle the window, recolour, overwrite the line, ring the bell; the 8-bit CSI (C1).
HOSTILE_OUTPUT = "\x1b[2J\x1b]0;owned\x07\x1b[31mred\rOVERWRITTEN\x9b2J\x07"
UNKNOWN_FORMAT_FLAG = "unknown flag: --format\nSee 'docker version --help'."

HELM2_OUTPUT = ('Client: &version.Version{SemVer:"v2.17.0", GitCommit:"a690bad98af45b015bd3da1a41f6218b1a451dbe", '
                'GitTreeState:"clean"}')
HELM3_OUTPUT = ('version.BuildInfo{Version:"v3.14.0", GitCommit:"3fc9f4b2638e76f26739cd77c7017139be81d0ea", '
                'GitTreeState:"clean", GoVersion:"go1.21.5"}')

# The start of `helm --help` (Helm 3.14), which the built-in command runs to find Helm.
HELM_HELP = "The Kubernetes package manager\n\nCommon actions for Helm:\n\n- helm search:    search for charts"


def helm_output(version):
    """`helm version --client` as the Helm of that version prints it ("2.10.0", "3.7.2", ...)."""
    if version.startswith("2."):
        return HELM2_OUTPUT.replace("v2.17.0", "v" + version)
    return HELM3_OUTPUT.replace("v3.14.0", "v" + version)


# ---------------------------------------------------------------- docker states
# state -> {first argument: (stdout, stderr, exit status) or HANG}; missing commands behave as in "ok".

_OK = {
    "--version": (DOCKER_VERSION_LINE, "", 0),
    "ps": ("", "", 0),
    "version": (DOCKER_VERSION_JSON, "", 0),
    "context": ("default " + SOCKET, "", 0),
    "pull": (PULL_OK, "", 0),
    "image inspect": ("", "Error response from daemon: No such image: " + IMAGE, 1),
    "rmi": ("Untagged: " + IMAGE, "", 0),
}
_DOWN = {"ps": ("", DAEMON_DOWN, 1), "version": (DOCKER_VERSION_JSON_NO_SERVER, DAEMON_DOWN, 1),
         "pull": ("", DAEMON_DOWN, 1)}
_DENIED = {"ps": ("", PERMISSION_DENIED, 1), "version": (DOCKER_VERSION_JSON_NO_SERVER, PERMISSION_DENIED, 1),
           "pull": ("", PERMISSION_DENIED, 1)}
DOCKER_STATES = {
    "ok": {},
    "pull_ok": {},
    "image_present": {"image inspect": ("sha256:d2c94e258dcb3c5ac2798d32e1249e42ef01cba4841c2234249495f87264ac5a",
                                        "", 0)},
    "daemon_down": _DOWN,
    "permission_denied": _DENIED,
    "hang": {"ps": HANG, "version": HANG, "pull": HANG},
    "scout_hint": {"ps": (PS_HEADER, SCOUT_HINT, 0), "pull": (PULL_OK, SCOUT_HINT, 0)},
    "pull_fail": {"pull": ("latest: Pulling from mcr/hello-world", PULL_FAIL, 1)},
    "pull_hang": {"pull": HANG},
    "wrong_platform": {"pull": ("latest: Pulling from mcr/hello-world", WRONG_PLATFORM, 1)},
    "version_unsupported": {"version": ("", UNKNOWN_FORMAT_FLAG, 125)},
    "no_context": {"context": ("", "docker: 'context' is not a docker command.\nSee 'docker --help'", 1)},
    # podman-docker's `docker` wrapper: a notice on stderr before every command, exit status 0.
    "podman_notice": {"--version": (PODMAN_VERSION_LINE, PODMAN_NOTICE, 0), "ps": ("", PODMAN_NOTICE, 0),
                      "version": (PODMAN_VERSION_JSON, PODMAN_NOTICE, 0), "pull": (PULL_OK, PODMAN_NOTICE, 0)},
    # podman itself, installed without docker.
    "podman": {"--version": (PODMAN_VERSION_LINE, "", 0), "version": (PODMAN_VERSION_JSON, "", 0)},
    # Everything that asks the daemon hangs, and so does reading the docker context (a wedged NFS home).
    "wedged": {"context": HANG, "ps": HANG, "version": HANG, "pull": HANG},
    # The daemon cannot say whether the sample image is there (it may be the user's).
    "pull_hang_image_present": {"pull": HANG, "image inspect": ("sha256:d2c94e258dcb3c5ac2798d32e1249e42ef01cba4841c"
                                                                "2234249495f87264ac5a", "", 0)},
    "inspect_fails": {"image inspect": ("", "Error response from daemon: context deadline exceeded", 1)},
    # A daemon error whose text would take over the terminal, were it printed as it is.
    "hostile_output": {"ps": ("", DAEMON_DOWN + HOSTILE_OUTPUT, 1),
                       "version": (DOCKER_VERSION_JSON_NO_SERVER, DAEMON_DOWN + HOSTILE_OUTPUT, 1)},
}


def write_docker(directory, state="ok", name="docker"):
    """Write an executable `name` into directory that behaves like docker in `state`; return its path.
    "broken" writes a file that cannot be executed (its interpreter does not exist)."""
    if state == "broken":
        return _write(directory, name, "#!/nonexistent/acrhealth-interpreter\n")
    behaviour = dict(_OK)
    behaviour.update(DOCKER_STATES[state])
    return _write_script(directory, name, behaviour)


def write_helm(directory, version_output, rc=0, stderr="", name="helm", hang=False, client_flag=True):
    """Write a helm stand-in: `helm version [--client]` prints version_output and stderr, exits rc;
    `helm --help` prints the start of Helm's help.
    client_flag=False makes `--client` an unknown flag, as a future Helm might."""
    answer = HANG if hang else (version_output, stderr, rc)
    behaviour = {"version": answer, "--help": (HELM_HELP, "", 0)}
    if not client_flag:
        behaviour["version --client"] = ("", 'Error: unknown flag: --client', 1)
    return _write_script(directory, name, behaviour)


def pids(directory, name):
    """(pid, arguments) of every process a hanging command of the stand-in `name` started."""
    log = Path(directory) / (name + ".pids")
    lines = log.read_text().splitlines() if log.exists() else []
    return [(int(pid), args) for pid, _, args in (line.partition(" ") for line in lines) if pid.isdigit()]


def alive(directory):
    """(pid, arguments) of the processes of hanging stand-ins in directory that still run (a zombie has
    ended: it only waits for its parent to collect it)."""
    found = []
    for log in sorted(Path(directory).glob("*.pids")):
        for pid, args in pids(directory, log.stem):
            try:
                state = Path("/proc/{}/stat".format(pid)).read_text().rsplit(")", 1)[1].split()[0]
                cmdline = Path("/proc/{}/cmdline".format(pid)).read_bytes()
            except (OSError, IndexError):
                continue
            # The process id may have been reused since: count it only while it is still our sleep.
            if state != "Z" and cmdline.split(b"\0")[:2] == [SLEEP.encode(), b"100"]:
                found.append((pid, args))
    return found


def kill_leftovers(directory):
    """Kill what alive(directory) finds, so a failing test leaves nothing behind either."""
    for pid, _ in alive(directory):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def calls(directory, name):
    """The argument lines of every call made to the stand-in `name` so far."""
    log = Path(directory) / (name + ".calls")
    return log.read_text().splitlines() if log.exists() else []


# ---------------------------------------------------------------- script writing

def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def _answer(behaviour, pid_log):
    if behaviour is HANG:
        return ('{0} 100 & printf "%s %s\\n" "$!" "$*" >> {1}; printf "%s %s\\n" "$$" "$*" >> {1}; '
                'exec {0} 100'.format(_quote(SLEEP), _quote(pid_log)))
    stdout, stderr, rc = behaviour
    lines = []
    if stdout:
        lines.append("printf '%s\\n' {}".format(_quote(stdout)))
    if stderr:
        lines.append("printf '%s\\n' {} >&2".format(_quote(stderr)))
    lines.append("exit {}".format(rc))
    return "; ".join(lines)


def _write_script(directory, name, behaviour):
    log = Path(directory) / (name + ".calls")
    pid_log = str(Path(directory) / (name + ".pids"))
    # Two-word keys ("version --client") match before one-word keys ("version").
    cases = sorted(behaviour.items(), key=lambda item: -len(item[0].split()))
    body = ["#!/bin/sh", "printf '%s\\n' \"$*\" >> {}".format(_quote(str(log))), 'case "$*" in']
    for key, answer in cases:
        body.append("  {}|{}\\ *) {} ;;".format(_glob(key), _glob(key), _answer(answer, pid_log)))
    body += ["  *) printf '%s\\n' \"unknown command: $*\" >&2; exit 1 ;;", "esac", ""]
    return _write(directory, name, "\n".join(body))


def _glob(key):
    return key.replace(" ", "\\ ")


def _write(directory, name, text):
    path = Path(directory) / name
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


NO_TOOLS = "/nonexistent/acrhealth-no-tools"   # a PATH entry that holds nothing


def env_for(directory=None, home=None, **extra):
    """A minimal environment: PATH holding only the stand-ins (or nothing at all), HOME a test folder,
    nothing inherited from the machine."""
    env = {"PATH": str(directory) if directory else NO_TOOLS, "HOME": str(home) if home else None,
           "LANG": "C.UTF-8"}
    env.update(extra)
    return {k: str(v) for k, v in env.items() if v is not None}

