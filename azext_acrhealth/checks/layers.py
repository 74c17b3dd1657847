"""--image, the layers: the config blob downloaded the way `docker pull` downloads it, through the registry's
redirect (followed once, without the Authorization header, and only to the cloud's data endpoint or storage
hosts: redirects.layer_hop), its digest verified; then the download speed from that host (report only).

A storage URL carries a signature in its query: reports name the host, never the URL. Every body is bounded;
nothing is written anywhere.
"""

import dataclasses
from urllib.parse import urlsplit

from .. import redirects
from ..outcome import failed, passed, skipped, warning
from . import answers, dns
from .image import TRANSPORT_FIX, digest_of, error_text, megabytes, registry_name, short

CONFIG_LIMIT = 4 << 20        # bytes of a config blob read and verified
SAMPLE_BYTES = 4 << 20        # the throughput sample: the first 4 MiB of the largest layer at most ...
SAMPLE_SECONDS = 5.0          # ... within this many seconds at most


@dataclasses.dataclass
class _Blob:
    """A blob GET through the registry: the final answer, the host that served it, or why it failed."""
    res: object = None            # the HttpResult that holds the body
    host: str = None              # who served it: the login server or the redirect's host
    kind: str = "registry"        # "registry", redirects.DATA_ENDPOINT or redirects.STORAGE
    hop: object = None            # redirects.Hop when the registry redirected
    problem: str = None           # why the download failed (a sentence, no URL query in it)
    fix: str = None
    details: dict = dataclasses.field(default_factory=dict)
    commands: tuple = ()          # exact commands that apply the fix
    outcome: object = None        # a ready outcome from answers.refusal (throttling, ...)


def _fetch_blob(ctx, access, digest, headers=None, max_body=None, timeout=None):
    """GET a blob at the registry with the token; follow a redirect once, without it, to an allowed host."""
    server = access["origin"].netloc
    url = access["origin"].url("/v2/{}/blobs/{}".format(ctx.options.image.repository, digest))
    sent = dict(headers or {}, Authorization="Bearer " + access["token"])
    res = ctx.edges.get(url, headers=sent, max_body=max_body, timeout=timeout)
    if not res.ok:
        return _Blob(res, server, problem="GET {} at {}: {} ({})".format(short(digest), server, res.cause,
                                                                        res.reason),
                     fix=TRANSPORT_FIX.get(res.error), details={"error": res.error})
    if res.status in (200, 206):
        return _Blob(res, server)
    if res.status not in (301, 302, 303, 307, 308):
        refused = answers.refusal(res, "LAYER_DOWNLOAD_ERROR", "the blob " + short(digest),
                                  network=access.get("network"))
        return _Blob(res, server, outcome=refused, details=answers.details(res),
                     problem="{} answered {} for the blob {}: {}".format(server, res.status, short(digest),
                                                                        error_text(res)))
    location = res.header("location")
    hop, why = redirects.layer_hop(location, url, ctx.account.acr_suffix(), ctx.account.storage_suffix())
    if hop is None:
        host = redirects.describe(location, url)
        return _Blob(res, host, kind="refused", details={"redirectHost": host, "status": res.status},
                     problem="{} redirected the download to {}, which was refused ({}); it was not followed, so "
                             "nothing went there".format(server, host, why),
                     fix="something between here and the registry rewrites its answers (a proxy or gateway?): a "
                         "registry redirects layers only to its data endpoints or to blob storage; let its answers "
                         "through unchanged")
    # No Authorization here: the redirect's URL carries its own short-lived grant.
    hop_res = ctx.edges.get(hop.url, headers=headers, max_body=max_body, timeout=timeout)
    return _read_hop(ctx, access, hop, hop_res)


def _read_hop(ctx, access, hop, res):
    blob = _Blob(res, hop.host, kind=hop.kind, hop=hop, details={"host": hop.host, "hostKind": hop.kind})
    shown = _without_query(res, hop)
    what = "{} ({})".format(hop.host, hop.kind)
    if not res.ok:
        reason = _redact(res.reason, hop)
        blob.details.update(error=res.error, reason=reason)
        if res.proxy:
            blob.details["proxy"] = res.proxy
        if res.error in ("connect", "error", "reset") and not res.proxy:
            found = ctx.edges.resolve(hop.origin.host)
            if not found.ok:
                blob.problem = "{} ({}) does not resolve: {}".format(hop.origin.host, hop.kind,
                                                                    found.reason or found.error)
                blob.fix = _dns_fix(ctx, hop)
                blob.details["error"] = "dns"
                return blob
            blob.details["addresses"] = list(found.addresses)
        seen = ""
        if res.error == "ssl":
            cert = ctx.edges.peer_certificate(hop.origin.url("/"))
            if cert:
                seen = "; the certificate presented is for {} issued by {}".format(
                    ", ".join(cert.names) or cert.subject, cert.issuer)
                blob.details.update(certificateIssuer=cert.issuer, certificateNames=list(cert.names))
        blob.problem = "download from {}: {} ({}){}".format(what, res.cause, reason, seen)
        blob.fix = _hop_fix(ctx, hop, res)
        return blob
    blob.details["status"] = res.status
    if res.status in (200, 206):
        return blob
    if 300 <= res.status < 400:
        blob.problem = "{} answered {} with another redirect (to {}); a registry's download is redirected once, so " \
                       "it was not followed".format(what, res.status, redirects.describe(res.header("location"),
                                                                                        hop.url))
        return blob
    if res.status == 403 and hop.kind == redirects.DATA_ENDPOINT:
        mismatch = _private_dns_mismatch(ctx, access, hop)
        if mismatch:
            blob.problem = "{} answered 403: {}; {}".format(what, error_text(res), mismatch[0])
            blob.fix = mismatch[1]
            return blob
    refused = answers.refusal(shown, "LAYER_DOWNLOAD_ERROR", "the download from " + hop.host,
                              network=access.get("network"))
    blob.problem = "{} answered {}: {}".format(what, res.status, error_text(shown))
    blob.fix = _status_fix(ctx, hop, res.status)
    if refused is not None and refused.code == answers.FORBIDDEN:
        # A blocked layer download keeps its own code; the firewall reading, which compares the address with
        # the registry's rules, lends its fix and its command.
        blob.fix = "the registry's firewall covers its data endpoints too: {}".format(refused.fix) \
            if refused.fix else blob.fix
        blob.commands = refused.commands
        blob.details.update({k: v for k, v in refused.details.items() if k in ("clientIp", "allowedBy", "proxy")})
        return blob
    blob.outcome = refused
    return blob


def _without_query(res, hop):
    """The hop's answer as a report may show it: its URL without the signed query."""
    parts = urlsplit(hop.url)
    return dataclasses.replace(res, url=hop.origin.url(parts.path), reason=_redact(res.reason, hop))


def _redact(text, hop):
    query = urlsplit(hop.url).query
    return text.replace(query, "…") if isinstance(text, str) and query else text


def _label(hop):
    """The data endpoint's record name in the private DNS zone: myreg.westus.data (host minus the suffix)."""
    registry_suffix = hop.suffix[len("data."):]
    return hop.origin.host[:-len(registry_suffix) - 1], "privatelink." + registry_suffix


def _dns_fix(ctx, hop):
    if hop.kind == redirects.DATA_ENDPOINT:
        record, zone = _label(hop)
        return ("{} is the registry's data endpoint, from which layers download: with a private endpoint, add the "
                "record {} to the private DNS zone {} linked to this network (or to the DNS server this machine "
                "uses); without one, make this machine's DNS resolve *.{}".format(hop.host, record, zone, hop.suffix))
    return ("{} is the blob storage that holds the registry's layers: make this machine's DNS (or its proxy) resolve "
            "*.{}".format(hop.host, hop.suffix))


def _hop_fix(ctx, hop, res):
    if res.error == "proxy":
        return "the proxy in effect did not get through to {0}: allow {0} (*.{1}) in the proxy, or add it to " \
               "NO_PROXY".format(hop.host, hop.suffix)
    if res.error == "ssl":
        return ("a proxy or firewall that inspects HTTPS presents its own certificate for {}: add its CA to "
                "REQUESTS_CA_BUNDLE and to the Docker daemon's trust, or exempt *.{} from inspection".format(
                    hop.host, hop.suffix))
    if hop.kind == redirects.DATA_ENDPOINT:
        return ("allow outbound HTTPS (443) to {} in the firewall or proxy between here and Azure: a data endpoint "
                "needs a rule of its own (*.{}), the login server's is not enough".format(hop.host, hop.suffix))
    name = registry_name(ctx)
    return ("allow outbound HTTPS (443) to {} (*.{}) in the firewall or proxy between here and Azure, or enable the "
            "registry's dedicated data endpoints{} and allow those instead".format(
                hop.host, hop.suffix, " (az acr update -n {} --data-endpoint-enabled true)".format(name) if name
                else ""))


def _status_fix(ctx, hop, status):
    name = registry_name(ctx)
    if status == 403 and hop.kind == redirects.DATA_ENDPOINT:
        return ("the registry's firewall covers its data endpoints too: allow this machine's public address "
                "({}), or reach {} through the registry's private endpoint".format(
                    "az acr network-rule add -n {} --ip-address <address>".format(name) if name
                    else "az acr network-rule add", hop.host))
    if status == 403:
        return ("blob storage refused the download: a proxy or firewall policy between here and {} blocks it, or the "
                "signed URL is not valid yet or any more (check this machine's clock)".format(hop.host))
    return None


def _private_dns_mismatch(ctx, access, hop):
    """(what was found, the fix) when the login server resolves to a private address and the data endpoint
    to a public one: the private DNS zone lacks the data endpoint's record. None otherwise."""
    here = ctx.edges.resolve(hop.origin.host)
    registry = ctx.edges.resolve(access["origin"].host)
    kinds = {dns.address_kind(a) for a in here.addresses}
    if not (here.ok and registry.ok and kinds == {"public"} and
            any(dns.address_kind(a) == "private" for a in registry.addresses)):
        return None
    record, zone = _label(hop)
    return ("{} resolves to the public address {} while the login server resolves to the private address {}".format(
        hop.origin.host, here.addresses[0], registry.addresses[0]),
        "add the record {} (the private endpoint's address for the data endpoint) to the private DNS zone {} linked "
        "to this network: traffic to the data endpoint leaves the private link, and the firewall refuses it".format(
            record, zone))


def layer_download(ctx, given):
    """The image's config blob, through the redirect, with its digest checked."""
    manifest, access = given["image_manifest"], given["image_access"]
    config = manifest["config"]
    digest, size = config["digest"], config["size"]
    partial = size is not None and size > CONFIG_LIMIT
    blob = _fetch_blob(ctx, access, digest, headers={"Range": "bytes=0-{}".format(CONFIG_LIMIT - 1)} if partial
                       else None, max_body=CONFIG_LIMIT)
    details = dict(blob.details, blob=digest, host=blob.host, hostKind=blob.kind)
    if blob.outcome is not None:
        return blob.outcome
    if blob.problem:
        return failed("LAYER_DOWNLOAD_ERROR", blob.problem, fix=blob.fix, commands=blob.commands, **details)
    body = blob.res.body
    via = "{} ({})".format(blob.host, blob.kind if blob.kind != "registry" else "the registry itself")
    if not partial:
        if size is not None and len(body) != size:
            return failed("LAYER_DOWNLOAD_ERROR", "{} sent {} bytes of the config blob {}, which has {}: the download "
                          "was cut short or altered".format(via, len(body), short(digest), size), **details)
        if digest_of(body, digest.split(":")[0]) != digest:
            return failed("LAYER_DOWNLOAD_ERROR", "the bytes {} sent for {} do not match that digest: something "
                          "between here and {} altered them (a proxy?)".format(via, short(digest), blob.host),
                          fix="let downloads from {} through unchanged (no content rewriting or inspection)".format(
                              blob.host), **details)
    parsed = blob.res.json() if not partial else None
    handoff = {"host": blob.host, "config": parsed if isinstance(parsed, dict) else None}
    what = "digest verified" if not partial else "first {} read".format(megabytes(len(body)))
    return passed("config blob {} ({}) from {}, {}".format(short(digest), megabytes(len(body)), via, what),
                  handoff=handoff, bytes=len(body), **details)


def layer_throughput(ctx, given):
    """Report only: the first 4 MiB (at most) of the largest layer, timed, from the host that serves it."""
    manifest, access = given["image_manifest"], given["image_access"]
    layers = [layer for layer in manifest["layers"] if layer["size"]]
    if not layers:
        return skipped("the image has no layers to time")
    largest = max(layers, key=lambda layer: layer["size"])
    wanted = min(largest["size"], SAMPLE_BYTES)
    seconds = min(ctx.timeout, SAMPLE_SECONDS)
    blob = _fetch_blob(ctx, access, largest["digest"], headers={"Range": "bytes=0-{}".format(wanted - 1)},
                       max_body=wanted, timeout=seconds)
    details = dict(blob.details, blob=largest["digest"], host=blob.host, hostKind=blob.kind)
    if blob.outcome is not None or blob.problem:
        problem = blob.problem or blob.outcome.message
        if blob.res is not None and blob.res.error == "timeout":
            problem = "less than {} in {:g} s from {}: under {:.2f} MB/s".format(
                megabytes(wanted), seconds, blob.host, wanted / seconds / 1e6)
        return warning(problem, **details)
    res = blob.res
    took = max(res.duration, 1e-6)
    rate = len(res.body) / took / 1e6
    return passed("{:.1f} MB/s from {} ({} of layer {} in {:.2f} s)".format(
        rate, blob.host, megabytes(len(res.body)), short(largest["digest"]), took),
        bytes=len(res.body), seconds=round(took, 3), megabytesPerSecond=round(rate, 2), **details)

