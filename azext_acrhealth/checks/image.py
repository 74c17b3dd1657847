"""The user's own image (--image), fetched the way `docker pull` fetches it, without Docker: pull
permission on its repository, its manifest, a download of its config blob from the host the registry
redirects to, the platform the local daemon asks for, and the download speed from that host.

Where things go: the repository's access token only to the registry's own origin (the login server);
the registry's redirect is followed once, without the Authorization header, and only to the cloud's data
endpoint or storage hosts (redirects.layer_hop). A storage URL carries a signature in its query: reports
name the host, never the URL. Every body is bounded; nothing is written anywhere.
"""

import dataclasses
import difflib
import hashlib
import re
from urllib.parse import urlsplit

from .. import fix_commands, jwt_claims, login_servers, redirects
from ..account import LoginError
from ..credentials import is_guid
from ..outcome import failed, passed, skipped, warning
from ..text import one_line, plural, scrub
from . import answers, arm, dns, tokens

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))   # what docker asks for
MEDIA_NAMES = {OCI_INDEX: "OCI image index", DOCKER_LIST: "Docker manifest list", OCI_MANIFEST: "OCI image manifest",
               DOCKER_MANIFEST: "Docker image manifest"}

MANIFEST_LIMIT = 4 << 20      # bytes: registries refuse larger manifests
CONFIG_LIMIT = 4 << 20        # bytes of a config blob read and verified
TAGS_LIMIT = 256 << 10        # bytes of a tag list read
SAMPLE_BYTES = 4 << 20        # the throughput sample: the first 4 MiB of the largest layer at most ...
SAMPLE_SECONDS = 5.0          # ... within this many seconds at most
MAX_TAGS = 5
DEFAULT_PLATFORM = "linux/amd64"
NOT_FOUND = ("MANIFEST_UNKNOWN", "NAME_UNKNOWN")
ROLE_READER = "Container Registry Repository Reader"
_DIGEST = re.compile(r"^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")


# ---------------------------------------------------------------- repository access

def image_access(ctx, given):
    """An access token for repository:<repo>:pull, with the credential the registry checks used: the CLI's
    identity through its refresh token, or the user name and password given with -u."""
    image = ctx.options.image
    scope = "repository:{}:pull".format(image.repository)
    if "credentials" in given:
        from . import credentials
        found = given["credentials"]
        url = found["origin"].url("/oauth2/token")
        res = credentials.request_token(ctx, found["origin"], found["service"], scope, found["credential"])
        secrets = found["credential"].secrets()
    else:
        refresh = given["refresh_token"]
        url = refresh["origin"].url("/oauth2/token")
        res = ctx.edges.post(url, data={"grant_type": "refresh_token", "service": refresh["service"],
                                       "scope": scope, "refresh_token": refresh["refresh_token"]})
        secrets = (refresh["refresh_token"],)
    token, outcome = tokens.read_token(res, "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR",
                                       "access token for " + scope, secrets=secrets)
    if outcome:
        return outcome
    # The token goes to the registry's own origin only, built from the login server the DNS check resolved.
    handoff = {"token": token, "origin": login_servers.login_server_origin(given["login_server"]["login_server"]),
               # The registry's network rules, for the firewall finding of a later step's 403.
               "network": answers.network(ctx, given)}
    details = {"url": url, "scope": scope, "repository": image.repository}
    claims = jwt_claims.claims(token)
    if claims is None:
        return warning("{} issued a token for {} that is not a JWT, so what it grants cannot be read; the "
                       "manifest request tells".format(url, scope), handoff=handoff, **details)
    granted = jwt_claims.granted_actions(claims, "repository", image.repository)
    if "pull" in granted or "*" in granted:
        return passed("pull granted on repository '{}'".format(image.repository), handoff=handoff,
                      granted=sorted(granted), **details)
    return _no_pull(ctx, given, sorted(granted), details)


def _no_pull(ctx, given, granted, details):
    if "credentials" in given:
        return _credential_no_pull(ctx, given, granted, details)
    repository = ctx.options.image.repository
    aad = given["aad_token"]
    who = _identity(aad.get("token"))
    object_id, kind = aad.get("principal") or (None, None)
    registry = _registry_resource(ctx, given)
    props = arm.properties(registry)
    rid = registry.get("id") if isinstance(registry, dict) else None
    abac = "abac" in str(props.get("roleAssignmentMode") or "").lower()
    name = _registry_name(ctx, registry)
    where = "registry {}".format(name) if name else "the registry"
    message = "{} has no pull permission on repository '{}' (the token grants {})".format(
        who, repository, ", ".join(granted) or "nothing")
    details = dict(details, granted=granted, identity=who, roleAssignmentMode=props.get("roleAssignmentMode"))
    # The same command, built and quoted by the same rules, as the access token check's.
    if abac:
        # ABAC mode: AcrPull is not honoured; a repository role with a condition on the repository is.
        fix = ("{} uses ABAC repository permissions, where AcrPull is not honoured: assign {} the role '{}' on "
               "it, with a condition that limits it to repository '{}'".format(where, who, ROLE_READER, repository))
        command = fix_commands.role_assignment(ROLE_READER, object_id, kind, rid, repository)
    else:
        fix = "assign {} the AcrPull role on {}".format(who, where)
        command = fix_commands.role_assignment("AcrPull", object_id, kind, rid)
    if not command:
        fix += " (scope: the registry's resource ID{})".format(
            ", from `az acr show -n {} --query id -o tsv`".format(name) if name else "")
    return failed("REPOSITORY_PERMISSION_ERROR", message, fix=fix, commands=[command] if command else [], **details)


def _credential_no_pull(ctx, given, granted, details):
    """No pull for the user name and password of -u: what to change depends on what they are."""
    from ..credentials import ADMIN, SERVICE_PRINCIPAL, TOKEN
    repository = ctx.options.image.repository
    cred = given["credentials"]["credential"]
    who = cred.describe()
    message = "{} has no pull permission on repository '{}' (the token grants {})".format(
        who, repository, ", ".join(granted) or "nothing")
    details = dict(details, granted=granted, kind=cred.kind, user=cred.user)
    registry = _registry_resource(ctx, given)
    name = _registry_name(ctx, registry)
    rid = registry.get("id") if isinstance(registry, dict) else None
    commands = []
    if cred.kind == TOKEN and cred.token_name:
        scope_map = _scope_map(ctx, rid, cred.token_name)
        fix = "add repository '{}' with content/read and metadata/read to the scope map {}of token '{}'".format(
            repository, "'{}' ".format(scope_map) if scope_map else "", cred.token_name)
        commands = [fix_commands.scope_map_add_repository(scope_map, name, repository)]
        if not commands[0]:
            commands = ["az acr token show -n {} -r {} --query scopeMapId -o tsv".format(cred.token_name, name)] \
                if name else []
    elif cred.kind == SERVICE_PRINCIPAL:
        abac = "abac" in str(arm.properties(registry).get("roleAssignmentMode") or "").lower()
        role = ROLE_READER if abac else "AcrPull"
        fix = "assign {} the role '{}' on the registry{}".format(
            who, role, ", with a condition that limits it to repository '{}'".format(repository) if abac else "")
        commands = [fix_commands.role_assignment(role, None, None, rid, repository if abac else None,
                                                 app_id=cred.user)]
    elif cred.kind == ADMIN:
        fix = "the admin user may pull every repository: check that '{}' is this registry's admin user".format(
            cred.user)
    else:
        fix = "use a credential that may pull repository '{}': a token whose scope map includes it, or a service " \
              "principal with the AcrPull role".format(repository)
    return failed("REPOSITORY_PERMISSION_ERROR", message, fix=fix, commands=[c for c in commands if c], **details)


def _scope_map(ctx, rid, token):
    """The name of a token's scope map, from its ARM resource; None when it cannot be read."""
    if not fix_commands.registry_id(rid):
        return None
    body, _ = arm.get(ctx, "{}/tokens/{}".format(rid, token), arm.API_REGISTRIES)
    scope_map = arm.properties(body).get("scopeMapId")
    name = scope_map.rstrip("/").rsplit("/", 1)[-1] if isinstance(scope_map, str) else ""
    return name if re.fullmatch(r"[\w-]{1,50}", name, re.ASCII) else None


def _identity(aad_token):
    """How to name the identity in a report, from the AAD token's claims."""
    claims = jwt_claims.claims(aad_token) or {}
    oid, appid = claims.get("oid"), claims.get("appid") or claims.get("azp")
    user = next((claims[k] for k in ("upn", "unique_name", "preferred_username") if isinstance(claims.get(k), str)),
                None)
    if user:
        who = "user {}".format(one_line(user, 100))
    elif isinstance(appid, str) and appid:
        who = "application {}".format(one_line(appid, 60))
    else:
        who = "the signed-in identity"
    if is_guid(oid):
        who += " (object ID {})".format(oid)
    return who


def _registry_resource(ctx, given):
    """The registry's ARM resource: from the login server look-up, else one look-up now (failure path
    only); None when it cannot be read."""
    resource = given.get("registry_resource")
    if resource:
        return resource.get("registry")
    found = given["login_server"]
    if found.get("looked_up"):
        return found.get("registry")
    try:
        registry, _, _ = arm.find_registry(ctx, login_server=found["login_server"])
    except LoginError:
        return None
    return registry


def _registry_name(ctx, registry=None):
    """The registry's name for a command line, validated; None when unknown."""
    name = ctx.options.registry_name
    if not name and isinstance(registry, dict):
        name = registry.get("name")
    return fix_commands.registry_name(name)


# ---------------------------------------------------------------- manifest

def image_manifest(ctx, given):
    """GET the manifest as docker does; for an index, the manifest of the daemon's platform too."""
    image, access = ctx.options.image, given["image_access"]
    wanted, source = _wanted_platform(given.get("docker_version"))
    res = _get_manifest(ctx, access, image.reference)
    if not res.ok:
        return failed("IMAGE_MANIFEST_ERROR", "{}: {} ({})".format(res.url, res.cause, res.reason),
                      fix=_TRANSPORT_FIX.get(res.error), url=res.url, error=res.error)
    if res.status != 200:
        return _manifest_refused(ctx, access, image, res)
    top, why = _read_manifest(res, image.digest)
    if why:
        return failed("IMAGE_MANIFEST_ERROR", "{}: {}".format(res.url, why), **answers.details(res))
    handoff = {"wanted": wanted, "source": source, "digest": top["digest"], "index": None, "matched": None}
    details = {"url": res.url, "mediaType": top["mediaType"], "digest": top["digest"], "platformWanted": wanted}
    text = "{}: {} {}".format(image, MEDIA_NAMES.get(top["mediaType"], top["mediaType"]), _short(top["digest"]))
    chosen = top
    if top["kind"] == "index":
        entries = top["entries"]
        if not entries:
            return failed("IMAGE_MANIFEST_ERROR", "{}: the index lists no manifest with a valid digest".format(res.url),
                          **details)
        matched = next((e for e in entries if _same_platform(e["platform"], wanted)), None)
        # Without a match, some manifest still proves the layer path; the Platform check reports the miss.
        pick = matched or next((e for e in entries if e["platform"] != "unknown/unknown"), entries[0])
        child = _get_manifest(ctx, access, pick["digest"])
        if not child.ok or child.status != 200:
            what = "{} ({})".format(child.cause, child.reason) if not child.ok else "answered {}: {}".format(
                child.status, _error_text(child))
            return failed("IMAGE_MANIFEST_ERROR", "{}: the index names {} for {}, but its GET {}".format(
                res.url, _short(pick["digest"]), pick["platform"], what), url=child.url, status=child.status)
        chosen, why = _read_manifest(child, pick["digest"])
        if not why and chosen["kind"] != "image":
            why = "it is not an image manifest ({})".format(chosen["mediaType"])
        if why:
            return failed("IMAGE_MANIFEST_ERROR", "{}: the manifest for {}: {}".format(
                child.url, pick["platform"], why), url=child.url)
        platforms = [e["platform"] for e in entries if e["platform"] != "unknown/unknown"]
        handoff.update(index=platforms, matched=matched is not None)
        details.update(platforms=platforms, platformManifest=pick["digest"])
        text += " of {} ({}); {} manifest {}".format(plural(len(platforms), "platform"), ", ".join(platforms[:6]) +
                                                     (", …" if len(platforms) > 6 else ""), pick["platform"],
                                                     _short(pick["digest"]))
    handoff.update(config=chosen["config"], layers=chosen["layers"])
    size = sum(layer["size"] or 0 for layer in chosen["layers"])
    details.update(layers=len(chosen["layers"]), layersBytes=size)
    text += ", {}, {}".format(plural(len(chosen["layers"]), "layer"), _megabytes(size))
    return passed(text, handoff=handoff, **details)


def _get_manifest(ctx, access, reference):
    url = access["origin"].url("/v2/{}/manifests/{}".format(ctx.options.image.repository, reference))
    return ctx.edges.get(url, headers={"Authorization": "Bearer " + access["token"], "Accept": ACCEPT},
                         max_body=MANIFEST_LIMIT)


def _read_manifest(res, expected=None):
    """(the manifest's parts, None) from a 200 answer, or (None, why it cannot be used)."""
    if res.truncated:
        return None, "the manifest is larger than {}".format(_megabytes(MANIFEST_LIMIT))
    digest = _digest_of(res.body, "sha256")
    if expected and digest != expected:
        return None, ("its content has digest {}, not the {} asked for: something between here and the registry "
                      "altered it".format(digest, expected))
    stated = res.header("docker-content-digest")
    if not expected and isinstance(stated, str) and _DIGEST.match(stated) and \
            _digest_of(res.body, stated.split(":")[0]) != stated:
        return None, ("its content does not match the Docker-Content-Digest the registry sent ({}): something between "
                      "here and the registry altered it".format(stated))
    doc = res.json()
    if not isinstance(doc, dict):
        kind = (res.header("content-type") or "no content type").split(";")[0]
        return None, "the answer is not a JSON manifest ({}): {}".format(kind, res.excerpt() or "(empty body)")
    media = doc.get("mediaType") if isinstance(doc.get("mediaType"), str) else \
        (res.header("content-type") or "").split(";")[0].strip()
    parts = {"digest": digest, "mediaType": media}
    if media in (OCI_INDEX, DOCKER_LIST) or ("manifests" in doc and "config" not in doc):
        entries = [{"digest": m["digest"], "platform": _platform(m.get("platform"))}
                   for m in doc.get("manifests") or () if isinstance(m, dict) and _valid_digest(m.get("digest"))]
        return dict(parts, kind="index", entries=entries), None
    config = doc.get("config")
    if not isinstance(config, dict) or not _valid_digest(config.get("digest")):
        return None, "a {} manifest without a config blob that has a valid digest".format(media or "untyped")
    layers = [_descriptor(layer) for layer in doc.get("layers") or () if isinstance(layer, dict)]
    if any(layer is None for layer in layers):
        return None, "a layer of the manifest has no valid digest"
    return dict(parts, kind="image", config=_descriptor(config), layers=layers), None


def _descriptor(value):
    if not _valid_digest(value.get("digest")):
        return None
    size = value.get("size")
    return {"digest": value["digest"], "size": size if isinstance(size, int) and size >= 0 else None,
            "mediaType": value.get("mediaType") if isinstance(value.get("mediaType"), str) else None}


def _manifest_refused(ctx, access, image, res):
    refused = answers.refusal(res, "IMAGE_MANIFEST_ERROR", "the manifest of {}".format(image),
                              network=access.get("network"))
    if refused:
        return refused
    found = answers.details(res)
    code = _error_code(res)
    if res.status == 404 and code in NOT_FOUND:
        return _not_found(ctx, access, image, res, code, found)
    fix = ("the registry failed: retry in a few minutes; quote the correlation id if you open a support request"
           if res.status >= 500 else None)
    return failed("IMAGE_MANIFEST_ERROR", "{} answered {}: {}".format(res.url, res.status, _error_text(res)), fix=fix,
                  **found)


def _not_found(ctx, access, image, res, code, found):
    name = _registry_name(ctx)
    server = access["origin"].netloc
    if code == "NAME_UNKNOWN":
        return failed("IMAGE_NOT_FOUND_ERROR", "repository '{}' does not exist in {} ({})".format(
            image.repository, server, code),
            fix="check the repository's name (docker reports this as 'not found' or 'unauthorized'), or push the image",
            commands=["az acr repository list -n {} -o table".format(name)] if name else [], errorCode=code, **found)
    tags, why = _tags(ctx, access, image)
    what = "no manifest {}".format(image.digest) if image.digest else "no tag '{}'".format(image.reference)
    if tags:
        listing = "; tags it has include: {}".format(", ".join(tags))
    elif tags is not None:
        listing = "; it has no tags"
    else:
        listing = "; its tags could not be listed ({})".format(why)
    message = "repository '{}' in {} has {} ({}){}".format(image.repository, server, what, code, listing)
    fix = "pull one of the tags it has, or push {}:{}".format(image.repository, image.tag) if image.tag and \
        not image.digest else "check the digest, or pull by tag"
    return failed("IMAGE_NOT_FOUND_ERROR", message, fix=fix, errorCode=code, tags=tags or [],
                  commands=["az acr repository show-tags -n {} --repository {} -o table".format(
                      name, image.repository)] if name else [], **found)


def _tags(ctx, access, image):
    """(up to MAX_TAGS tags of the repository, closest to the one asked for first; or None, why not)."""
    url = access["origin"].url("/v2/{}/tags/list?n=100".format(image.repository))
    res = ctx.edges.get(url, headers={"Authorization": "Bearer " + access["token"]}, max_body=TAGS_LIMIT,
                        timeout=min(ctx.timeout, SAMPLE_SECONDS))
    if not res.ok:
        return None, res.cause
    body = res.json() if res.status == 200 else None
    listed = body.get("tags") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        return None, "HTTP {}".format(res.status) if res.status != 200 else "the answer is not a tag list"
    tags = sorted({t for t in listed if isinstance(t, str) and re.match(r"^[\w][\w.-]{0,127}$", t)})
    close = difflib.get_close_matches(image.tag or "", tags, n=MAX_TAGS, cutoff=0.0) if image.tag else []
    return (close + [t for t in tags if t not in close])[:MAX_TAGS], None


def _error_code(res):
    body = res.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return first.get("code") if isinstance(first.get("code"), str) else None


def _error_text(res):
    """The registry's {"errors":[{"code","message"}]} in one line, or an excerpt of the body."""
    body = res.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if first:
        return one_line(scrub("{} {}".format(first.get("code") or "", first.get("message") or "")), 200)
    return res.excerpt() or "(empty body)"


# ---------------------------------------------------------------- platform

def _wanted_platform(version):
    """(the platform docker pull asks for, where that came from)."""
    platform = version.get("platform") if version else None
    if isinstance(platform, str) and re.match(r"^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$", platform):
        return platform, "the Docker daemon"
    return DEFAULT_PLATFORM, "assumed: Docker did not say"


def _platform(value):
    value = value if isinstance(value, dict) else {}
    parts = [value.get("os"), value.get("architecture")]
    if not all(isinstance(p, str) and p for p in parts):
        return "unknown/unknown"
    if isinstance(value.get("variant"), str) and value["variant"]:
        parts.append(value["variant"])
    return "/".join(one_line(p, 40) for p in parts)


def _same_platform(platform, wanted):
    """os and architecture agree (the daemon does not report a variant)."""
    return platform.split("/")[:2] == wanted.split("/")[:2]


def image_platform(ctx, given):
    """For an index, the daemon's platform must be among the image's; for a single manifest, its config's."""
    manifest = given["image_manifest"]
    wanted, source = manifest["wanted"], manifest["source"]
    image = ctx.options.image
    details = {"platformWanted": wanted, "platformSource": source}
    fix = ("build the image for {0} as well and push it (docker buildx build --platform {0},... --push), or pull "
           "it on a machine of a platform it has".format(wanted))
    if manifest["index"] is not None:
        platforms = manifest["index"]
        details["platforms"] = platforms
        if manifest["matched"]:
            return passed("{} ({}) is one of the image's platforms: {}".format(wanted, source, ", ".join(platforms)),
                          **details)
        return warning("{} has no manifest for {} ({}); it has: {}".format(image, wanted, source,
                                                                          ", ".join(platforms) or "none"),
                       code="IMAGE_PLATFORM_WARNING", fix=fix, **details)
    config = (given.get("layer_download") or {}).get("config")
    if config is None:
        return skipped("a single-platform image whose config was not read: its platform is unknown", **details)
    platform = _platform(config)
    details["platform"] = platform
    if platform == "unknown/unknown" or _same_platform(platform, wanted):
        return passed("a single-platform image for {}; the daemon is {} ({})".format(platform, wanted, source),
                      **details)
    return warning("{} is built for {} only, and the daemon is {} ({}): docker pulls it, but its programs will not "
                   "run here".format(image, platform, wanted, source), code="IMAGE_PLATFORM_WARNING", fix=fix,
                   **details)


# ---------------------------------------------------------------- blobs: the download and its redirect

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
        return _Blob(res, server, problem="GET {} at {}: {} ({})".format(_short(digest), server, res.cause, res.reason),
                     fix=_TRANSPORT_FIX.get(res.error), details={"error": res.error})
    if res.status in (200, 206):
        return _Blob(res, server)
    if res.status not in (301, 302, 303, 307, 308):
        refused = answers.refusal(res, "LAYER_DOWNLOAD_ERROR", "the blob " + _short(digest),
                                  network=access.get("network"))
        return _Blob(res, server, outcome=refused, details=answers.details(res),
                     problem="{} answered {} for the blob {}: {}".format(server, res.status, _short(digest),
                                                                        _error_text(res)))
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
            blob.problem = "{} answered 403: {}; {}".format(what, _error_text(res), mismatch[0])
            blob.fix = mismatch[1]
            return blob
    refused = answers.refusal(shown, "LAYER_DOWNLOAD_ERROR", "the download from " + hop.host,
                              network=access.get("network"))
    blob.problem = "{} answered {}: {}".format(what, res.status, _error_text(shown))
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
    name = _registry_name(ctx)
    return ("allow outbound HTTPS (443) to {} (*.{}) in the firewall or proxy between here and Azure, or enable the "
            "registry's dedicated data endpoints{} and allow those instead".format(
                hop.host, hop.suffix, " (az acr update -n {} --data-endpoint-enabled true)".format(name) if name
                else ""))


def _status_fix(ctx, hop, status):
    name = _registry_name(ctx)
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


_TRANSPORT_FIX = {
    "timeout": "retry with a larger --timeout on a slow link; else check firewalls and proxies for outbound HTTPS to "
               "the registry",
    "proxy": "the proxy named by HTTPS_PROXY failed: check it, or add the registry to NO_PROXY",
}


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
                          "was cut short or altered".format(via, len(body), _short(digest), size), **details)
        if _digest_of(body, digest.split(":")[0]) != digest:
            return failed("LAYER_DOWNLOAD_ERROR", "the bytes {} sent for {} do not match that digest: something "
                          "between here and {} altered them (a proxy?)".format(via, _short(digest), blob.host),
                          fix="let downloads from {} through unchanged (no content rewriting or inspection)".format(
                              blob.host), **details)
    parsed = blob.res.json() if not partial else None
    handoff = {"host": blob.host, "config": parsed if isinstance(parsed, dict) else None}
    what = "digest verified" if not partial else "first {} read".format(_megabytes(len(body)))
    return passed("config blob {} ({}) from {}, {}".format(_short(digest), _megabytes(len(body)), via, what),
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
            problem = "less than {} in {:g} s from {}: under {:.2f} MB/s".format(_megabytes(wanted), seconds, blob.host,
                                                                              wanted / seconds / 1e6)
        return warning(problem, **details)
    res = blob.res
    took = max(res.duration, 1e-6)
    rate = len(res.body) / took / 1e6
    return passed("{:.1f} MB/s from {} ({} of layer {} in {:.2f} s)".format(
        rate, blob.host, _megabytes(len(res.body)), _short(largest["digest"]), took),
        bytes=len(res.body), seconds=round(took, 3), megabytesPerSecond=round(rate, 2), **details)


# ---------------------------------------------------------------- small helpers

def _valid_digest(value):
    return isinstance(value, str) and bool(_DIGEST.match(value))


def _digest_of(body, algorithm):
    return "{}:{}".format(algorithm, hashlib.new(algorithm, body).hexdigest())


def _short(digest):
    return digest[:19] + "…" if isinstance(digest, str) and len(digest) > 20 else str(digest)


def _megabytes(count):
    if count < 1000:
        return "{} B".format(count)
    if count < 1000 ** 2:
        return "{:.1f} kB".format(count / 1000)
    return "{:.1f} MB".format(count / 1000 ** 2)
