"""Docker: the client, the daemon it talks to, their versions, and a pull of a sample image.

The client and the daemon are told apart: a missing or unusable client is DOCKER_COMMAND_ERROR; a
client that cannot reach its daemon (stopped, wedged, or a socket we may not open) is
DOCKER_DAEMON_ERROR. Only the exit status decides success: tools print harmless notes on stderr
(Docker Scout hints, podman's "Emulate Docker CLI" notice).
"""

import json
import os
import re
import shlex
from dataclasses import dataclass

from ..context import PULL_TIMEOUT
from ..executables import find
from ..outcome import Interrupted, failed, passed, skipped, warning
from ..text import first_line, last_lines, run_failure

IMAGE = "mcr.microsoft.com/mcr/hello-world:latest"
WRONG_PLATFORM = "cannot be used on this platform"
# docker.exe: Docker Desktop's Windows client, reachable from WSL when the Linux one is absent.
CLIENTS = ("docker", "podman", "docker.exe")
DEFAULT_ENDPOINT = "npipe:////./pipe/docker_engine" if os.name == "nt" else "unix:///var/run/docker.sock"
CONTEXT_TIMEOUT = 5.0   # `docker context inspect` reads local files only
_VERSION_LINE = re.compile(r"version\s+v?(\d[\w.+~-]*)", re.IGNORECASE)
_SOCKET = re.compile(r"(?:unix://|dial unix )(/[^\s\":]+)")


# ---------------------------------------------------------------- client

def docker_client(ctx, _given):
    """Find the client ($DOCKER_COMMAND, else docker, podman, docker.exe) and check that it runs."""
    override = ctx.env.get("DOCKER_COMMAND")
    names = [override] if override else list(CLIENTS)
    found = next((f for f in (find(name, ctx.env, ctx.cwd) for name in names) if f), None)
    if not found:
        if override:
            return failed("DOCKER_COMMAND_ERROR", "DOCKER_COMMAND names '{}', which was not found".format(override),
                          fix="set DOCKER_COMMAND to the path of a docker client, or unset it",
                          docker_command=override)
        return failed("DOCKER_COMMAND_ERROR", "no docker (or podman) executable on PATH",
                      fix="install Docker, or add the folder that holds it to PATH")
    path = found.path
    # As the built-in does: a binary in the current directory (or found through a relative PATH entry)
    # may have been planted there. An absolute DOCKER_COMMAND is the user's explicit choice and is trusted.
    if not (override and os.path.isabs(override)) and found.untrusted:
        return failed("DOCKER_COMMAND_ERROR", "refusing to run {}".format(found.refusal()),
                      fix="set DOCKER_COMMAND to the absolute path of a trusted docker client, or remove relative "
                          "entries (and '.') from PATH", path=path)
    proc = ctx.edges.run([path, "--version"])
    if not proc.ok:
        return failed("DOCKER_COMMAND_ERROR", "'{} --version' {}".format(path, run_failure(proc, ctx.timeout)),
                      fix="reinstall the Docker client", path=path, output=last_lines(proc.output))
    line = first_line(proc.stdout) or first_line(proc.stderr)
    match = _VERSION_LINE.search(line)
    kind = "podman" if "podman" in line.lower() else "docker"
    version = match.group(1) if match else None
    return passed("{} ({})".format(path, line), handoff={"path": path, "kind": kind, "version": version},
                  path=path, client=kind, version=version)


# ---------------------------------------------------------------- daemon

def docker_daemon(ctx, given):
    """`docker ps` against the daemon the client is configured for; name that daemon in every case."""
    client = given["docker_client"]
    path = client["path"]
    endpoint, source = expected_endpoint(ctx, client)
    where = {"endpoint": endpoint, "endpointSource": source}
    proc = ctx.edges.run([path, "ps", "--quiet"])
    if proc.ok:
        return passed("running at {}".format(endpoint), handoff={"path": path}, **where)
    if proc.timed_out:
        return failed("DOCKER_DAEMON_ERROR",
                      "the daemon at {} did not answer 'docker ps' within {:g} s".format(endpoint, ctx.timeout),
                      fix="restart the Docker daemon (or Docker Desktop); if DOCKER_HOST or the docker context "
                          "points at another machine, check that machine and the network to it",
                      waitedSeconds=ctx.timeout, **where)
    if proc.error:
        return failed("DOCKER_COMMAND_ERROR", "'{} ps' could not start: {}".format(path, proc.error), **where)
    text = proc.output
    lower = text.lower()
    if "permission denied" in lower or "access is denied" in lower:    # the second one is Windows' wording
        socket = _socket_in(text) or endpoint
        fix = ("add your user to the 'docker-users' group, then sign out and in again" if "npipe" in socket else
               "add your user to the 'docker' group (sudo usermod -aG docker $USER, then log in again), or use "
               "rootless Docker (DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)")
        return failed("DOCKER_DAEMON_ERROR", "permission denied on the daemon socket {}".format(socket), fix=fix,
                      socket=socket, output=last_lines(text), **where)
    if "cannot connect" in lower or "daemon running" in lower or "connection refused" in lower:
        return failed("DOCKER_DAEMON_ERROR", "the daemon is not running, or not reachable at {}".format(endpoint),
                      fix=_start_fix(client), output=last_lines(text), **where)
    return failed("DOCKER_DAEMON_ERROR", "'docker ps' {}".format(run_failure(proc, ctx.timeout)),
                  fix=_start_fix(client), output=last_lines(text), **where)


def expected_endpoint(ctx, client):
    """(address, where it comes from): DOCKER_HOST, else the current docker context, else the default."""
    if ctx.env.get("DOCKER_HOST"):
        return ctx.env["DOCKER_HOST"], "DOCKER_HOST"
    if client.get("kind") == "podman":
        if ctx.env.get("CONTAINER_HOST"):
            return ctx.env["CONTAINER_HOST"], "CONTAINER_HOST"
        return "podman's default connection", "podman"
    proc = ctx.edges.run([client["path"], "context", "inspect", "--format", "{{.Name}} {{.Endpoints.docker.Host}}"],
                   timeout=min(ctx.timeout, CONTEXT_TIMEOUT))
    parts = first_line(proc.stdout).split() if proc.ok else []
    if len(parts) == 2:
        return parts[1], "docker context '{}'".format(parts[0])
    return DEFAULT_ENDPOINT, "default"


def _socket_in(text):
    match = _SOCKET.search(text)
    return match.group(1) if match else None


def _start_fix(client):
    if client.get("kind") == "podman":
        return "start the Podman service ('podman machine start', or 'systemctl --user start podman.socket')"
    return "start the Docker daemon ('sudo systemctl start docker', or start Docker Desktop)"


# ---------------------------------------------------------------- versions

@dataclass(frozen=True)
class DockerVersion:
    client: str                  # client version, always present in a parsed result
    server: str = None           # None when the daemon did not answer
    platform: str = None         # "linux/amd64"
    commit: str = None


def parse_docker_version(text):
    """Parse `docker version --format '{{json .}}'` (docker or podman); None when it holds no client
    version. Never raises."""
    try:
        document = json.loads(text.strip())
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    client = document.get("Client")
    server = document.get("Server")
    if not isinstance(client, dict) or not _text(client.get("Version")):
        return None
    platform = _text(client.get("OsArch"))
    if not platform and _text(client.get("Os")) and _text(client.get("Arch")):
        platform = "{}/{}".format(client["Os"], client["Arch"])
    return DockerVersion(client=client["Version"],
                         server=_text(server.get("Version")) if isinstance(server, dict) else None,
                         platform=platform, commit=_text(client.get("GitCommit")))


def _text(value):
    return value if isinstance(value, str) and value.strip() else None


def docker_version(ctx, given):
    """Client and server versions. A daemon that is down still lets the client report its own version
    (`docker version` then exits 1 with the client part printed): that is not a version error."""
    client = given["docker_client"]
    # '{{json .}}' rather than 'json': the keyword form only exists in recent clients; the template works
    # in every docker and podman release.
    proc = ctx.edges.run([client["path"], "version", "--format", "{{json .}}"])
    parsed = parse_docker_version(proc.stdout)
    if parsed:
        server = parsed.server or "not reachable"
        return passed("client {}, server {}".format(parsed.client, server), clientVersion=parsed.client,
                      serverVersion=parsed.server, platform=parsed.platform, commit=parsed.commit)
    if proc.timed_out and client.get("version"):
        return passed("client {}, server did not answer within {:g} s".format(client["version"], ctx.timeout),
                      clientVersion=client["version"], serverVersion=None)
    why = run_failure(proc, ctx.timeout) if not proc.ok else "printed no version: {}".format(
        first_line(proc.output) or "(no output)")
    return failed("DOCKER_VERSION_ERROR", "'docker version' {}".format(why),
                  fix="run 'docker version' yourself and read its message", output=last_lines(proc.output))


# ---------------------------------------------------------------- pull

def docker_pull(ctx, given):
    """Pull the sample image, after asking (unless --yes). Without a terminal to ask on, skip."""
    if not ctx.options.yes:
        answer = _ask(ctx, "This will pull the image {}. Proceed?".format(IMAGE))
        if answer is None:
            return skipped("no terminal to ask before pulling {}; pass --yes to run this check".format(IMAGE))
        if not answer:
            return skipped("declined: {} was not pulled".format(IMAGE))
    path = given["docker_daemon"]["path"]
    # Leave the machine as it was: remove the sample image afterwards only if it was not there before.
    present_before = _present(ctx, path)
    try:
        proc = ctx.edges.run([path, "pull", IMAGE], timeout=PULL_TIMEOUT)
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the pull is killed (the edges see to it); tidy up, say so, and stop.
        raise Interrupted(_interrupted(ctx, path, present_before)) from None
    pulled = proc.ok or (not proc.timed_out and WRONG_PLATFORM in proc.output)
    tidy = {} if not pulled else {"removedAfterwards": present_before is False and _remove(ctx, path)}
    if proc.ok:
        kept = "; kept, since docker could not tell whether it was there before" if present_before is None else ""
        return passed("pulled {}{}".format(IMAGE, kept), image=IMAGE, **tidy)
    if pulled:
        return warning("pulled {}, but it cannot be used on this platform".format(IMAGE), image=IMAGE,
                       output=last_lines(proc.output), **tidy)
    if proc.timed_out:
        return failed("DOCKER_PULL_ERROR", "'docker pull' did not finish within {:g} s".format(PULL_TIMEOUT),
                      image=IMAGE, waitedSeconds=PULL_TIMEOUT, output=last_lines(proc.output))
    return failed("DOCKER_PULL_ERROR", "'docker pull {}' {}".format(IMAGE, run_failure(proc, PULL_TIMEOUT)),
                  image=IMAGE, output=last_lines(proc.output))


REMOVE_TIMEOUT = 10.0   # seconds for `docker rmi`, also after an interruption
# How docker and podman say that an image is not there.
_ABSENT = ("no such image", "no such object", "image not known")


def _present(ctx, path):
    """Whether the sample image is there: True, False, or None when docker could not tell (a daemon
    that timed out or failed otherwise): then it is never removed, it may be the user's."""
    proc = ctx.edges.run([path, "image", "inspect", "--format", "{{.Id}}", IMAGE])
    if proc.ok:
        return True
    if proc.returncode is not None and any(words in proc.output.lower() for words in _ABSENT):
        return False
    return None


def _remove(ctx, path):
    return _rmi(ctx, path).ok


def _rmi(ctx, path):
    return ctx.edges.run([path, "rmi", IMAGE], timeout=min(ctx.timeout, REMOVE_TIMEOUT))


def _interrupted(ctx, path, present_before):
    """The outcome of an interrupted pull, after removing whatever part of the image arrived."""
    if present_before is not False:
        before = "was there before" if present_before else "may have been there before"
        return skipped("interrupted: the pull of {} was stopped; the image {} and is kept".format(IMAGE, before),
                       image=IMAGE, removedAfterwards=False)
    try:
        proc = _rmi(ctx, path)
    except KeyboardInterrupt:
        proc = None
    if proc is not None and proc.ok:
        return skipped("interrupted: the pull of {} was stopped and the image removed".format(IMAGE),
                       image=IMAGE, removedAfterwards=True)
    if proc is not None and "no such image" in proc.output.lower():
        return skipped("interrupted: the pull of {} was stopped before the image arrived; nothing was left "
                       "behind".format(IMAGE), image=IMAGE, removedAfterwards=False)
    return skipped("interrupted: the pull of {} was stopped; if it arrived, remove it with "
                   "'{} rmi {}'".format(IMAGE, shlex.quote(os.path.basename(path)), IMAGE), image=IMAGE,
                   removedAfterwards=False)


def _ask(ctx, question):
    """The user's answer, or None when there is no one to ask (no terminal, or its input closed)."""
    if ctx.confirm is None:
        return None
    try:
        return ctx.confirm(question)
    except EOFError:
        return None
