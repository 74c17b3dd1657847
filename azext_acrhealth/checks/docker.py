"""Docker: the client, the daemon it talks to, their versions, and a pull of a sample image.

The client and the daemon are told apart: a missing or unusable client is DOCKER_COMMAND_ERROR; a
client that cannot reach its daemon (stopped, wedged, a socket we may not open, a docker context or
DOCKER_HOST that leads nowhere) is DOCKER_DAEMON_ERROR; a daemon that answers but refuses the client's
API version is DOCKER_VERSION_ERROR. Only the exit status decides success: tools print harmless notes
on stderr (Docker Scout hints, podman's "Emulate Docker CLI" notice).
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
from . import daemon_errors
from .daemon_errors import Where

IMAGE = "mcr.microsoft.com/mcr/hello-world:latest"
IMAGE_SETTING = "check_health_image"     # az config set acr.check_health_image=<image>
WRONG_PLATFORM = "cannot be used on this platform"
# docker.exe: Docker Desktop's Windows client, reachable from WSL when the Linux one is absent.
CLIENTS = ("docker", "podman", "docker.exe")
DEFAULT_ENDPOINT = "npipe:////./pipe/docker_engine" if os.name == "nt" else "unix:///var/run/docker.sock"
CONTEXT_TIMEOUT = 5.0   # `docker context inspect` reads local files only
_VERSION_LINE = re.compile(r"version\s+v?(\d[\w.+~-]*)", re.IGNORECASE)
# What docker 20.10 says for every command, --version included, when its endpoint settings are broken.
_ENDPOINT_SETTINGS = re.compile(r"unable to resolve docker endpoint|Current context \"[^\"]*\" is not found")
_SAFE_TOOL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,40}$")
_ENDPOINT_VARIABLES = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_TLS")


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
    if not proc.ok and not proc.timed_out and _ENDPOINT_SETTINGS.search(proc.output):
        # docker 20.10 resolves its endpoint even for --version, so a missing context or TLS file stops it
        # too. The client is sound: read its version without those settings; the daemon check names them.
        env = {k: v for k, v in ctx.env.items() if k not in _ENDPOINT_VARIABLES}
        retry = ctx.edges.run([path, "--context", "default", "--version"], env=env)
        proc = retry if retry.ok else proc
    if not proc.ok:
        return failed("DOCKER_COMMAND_ERROR", "'{} --version' {}".format(path, run_failure(proc, ctx.timeout)),
                      fix="reinstall the Docker client", path=path, output=last_lines(proc.output))
    line = first_line(proc.stdout) or first_line(proc.stderr)
    match = _VERSION_LINE.search(line)
    kind = "podman" if "podman" in line.lower() else "docker"
    version = match.group(1) if match else None
    return passed("{} ({})".format(path, line), handoff={"path": path, "kind": kind, "version": version},
                  path=path, client=kind, version=version)


def tool_name(path):
    """The client as the user types it: "docker", "podman", "docker.exe" -> "docker"."""
    name = os.path.basename(path)
    return name[:-4] if name.lower().endswith(".exe") else name


# ---------------------------------------------------------------- daemon

def docker_daemon(ctx, given):
    """`docker ps` against the daemon the client is configured for; name that daemon in every case."""
    client = given["docker_client"]
    path = client["path"]
    where = expected_endpoint(ctx, client)
    handoff = {"path": path, "endpoint": where.endpoint, "source": where.source, "context": where.context}
    if where.context_error:
        found = daemon_errors.context_missing(where.context_error, ctx.env, config_file(ctx.env))
        if found:
            return _failed(found, where)
    proc = ctx.edges.run([path, "ps", "--quiet"])
    if proc.ok:
        at = "through podman's default connection" if where.source == "podman" else "at " + where.endpoint
        return passed("running {}".format(at), handoff=handoff, **where.details)
    if proc.timed_out:
        return _failed(daemon_errors.timed_out(where, client.get("kind"), ctx.timeout, tool_name(path)), where)
    if proc.error:
        return failed("DOCKER_COMMAND_ERROR", "'{} ps' could not start: {}".format(path, proc.error), **where.details)
    if daemon_errors.api_mismatch(proc.output, ctx.env, where):
        # It answered: the daemon runs. The version check says what it refused, with the fix.
        return passed("answers at {}".format(where.endpoint), handoff=handoff, apiVersionRefused=True,
                      **where.details)
    return _failed(daemon_errors.unreachable(proc.output, where, client.get("kind"), ctx.env, config_file(ctx.env),
                                             tool_name(path)), where)


def _failed(diagnosis, where):
    details = dict(where.details)
    details.update(diagnosis.details)
    return failed(diagnosis.code, diagnosis.message, fix=diagnosis.fix, commands=diagnosis.commands, **details)


def expected_endpoint(ctx, client):
    """Where the daemon is expected: DOCKER_HOST, else the current docker context, else the default."""
    if ctx.env.get("DOCKER_HOST"):
        return Where(ctx.env["DOCKER_HOST"], "DOCKER_HOST")
    if client.get("kind") == "podman":
        if ctx.env.get("CONTAINER_HOST"):
            return Where(ctx.env["CONTAINER_HOST"], "CONTAINER_HOST")
        return Where("podman's default connection", "podman")
    proc = ctx.edges.run([client["path"], "context", "inspect", "--format", "{{.Name}} {{.Endpoints.docker.Host}}"],
                         timeout=min(ctx.timeout, CONTEXT_TIMEOUT))
    parts = first_line(proc.stdout).split() if proc.ok else []
    if len(parts) == 2:
        return Where(parts[1], "docker context '{}'".format(parts[0]), context=parts[0])
    error = proc.output if not proc.ok and not proc.timed_out else None
    return Where(DEFAULT_ENDPOINT, "default", context_error=error)


def config_file(env):
    """The docker client's configuration file, as the user would write it."""
    return os.path.join(env.get("DOCKER_CONFIG") or "~/.docker", "config.json")


# ---------------------------------------------------------------- versions

@dataclass(frozen=True)
class DockerVersion:
    client: str                  # client version, always present in a parsed result
    server: str = None           # None when the daemon did not answer
    platform: str = None         # the client's: "linux/amd64"
    commit: str = None
    server_platform: str = None  # the daemon's: "linux/amd64"
    api: str = None              # the client's API version
    server_api: str = None


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
    server = server if isinstance(server, dict) else {}
    return DockerVersion(client=client["Version"], server=_text(server.get("Version")), platform=_platform(client),
                         commit=_text(client.get("GitCommit")), server_platform=_platform(server),
                         api=_text(client.get("ApiVersion")) or _text(client.get("APIVersion")),
                         server_api=_text(server.get("ApiVersion")) or _text(server.get("APIVersion")))


def _platform(part):
    """"os/arch" of a Client or Server part: docker writes Os and Arch, podman OsArch."""
    platform = _text(part.get("OsArch"))
    if not platform and _text(part.get("Os")) and _text(part.get("Arch")):
        platform = "{}/{}".format(part["Os"], part["Arch"])
    return platform


def _text(value):
    return value if isinstance(value, str) and value.strip() else None


def docker_version(ctx, given):
    """Client and server versions, from a daemon that answered `docker ps`. Hands off the daemon's platform
    ("os/arch") as "platform"."""
    client = given["docker_client"]
    daemon = given["docker_daemon"]
    tool = tool_name(client["path"])
    where = Where(daemon["endpoint"], daemon["source"], context=daemon.get("context"))
    # '{{json .}}' rather than 'json': the keyword form only exists in recent clients; the template works
    # in every docker and podman release.
    proc = ctx.edges.run([client["path"], "version", "--format", "{{json .}}"])
    parsed = parse_docker_version(proc.stdout)
    details = {}
    if parsed:
        details = {"clientVersion": parsed.client, "serverVersion": parsed.server, "clientPlatform": parsed.platform,
                   "commit": parsed.commit, "apiVersion": parsed.api, "serverApiVersion": parsed.server_api}
    if parsed and parsed.server:
        platform = parsed.server_platform
        return passed("client {}, server {}".format(parsed.client, parsed.server),
                      handoff={"platform": platform, "server": parsed.server}, platform=platform, **details)
    if parsed and proc.ok and client.get("kind") == "podman":
        # Podman without a service is its own engine: it reports a client part only.
        return passed("podman {}, no service: it pulls by itself".format(parsed.client),
                      handoff={"platform": parsed.platform, "server": parsed.client}, platform=parsed.platform,
                      **details)
    mismatch = daemon_errors.api_mismatch(proc.output, ctx.env, where)
    if mismatch:
        details.update(mismatch.details)
        return failed(mismatch.code, mismatch.message, fix=mismatch.fix, commands=mismatch.commands,
                      output=last_lines(proc.output), **details)
    if proc.timed_out:
        return failed("DOCKER_DAEMON_ERROR", "the daemon at {} answered '{} ps' but not '{} version' within {:g} s"
                      .format(where.endpoint, tool, tool, ctx.timeout),
                      fix="restart the Docker daemon (or Docker Desktop): it stopped answering",
                      waitedSeconds=ctx.timeout, **details)
    if parsed:
        why = "got no answer from the daemon: {}".format(first_line(proc.stderr) or "(no message)")
    else:
        why = run_failure(proc, ctx.timeout) if not proc.ok else "printed no version: {}".format(
            first_line(proc.output) or "(no output)")
    return failed("DOCKER_VERSION_ERROR", "'{} version' {}".format(tool, why),
                  fix="run '{} version' yourself and read its message".format(tool), output=last_lines(proc.output),
                  **details)


# ---------------------------------------------------------------- the sample image

# A Docker image reference, as github.com/distribution/reference reads it.
_ALNUM = r"[a-z0-9]+"
_COMPONENT = _ALNUM + r"(?:(?:[._]|__|-+)" + _ALNUM + r")*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = _DOMAIN_PART + r"(?:\." + _DOMAIN_PART + r")*(?::[0-9]{1,5})?"
_REFERENCE = re.compile(r"^(?:(?P<domain>" + _DOMAIN + r")/)?" + _COMPONENT + r"(?:/" + _COMPONENT + r")*"
                        r"(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:"
                        r"[0-9a-fA-F]{32,})?$")


def sample_image(ctx):
    """(image, where it was set): the image of `az config set acr.check_health_image=...`, else the
    default; (None, the raw setting) when the setting is not an image reference."""
    configured = ctx.account.config("acr", IMAGE_SETTING, None) if ctx.account is not None else None
    if configured is None or not str(configured).strip():
        return IMAGE, "default"
    value = str(configured).strip()
    if len(value) > 255 or not _REFERENCE.match(value):
        return None, value
    return value, "acr." + IMAGE_SETTING


def image_registry(image):
    """The registry an image reference names (docker.io when it names none)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"


# ---------------------------------------------------------------- pull

def docker_pull(ctx, given):
    """Pull the sample image, after asking (unless --yes). Without a terminal to ask on, skip."""
    image, source = sample_image(ctx)
    if image is None:
        return failed("DOCKER_PULL_ERROR", "acr.{} is set to '{}', which is not an image reference".format(
                      IMAGE_SETTING, source[:200]),
                      fix="set it to an image such as myregistry.azurecr.io/hello-world:latest, or unset it to pull "
                          "{}".format(IMAGE),
                      commands=["az config unset acr." + IMAGE_SETTING], imageSource="acr." + IMAGE_SETTING)
    about = {"image": image, "imageSource": source}
    if not ctx.options.yes:
        answer = _ask(ctx, "This will pull the image {}. Proceed?".format(image))
        if answer is None:
            return skipped("no terminal to ask before pulling {}; pass --yes to run this check".format(image), **about)
        if not answer:
            return skipped("declined: {} was not pulled".format(image), **about)
    path = given["docker_daemon"]["path"]
    tool = tool_name(path)
    # Leave the machine as it was: remove the sample image afterwards only if it was not there before.
    present_before = _present(ctx, path, image)
    try:
        proc = ctx.edges.run([path, "pull", image], timeout=PULL_TIMEOUT)
    except KeyboardInterrupt:
        # Ctrl-C or SIGTERM: the pull is killed (the edges see to it); tidy up, say so, and stop.
        raise Interrupted(_interrupted(ctx, path, image, present_before)) from None
    pulled = proc.ok or (not proc.timed_out and WRONG_PLATFORM in proc.output)
    tidy = {} if not pulled else {"removedAfterwards": present_before is False and _remove(ctx, path, image)}
    if proc.ok:
        kept = "; kept, since {} could not tell whether it was there before".format(tool) \
            if present_before is None else ""
        return passed("pulled {}{}".format(image, kept), client=tool, **about, **tidy)
    if pulled:
        return warning("pulled {}, but it cannot be used on this platform".format(image), client=tool,
                       output=last_lines(proc.output), **about, **tidy)
    if proc.error:
        return failed("DOCKER_PULL_ERROR", "'{} pull {}' {}".format(tool, image, run_failure(proc, PULL_TIMEOUT)),
                      fix="run '{} pull {}' yourself and read its message".format(tool, image), client=tool, **about)
    # Imported only for a failed pull; the pull runs on the main thread (it may prompt).
    from . import pull_errors
    cause = pull_errors.classify(proc.output, _pull(ctx, given, tool, image, source))
    if proc.timed_out:
        # podman retries (a throttled or unreachable registry) long after it printed why: say so.
        known = cause.cause != "unknown"
        return failed("DOCKER_PULL_ERROR", "'{} pull {}' did not finish within {:g} s{}".format(
                      tool, image, PULL_TIMEOUT, "; it was retrying after: " + cause.reason if known else ""),
                      fix=cause.fix if known else "a slow or blocked connection to {}: run '{} pull {}' yourself to "
                      "see where it stops".format(image_registry(image), tool, image),
                      commands=cause.commands if known else (), client=tool, waitedSeconds=PULL_TIMEOUT,
                      output=last_lines(proc.output), **about)
    return failed("DOCKER_PULL_ERROR", "'{} pull {}' failed: {}".format(tool, image, cause.reason), fix=cause.fix,
                  commands=cause.commands, client=tool, cause=cause.cause, exitStatus=proc.returncode,
                  output=last_lines(proc.output), **about, **cause.details)


def _pull(ctx, given, tool, image, source):
    host = image_registry(image)
    settings = (given.get("docker_info") or {}).get("settings")
    try:
        suffix = ctx.account.acr_suffix() if ctx.account is not None else None
    except Exception:  # noqa: BLE001 - no suffix only means no `az acr login` suggestion
        suffix = None
    kind = given["docker_client"].get("kind", "docker")
    # The tool's name goes into suggested commands: a name only a path could give (DOCKER_COMMAND) is not used.
    tool = tool if _SAFE_TOOL.match(tool) else kind
    from . import pull_errors
    return pull_errors.Pull(tool=tool, kind=kind, image=image, host=host,
                            configured=source != "default", settings=settings,
                            shell_proxy=ctx.edges.proxy_for("https://{}/".format(host)), acr_suffix=suffix)


REMOVE_TIMEOUT = 10.0   # seconds for `docker rmi`, also after an interruption
# How docker and podman say that an image is not there.
_ABSENT = ("no such image", "no such object", "image not known")


def _present(ctx, path, image):
    """Whether the sample image is there: True, False, or None when docker could not tell (a daemon
    that timed out or failed otherwise): then it is never removed, it may be the user's."""
    proc = ctx.edges.run([path, "image", "inspect", "--format", "{{.Id}}", image])
    if proc.ok:
        return True
    if proc.returncode is not None and any(words in proc.output.lower() for words in _ABSENT):
        return False
    return None


def _remove(ctx, path, image):
    return _rmi(ctx, path, image).ok


def _rmi(ctx, path, image):
    return ctx.edges.run([path, "rmi", image], timeout=min(ctx.timeout, REMOVE_TIMEOUT))


def _interrupted(ctx, path, image, present_before):
    """The outcome of an interrupted pull, after removing whatever part of the image arrived."""
    if present_before is not False:
        before = "was there before" if present_before else "may have been there before"
        return skipped("interrupted: the pull of {} was stopped; the image {} and is kept".format(image, before),
                       image=image, removedAfterwards=False)
    try:
        proc = _rmi(ctx, path, image)
    except KeyboardInterrupt:
        proc = None
    if proc is not None and proc.ok:
        return skipped("interrupted: the pull of {} was stopped and the image removed".format(image),
                       image=image, removedAfterwards=True)
    if proc is not None and "no such image" in proc.output.lower():
        return skipped("interrupted: the pull of {} was stopped before the image arrived; nothing was left "
                       "behind".format(image), image=image, removedAfterwards=False)
    return skipped("interrupted: the pull of {} was stopped; if it arrived, remove it with "
                   "'{} rmi {}'".format(image, shlex.quote(tool_name(path)), image), image=image,
                   removedAfterwards=False)


def _ask(ctx, question):
    """The user's answer, or None when there is no one to ask (no terminal, or its input closed)."""
    if ctx.confirm is None:
        return None
    try:
        return ctx.confirm(question)
    except EOFError:
        return None
