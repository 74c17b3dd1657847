"""The container engine's own settings, against this machine's: the proxy (a shell behind a proxy with a
daemon that has none is the classic "docker login times out although everything else passed"), the
clock, Windows containers; and, once the login server is known, how the engine treats that registry
(insecure, mirrored, blocked, or reached through another proxy).

Every finding is a DOCKER_DAEMON_SETTINGS_WARNING with its own fix; all settings read are in the details.
"""

import time
from datetime import UTC, datetime

from .. import proxies
from ..jwt_claims import MAX_SKEW
from ..outcome import passed, skipped, warning
from ..text import run_failure
from . import daemon_settings
from .docker import IMAGE, image_registry, sample_image, tool_name

CODE = "DOCKER_DAEMON_SETTINGS_WARNING"
SWITCH_TO_LINUX = '& "$Env:ProgramFiles\\Docker\\Docker\\DockerCli.exe" -SwitchLinuxEngine'


class Finding:
    def __init__(self, what, message, fix, commands=()):
        self.what, self.message, self.fix, self.commands = what, message, fix, tuple(commands)

    def as_dict(self):
        return {"setting": self.what, "message": self.message, "fix": self.fix, "commands": list(self.commands)}


def docker_info(ctx, given):
    """`docker info` (or `podman info`): the engine's proxy, clock and platform against this machine's."""
    client = given["docker_client"]
    kind = client.get("kind", "docker")
    tool = tool_name(client["path"])
    argv = [client["path"], "info", "--format", "json" if kind == "podman" else "{{json .}}"]
    before = time.time()
    proc = ctx.edges.run(argv)
    after = time.time()
    if proc.timed_out or proc.error or not proc.stdout.strip():
        return skipped("the engine's settings were not read: '{} info' {}".format(tool, run_failure(proc, ctx.timeout)))
    settings, problem = daemon_settings.parse(kind, proc.stdout)
    if settings is None:
        return skipped("the engine's settings were not read: '{} info': {}".format(tool, problem))
    image, _ = sample_image(ctx)
    host = image_registry(image or IMAGE)
    findings, notes = [], []
    proxy = _proxy(ctx, settings, host, "https://{}/".format(host), notes)
    if proxy:
        findings.append(proxy)
    skew = None
    if settings.system_time is not None:
        now = datetime.fromtimestamp((before + after) / 2, tz=UTC)
        skew = (settings.system_time - now).total_seconds()
        clock = _clock(settings, skew, after - before)
        if clock:
            findings.append(clock)
        else:
            notes.append("clock within {:.0f} s of this machine's".format(max(abs(skew), 1)))
    if settings.os == "windows":
        findings.append(Finding("os", "the Docker daemon runs Windows containers: Linux images, which most "
                                "registries hold, cannot be pulled or run",
                                "if your images are Linux images, switch Docker Desktop to Linux containers (its tray "
                                "menu, or the command below in PowerShell)", (SWITCH_TO_LINUX,)))
    details = _details(settings, skew, ctx.env, host)
    handoff = {"settings": settings, "proxy": (proxy.what if proxy else None)}
    summary = "; ".join([settings.platform or "platform not reported", *notes])
    if findings:
        details["findings"] = [f.as_dict() for f in findings]
        return warning("; ".join(f.message for f in findings), code=CODE, fix=" Also: ".join(f.fix for f in findings),
                       commands=[c for f in findings for c in f.commands], handoff=handoff, **details)
    return passed(summary, handoff=handoff, **details)


def docker_registry_settings(ctx, given):
    """How the engine treats the registry's login server: insecure, mirrored, blocked, another proxy."""
    found = given.get("docker_info")
    if not found:
        return skipped("the container engine's settings were not read (see Docker daemon settings)")
    from .. import login_servers  # a registry check: the registry plan has imported it already
    settings = found["settings"]
    server = given["login_server"]["login_server"]
    host, _ = login_servers.split_host_port(server)
    findings = []
    engine = "the Docker daemon" if settings.kind == "docker" else "podman"
    where = ("/etc/docker/daemon.json (Docker Desktop: Settings > Docker Engine)" if settings.kind == "docker" else
             "registries.conf (/etc/containers/registries.conf, or ~/.config/containers/registries.conf)")
    for entry in settings.registries_for(host):
        if entry.blocked:
            findings.append(Finding("blocked", "{} refuses to pull from {}: registries.conf blocks '{}'".format(
                engine, host, entry.prefix), "remove 'blocked = true' from the [[registry]] entry for '{}' in {}"
                .format(entry.prefix, where)))
        if entry.insecure:
            findings.append(Finding("insecure", "{} treats {} as an insecure registry: it accepts any certificate, "
                                    "or plain HTTP, for it".format(engine, host),
                                    "remove '{}' from the insecure registries in {} and restart the engine; an Azure "
                                    "Container Registry needs no such entry (behind a proxy that inspects HTTPS, "
                                    "trust the proxy's CA instead)".format(entry.prefix, where)))
        if entry.mirrors:
            findings.append(Finding("mirror", "{} pulls images of {} from the mirror {} first".format(
                engine, host, ", ".join(entry.mirrors[:3])),
                "make sure the mirror serves this registry's images with the same credentials, or remove it from {}"
                .format(where)))
        if entry.location and entry.location.lower() != entry.prefix.lower():
            findings.append(Finding("location", "podman sends pulls for '{}' to {}".format(entry.prefix,
                                                                                           entry.location),
                                    "remove or correct the 'location' of the [[registry]] entry for '{}' in {}"
                                    .format(entry.prefix, where)))
    notes = []
    proxy = _proxy(ctx, settings, host, "https://{}/".format(server), notes)
    if proxy and proxy.what != found.get("proxy"):
        findings.append(proxy)
    details = {"loginServer": server, "engine": settings.kind,
               "registryEntries": [{"prefix": e.prefix, "insecure": e.insecure, "mirrors": list(e.mirrors),
                                    "blocked": e.blocked, "location": e.location}
                                   for e in settings.registries_for(host)]}
    if findings:
        details["findings"] = [f.as_dict() for f in findings]
        return warning("; ".join(f.message for f in findings), code=CODE, fix=" Also: ".join(f.fix for f in findings),
                       commands=[c for f in findings for c in f.commands], **details)
    return passed("{}: no insecure, mirror or blocking entry{}".format(host, "; " + notes[0] if notes else ""),
                  **details)


# ---------------------------------------------------------------- proxy and clock

def _proxy(ctx, settings, host, url, notes):
    """A finding when the engine reaches url another way than this shell; else a note for the summary."""
    shell = proxies.proxy_for(url, ctx.env)
    engine = settings.proxy_for(url)
    if engine is daemon_settings.UNKNOWN:
        if settings.kind == "podman" and not settings.remote:
            notes.append("podman pulls with this shell's proxy settings")
        return None
    if engine and daemon_settings.is_desktop_proxy(engine):
        notes.append("proxy: Docker Desktop's, which follows the system's proxy settings")
        return None
    if shell and not engine and settings.proxy_for("https://proxy-check.invalid/"):
        return Finding("proxy:no-proxy", "this shell reaches {} through the proxy {}, but the Docker daemon's "
                       "NO_PROXY sends it direct".format(host, proxies.masked(shell)),
                       "remove the entry that matches {} from the daemon's NO_PROXY ({}), where the daemon gets it "
                       "(a systemd drop-in, \"proxies\" in daemon.json, or Docker Desktop's proxy settings), then "
                       "restart it".format(host, settings.proxies["NO_PROXY"][:300]))
    if shell and not engine:
        how, commands = daemon_settings.proxy_setup(settings, shell, ctx.env.get("NO_PROXY") or ctx.env.get("no_proxy"))
        return Finding("proxy:shell-only", "this shell reaches {} through the proxy {}, but the Docker daemon connects "
                       "directly: docker pull and docker login may time out".format(host, proxies.masked(shell)),
                       "give the daemon the proxy: " + how, commands)
    if shell and engine and not daemon_settings.same_proxy(shell, engine):
        how, commands = daemon_settings.proxy_setup(settings, shell, None)
        return Finding("proxy:different", "this shell reaches {} through the proxy {}, the Docker daemon through {}"
                       .format(host, proxies.masked(shell), proxies.masked(engine)),
                       "if the daemon's proxy is not the one this network needs, change it: " + how, commands)
    if engine and not shell:
        notes.append("the daemon uses the proxy {} for {} (this shell: none)".format(proxies.masked(engine), host))
    elif engine:
        notes.append("proxy {}, as this shell".format(proxies.masked(engine)))
    else:
        notes.append("no proxy, as this shell")
    return None


def _clock(settings, skew, spent):
    if abs(skew) <= MAX_SKEW + spent:
        return None
    fix = ("restart Docker Desktop: the clock of its virtual machine drifts after the computer sleeps"
           if settings.desktop else "synchronise the clock of the daemon's host (enable NTP there: "
                                    "'sudo timedatectl set-ntp true')")
    return Finding("clock", "the Docker daemon's clock is {:.0f} s {} this machine's: registries and Azure AD reject "
                   "tokens outside their validity".format(abs(skew), "ahead of" if skew > 0 else "behind"), fix)


def _details(settings, skew, env, host):
    details = {"engine": settings.kind, "os": settings.os, "architecture": settings.arch,
               "operatingSystem": settings.system, "serverVersion": settings.version,
               "clockSkewSeconds": None if skew is None else round(skew, 1),
               "insecureRegistryCidrs": list(settings.insecure_cidrs),
               "registries": [{"prefix": e.prefix, "insecure": e.insecure, "mirrors": list(e.mirrors),
                               "blocked": e.blocked} for e in settings.registries[:20]]}
    if settings.proxies is not None:
        details["daemonProxy"] = {"httpProxy": proxies.masked(settings.proxies["HTTP_PROXY"]) or None,
                                  "httpsProxy": proxies.masked(settings.proxies["HTTPS_PROXY"]) or None,
                                  "noProxy": settings.proxies["NO_PROXY"] or None}
    details["shellProxy"] = proxies.masked(proxies.proxy_for("https://{}/".format(host), env))
    return details
