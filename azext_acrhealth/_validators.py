"""Argument types and validators: syntax only, no network. Errors end in exit status 2."""

import argparse
import re
from dataclasses import dataclass

_NAME = re.compile(r"^[a-z0-9]{5,50}$")
_DNL = re.compile(r"^[a-z0-9]{5,50}-[a-z0-9]{1,20}$")        # registry name with a domain name label hash
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def registry_name_type(value):
    """-n/--name: a registry name (myregistry) or its login server (myregistry.azurecr.io).

    Upper case, an https:// prefix, a trailing slash and a trailing dot are normalised away; anything
    else that could not be a registry is rejected with the rule it breaks.
    """
    raw = value
    value = (value or "").strip().lower()
    if value.startswith("https://"):
        value = value[len("https://"):]
    value = value.rstrip("/")
    if value.endswith(".") and not value.endswith(".."):
        value = value[:-1]
    if not value:
        raise argparse.ArgumentTypeError("the registry name is empty")
    if "." not in value:
        if not _NAME.match(value):
            raise argparse.ArgumentTypeError(
                "'{}' is not a valid registry name: use 5 to 50 letters and digits, or the full login "
                "server such as myregistry.azurecr.io".format(_shorten(raw)))
        return value
    if len(value) > 253:
        raise argparse.ArgumentTypeError("'{}' is longer than a host name can be (253 characters)".format(
            _shorten(raw)))
    labels = value.split(".")
    bad = next((label for label in labels if not _LABEL.match(label)), None)
    if bad is not None:
        raise argparse.ArgumentTypeError(
            "'{}' is not a valid login server: each part between dots must be 1 to 63 letters, digits or "
            "hyphens (no scheme other than https://, no port, no path)".format(_shorten(raw)))
    if not (_NAME.match(labels[0]) or _DNL.match(labels[0])):
        raise argparse.ArgumentTypeError(
            "'{}' is not a valid login server: its first part must be the registry name, 5 to 50 letters "
            "and digits".format(_shorten(raw)))
    return value


def is_registry_name(value):
    """A registry name as -n accepts it (5 to 50 letters and digits, any case): the one rule a name from a
    server must pass before it enters a suggested command."""
    return isinstance(value, str) and bool(_NAME.fullmatch(value.lower()))


def _shorten(text, limit=80):
    text = str(text)
    return text if len(text) <= limit else text[:limit] + "..."


def timeout_type(value):
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError("'{}' is not a number of seconds".format(_shorten(value))) from None
    if not 0.5 <= seconds <= 600:
        raise argparse.ArgumentTypeError("the timeout must be between 0.5 and 600 seconds")
    return seconds


_VNET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$")
_VNET_ID = re.compile(r"^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]{1,90}"
                      r"/providers/Microsoft\.Network/virtualNetworks/[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$",
                      re.IGNORECASE)
_REPOSITORY = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")


def vnet_type(value):
    """--vnet: a virtual network name (2-64 characters) or its full resource ID."""
    value = (value or "").strip().rstrip("/")
    if _VNET_ID.match(value) or ("/" not in value and _VNET_NAME.match(value)):
        return value
    raise argparse.ArgumentTypeError(
        "'{}' is not a virtual network name (2 to 64 letters, digits, '-', '_' or '.') or a resource ID "
        "such as /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/virtualNetworks/<name>"
        .format(_shorten(value)))


def repository_type(value):
    """--repository: a repository name as the registry spells it (lower case, '/' between parts)."""
    value = (value or "").strip()
    if len(value) <= 256 and _REPOSITORY.match(value):
        return value
    raise argparse.ArgumentTypeError(
        "'{}' is not a valid repository name: lower-case letters, digits and separators ('.', '_', '-', "
        "'/'), at most 256 characters".format(_shorten(value)))


# ---------------------------------------------------------------- --image

_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_SHA256 = re.compile(r"^sha256:[0-9a-f]{64}$")
MAX_IMAGE = 255     # docker's limit on a reference's name


@dataclass(frozen=True)
class ImageReference:
    """An image as `docker pull` names it: [login server/]repository[:tag][@sha256:digest]."""
    repository: str
    tag: str = None
    digest: str = None
    registry: str = None        # the login server written in the reference, if any

    @property
    def reference(self):
        """What the manifest is asked for: the digest when there is one, else the tag (docker's default
        tag is latest)."""
        return self.digest or self.tag or "latest"

    def __str__(self):
        text = self.repository
        if self.tag or not self.digest:
            text += ":" + (self.tag or "latest")
        return text + ("@" + self.digest if self.digest else "")


def image_type(value):
    """--image: repo[:tag], repo@sha256:<64 hex>, or <login server>/repo[:tag|@digest]. Syntax only."""
    raw = value if isinstance(value, str) else ""
    value = raw.strip()

    def bad(why):
        return argparse.ArgumentTypeError("'{}' is not a valid image reference: {}".format(_shorten(raw), why))

    if not value:
        raise bad("it is empty; use repository[:tag] or repository@sha256:<digest>")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise bad("it holds spaces or control characters")
    if len(value) > MAX_IMAGE:
        raise bad("it is longer than {} characters".format(MAX_IMAGE))
    if ".." in value:
        raise bad("it holds '..'")
    name, digest = value, None
    if "@" in value:
        name, digest = value.rsplit("@", 1)
        if not _SHA256.match(digest):
            raise bad("the digest must be sha256: followed by 64 lower-case hexadecimal digits")
    registry = None
    first, slash, rest = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        try:
            registry = registry_name_type(first)
        except argparse.ArgumentTypeError:
            raise bad("'{}' is not a registry login server such as myregistry.azurecr.io".format(
                _shorten(first, 60))) from None
        if "." not in registry:
            raise bad("'{}' is not a registry login server such as myregistry.azurecr.io".format(_shorten(first, 60)))
        name = rest
    tag = None
    if ":" in name:
        name, tag = name.rsplit(":", 1)
        if not _TAG.match(tag):
            raise bad("the tag must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'")
    if not _REPOSITORY.match(name):
        raise bad("the repository must be lower-case letters, digits and separators ('.', '_', '-', '/')")
    return ImageReference(name, tag, digest, registry)


def validate_image(namespace):
    """--image with a login server: it must be the registry of -n, or it names the registry when -n is
    not given. Without any registry, --image has nothing to check."""
    image = getattr(namespace, "image", None)
    if image is None:
        return
    name = getattr(namespace, "registry_name", None)
    if image.registry is None:
        if not name:
            raise ValueError("--image needs a registry: pass -n/--name, or a full reference such as "
                             "myregistry.azurecr.io/{}".format(image))
        return
    if not name:
        namespace.registry_name = image.registry
        return
    same = name == image.registry if "." in name else image.registry.split(".", 1)[0].split("-", 1)[0] == name
    if not same:
        raise ValueError("--image names registry {}, but -n/--name names {}: use the same registry in both, or "
                         "leave the login server out of --image".format(image.registry, name))


def credentials_validator(namespace):
    """-u/-p: a user name needs a registry and a password (-p, ACR_CHECK_HEALTH_PASSWORD, or a terminal to
    ask on); a password needs a user name. Errors end in exit status 2, before anything runs."""
    username, password = getattr(namespace, "username", None), getattr(namespace, "password", None)
    if password is not None and username is None:
        raise ValueError("-p/--password needs -u/--username")
    if username is None:
        return
    import os
    import sys

    from .credentials import PASSWORD_VARIABLE
    if not username.strip():
        raise ValueError("-u/--username is empty")
    if not getattr(namespace, "registry_name", None):
        raise ValueError("-u/--username needs -n/--name: the registry to check the credentials against")
    if password == "":
        raise ValueError("-p/--password is empty")
    if password is None and not os.environ.get(PASSWORD_VARIABLE) and not _isatty(sys.stdin):
        raise ValueError("-u/--username needs a password: set the environment variable {} (the safe way in "
                         "CI), or pass -p/--password".format(PASSWORD_VARIABLE))


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
