"""Stand-in executables for docker, podman and helm, written into a folder that a test puts on PATH.

Each reproduces one state of the real tool: its exit status, stdout and stderr for the commands the
checks run, copied from real docker, podman and helm output. Every call is appended to
`<folder>/<name>.calls` (one line of arguments per call), so tests can count invocations.

    write_docker(folder, "daemon_down")              # docker ps: "Cannot connect to the Docker daemon ..."
    write_helm(folder, HELM3_OUTPUT)                 # helm version --client: Helm 3.14.0
    calls(folder, "helm")                            # ["version --client"]

Recorded states replay, byte for byte, what a real client printed in one case (tests/support/recordings,
whose README says how each was produced): `write_recorded(folder, "docker-20.10.24", "04-api-1.50")`.

A command that hangs (HANG) starts a child of its own, as docker's plugins do, then sleeps; both write their
process ids to `<folder>/<name>.pids`, so a test can tell whether any of them outlived the command
(`alive(folder)`).
"""

import json
import os
import re
import shutil
import signal
import stat
import time
from pathlib import Path

SLEEP = shutil.which("sleep") or "/bin/sleep"
DATE = shutil.which("date") or "/bin/date"
RECORDINGS = Path(__file__).resolve().parent / "recordings"
HANG = object()            # the command never answers (sleeps far longer than any test timeout)

IMAGE = "mcr.microsoft.com/mcr/hello-world:latest"
SOCKET = "unix:///var/run/docker.sock"

# ---------------------------------------------------------------- recorded states

class Recorded(tuple):
    """(stdout, stderr, exit status) exactly as recorded: replayed without adding a newline."""


class HangAfter(tuple):
    """(stdout, stderr) a command printed before it hung: printed, then the command never answers."""


NOW = "\x00now\x00"     # in a recorded stdout: the time of the call (a daemon's SystemTime)
_SYSTEM_TIME = re.compile(r'("SystemTime":")[^"]*(")')
# The command a recording's file name ends with -> the arguments the stand-in answers it for.
_COMMANDS = {"ps": "ps", "version": "version", "info": "info", "context-inspect": "context inspect",
             "pull": "pull", "client-version": "--version", "context-ls": "context ls",
             "client-version-with-context-flag": "--context default --version",
             "context-use-default": "context use",
             "context-use-default-with-context-flag": "--context default context use"}
_HEALTHY = ("00", "01-healthy")


def recording(tool, case):
    """One recording: {tool, version, argv, env, returncode, stdout, stderr, hung, notes}."""
    return json.loads((RECORDINGS / tool / (case + ".json")).read_text(encoding="utf-8"))


def recorded_answer(tool, case, subs=None):
    """What the stand-in answers for one recording: Recorded(stdout, stderr, status), or HANG."""
    found = recording(tool, case)
    texts = [found["stdout"], found["stderr"]]
    for placeholder, value in (subs or {}).items():
        texts = [t.replace(placeholder, value) for t in texts]
    if found["hung"]:
        return HangAfter(texts) if any(texts) else HANG
    return Recorded((texts[0], texts[1], found["returncode"]))


def replay(tool, case, subs=None, healthy=True):
    """The behaviour {arguments: answer} of a client in one recorded case: every `<case>-<command>.json`,
    and for commands the case did not record, the healthy case of the same client."""
    behaviour = {}
    prefixes = [*(_HEALTHY if healthy else ()), case]
    for prefix in prefixes:
        for file in sorted((RECORDINGS / tool).glob(prefix + "-*.json")):
            command = file.stem[len(prefix) + 1:]
            if command in _COMMANDS:
                behaviour[_COMMANDS[command]] = recorded_answer(tool, file.stem, subs)
    return behaviour


def write_recorded(directory, tool, case, name=None, subs=None, clock_offset=0, **overrides):
    """Write a stand-in `name` (docker, or podman for a podman recording) that replays a recorded case.
    A daemon's SystemTime in `info` becomes the time of the call, shifted by clock_offset seconds.
    overrides: {command: answer} replaces what the recording answers (for commands it lacks)."""
    behaviour = {"image inspect": ("", "Error response from daemon: No such image: " + IMAGE, 1),
                 "rmi": ("Untagged: " + IMAGE, "", 0), "pull": (PULL_OK, "", 0)}
    behaviour.update(replay(tool, case, subs))
    behaviour.update({k.replace("_", " "): v for k, v in overrides.items()})
    if "info" in behaviour:
        behaviour["info"] = with_current_time(behaviour["info"])
    return _write_script(directory, name or tool.split("-")[0], behaviour, clock_offset)


def with_current_time(answer):
    """A recorded `docker info` whose SystemTime is the time of the call, as a live daemon's is."""
    if isinstance(answer, Recorded) and '"SystemTime":"' in answer[0]:
        return Recorded((_SYSTEM_TIME.sub(r"\g<1>" + NOW + r"\g<2>", answer[0]), answer[1], answer[2]))
    return answer


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
PODMAN_INFO = recording("podman-4.3.1", "01-healthy-info")["stdout"].rstrip("\n")

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
    # docker 28.2.2 against dockerd 20.10.24, with the daemon's clock at the time of the call.
    "info": with_current_time(recorded_answer("docker-28.2.2", "01-healthy-info")),
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
                      "version": (PODMAN_VERSION_JSON, PODMAN_NOTICE, 0), "pull": (PULL_OK, PODMAN_NOTICE, 0),
                      "info": (PODMAN_INFO, PODMAN_NOTICE, 0)},
    # podman itself, installed without docker.
    "podman": {"--version": (PODMAN_VERSION_LINE, "", 0), "version": (PODMAN_VERSION_JSON, "", 0),
               "info": (PODMAN_INFO, "", 0)},
    # An amd64 client talking to an arm64 daemon (DOCKER_HOST on another machine): the daemon decides.
    "arm64_daemon": {"version": (DOCKER_VERSION_JSON.replace('"Arch":"amd64","GitCommit":"45873be"',
                                                             '"Arch":"arm64","GitCommit":"45873be"'), "", 0)},
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


def alive(directory, settle=2.0):
    """(pid, arguments) of the processes of hanging stand-ins in directory that still run (a zombie has
    ended: it only waits for its parent to collect it). A process sent SIGKILL a moment ago may not have
    been scheduled to die yet: ask again for up to `settle` seconds; a leftover sleeps for 100."""
    deadline = time.monotonic() + settle
    found = _running(directory)
    while found and time.monotonic() < deadline:
        time.sleep(0.05)
        found = _running(directory)
    return found


def _running(directory):
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
    for pid, _ in _running(directory):
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


def _answer(behaviour, pid_log, clock_offset=0):
    if behaviour is HANG:
        return ('{0} 100 & printf "%s %s\\n" "$!" "$*" >> {1}; printf "%s %s\\n" "$$" "$*" >> {1}; '
                'exec {0} 100'.format(_quote(SLEEP), _quote(pid_log)))
    if isinstance(behaviour, HangAfter):
        printed = ["printf '%s' {}{}".format(_quote(text), " >&2" if index else "")
                   for index, text in enumerate(behaviour) if text]
        return "; ".join([*printed, "exec {} 100".format(_quote(SLEEP))])
    stdout, stderr, rc = behaviour
    exact = isinstance(behaviour, Recorded)
    line = "printf '%s' {}" if exact else "printf '%s\\n' {}"
    lines = []
    if stdout:
        parts = stdout.split(NOW)
        for index, part in enumerate(parts):
            if index:
                lines.append("printf '%s' \"$({0} -u -d @$(( $({0} +%s) + {1} )) +%Y-%m-%dT%H:%M:%S.000000000Z)\""
                             .format(_quote(DATE), int(clock_offset)))
            if part:
                lines.append((line if index == len(parts) - 1 else "printf '%s' {}").format(_quote(part)))
    if stderr:
        lines.append((line + " >&2").format(_quote(stderr)))
    lines.append("exit {}".format(rc))
    return "; ".join(lines)


def _write_script(directory, name, behaviour, clock_offset=0):
    log = Path(directory) / (name + ".calls")
    pid_log = str(Path(directory) / (name + ".pids"))
    # Two-word keys ("version --client") match before one-word keys ("version").
    cases = sorted(behaviour.items(), key=lambda item: -len(item[0].split()))
    body = ["#!/bin/sh", "printf '%s\\n' \"$*\" >> {}".format(_quote(str(log))), 'case "$*" in']
    for key, answer in cases:
        body.append("  {}|{}\\ *) {} ;;".format(_glob(key), _glob(key), _answer(answer, pid_log, clock_offset)))
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



# ---------------------------------------------------------------- docker credential helpers

# What docker-credential-secretservice prints when the keyring is locked (docker-credential-helpers 0.8).
HELPER_LOCKED = ("error getting credentials - err: exit status 1, out: `GDBus.Error:org.freedesktop.Secret.Error."
                 "IsLocked: Cannot create an item in a locked collection`")
HELPER_STATES = ("store", "hang", "crash", "garbage", "locked")

_HELPER = '''#!{python} -I
"""docker-credential-{name}, state {state!r}: the credential helper protocol (get, store, erase, list)."""
import json, pathlib, sys, time
folder = pathlib.Path({folder!r})
with open(folder / "{name}.calls", "a") as log:
    log.write(" ".join(sys.argv[1:]) + "\\n")
state, store = {state!r}, folder / "{name}.store"
command = sys.argv[1] if len(sys.argv) == 2 else None
data = sys.stdin.read() if command in ("get", "store", "erase") else ""
if command == "get":
    with open(folder / "{name}.stdin", "a") as log:
        log.write(repr(data) + "\\n")
if state == "hang":
    time.sleep(100)
if state == "crash":
    sys.stderr.write("panic: runtime error: invalid memory address or nil pointer dereference\\n")
    sys.exit(2)
if state == "garbage":
    print("<<not json>>")
    sys.exit(0)
if state == "locked":
    print({locked!r})
    sys.exit(1)
entries = json.loads(store.read_text()) if store.exists() else {{}}
if command == "get":
    if data in entries:
        print(json.dumps(entries[data]))
        sys.exit(0)
    print("credentials not found in native keychain")
    sys.exit(1)
if command == "store":
    entry = json.loads(data)
    entries[entry["ServerURL"]] = entry
elif command == "erase":
    entries.pop(data.strip(), None)
elif command == "list":
    print(json.dumps({{k: v["Username"] for k, v in entries.items()}}))
    sys.exit(0)
else:
    print("unknown credential action")
    sys.exit(1)
store.write_text(json.dumps(entries))
'''


def write_credential_helper(directory, name, state="store", stored=None):
    """Write `docker-credential-<name>` into directory: a real helper (a small Python program) in `state`
    (HELPER_STATES); `stored` pre-fills its store, {server: (user, secret)}. Its calls go to
    `<name>.calls`, what `get` read on stdin to `<name>.stdin`."""
    import json
    import sys
    assert state in HELPER_STATES, state
    entries = {server: {"ServerURL": server, "Username": user, "Secret": secret}
               for server, (user, secret) in (stored or {}).items()}
    (Path(directory) / (name + ".store")).write_text(json.dumps(entries))
    text = _HELPER.format(python=sys.executable, name=name, state=state, folder=str(directory), locked=HELPER_LOCKED)
    return _write(directory, "docker-credential-" + name, text)


def helper_stdin(directory, name):
    """What each `get` of the helper read on stdin, in order."""
    import ast
    log = Path(directory) / (name + ".stdin")
    return [ast.literal_eval(line) for line in log.read_text().splitlines()] if log.exists() else []
