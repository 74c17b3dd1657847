"""The container engine's own settings, from `docker info --format '{{json .}}'` or `podman info --format json`:
its proxy, its clock, its operating system and architecture, and how it treats registries (insecure
entries, mirrors, blocked registries). Parsing only: never raises, whatever the text.

A pull is made by the engine, not by this shell: a docker daemon has its own proxy variables, clock and
trust store. Podman without a service pulls in its own process, with this shell's settings.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .. import proxies

DESKTOP_PROXY_SUFFIX = ".docker.internal"   # Docker Desktop's own proxy, which follows the system settings


@dataclass(frozen=True)
class Registry:
    """How the engine treats one registry (a host, or a podman prefix)."""
    prefix: str
    insecure: bool = False
    mirrors: tuple = ()
    blocked: bool = False
    location: str = None          # podman: where pulls for prefix really go


@dataclass(frozen=True)
class Settings:
    kind: str                     # "docker" or "podman"
    os: str = None                # "linux", "windows"
    arch: str = None              # "x86_64", "aarch64", "amd64"
    system: str = None            # "Docker Desktop", "Ubuntu 24.04 LTS", ...
    version: str = None
    proxies: dict = None          # {"HTTP_PROXY": ..., "HTTPS_PROXY": ..., "NO_PROXY": ...}; None: not known
    system_time: datetime = None  # the daemon's clock (docker only)
    registries: tuple = ()        # Registry entries
    insecure_cidrs: tuple = ()
    remote: bool = True           # podman: False when podman pulls in its own process

    @property
    def desktop(self):
        return bool(self.system) and "docker desktop" in self.system.lower()

    @property
    def platform(self):
        return "{}/{}".format(self.os, self.arch) if self.os and self.arch else None

    def proxy_for(self, url):
        """The proxy the engine uses for url: None when it goes direct; this shell's choice for a podman
        that pulls in its own process; UNKNOWN when the engine does not say."""
        if self.proxies is None:
            return UNKNOWN
        return proxies.proxy_for(url, self.proxies)

    def registries_for(self, host):
        """The entries that apply to host: the exact host, a prefix below it, or a '*.domain' wildcard."""
        host = host.lower()
        found = []
        for entry in self.registries:
            prefix = entry.prefix.lower()
            name = prefix.split("/", 1)[0]
            if name == host or (name.startswith("*.") and host.endswith(name[1:])):
                found.append(entry)
        return found


UNKNOWN = object()


def parse(kind, text):
    """(Settings, None) from the engine's JSON, or (None, why it could not be read)."""
    try:
        document = json.loads(text.strip())
    except (ValueError, RecursionError):
        return None, "its answer is not JSON"
    if not isinstance(document, dict):
        return None, "its answer is not a JSON object"
    if kind == "podman" or "host" in document and "store" in document:
        return _podman(document)
    return _docker(document)


def _docker(doc):
    errors = doc.get("ServerErrors")
    errors = [e for e in errors if isinstance(e, str)] if isinstance(errors, list) else []
    if errors:
        return None, errors[0][:300]
    if not _text(doc.get("ServerVersion")) and not _text(doc.get("OSType")):
        return None, "the answer holds no server part"
    config = doc.get("RegistryConfig") if isinstance(doc.get("RegistryConfig"), dict) else {}
    registries = []
    indexes = config.get("IndexConfigs") if isinstance(config.get("IndexConfigs"), dict) else {}
    for name, entry in indexes.items():
        if isinstance(name, str) and isinstance(entry, dict):
            registries.append(Registry(name, insecure=entry.get("Secure") is False,
                                       mirrors=_strings(entry.get("Mirrors"))))
    settings = Settings("docker", os=_text(doc.get("OSType")), arch=_text(doc.get("Architecture")),
                        system=_text(doc.get("OperatingSystem")), version=_text(doc.get("ServerVersion")),
                        proxies={"HTTP_PROXY": _text(doc.get("HttpProxy")) or "",
                                 "HTTPS_PROXY": _text(doc.get("HttpsProxy")) or "",
                                 "NO_PROXY": _text(doc.get("NoProxy")) or ""},
                        system_time=_time(doc.get("SystemTime")), registries=tuple(registries),
                        insecure_cidrs=_strings(config.get("InsecureRegistryCIDRs")))
    return settings, None


def _podman(doc):
    host = doc.get("host") if isinstance(doc.get("host"), dict) else {}
    version = doc.get("version") if isinstance(doc.get("version"), dict) else {}
    registries = []
    entries = doc.get("registries") if isinstance(doc.get("registries"), dict) else {}
    for prefix, entry in entries.items():
        if not isinstance(entry, dict) or not isinstance(prefix, str):
            continue                  # "search": the unqualified-search list
        listed = entry.get("Mirrors") if isinstance(entry.get("Mirrors"), list) else []
        mirrors = tuple(m.get("Location") for m in listed if isinstance(m, dict) and _text(m.get("Location")))
        registries.append(Registry(prefix, insecure=entry.get("Insecure") is True, mirrors=mirrors,
                                   blocked=entry.get("Blocked") is True, location=_text(entry.get("Location"))))
    distribution = host.get("distribution") if isinstance(host.get("distribution"), dict) else {}
    remote = host.get("serviceIsRemote") is True
    settings = Settings("podman", os=_text(host.get("os")), arch=_text(host.get("arch")),
                        system=" ".join(v for v in (_text(distribution.get("distribution")),
                                                    _text(distribution.get("version"))) if v) or None,
                        version=_text(version.get("Version")),
                        # Podman reports no proxy; without a service it pulls with this shell's environment.
                        proxies=None, registries=tuple(registries), remote=remote)
    return settings, None


# ---------------------------------------------------------------- proxies

def same_proxy(a, b):
    """Whether two proxy URLs name the same proxy (scheme, host and port; credentials aside)."""
    return _endpoint(a) == _endpoint(b)


def is_desktop_proxy(proxy):
    host = _endpoint(proxy)[1] if proxy else ""
    return bool(host) and host.endswith(DESKTOP_PROXY_SUFFIX)


def _endpoint(proxy):
    if not proxy:
        return None
    text = proxy if "://" in proxy else "http://" + proxy
    try:
        parts = urlsplit(text)
        return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return "", proxy.lower(), None


def proxy_setup(settings, proxy, no_proxy):
    """How to give the engine a proxy: (sentence, commands). proxy and no_proxy are shown masked."""
    shown = proxies.masked(proxy)
    if settings.desktop:
        return ("in Docker Desktop, Settings > Resources > Proxies: set the HTTPS proxy to {} and "
                "restart it".format(shown)), ()
    variables = '"HTTPS_PROXY={0}" "HTTP_PROXY={0}"'.format(shown)
    if no_proxy:
        variables += ' "NO_PROXY={}"'.format(no_proxy[:300])
    how = ("on the daemon's host, run 'sudo systemctl edit docker' and add the lines [Service] and Environment={}, "
           "then 'sudo systemctl restart docker' (Docker Engine 23 and later also read \"proxies\" in "
           "/etc/docker/daemon.json)".format(variables))
    return how, ("sudo systemctl edit docker", "sudo systemctl restart docker")


# ---------------------------------------------------------------- helpers

def _text(value):
    return value.strip() if isinstance(value, str) and value.strip() else None


def _strings(value):
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _time(value):
    """A daemon's SystemTime (RFC 3339 with nanoseconds) as an aware datetime, or None."""
    text = _text(value)
    if not text:
        return None
    if "." in text:
        # Python reads at most microseconds: cut the nanoseconds, keep the zone.
        head, _, rest = text.partition(".")
        digits = len(rest) - len(rest.lstrip("0123456789"))
        text = head + "." + rest[:min(digits, 6)] + rest[digits:]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
