"""The registry's /v2/ challenge: one anonymous GET, what stood in its way (TLS, proxy, firewall), and
the registry's clock seen from its Date header."""

import re
import time
from email.utils import parsedate_to_datetime

from .. import realms, www_authenticate
from ..jwt_claims import MAX_SKEW
from ..outcome import failed, passed, skipped, warning
from . import answers


def challenge(ctx, given):
    """One GET of /v2/ without credentials: the registry must answer 401 with a Bearer challenge."""
    server = given["dns"]["login_server"]
    url = "https://{}/v2/".format(server)
    res = ctx.edges.get(url)
    if not res.ok:
        return _transport_failure(ctx, server, url, res)
    found = answers.details(res)
    details = {"url": url, "status": res.status}
    handoff = {"login_server": server, "date": res.header("date"), "received": time.time()}
    status = res.status
    refused = answers.refusal(res, "CONNECTIVITY_CHALLENGE_ERROR", None, handoff=handoff,
                              note="a registry does not redirect /v2/ (a proxy or captive portal may be answering), "
                                   "and the redirect is not followed", network=answers.network(ctx, given))
    if refused:
        return refused
    if status == 403:
        return failed(answers.FORBIDDEN, "{} answered 403 Forbidden: {}".format(url, res.excerpt()),
                      handoff=handoff, **found)
    if status == 200:
        return failed("CONNECTIVITY_CHALLENGE_ERROR",
                      "{} answered 200 without a challenge: anonymous access, or not a registry".format(url),
                      handoff=handoff, **found)
    if status != 401:
        fix = ("the registry or a gateway in front of it failed: retry in a few minutes, and check "
               "https://azure.status.microsoft for incidents; quote the correlation id if you open a support "
               "request" if status >= 500 else None)
        return failed("CONNECTIVITY_CHALLENGE_ERROR", "{} answered {} instead of a challenge: {}".format(
            url, status, res.excerpt() or "(empty body)"), fix=fix, handoff=handoff, **found)
    header = res.header("www-authenticate")
    if not header:
        return failed("CONNECTIVITY_CHALLENGE_ERROR", "{} answered 401 without a WWW-Authenticate "
                      "challenge".format(url), handoff=handoff, **found)
    bearer = www_authenticate.bearer(header)
    realm = bearer.params.get("realm") if bearer else None
    service = bearer.params.get("service") if bearer else None
    if not realm or not service:
        return failed("CONNECTIVITY_AAD_LOGIN_ERROR",
                      "{} challenged with '{}', not a Bearer challenge with realm and service".format(
                          url, www_authenticate.describe(header)),
                      handoff=handoff, challenge=www_authenticate.describe(header), **found)
    handoff.update(realm=realm, service=service)
    return passed("{} answered 401 with a Bearer challenge (token server {})".format(url, realms.describe(realm)),
                  handoff=handoff, realm=realm, service=service, **details)


def _transport_failure(ctx, server, url, res):
    proxy = res.proxy
    via = "; proxy {} is in effect".format(proxy) if proxy else ""
    details = {"url": url, "error": res.error, "reason": res.reason}
    if proxy:
        details["proxy"] = proxy
    if res.error == "ssl":
        cert = ctx.edges.peer_certificate(url)
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


# ---------------------------------------------------------------- clock

def clock_skew(_ctx, given):
    found = given["challenge"]
    text = found.get("date")
    try:
        registry_time = parsedate_to_datetime(text).timestamp() if text else None
    except (TypeError, ValueError, IndexError, OverflowError):
        registry_time = None
    if registry_time is None:
        return skipped("the registry sent no readable Date header ({!r})".format((text or "")[:40]))
    skew = found["received"] - registry_time
    details = {"registryDate": text, "skewSeconds": round(skew, 1)}
    if abs(skew) > MAX_SKEW:
        return warning("local clock is {:.0f} s {} the registry's".format(abs(skew), "ahead of" if skew > 0
                                                                        else "behind"),
                       code="CLOCK_SKEW_WARNING", **details)
    return passed("local clock within {:.0f} s of the registry's".format(max(abs(skew), 1)), **details)
