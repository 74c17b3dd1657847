"""Why a container client cannot use its daemon, read from what the client printed, with the fix for
that very case: the docker context, DOCKER_HOST, TLS settings, ssh, CONTAINER_HOST, the socket's
permissions, or the API version.

Every pattern here comes from real output (docker 20.10 and 28.x against dockerd 20.10, podman 4.3;
see tests/support/recordings). Only values that were checked enter a command line.
"""

import re
import sys
from dataclasses import dataclass, field

from .. import shell
from ..text import error_line, first_line, last_lines

# `docker context use default` alone fails on docker 20.10 while the current context is missing;
# `--context default` makes that one call ignore the broken setting (it works on 28.x too).
USE_DEFAULT_CONTEXT = "docker --context default context use default"

_CONTEXT_MISSING = re.compile(r'(?:Current context|context) "([^"\n]{1,200})"(?: is not found| does not exist|: '
                              r'context not found)')
_TLS_FILE_MISSING = re.compile(r"open (\S{1,500}?\.pem): no such file or directory")
_TOO_NEW = re.compile(r"client version (\S{1,20}) is too new\. Maximum supported API version is (\d{1,3}\.\d{1,3})")
_TOO_OLD = re.compile(r"client version (\S{1,20}) is too old\. Minimum supported API version is (\d{1,3}\.\d{1,3})")
_API_VERSION = re.compile(r"^\d{1,3}\.\d{1,3}$")
_SSH_STDERR = re.compile(r"stderr=(ssh: [^\r\n]{1,300})")
_SOCKET = re.compile(r"(?:unix://|dial unix )(/[^\s\":]+)")
_DIAL = re.compile(r"(dial (?:tcp|unix) [^\n]{1,300})")
DESKTOP_CONTEXTS = ("desktop-linux", "desktop-windows")
_CONTEXT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,100}$")


@dataclass(frozen=True)
class Where:
    """Where the client expects its daemon, and which setting says so."""
    endpoint: str                 # unix:///var/run/docker.sock, tcp://10.0.0.4:2376, ssh://..., or a description
    source: str                   # "DOCKER_HOST", "docker context 'name'", "default", "CONTAINER_HOST", "podman"
    context: str = None           # the docker context's name, when it came from one
    context_error: str = None     # what `docker context inspect` said when the context could not be read

    @property
    def details(self):
        return {"endpoint": self.endpoint, "endpointSource": self.source}

    @property
    def custom_context(self):
        return self.context not in (None, "default")


@dataclass(frozen=True)
class Diagnosis:
    message: str
    fix: str
    commands: tuple = ()
    code: str = "DOCKER_DAEMON_ERROR"
    details: dict = field(default_factory=dict)


# ---------------------------------------------------------------- the API version

def api_mismatch(text, env, where):
    """A daemon that answered but refused this client's API version: the DOCKER_VERSION_ERROR diagnosis, or
    None when text says nothing of the kind."""
    pinned = (env.get("DOCKER_API_VERSION") or "").strip()
    shown = pinned[:20]
    unset = shell.unset("DOCKER_API_VERSION")
    match = _TOO_NEW.search(text)
    if match:
        asked, most = match.groups()
        details = {"clientApiVersion": asked, "maxApiVersion": most, "dockerApiVersion": shown or None}
        if pinned:
            return Diagnosis("DOCKER_API_VERSION={} asks for API {}, but the daemon at {} supports at most API {}"
                             .format(shown, asked, where.endpoint, most),
                             "unset DOCKER_API_VERSION, so that the client agrees on a version with the daemon "
                             "(or set it to {} or lower)".format(most),
                             (unset,), "DOCKER_VERSION_ERROR", details)
        return Diagnosis("the client speaks API {}, but the daemon at {} supports at most API {}: the engine is "
                         "older than the client".format(asked, where.endpoint, most),
                         "upgrade the Docker engine at {}; until then, set DOCKER_API_VERSION={} for this client"
                         .format(where.endpoint, most),
                         (shell.export("DOCKER_API_VERSION", most),), "DOCKER_VERSION_ERROR", details)
    match = _TOO_OLD.search(text)
    if match:
        asked, least = match.groups()
        details = {"clientApiVersion": asked, "minApiVersion": least, "dockerApiVersion": shown or None}
        if pinned:
            return Diagnosis("DOCKER_API_VERSION={} asks for API {}, but the daemon at {} needs at least API {}"
                             .format(shown, asked, where.endpoint, least),
                             "unset DOCKER_API_VERSION, so that the client agrees on a version with the daemon",
                             (unset,), "DOCKER_VERSION_ERROR", details)
        return Diagnosis("the client speaks API {}, but the daemon at {} needs at least API {}: the client is "
                         "older than the engine".format(asked, where.endpoint, least),
                         "upgrade the Docker client", (), "DOCKER_VERSION_ERROR", details)
    if pinned and not _API_VERSION.match(pinned) and "page not found" in text.lower():
        return Diagnosis("DOCKER_API_VERSION='{}' is not an API version: the daemon at {} answers 'page not found'"
                         .format(shown, where.endpoint),
                         "unset DOCKER_API_VERSION (or set it to a version such as 1.41)", (unset,),
                         "DOCKER_VERSION_ERROR", {"dockerApiVersion": shown})
    return None


# ---------------------------------------------------------------- reaching the daemon

def context_missing(text, env, config_file):
    """The diagnosis when text says the current docker context does not exist, else None."""
    match = _CONTEXT_MISSING.search(text)
    if not match:
        return None
    name = match.group(1)
    shown = name if _CONTEXT_NAME.match(name) else repr(name[:60])
    details = {"context": name[:200], "output": last_lines(text)}
    if env.get("DOCKER_CONTEXT") and env["DOCKER_CONTEXT"] == name:
        return Diagnosis("DOCKER_CONTEXT names the docker context {}, which does not exist".format(_quoted(shown)),
                         "unset DOCKER_CONTEXT to use the current context, or set it to a context that "
                         "'docker context ls' lists",
                         (shell.unset("DOCKER_CONTEXT"), "docker context ls"), details=dict(details,
                                                                                             contextSource="DOCKER_CONTEXT"))
    return Diagnosis("the current docker context {} (currentContext in {}, set by 'docker context use') does not "
                     "exist".format(_quoted(shown), config_file),
                     "switch back to the default context, or to one that 'docker context ls' lists",
                     (USE_DEFAULT_CONTEXT, "docker context ls"), details=dict(details, contextSource=config_file))


def unreachable(text, where, client_kind, env, config_file, tool="docker"):
    """Why `docker ps` failed, for a client that could not use its daemon (never None)."""
    lower = text.lower()
    excerpt = error_line(text) or first_line(text)
    output = {"output": last_lines(text)}
    found = context_missing(text, env, config_file)
    if found:
        return found
    match = _TLS_FILE_MISSING.search(text)
    if match:
        return _tls_files_missing(match.group(1), where, env, output)
    if "permission denied" in lower or "access is denied" in lower:    # the second one is Windows' wording
        socket = _socket_in(text) or where.endpoint
        fix = ("add your user to the 'docker-users' group, then sign out and in again" if "npipe" in socket else
               "add your user to the 'docker' group (sudo usermod -aG docker $USER, then log in again), or use "
               "rootless Docker (DOCKER_HOST=unix://$XDG_RUNTIME_DIR/docker.sock)")
        return Diagnosis("permission denied on the daemon socket {}".format(socket), fix,
                         details=dict(output, socket=socket))
    if "client sent an http request to an https server" in lower:
        return Diagnosis("the daemon at {} ({}) expects TLS, and this client speaks plain HTTP to it"
                         .format(where.endpoint, where.source),
                         "set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder that holds ca.pem, cert.pem and "
                         "key.pem for that daemon" + _context_tls_hint(where),
                         (shell.export("DOCKER_TLS_VERIFY", "1"),), details=output)
    if "x509:" in lower or "tls:" in lower:
        return _tls_failed(text, excerpt, where, env, output)
    if "command [ssh" in lower or "ssh: " in lower:
        match = _SSH_STDERR.search(text)
        said = match.group(1).strip() if match else excerpt
        return Diagnosis("ssh to the daemon's host failed for {} ({}): {}".format(where.endpoint, where.source, said),
                         "make 'ssh' to that host work without a prompt (host, port, user, key), with Docker 18.09 or "
                         "later installed there" + _elsewhere(where), _elsewhere_commands(where), details=output)
    if "cannot connect to podman" in lower:
        return _podman_unreachable(text, where, output)
    if "cannot connect" in lower or "daemon running" in lower or "connection refused" in lower or \
            "no such file or directory" in lower:
        return _not_running(where, client_kind, output)
    if "error response from daemon" in lower:
        return Diagnosis("the daemon at {} answered '{} ps' with an error: {}".format(where.endpoint, tool, excerpt),
                         "the daemon runs but fails: read its log ('journalctl -u docker', or Docker Desktop's "
                         "Troubleshoot page), then restart it", details=output)
    return Diagnosis("'{} ps' failed: {}".format(tool, excerpt or "(no output)"),
                     _start_fix(client_kind, where), _start_commands(client_kind, where), details=output)


def timed_out(where, client_kind, seconds, tool="docker"):
    """A daemon that accepted the connection (or a network that swallowed it) and never answered."""
    message = "the daemon at {} ({}) did not answer '{} ps' within {:g} s".format(where.endpoint, where.source,
                                                                                   tool, seconds)
    if where.source in ("DOCKER_HOST", "CONTAINER_HOST") or where.custom_context:
        fix = ("check that the daemon at {} runs and that the network lets you reach it (firewall, VPN)"
               .format(where.endpoint) + _elsewhere(where))
        return Diagnosis(message, fix, _elsewhere_commands(where), details={"waitedSeconds": seconds})
    return Diagnosis(message, "restart the Docker daemon (or Docker Desktop): it accepts connections but does not "
                     "answer", _start_commands(client_kind, where), details={"waitedSeconds": seconds})


def _not_running(where, client_kind, output):
    if where.source == "DOCKER_HOST":
        return Diagnosis("nothing answers at {}, where DOCKER_HOST points".format(where.endpoint),
                         "start the daemon at {}, or unset DOCKER_HOST to use the current docker context"
                         .format(where.endpoint), (shell.unset("DOCKER_HOST"),), details=output)
    if where.context in DESKTOP_CONTEXTS:
        return Diagnosis("Docker Desktop is not running: nothing answers at {}, the endpoint of the docker context "
                         "'{}'".format(where.endpoint, where.context), "start Docker Desktop", details=output)
    if where.context == "rootless":
        return Diagnosis("rootless Docker is not running: nothing answers at {}, the endpoint of the docker context "
                         "'rootless'".format(where.endpoint), "start rootless Docker",
                         ("systemctl --user start docker",), details=output)
    if where.custom_context:
        return Diagnosis("nothing answers at {}, the endpoint of the current docker context '{}'".format(
                         where.endpoint, where.context),
                         "start the daemon at {}, or switch to another context (the default one uses the local "
                         "daemon)".format(where.endpoint), ("docker context ls", "docker context use default"),
                         details=output)
    return Diagnosis("the daemon is not running, or not reachable at {}".format(where.endpoint),
                     _start_fix(client_kind, where), _start_commands(client_kind, where), details=output)


def _podman_unreachable(text, where, output):
    match = _DIAL.search(text)
    said = match.group(1) if match else error_line(text)
    if where.source == "CONTAINER_HOST":
        return Diagnosis("no Podman service answers at {}, where CONTAINER_HOST points ({})".format(where.endpoint,
                                                                                                    said),
                         "start the Podman service on that host ('systemctl --user start podman.socket' there), or "
                         "unset CONTAINER_HOST to run podman locally", (shell.unset("CONTAINER_HOST"),),
                         details=output)
    return Diagnosis("podman cannot reach its Podman machine or service ({})".format(said),
                     "start the Podman machine ('podman machine init' first if 'podman machine list' shows none), "
                     "and check the default connection with 'podman system connection list'",
                     ("podman machine start", "podman system connection list"), details=output)


def _tls_files_missing(path, where, env, output):
    shown = path[:300]
    if env.get("DOCKER_CERT_PATH"):
        message = "DOCKER_CERT_PATH points at {}, which holds no {}".format(env["DOCKER_CERT_PATH"][:300],
                                                                             shown.rsplit("/", 1)[-1])
    else:
        message = "the TLS file {} does not exist".format(shown)
    return Diagnosis("{}: the client cannot set up TLS to {}".format(message, where.endpoint),
                     "set DOCKER_CERT_PATH to the folder that holds ca.pem, cert.pem and key.pem for {} (without it, "
                     "~/.docker), or unset DOCKER_TLS_VERIFY if that daemon does not use TLS".format(where.endpoint),
                     details=dict(output, tlsFile=shown))


def _tls_failed(text, excerpt, where, env, output):
    lower = text.lower()
    folder = env.get("DOCKER_CERT_PATH") or "~/.docker"
    if "first record does not look like a tls handshake" in lower:
        return Diagnosis("the daemon at {} speaks plain HTTP, and this client expects TLS (DOCKER_TLS_VERIFY)"
                         .format(where.endpoint),
                         "unset DOCKER_TLS_VERIFY, or point DOCKER_HOST at the daemon's TLS port (usually 2376)",
                         (shell.unset("DOCKER_TLS_VERIFY"),), details=output)
    if "unknown authority" in lower:
        what = "a certificate that the CA in {}/ca.pem did not sign".format(folder)
    elif "bad certificate" in lower:
        what = "no acceptance of this client's certificate ({}/cert.pem)".format(folder)
    elif "expired" in lower or "not yet valid" in lower:
        what = "a certificate outside its validity period (or this machine's clock is wrong)"
    elif "valid for" in lower:
        what = "a certificate for another name"
    else:
        what = "a TLS error: {}".format(excerpt)
    return Diagnosis("the daemon at {} ({}) answered with {}".format(where.endpoint, where.source, what),
                     "put the CA that signed the daemon's certificate, and this client's cert.pem and key.pem, in {} "
                     "(DOCKER_CERT_PATH)".format(folder) + _context_tls_hint(where), details=output)


def _context_tls_hint(where):
    if where.custom_context:
        return "; for the context '{}', update its TLS files with 'docker context update {} --docker " \
               "host=...,ca=...,cert=...,key=...'".format(where.context, where.context)
    return ""


def _elsewhere(where):
    if where.source == "DOCKER_HOST":
        return "; or unset DOCKER_HOST to use the current docker context"
    if where.source == "CONTAINER_HOST":
        return "; or unset CONTAINER_HOST to run podman locally"
    if where.custom_context:
        return "; or switch to another docker context ('docker context use default' for the local daemon)"
    return ""


def _elsewhere_commands(where):
    if where.source == "DOCKER_HOST":
        return (shell.unset("DOCKER_HOST"),)
    if where.source == "CONTAINER_HOST":
        return (shell.unset("CONTAINER_HOST"),)
    if where.custom_context:
        return ("docker context ls", "docker context use default")
    return ()


def _start_fix(client_kind, where):
    if client_kind == "podman":
        return "start the Podman service ('podman machine start', or 'systemctl --user start podman.socket')"
    if "npipe" in where.endpoint:
        return "start Docker Desktop"
    return "start the Docker daemon ('sudo systemctl start docker', or start Docker Desktop)"


def _start_commands(client_kind, where):
    # systemd runs the engine on Linux; elsewhere the daemon is Docker Desktop's, started from its app.
    if client_kind == "podman" or not sys.platform.startswith("linux") or not where.endpoint.startswith("unix://"):
        return ()
    return ("sudo systemctl start docker",)


def _socket_in(text):
    match = _SOCKET.search(text)
    return match.group(1) if match else None


def _quoted(name):
    return name if name.startswith("'") else "'{}'".format(name)
