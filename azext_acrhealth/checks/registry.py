"""The registry, up to its challenge: login server, its Azure resource, DNS, the /v2/ challenge, clock."""

import ipaddress
import re
import time
from email.utils import parsedate_to_datetime

from .. import challenge as www_authenticate
from .. import hosts, probes
from ..outcome import failed, passed, skipped, warning
from ..runner import Check
from . import arm, tokens
from .cmk import cmk
from .data_endpoints import data_endpoints
from .private_endpoints import private_endpoints

MAX_SKEW = 300   # seconds; tokens carry nbf/exp, so minutes of skew get them rejected
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
_FIREWALL_IP = re.compile(r"client with IP '([^']{1,64})' is not allowed access")


# ---------------------------------------------------------------- the plan

def plan(options, group):
    """login server → DNS → challenge → clock; the AAD token in parallel (its failure, "not logged in",
    does not stop the checks that need no token) → refresh → access token; then the registry's resource."""
    t = options.timeout
    arm_budget = 3 * t + 5          # subscription, token and a registry list page or two

    def check(name, title, func, needs=(), budget=t + 5, **kwargs):
        return Check(name, title, func, needs=needs, budget=budget, group=group, **kwargs)

    checks = [
        check("login_server", "Login server", login_server, budget=arm_budget, code="LOGIN_SERVER_ERROR"),
        check("dns", "DNS lookup", dns, needs=("login_server",), code="CONNECTIVITY_DNS_ERROR"),
        check("challenge", "Challenge endpoint", challenge, needs=("dns",), budget=2 * t + 5,
              code="CONNECTIVITY_CHALLENGE_ERROR"),
        check("clock_skew", "Clock", clock_skew, needs=("challenge",), blocking=False),
        check("aad_token", "Azure AD token", tokens.aad_token, budget=3 * t + 5, code="AZURE_LOGIN_ERROR",
              blocking=False),
        check("refresh_token", "Refresh token", tokens.refresh_token, needs=("challenge", "aad_token"),
              code="CONNECTIVITY_REFRESH_TOKEN_ERROR"),
        check("access_token", "Access token", tokens.access_token, needs=("refresh_token",),
              code="CONNECTIVITY_ACCESS_TOKEN_ERROR"),
        check("registry_resource", "Registry resource", registry_resource, needs=("login_server",),
              budget=arm_budget),
        check("cmk", "Customer-managed key", cmk, needs=("registry_resource",), budget=arm_budget, code="CMK_ERROR"),
        check("data_endpoints", "Data endpoints", data_endpoints, needs=("registry_resource",),
              budget=4 * t + 5, code="DATA_ENDPOINT_ERROR"),
    ]
    if options.vnet:
        checks.append(check("private_endpoints", "Private endpoint DNS", private_endpoints,
                            needs=("registry_resource",), budget=6 * t + 5, code="PRIVATE_ENDPOINT_DNS_ERROR"))
    return checks


# ---------------------------------------------------------------- login server

def login_server(ctx):
    opts = ctx.options
    if opts.login_server:
        # The user gave the login server: no look-up stands between them and the network checks.
        server = hosts.normalise_login_server(opts.login_server)
        return passed(server, data={"login_server": server}, loginServer=server, source="argument")
    if ctx.account is None:
        return failed("LOGIN_SERVER_ERROR", "no Azure CLI context to find registry '{}'".format(opts.registry_name))
    registry, subscription, why = arm.find_registry(ctx, name=opts.registry_name)
    found = arm.properties(registry).get("loginServer") if registry else None
    if isinstance(found, str) and found:
        server = hosts.normalise_login_server(found)
        return passed("{} (from Azure Resource Manager)".format(server),
                      data={"login_server": server, "registry": registry, "looked_up": True},
                      loginServer=server, source="arm", subscription=subscription, resourceId=registry.get("id"))
    suffix = ctx.account.acr_suffix()
    if not suffix:
        return failed("LOGIN_SERVER_ERROR",
                      "registry '{}' not found through Azure Resource Manager ({}), and cloud '{}' defines no "
                      "registry suffix to guess its login server".format(opts.registry_name, why,
                                                                         ctx.account.cloud_name()),
                      armLookup=why, cloud=ctx.account.cloud_name())
    server = hosts.normalise_login_server(opts.registry_name + "." + suffix.lstrip("."))
    return passed("{} (from the cloud suffix; Azure Resource Manager look-up: {})".format(server, why),
                  data={"login_server": server, "registry": None, "looked_up": True, "why": why},
                  loginServer=server, source="cloud suffix", armLookup=why)


def registry_resource(ctx):
    """The registry's ARM resource, for the encryption, private endpoint and data endpoint checks. Its
    absence never fails the run: those checks are then skipped with this reason."""
    data = ctx.data("login_server")
    if data.get("looked_up"):
        registry, why = data.get("registry"), data.get("why")
    elif ctx.account is None:
        registry, why = None, "no Azure CLI context"
    else:
        registry, _, why = arm.find_registry(ctx, login_server=data["login_server"])
    if not registry:
        return skipped("registry resource not read: {}; its encryption, private endpoints and data "
                       "endpoints are not checked".format(why))
    props = arm.properties(registry)
    sku = registry.get("sku", {}).get("name") if isinstance(registry.get("sku"), dict) else None
    summary = ", ".join(str(v) for v in (sku, registry.get("location"),
                                         props.get("publicNetworkAccess") and
                                         "public network access " + str(props.get("publicNetworkAccess"))) if v)
    return passed("{}{}".format(registry.get("id"), " ({})".format(summary) if summary else ""),
                  data={"registry": registry}, resourceId=registry.get("id"), sku=sku,
                  location=registry.get("location"), publicNetworkAccess=props.get("publicNetworkAccess"))


# ---------------------------------------------------------------- DNS

def address_kind(address):
    """"loopback", "private" or "public": loopback is private too, but says something else (a hosts file)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "unknown"
    return "loopback" if ip.is_loopback else "private" if ip.is_private else "public"


def dns(ctx):
    server = ctx.data("login_server")["login_server"]
    host, _ = hosts.split_host_port(server)
    res = ctx.resolve(host)
    if not res.ok:
        what = {"invalid": "is not a valid host name", "timeout": "did not resolve in time",
                "not_found": "does not resolve"}.get(res.error, "could not be resolved")
        return failed("CONNECTIVITY_DNS_ERROR", "{} {}: {}".format(host, what, res.reason),
                      host=host, error=res.error, reason=res.reason)
    addresses = [{"address": a, "kind": address_kind(a)} for a in res.addresses]
    text = ", ".join("{} ({})".format(a["address"], a["kind"]) for a in addresses)
    return passed("{} at {}".format(host, text), host=host, addresses=addresses)


# ---------------------------------------------------------------- challenge

def challenge(ctx):
    """One GET of /v2/ without credentials: the registry must answer 401 with a Bearer challenge."""
    server = ctx.data("login_server")["login_server"]
    url = "https://{}/v2/".format(server)
    res = ctx.http.get(url)
    if not res.ok:
        return _transport_failure(ctx, server, url, res)
    details = {"url": url, "status": res.status}
    correlation = res.header("x-ms-correlation-request-id")
    failure = dict(details, correlationId=correlation) if correlation else details
    data = {"login_server": server, "date": res.header("date"), "received": time.time()}
    status = res.status
    if status == 403:
        ip = _FIREWALL_IP.search(res.body[:65536].decode("utf-8", "replace"))
        if ip:
            return failed("CONNECTIVITY_FORBIDDEN_ERROR",
                          "{} answered 403: client with IP '{}' is not allowed access".format(url, ip.group(1)),
                          fix="allow {} in the registry's firewall (az acr network-rule add --ip-address {}), or "
                              "reach it through its private endpoint".format(ip.group(1), ip.group(1)),
                          data=data, clientIp=ip.group(1), **failure)
        return failed("CONNECTIVITY_FORBIDDEN_ERROR", "{} answered 403 Forbidden: {}".format(url, res.excerpt()),
                      data=data, **failure)
    if status == 429:
        return failed("CONNECTIVITY_TOOMANYREQUESTS_ERROR", "{} answered 429 Too Many Requests".format(url),
                      data=data, **failure)
    if 300 <= status < 400:
        location = res.header("location") or "(no Location)"
        return failed("CONNECTIVITY_CHALLENGE_ERROR",
                      "{} answered {} redirecting to {}; a registry does not redirect /v2/ (a proxy or captive "
                      "portal may be answering), and the redirect is not followed".format(url, status, location),
                      data=data, location=location, **failure)
    if status == 200:
        return failed("CONNECTIVITY_CHALLENGE_ERROR",
                      "{} answered 200 without a challenge: anonymous access, or not a registry".format(url),
                      data=data, **failure)
    if status != 401:
        fix = ("the registry or a gateway in front of it failed: retry in a few minutes, and check "
               "https://azure.status.microsoft for incidents; quote the correlation id if you open a support "
               "request" if status >= 500 else None)
        return failed("CONNECTIVITY_CHALLENGE_ERROR", "{} answered {} instead of a challenge: {}".format(
            url, status, res.excerpt() or "(empty body)"), fix=fix, data=data, **failure)
    header = res.header("www-authenticate")
    if not header:
        return failed("CONNECTIVITY_CHALLENGE_ERROR", "{} answered 401 without a WWW-Authenticate "
                      "challenge".format(url), data=data, **failure)
    found = www_authenticate.bearer(header)
    realm = found.params.get("realm") if found else None
    service = found.params.get("service") if found else None
    if not realm or not service:
        return failed("CONNECTIVITY_AAD_LOGIN_ERROR",
                      "{} challenged with '{}', not a Bearer challenge with realm and service".format(
                          url, www_authenticate.describe(header)),
                      data=data, challenge=www_authenticate.describe(header), **failure)
    data.update(realm=realm, service=service)
    return passed("{} answered 401 with a Bearer challenge (token server {})".format(url, hosts.origin(realm)),
                  data=data, realm=realm, service=service, **details)


def _transport_failure(ctx, server, url, res):
    raw_proxy = _raw_proxy(ctx.env, url)
    proxy = _masked(raw_proxy)
    via = "; proxy {} is in effect".format(proxy) if proxy else ""
    details = {"url": url, "error": res.error, "reason": res.reason}
    if proxy:
        details["proxy"] = proxy
    if res.error == "ssl":
        host, port = hosts.split_host_port(server)
        cert = probes.peer_certificate(host, port or 443, min(ctx.timeout, 5.0), proxy=raw_proxy)
        problem = _ssl_problem(res.reason, cert)
        seen = ""
        if cert:
            seen = "; the certificate presented is for {} issued by {}".format(
                ", ".join(cert.names) or cert.subject, cert.issuer)
            details.update(certificateSubject=cert.subject, certificateIssuer=cert.issuer,
                           certificateNames=list(cert.names), certificateNotAfter=cert.not_after)
        details["problem"] = problem
        return failed("CONNECTIVITY_SSL_ERROR", "TLS with {} failed: {}{}{}".format(server, problem, seen, via),
                      **details)
    return failed("CONNECTIVITY_CHALLENGE_ERROR", "{}: {} ({}){}".format(url, res.cause, res.reason, via),
                  fix=_TRANSPORT_FIXES.get(res.error, "").format(timeout=ctx.timeout) or None, **details)


# What to do for each way the request to /v2/ can fail before any answer.
_TRANSPORT_FIXES = {
    "timeout": "something between here and the registry accepts or drops the connection without answering "
               "within {timeout:g} s: check firewalls and proxies for outbound HTTPS (443) to the registry; on "
               "a slow link, retry with a larger --timeout",
    "reset": "a firewall or proxy is cutting HTTPS connections to the registry: allow outbound 443 to it",
    "connect": "nothing accepts HTTPS connections at the registry's address: check the network route and the "
               "firewall for outbound 443, and that DNS gives the right address",
    "proxy": "the proxy named by HTTPS_PROXY failed: check its address and that it allows the registry, or "
             "add the registry to NO_PROXY",
}


def _ssl_problem(reason, cert):
    reason = reason or ""
    match = re.search(r"certificate verify failed: ([^(]+)", reason)
    text = match.group(1).strip() if match else ""
    if cert and cert.expired:
        text = text or "certificate has expired"
        if "expired" not in text:
            text += "; certificate expired on " + cert.not_after
    elif cert and cert.self_signed and not text:
        text = "self-signed certificate"
    if "mismatch" in reason.lower() or "doesn't match" in reason or "not valid for" in reason:
        text = text or "hostname mismatch: the certificate is not for this name"
    # OpenSSL's reasons end with a full stop; the message goes on after this clause.
    return (text or reason or "TLS handshake failed").strip().rstrip(".")


def _raw_proxy(env, url):
    """The proxy URL that requests would use for url, honouring NO_PROXY, or None."""
    from requests.utils import should_bypass_proxies
    proxy = next((env[name] for name in PROXY_VARIABLES if env.get(name)), None)
    if not proxy:
        return None
    no_proxy = env.get("NO_PROXY") or env.get("no_proxy")
    try:
        if should_bypass_proxies(url, no_proxy=no_proxy):
            return None
    except (ValueError, OSError):
        pass
    return proxy


def _masked(proxy):
    """The proxy URL without any user:password, for the report."""
    return re.sub(r"//[^/@]*@", "//***@", proxy) if proxy else None


# ---------------------------------------------------------------- clock

def clock_skew(ctx):
    data = ctx.data("challenge")
    text = data.get("date")
    try:
        registry_time = parsedate_to_datetime(text).timestamp() if text else None
    except (TypeError, ValueError, IndexError, OverflowError):
        registry_time = None
    if registry_time is None:
        return skipped("the registry sent no readable Date header ({!r})".format((text or "")[:40]))
    skew = data["received"] - registry_time
    details = {"registryDate": text, "skewSeconds": round(skew, 1)}
    if abs(skew) > MAX_SKEW:
        return warning("local clock is {:.0f} s {} the registry's".format(abs(skew), "ahead of" if skew > 0
                                                                        else "behind"),
                       code="CLOCK_SKEW_WARNING", **details)
    return passed("local clock within {:.0f} s of the registry's".format(max(abs(skew), 1)), **details)
