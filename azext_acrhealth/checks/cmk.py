"""Customer-managed key: the identity the registry uses to reach its key must exist."""

from ..account import LoginError
from ..outcome import failed, passed, warning
from . import arm


def cmk(ctx, given):
    registry = given["registry_resource"]["registry"]
    encryption = arm.properties(registry).get("encryption")
    encryption = encryption if isinstance(encryption, dict) else {}
    if str(encryption.get("status", "")).lower() != "enabled":
        return passed("not encrypted with a customer-managed key", encryption="disabled")
    vault = encryption.get("keyVaultProperties") if isinstance(encryption.get("keyVaultProperties"), dict) else {}
    client_id = vault.get("identity")
    key = vault.get("keyIdentifier")
    identity = registry.get("identity") if isinstance(registry.get("identity"), dict) else {}
    details = {"keyIdentifier": key, "identityClientId": client_id}
    if not isinstance(client_id, str) or not client_id:
        return failed("CMK_ERROR", "encrypted with a customer-managed key, but no identity is named to reach it",
                      **details)
    if client_id.lower() == "system":
        if identity.get("principalId"):
            return passed("customer-managed key reached with the system-assigned identity", **details)
        return failed("CMK_ERROR", "the key is reached with the system-assigned identity, but the registry has "
                      "none", **details)
    assigned = identity.get("userAssignedIdentities")
    resource_id = next((rid for rid, value in (assigned.items() if isinstance(assigned, dict) else ())
                        if isinstance(value, dict) and str(value.get("clientId", "")).lower() == client_id.lower()),
                       None)
    if resource_id is None:
        return failed("CMK_ERROR", "the key's identity (client id {}) is not assigned to the registry".format(
            client_id), **details)
    details["identityId"] = resource_id
    try:
        res = ctx.edges.arm_get(resource_id, arm.API_IDENTITY)
    except LoginError as ex:
        return warning("cannot read identity {}: not logged in ({})".format(resource_id, ex), **details)
    if res.ok and res.status == 404:
        return failed("CMK_ERROR", "the identity used for encryption, {}, does not exist".format(resource_id),
                      **details)
    if res.ok and res.status == 200:
        found = arm.properties(res.json()).get("clientId")
        if isinstance(found, str) and found.lower() != client_id.lower():
            return failed("CMK_ERROR", "identity {} now has client id {}, not {}: it was recreated".format(
                resource_id, found, client_id), **details)
        return passed("customer-managed key reached with identity {}".format(resource_id), **details)
    # 403, a timeout or a 5xx says nothing about existence: say we could not tell.
    why = arm.failure_reason(res) if res.ok else "{}: {}".format(res.error, res.reason)
    return warning("could not read identity {} to confirm it exists: {}".format(resource_id, why), **details)
