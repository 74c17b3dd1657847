"""The registry's settings that decide who reaches it, read once from its ARM resource: SKU, region, public
access, firewall rules, role assignment mode, data endpoints and private endpoint connections.

Whatever shape ARM returns, `read` gives settings (unknown values are None, malformed entries are left out
and counted); nothing here raises or reaches the network.
"""

import ipaddress
from dataclasses import dataclass

from .. import fix_commands, login_servers
from .arm import dicts_at, get_path, properties

ABAC = "AbacRepositoryPermissions"
LEGACY = "LegacyRegistryPermissions"
MAX_LISTED = 50      # rules, endpoints and connections kept from one resource


@dataclass(frozen=True)
class IpRule:
    value: str            # as ARM spells it
    network: object       # ipaddress network (a single address is a /32)


@dataclass(frozen=True)
class Connection:
    """A private endpoint connection: the endpoint's id and the connection's approval state."""
    endpoint_id: str
    status: str           # "Approved", "Pending", "Rejected", "Disconnected" or what ARM says

    @property
    def approved(self):
        return self.status.lower() == "approved"

    @property
    def name(self):
        return self.endpoint_id.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class RegistrySettings:
    resource_id: str = None          # validated: fit for --scope
    id_text: str = None              # the id as ARM gave it, for the report
    name: str = None                 # validated: fit for -n
    login_server: str = None
    sku: str = None
    location: str = None
    public_access: str = None        # "Enabled", "Disabled", or None when ARM does not say
    default_action: str = None       # "Allow", "Deny", or None
    ip_rules: tuple = ()             # IpRule
    bad_ip_rules: int = 0            # entries that are not an address or a range
    role_assignment_mode: str = None
    data_endpoints: tuple = ()       # host names
    connections: tuple = ()          # Connection

    @property
    def public_disabled(self):
        return (self.public_access or "").lower() == "disabled"

    @property
    def abac(self):
        return (self.role_assignment_mode or "").lower() == ABAC.lower()

    @property
    def approved_endpoints(self):
        return tuple(c for c in self.connections if c.approved)

    def allowing(self, ip):
        """The IP rule that allows an address (ranges included), or None."""
        for rule in self.ip_rules:
            if ip.version == rule.network.version and ip in rule.network:
                return rule
        return None

    def summary(self):
        """One line: what a user needs to see of the registry's access settings."""
        parts = [", ".join(v for v in (self.sku, self.location) if v) or "SKU and region unknown"]
        parts.append(self.describe_public_access())
        if self.role_assignment_mode:
            parts.append({ABAC.lower(): "ABAC repository permissions", LEGACY.lower(): "RBAC registry permissions"}
                         .get(self.role_assignment_mode.lower(),
                              "role assignment mode {}".format(self.role_assignment_mode)))
        count = len(self.data_endpoints)
        parts.append("{} data endpoint{}".format(count, "" if count == 1 else "s") if count else "no data endpoints")
        approved = len(self.approved_endpoints)
        others = len(self.connections) - approved
        text = "{} private endpoint{}".format(approved, "" if approved == 1 else "s") if approved \
            else "no private endpoints"
        if others:
            text += " ({} more not approved)".format(others)
        parts.append(text)
        return "; ".join(parts)

    def describe_public_access(self):
        if self.public_disabled:
            return "public network access disabled"
        rules = len(self.ip_rules)
        text = "public network access {}".format("enabled" if self.public_access else "not stated")
        if self.default_action:
            text += ", default action {}".format(self.default_action)
        if rules or (self.default_action or "").lower() == "deny":
            text += ", {} IP rule{}".format(rules, "" if rules == 1 else "s")
        return text

    def details(self):
        """Everything above, for the JSON."""
        return {"resourceId": self.id_text, "sku": self.sku, "location": self.location,
                "publicNetworkAccess": self.public_access, "defaultAction": self.default_action,
                "ipRules": [r.value for r in self.ip_rules], "roleAssignmentMode": self.role_assignment_mode,
                "dataEndpoints": list(self.data_endpoints),
                "privateEndpoints": [{"id": c.endpoint_id, "status": c.status} for c in self.connections]}


def read(registry):
    """RegistrySettings from a registry's ARM resource of any shape."""
    props = properties(registry)
    rid = registry.get("id") if isinstance(registry, dict) else None
    name = registry.get("name") if isinstance(registry, dict) else None
    if not fix_commands.registry_name(name) and fix_commands.registry_id(rid):
        name = rid.rsplit("/", 1)[-1]
    rules, bad = [], 0
    for entry in dicts_at(props, "networkRuleSet", "ipRules")[:MAX_LISTED]:
        network, action = _network(entry.get("value")), entry.get("action")
        if network is None:
            bad += 1
            continue
        if isinstance(action, str) and action.lower() != "allow":
            continue
        rules.append(IpRule(entry["value"].strip(), network))
    connections = []
    for entry in dicts_at(props, "privateEndpointConnections")[:MAX_LISTED]:
        endpoint = get_path(entry, "properties", "privateEndpoint", "id")
        status = get_path(entry, "properties", "privateLinkServiceConnectionState", "status")
        if isinstance(endpoint, str) and endpoint.startswith("/subscriptions/"):
            # Older resources omit the state: such a connection was made approved, or it would not be listed.
            connections.append(Connection(endpoint, status if isinstance(status, str) and status else "Approved"))
    hosts = props.get("dataEndpointHostNames")
    hosts = [login_servers.normalise_login_server(h) for h in hosts[:MAX_LISTED] if isinstance(h, str)] \
        if isinstance(hosts, list) else []
    login_server = props.get("loginServer")
    return RegistrySettings(
        resource_id=fix_commands.registry_id(rid), id_text=_text(rid, 400), name=fix_commands.registry_name(name),
        login_server=login_servers.normalise_login_server(login_server) if isinstance(login_server, str) else None,
        sku=_text(get_path(registry, "sku", "name")), location=_text(get_path(registry, "location")),
        public_access=_text(props.get("publicNetworkAccess")),
        default_action=_text(get_path(props, "networkRuleSet", "defaultAction")),
        ip_rules=tuple(rules), bad_ip_rules=bad, role_assignment_mode=_text(props.get("roleAssignmentMode")),
        data_endpoints=tuple(h for h in hosts if login_servers.login_server_origin(h)),
        connections=tuple(connections))


def _text(value, limit=80):
    return value[:limit] if isinstance(value, str) and value else None


def _network(value):
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return None
