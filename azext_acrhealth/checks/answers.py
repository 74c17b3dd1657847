"""How every registry step reads an HTTP answer that is not the one it wanted, the same way: the
details to report (URL, status, correlation id), throttling, redirects (never followed here), and the
registry's firewall (a 403 naming the client's address), read against the registry's network rules."""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .. import fix_commands
from ..outcome import failed

NOT_FOLLOWED = "not followed, so no credentials went there"
FORBIDDEN = "CONNECTIVITY_FORBIDDEN_ERROR"
_FIREWALL_IP = re.compile(r"client with IP '([^']{0,64})' is not allowed access")


@dataclass(frozen=True)
class Network:
    """What a registry step knows of the registry, to read a firewall 403: its name (validated, for commands)
    and its settings from ARM (registry_settings.RegistrySettings), or None when they were not read."""
    name: str = None
    settings: object = None


def network(ctx, given):
    """The Network of a step that lists uses=("registry_resource",)."""
    settings = (given.get("registry_resource") or {}).get("settings")
    name = settings.name if settings is not None and settings.name else None
    return Network(name or fix_commands.registry_name(ctx.options.registry_name), settings)


def details(res):
    """URL and status of an answer, and the registry's correlation id (support asks for it)."""
    found = {"url": res.url, "status": res.status}
    correlation = res.header("x-ms-correlation-request-id")
    if correlation:
        found["correlationId"] = correlation
    return found


def refusal(res, code, what, note=NOT_FOLLOWED, handoff=None, network=None):
    """The failed outcome for the registry's firewall (a 403 naming the client's address:
    CONNECTIVITY_FORBIDDEN_ERROR, whatever the step), for 429 (CONNECTIVITY_TOOMANYREQUESTS_ERROR) and for
    a redirect (`code`), or None for any other answer. `what` names what was asked for ("the refresh
    token"); `network` (see network()) lets the firewall finding compare the address with the rules."""
    found = details(res)
    if res.status == 403:
        blocked = firewall(res, network, handoff)
        if blocked:
            return blocked
    if res.status == 429:
        return failed("CONNECTIVITY_TOOMANYREQUESTS_ERROR", "{} answered 429 Too Many Requests{}".format(
            res.url, " for " + what if what else ""), handoff=handoff or {}, **found)
    if 300 <= res.status < 400:
        location = res.header("location") or "(no Location)"
        return failed(code, "{} answered {} redirecting to {}; {}".format(res.url, res.status, location, note),
                      handoff=handoff or {}, location=location, **found)
    return None


def firewall(res, network=None, handoff=None):
    """The finding for a 403 that carries ACR's firewall message ("client with IP '<ip>' is not allowed
    access"), or None for any other answer. The address enters a command only when it is an IP address."""
    if res.status != 403:
        return None
    match = _FIREWALL_IP.search(res.body[:65536].decode("utf-8", "replace"))
    if not match:
        return None
    found = details(res)
    handoff = handoff or {}
    ip = fix_commands.ip_address(match.group(1))
    if ip is None:
        return failed(FORBIDDEN, "{} answered 403: the registry names a client address that is not an IP address "
                      "('{}')".format(res.url, match.group(1)), handoff=handoff, **found)
    network = network or Network()
    settings, host = network.settings, urlsplit(res.url).hostname or res.url
    name = network.name or _name_from_host(host)
    found["clientIp"] = str(ip)
    if res.proxy:
        found["proxy"] = res.proxy
    head = "{} answered 403: client with IP '{}' is not allowed access".format(res.url, ip)
    via = " through proxy {}".format(res.proxy) if res.proxy else ""
    if settings is not None and settings.public_disabled:
        return _public_access_disabled(res, settings, name, ip, host, head, handoff, found)
    rule = settings.allowing(ip) if settings is not None else None
    if rule is not None:
        return failed(FORBIDDEN, "{}, although the registry's IP rule {} allows it".format(head, rule.value),
                      fix="no rule is missing: the registry names {ip}{via}, which rule {rule} allows. A rule added or "
                          "changed in the last minutes may not be in effect yet: retry in a few minutes; if the "
                          "refusal persists, open a support request quoting the correlation id".format(
                              ip=ip, rule=rule.value,
                              via=" (the address proxy {} reaches it from)".format(res.proxy) if res.proxy else ""),
                      handoff=handoff, allowedBy=rule.value, **found)
    if settings is not None and (settings.default_action or "").lower() == "allow":
        return failed(FORBIDDEN, "{}, although Azure Resource Manager shows the registry open to all networks "
                      "(default action Allow)".format(head),
                      fix="a change to the registry's firewall may not be in effect yet: retry in a few minutes; "
                          "check `az acr show -n {} --query networkRuleSet`".format(name or "<registry>"),
                      handoff=handoff, **found)
    if ip.version == 6:
        return failed(FORBIDDEN, head, fix="the registry saw IPv6 address {}{}, and its IP rules take IPv4 addresses "
                      "only: reach the registry over IPv4, or through a private endpoint".format(ip, via),
                      handoff=handoff, **found)
    text = head
    if settings is not None:
        text += " (default action Deny, {} IP rule{})".format(len(settings.ip_rules),
                                                             "" if len(settings.ip_rules) == 1 else "s")
    fix = "allow {} in the registry's firewall".format(ip)
    if res.proxy:
        fix += " ({} is the address proxy {} reaches the registry from: the rule lets in every client of that " \
               "proxy)".format(ip, res.proxy)
    fix += _private_path(settings, host)
    command = fix_commands.network_rule_add(name, ip)
    return failed(FORBIDDEN, text, fix=fix, commands=[command] if command else [], handoff=handoff, **found)


def _public_access_disabled(res, settings, name, ip, host, head, handoff, found):
    text = "{}; the registry's public network access is disabled, so no IP rule can let it in".format(head)
    if res.proxy:
        fix = ("the request went through proxy {}, which reached the registry's public endpoint from {}: add {} "
               "and the registry's data endpoints to NO_PROXY, so requests go to the private endpoint "
               "directly".format(res.proxy, ip, host))
        return failed(FORBIDDEN, text, fix=fix, handoff=handoff, **found)
    endpoints = settings.approved_endpoints
    if endpoints:
        fix = ("this machine reached the registry's public endpoint from {}: use the registry from a network of its "
               "private endpoint{} ({}), where {} resolves to the endpoint's private address".format(
                   ip, "" if len(endpoints) == 1 else "s", ", ".join(c.name for c in endpoints), host))
        return failed(FORBIDDEN, text, fix=fix, handoff=handoff, **found)
    fix = ("the registry has no approved private endpoint either, so only trusted Azure services reach it: "
           "enable public access for selected networks and allow {}, or create a private endpoint".format(ip))
    commands = [c for c in (fix_commands.enable_public_access(name), fix_commands.network_rule_add(name, ip)) if c]
    return failed(FORBIDDEN, text, fix=fix, commands=commands if len(commands) == 2 else [], handoff=handoff,
                  **found)


def _private_path(settings, host):
    endpoints = settings.approved_endpoints if settings is not None else ()
    if not endpoints:
        return ", or reach the registry through a private endpoint"
    return ("; or, if this machine should use the registry's private endpoint{} ({}), make {} resolve to its private "
            "address here".format("" if len(endpoints) == 1 else "s", ", ".join(c.name for c in endpoints), host))


def _name_from_host(host):
    """The registry name in a login server or data endpoint host (myreg.azurecr.io, myreg-abc123.azurecr.io,
    myreg.westus.data.azurecr.io), when it is one."""
    return fix_commands.registry_name(host.split(".", 1)[0].split("-", 1)[0]) if "." in host else None
