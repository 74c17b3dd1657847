"""Why a pull failed, from what the client printed, with the fix for that very case: the engine's DNS, its
proxy, a TLS-inspecting proxy, a timeout, a refused login, throttling, a full disk, a missing platform.

The wording of each cause is from real docker (20.10, 28.x against dockerd 20.10) and podman 4.3 output
(see tests/support/recordings). Text we do not recognise keeps the generic fix.
"""

import re
from dataclasses import dataclass, field

from .. import fix_commands
from ..text import error_line, first_line, one_line
from . import daemon_settings

_LOOKUP = re.compile(r"lookup ([A-Za-z0-9.-]{1,253})(?: on ([0-9A-Fa-f.:\[\]]{1,60}))?: ([^\"\n]{1,120})")
_PROXYCONNECT = re.compile(r"proxyconnect tcp: ([^\"\n]{1,200})")
_URL_HOST = re.compile(r'"https?://([A-Za-z0-9.-]{1,253}(?::\d{1,5})?)/')
_NO_MANIFEST = re.compile(r"no matching manifest for (\S{1,60}) in the manifest list entries")
_NO_IMAGE_IN_INDEX = re.compile(r'no image found in image index for architecture (\S{1,20}), variant "([^"]{0,20})", '
                                r"OS (\S{1,20})")
_TIMEOUTS = ("tls handshake timeout", "i/o timeout", "client.timeout exceeded", "context deadline exceeded",
             "connection timed out")
_DENIED = ("unauthorized", "authentication required", "denied", "403 forbidden", "insufficient_scope")
_NOT_FOUND = ("manifest unknown", "name unknown", "not found")
# Registries that serve their images anonymously: a login there is never needed.
ANONYMOUS = ("mcr.microsoft.com",)


@dataclass(frozen=True)
class Pull:
    tool: str                     # the client that ran, as the user types it: "docker", "podman"
    kind: str                     # "docker" or "podman"
    image: str
    host: str                     # the image's registry
    configured: bool = False      # the image was set with `az config set acr.check_health_image=...`
    settings: object = None       # daemon_settings.Settings, when they were read
    shell_proxy: str = None       # the proxy this shell uses for the image's registry
    acr_suffix: str = None        # ".azurecr.io" in Azure public

    @property
    def actor(self):
        """Who talks to the registry: the daemon (docker), the Podman service, or podman itself."""
        if self.kind == "docker":
            return "the Docker daemon"
        return "the Podman service" if self.settings is not None and self.settings.remote else "podman"

    @property
    def in_daemon(self):
        return self.actor != "podman"

    @property
    def command(self):
        return "'{} pull {}'".format(self.tool, self.image)


@dataclass(frozen=True)
class Cause:
    cause: str                    # a short name, in the JSON details
    reason: str                   # what went wrong, after "'docker pull <image>' failed: "
    fix: str
    commands: tuple = ()
    details: dict = field(default_factory=dict)


def classify(text, pull):
    """The cause of a failed pull (never None: unknown output gets the generic fix)."""
    lower = text.lower()
    said = _said(text)
    for reader in (_proxy_refused, _dns, _tls, _timeout, _throttled, _denied, _not_found, _no_space, _platform):
        found = reader(text, lower, said, pull)
        if found:
            return found
    return Cause("unknown", said,
                 "run {} yourself and read its message".format(pull.command))


# ---------------------------------------------------------------- the causes

def _dns(text, lower, said, pull):
    match = _LOOKUP.search(text)
    if not match or "proxyconnect" in lower:
        return None
    host, server, reason = match.groups()
    via = " (DNS server {})".format(server) if server else ""
    message = "{} could not resolve {}{}: {}".format(pull.actor, host, via, reason.strip())
    gap = _proxy_gap(pull)
    if gap:
        return Cause("dns", message, gap[0], gap[1], {"host": host, "dnsServer": server})
    if pull.in_daemon:
        fix = ("the daemon resolves registry names itself: check the DNS servers it uses (the daemon host's "
               "/etc/resolv.conf, or \"dns\" in /etc/docker/daemon.json; in Docker Desktop, its network settings), "
               "then restart it")
        if pull.kind == "podman":
            fix = ("check the DNS servers of the Podman machine or service host ('podman machine ssh cat "
                   "/etc/resolv.conf')")
    else:
        fix = ("check this machine's DNS servers (/etc/resolv.conf); if this network reaches the internet only "
               "through a proxy, set HTTPS_PROXY")
    return Cause("dns", message, fix, details={"host": host, "dnsServer": server})


def _proxy_refused(text, lower, said, pull):
    match = _PROXYCONNECT.search(text)
    if not match:
        return None
    detail = match.group(1).strip()
    message = "{} could not reach its proxy: {}".format(pull.actor, detail)
    if pull.in_daemon and pull.kind == "docker":
        engine = pull.settings.proxy_for("https://{}/".format(pull.host)) if pull.settings is not None else None
        named = " ({})".format(daemon_settings.proxies.masked(engine)) if isinstance(engine, str) else ""
        fix = ("the daemon's HTTPS_PROXY" + named + " names a proxy that does not answer: correct or remove it where "
               "the daemon gets it (a systemd drop-in: 'sudo systemctl edit docker'; \"proxies\" in "
               "/etc/docker/daemon.json; Docker Desktop: Settings > Resources > Proxies), then restart the daemon")
        if pull.shell_proxy:
            fix += "; this shell uses {}".format(daemon_settings.proxies.masked(pull.shell_proxy))
    else:
        fix = ("the proxy in HTTPS_PROXY (or HTTP_PROXY) of this shell does not answer: correct it, or unset it if "
               "this network needs no proxy")
    return Cause("proxy", message, fix, details={"proxyError": detail})


def _tls(text, lower, said, pull):
    if "x509:" not in lower and "tls: " not in lower:
        return None
    match = _URL_HOST.search(text)
    host = match.group(1) if match else pull.host
    store = _trust_store(pull, host)
    if "unknown authority" in lower:
        return Cause("tls-untrusted", "{} does not trust the certificate presented for {} (x509: "
                     "certificate signed by unknown authority)".format(pull.actor, host),
                     "a proxy or firewall that inspects HTTPS presents its own certificate: add its CA certificate "
                     "to {}".format(store), details={"host": host})
    if "expired" in lower or "not yet valid" in lower:
        return Cause("tls-validity", "the certificate for {} is outside its validity period for {}"
                     .format(host, pull.actor),
                     "check the clock of {} (see the daemon settings check); if the clock is right, a proxy presents "
                     "an expired certificate".format(pull.actor), details={"host": host})
    if "valid for" in lower:
        return Cause("tls-name", "the certificate presented for {} is for another name: {}".format(host, said),
                     "a proxy or a DNS entry sends {} to another server: check the hosts file and the proxy's "
                     "exceptions".format(host), details={"host": host})
    return None


def _timeout(text, lower, said, pull):
    what = next((t for t in _TIMEOUTS if t in lower), None)
    if what is None:
        return None
    match = _URL_HOST.search(text)
    host = match.group(1) if match else pull.host
    message = "the connection of {} to {} timed out ({})".format(pull.actor, host, what)
    gap = _proxy_gap(pull)
    if gap:
        return Cause("timeout", message, gap[0], gap[1], {"host": host})
    return Cause("timeout", message,
                 "a firewall or proxy stops the connection to {}: allow it (for an Azure Container Registry, "
                 "also its data endpoints); if this network needs a proxy, {} must use it".format(
                     host if ":" in host else host + ":443", pull.actor),
                 details={"host": host})


def _throttled(text, lower, said, pull):
    if "toomanyrequests" not in lower and "too many requests" not in lower:
        return None
    fix = "wait a moment and try again"
    if pull.host in ("docker.io", "registry-1.docker.io", "index.docker.io"):
        fix += "; Docker Hub limits anonymous pulls: log in ('docker login') or use a mirror"
    fix += ("; or pull a sample image from your own registry: az config set "
            "acr.check_health_image=<registry>.azurecr.io/<repository>:<tag>")
    return Cause("throttled", "{} throttled the pull (toomanyrequests)".format(pull.host), fix)


def _denied(text, lower, said, pull):
    if not any(word in lower for word in _DENIED):
        return None
    message = "{} refused it: {}".format(pull.host, said)
    if pull.host in ANONYMOUS:
        return Cause("denied", message, "{} serves its images without a login: a stored login for it, or a proxy, is "
                     "refused; remove the stored login".format(pull.host),
                     ("{} logout {}".format(pull.tool, pull.host),))
    name = _acr_name(pull.host, pull.acr_suffix)
    if name:
        return Cause("denied", message, "log in with an identity that may pull from the registry (the AcrPull role "
                     "or more)", ("az acr login -n {}".format(name),))
    return Cause("denied", message, "log in to {} with an identity that may pull {}".format(pull.host, pull.image),
                 ("{} login {}".format(pull.tool, pull.host),))


def _not_found(text, lower, said, pull):
    if not any(word in lower for word in _NOT_FOUND):
        return None
    fix = "check the repository and tag of {}".format(pull.image)
    commands = ()
    if pull.configured:
        fix += ", set with 'az config set acr.check_health_image'; or unset it to pull the default sample image"
        commands = ("az config unset acr.check_health_image",)
    return Cause("not-found", "{} does not exist on {}: {}".format(pull.image, pull.host, said), fix, commands)


def _no_space(text, lower, said, pull):
    if "no space left on device" not in lower:
        return None
    fix = ("free disk space where {} keeps images: '{} system df' shows what uses it, '{} system prune' removes "
           "stopped containers, unused networks, dangling images and build cache".format(pull.actor, pull.tool,
                                                                                          pull.tool))
    if pull.settings is not None and pull.settings.desktop:
        fix += "; Docker Desktop: raise the disk limit in Settings > Resources"
    return Cause("no-space", "{} ran out of disk space: {}".format(pull.actor, said), fix,
                 ("{} system df".format(pull.tool), "{} system prune".format(pull.tool)))


def _platform(text, lower, said, pull):
    match = _NO_MANIFEST.search(text)
    if match:
        platform = match.group(1)
    else:
        match = _NO_IMAGE_IN_INDEX.search(text)
        if not match:
            return None
        arch, variant, os_name = match.groups()
        platform = "/".join(p for p in (os_name, arch, variant) if p)
    fix = "choose an image built for {}, or name a platform the image has with --platform".format(platform)
    if pull.settings is not None and pull.settings.os == "windows":
        fix += "; for Linux images, switch Docker Desktop to Linux containers"
    return Cause("platform", "{} has no image for {}".format(pull.image, platform), fix,
                 details={"platform": platform})


# ---------------------------------------------------------------- helpers

def _said(text):
    """The client's own error, in one line: from its last "Error" line to the end (podman continues an
    error on the lines below it), else docker's error line."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.lower().startswith("error")]
    if starts:
        return one_line(" ".join(lines[starts[-1]:]), 300)
    return error_line(text) or first_line(text) or "(no output)"


def _proxy_gap(pull):
    """(fix, commands) when this shell reaches the registry through a proxy and the engine does not."""
    if not pull.shell_proxy or not pull.in_daemon or pull.settings is None:
        return None
    url = "https://{}/".format(pull.host)
    engine = pull.settings.proxy_for(url)
    if engine is daemon_settings.UNKNOWN or engine:
        return None
    how, commands = daemon_settings.proxy_setup(pull.settings, pull.shell_proxy, None)
    return ("this shell reaches {} through the proxy {}, {} connects directly: give it the proxy: {}".format(
        pull.host, daemon_settings.proxies.masked(pull.shell_proxy), pull.actor, how), commands)


def _trust_store(pull, host):
    if pull.settings is not None and pull.settings.desktop:
        return "the operating system's trust store, then restart Docker Desktop"
    if pull.kind == "podman":
        return ("/etc/containers/certs.d/{}/ca.crt (or the system store: update-ca-certificates)".format(host))
    return ("the daemon host's /etc/docker/certs.d/{}/ca.crt, or its system store (update-ca-certificates), then "
            "restart the daemon".format(host))


def _acr_name(host, suffix):
    """The registry name of an Azure Container Registry login server, for `az acr login -n`, or None."""
    if not suffix or not host.endswith("." + suffix.lstrip(".")):
        return None
    return fix_commands.registry_name(host.split(".", 1)[0].split("-", 1)[0])
