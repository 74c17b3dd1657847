"""Exact command lines that apply a fix, for `commands` in a finding.

Every value is validated here, whatever its source (the registry's name from ARM, the client address from
a registry's 403, an object id from a token's claims), then quoted for the user's shell (shell.py). A value that
does not pass gives no command: the fix text still says what to do, in words.
"""

import ipaddress
import re

from . import shell
from ._validators import is_registry_name, repository_type

_GUID = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_REGISTRY_ID = re.compile(r"/subscriptions/" + _GUID + r"/resourceGroups/[-\w.()]{1,90}"
                          r"/providers/Microsoft\.ContainerRegistry/registries/[A-Za-z0-9]{5,50}",
                          re.ASCII | re.IGNORECASE)
_OBJECT_ID = re.compile(_GUID)
PRINCIPAL_TYPES = ("User", "ServicePrincipal")
_SCOPE_MAP = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,48}[A-Za-z0-9]", re.ASCII)

# Data actions of the ABAC-enabled roles, for a condition that scopes a role to one repository.
_CONTENT, _METADATA = ("Microsoft.ContainerRegistry/registries/repositories/content/",
                       "Microsoft.ContainerRegistry/registries/repositories/metadata/")
ROLE_ACTIONS = {
    "Container Registry Repository Reader": ("read",),
    "Container Registry Repository Writer": ("read", "write"),
    "Container Registry Repository Contributor": ("read", "write", "delete"),
}


def registry_name(value):
    """The registry name fit for a command (lower case), or None."""
    return value.lower() if is_registry_name(value) else None


def ip_address(value):
    """An ipaddress object for text that is exactly one IP address, or None."""
    if not isinstance(value, str) or value != value.strip() or not value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def registry_id(value):
    """A registry's ARM resource id fit for --scope, or None."""
    return value if isinstance(value, str) and _REGISTRY_ID.fullmatch(value) else None


def network_rule_add(name, ip):
    """`az acr network-rule add` for one IPv4 address (registry IP rules take IPv4 only), or None."""
    name, address = registry_name(name), ip_address(str(ip)) if ip is not None else None
    if not name or address is None or address.version != 4:
        return None
    return _line("az", "acr", "network-rule", "add", "-n", name, "--ip-address", str(address))


def enable_public_access(name):
    """Public access back on, for selected networks only (the default action stays Deny), or None."""
    name = registry_name(name)
    if not name:
        return None
    return _line("az", "acr", "update", "-n", name, "--public-network-enabled", "true", "--default-action", "Deny")


def role_assignment(role, object_id, principal_type, scope, repository=None, app_id=None):
    """`az role assignment create` of a role on a registry, for one identity (its object id and principal
    type; or, when only that is known, a service principal's application id); for an ABAC-enabled role and a
    repository, with the condition that scopes it to that repository. None when a value does not pass."""
    scope = registry_id(scope)
    if app_id is not None:
        assignee = ["--assignee", app_id.lower()] if _is_guid(app_id) else None
    else:
        assignee = ["--assignee-object-id", object_id.lower(), "--assignee-principal-type", principal_type] \
            if _is_guid(object_id) and principal_type in PRINCIPAL_TYPES else None
    if assignee is None or scope is None or not isinstance(role, str) or not re.fullmatch(r"[A-Za-z ]{3,60}", role):
        return None
    argv = ["az", "role", "assignment", "create", *assignee, "--role", role, "--scope", scope]
    if repository is not None and role in ROLE_ACTIONS:
        condition = repository_condition(role, repository)
        if condition is None:
            return None
        argv += ["--condition", condition, "--condition-version", "2.0"]
    return _line(*argv)


def scope_map_add_repository(scope_map, registry, repository):
    """`az acr scope-map update` that lets a token's scope map pull one repository, or None. A system scope
    map (its name starts with "_") cannot be changed, and does not pass."""
    registry, repository = registry_name(registry), _repository(repository)
    if not registry or not repository or not (isinstance(scope_map, str) and _SCOPE_MAP.fullmatch(scope_map)):
        return None
    return _line("az", "acr", "scope-map", "update", "-n", scope_map, "-r", registry, "--add-repository", repository,
                 "content/read", "metadata/read")


def _repository(value):
    """A repository name fit for a command (the rule --repository takes), or None."""
    try:
        return repository_type(value)
    except Exception:  # noqa: BLE001 - argparse's error type; any failure means no command
        return None


def _is_guid(value):
    return isinstance(value, str) and bool(_OBJECT_ID.fullmatch(value))


def repository_condition(role, repository):
    """The ABAC condition that limits an ABAC-enabled role to one repository, as the portal writes it."""
    repository = _repository(repository)
    if repository is None:
        return None
    verbs = ROLE_ACTIONS[role]
    actions = [_CONTENT + verb for verb in verbs] + [_METADATA + verb for verb in verbs]
    denied = " AND ".join("!(ActionMatches{{'{}'}})".format(action) for action in actions)
    return ("(({}) OR (@Request[Microsoft.ContainerRegistry/registries/repositories:name] "
            "StringEqualsIgnoreCase '{}'))".format(denied, repository))


def _line(*argv):
    return shell.line(argv)
