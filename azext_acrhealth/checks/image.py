"""The user's own image (--image), fetched the way `docker pull` fetches it, without Docker, in three
modules: image_access.py (a token that may pull the repository), this one (the manifest, and the platform
the local daemon asks for among the image's) and layers.py (the config blob through the registry's redirect,
and the download speed from that host); with the helpers they share.

The repository's access token goes only to the registry's own origin (the login server). Every body is
bounded; nothing is written anywhere.
"""

import difflib
import hashlib
import re

from .. import fix_commands
from ..outcome import failed, passed, skipped, warning
from ..text import one_line, plural, scrub
from . import answers

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_MANIFEST))   # what docker asks for
MEDIA_NAMES = {OCI_INDEX: "OCI image index", DOCKER_LIST: "Docker manifest list", OCI_MANIFEST: "OCI image manifest",
               DOCKER_MANIFEST: "Docker image manifest"}

MANIFEST_LIMIT = 4 << 20      # bytes: registries refuse larger manifests
TAGS_LIMIT = 256 << 10        # bytes of a tag list read
TAGS_SECONDS = 5.0            # the tag list's request, at most
MAX_TAGS = 5
DEFAULT_PLATFORM = "linux/amd64"
NOT_FOUND = ("MANIFEST_UNKNOWN", "NAME_UNKNOWN")
_DIGEST = re.compile(r"^(sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})$")


# ---------------------------------------------------------------- manifest

def image_manifest(ctx, given):
    """GET the manifest as docker does; for an index, the manifest of the daemon's platform too."""
    image, access = ctx.options.image, given["image_access"]
    wanted, source = _wanted_platform(given.get("docker_version"))
    res = _get_manifest(ctx, access, image.reference)
    if not res.ok:
        return failed("IMAGE_MANIFEST_ERROR", "{}: {} ({})".format(res.url, res.cause, res.reason),
                      fix=TRANSPORT_FIX.get(res.error), url=res.url, error=res.error)
    if res.status != 200:
        return _manifest_refused(ctx, access, image, res)
    top, why = _read_manifest(res, image.digest)
    if why:
        return failed("IMAGE_MANIFEST_ERROR", "{}: {}".format(res.url, why), **answers.details(res))
    handoff = {"wanted": wanted, "source": source, "digest": top["digest"], "index": None, "matched": None}
    details = {"url": res.url, "mediaType": top["mediaType"], "digest": top["digest"], "platformWanted": wanted}
    text = "{}: {} {}".format(image, MEDIA_NAMES.get(top["mediaType"], top["mediaType"]), short(top["digest"]))
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
                child.status, error_text(child))
            return failed("IMAGE_MANIFEST_ERROR", "{}: the index names {} for {}, but its GET {}".format(
                res.url, short(pick["digest"]), pick["platform"], what), url=child.url, status=child.status)
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
                                                     short(pick["digest"]))
    handoff.update(config=chosen["config"], layers=chosen["layers"])
    size = sum(layer["size"] or 0 for layer in chosen["layers"])
    details.update(layers=len(chosen["layers"]), layersBytes=size)
    text += ", {}, {}".format(plural(len(chosen["layers"]), "layer"), megabytes(size))
    return passed(text, handoff=handoff, **details)


def _get_manifest(ctx, access, reference):
    url = access["origin"].url("/v2/{}/manifests/{}".format(ctx.options.image.repository, reference))
    return ctx.edges.get(url, headers={"Authorization": "Bearer " + access["token"], "Accept": ACCEPT},
                         max_body=MANIFEST_LIMIT)


def _read_manifest(res, expected=None):
    """(the manifest's parts, None) from a 200 answer, or (None, why it cannot be used)."""
    if res.truncated:
        return None, "the manifest is larger than {}".format(megabytes(MANIFEST_LIMIT))
    digest = digest_of(res.body, "sha256")
    if expected and digest != expected:
        return None, ("its content has digest {}, not the {} asked for: something between here and the registry "
                      "altered it".format(digest, expected))
    stated = res.header("docker-content-digest")
    if not expected and isinstance(stated, str) and _DIGEST.match(stated) and \
            digest_of(res.body, stated.split(":")[0]) != stated:
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
        listed = doc.get("manifests") if isinstance(doc.get("manifests"), list) else ()
        entries = [{"digest": m["digest"], "platform": _platform(m.get("platform"))}
                   for m in listed if isinstance(m, dict) and valid_digest(m.get("digest"))]
        return dict(parts, kind="index", entries=entries), None
    config = doc.get("config")
    if not isinstance(config, dict) or not valid_digest(config.get("digest")):
        return None, "a {} manifest without a config blob that has a valid digest".format(media or "untyped")
    listed = doc.get("layers") if isinstance(doc.get("layers"), list) else ()
    layers = [_descriptor(layer) for layer in listed if isinstance(layer, dict)]
    if any(layer is None for layer in layers):
        return None, "a layer of the manifest has no valid digest"
    return dict(parts, kind="image", config=_descriptor(config), layers=layers), None


def _descriptor(value):
    if not valid_digest(value.get("digest")):
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
    code = error_code(res)
    if res.status == 404 and code in NOT_FOUND:
        return _not_found(ctx, access, image, res, code, found)
    fix = ("the registry failed: retry in a few minutes; quote the correlation id if you open a support request"
           if res.status >= 500 else None)
    return failed("IMAGE_MANIFEST_ERROR", "{} answered {}: {}".format(res.url, res.status, error_text(res)), fix=fix,
                  **found)


def _not_found(ctx, access, image, res, code, found):
    name = registry_name(ctx)
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
                        timeout=min(ctx.timeout, TAGS_SECONDS))
    if not res.ok:
        return None, res.cause
    body = res.json() if res.status == 200 else None
    listed = body.get("tags") if isinstance(body, dict) else None
    if not isinstance(listed, list):
        return None, "HTTP {}".format(res.status) if res.status != 200 else "the answer is not a tag list"
    tags = sorted({t for t in listed if isinstance(t, str) and re.match(r"^[\w][\w.-]{0,127}$", t)})
    close = difflib.get_close_matches(image.tag or "", tags, n=MAX_TAGS, cutoff=0.0) if image.tag else []
    return (close + [t for t in tags if t not in close])[:MAX_TAGS], None


def error_code(res):
    body = res.json()
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else {}
    return first.get("code") if isinstance(first.get("code"), str) else None


def error_text(res):
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


# ---------------------------------------------------------------- small helpers

# A transport failure's fix, for every request of --image.
TRANSPORT_FIX = {
    "timeout": "retry with a larger --timeout on a slow link; else check firewalls and proxies for outbound HTTPS to "
               "the registry",
    "proxy": "the proxy named by HTTPS_PROXY failed: check it, or add the registry to NO_PROXY",
}


def registry_name(ctx, registry=None):
    """The registry's name for a command line, validated; None when unknown."""
    name = ctx.options.registry_name
    if not name and isinstance(registry, dict):
        name = registry.get("name")
    return fix_commands.registry_name(name)



def valid_digest(value):
    return isinstance(value, str) and bool(_DIGEST.match(value))


def digest_of(body, algorithm):
    return "{}:{}".format(algorithm, hashlib.new(algorithm, body).hexdigest())


def short(digest):
    return digest[:19] + "…" if isinstance(digest, str) and len(digest) > 20 else str(digest)


def megabytes(count):
    if count < 1000:
        return "{} B".format(count)
    if count < 1000 ** 2:
        return "{:.1f} kB".format(count / 1000)
    return "{:.1f} MB".format(count / 1000 ** 2)
