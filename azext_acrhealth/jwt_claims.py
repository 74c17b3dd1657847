"""Read the claims of a JWT without checking its signature: the registry and Entra ID check those; we
only want to say what a token grants. Never raises."""

import base64
import json

MAX_SKEW = 300   # seconds; tokens carry nbf/exp, so minutes of skew get them rejected


def claims(token):
    """The payload of a JWT as a dict, or None when the token is not a JWT."""
    if not isinstance(token, str) or token.count(".") != 2:
        return None
    payload = token.split(".")[1]
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
        value = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def granted_actions(token_claims, resource_type, name):
    """The set of actions an ACR access token grants on one resource (its `access` claim)."""
    actions = set()
    access = token_claims.get("access") if isinstance(token_claims, dict) else None
    for entry in access if isinstance(access, list) else ():
        if not isinstance(entry, dict) or entry.get("type") != resource_type:
            continue
        if str(entry.get("name", "")).lower() != str(name).lower():
            continue
        listed = entry.get("actions")
        actions.update(a for a in (listed if isinstance(listed, list) else ()) if isinstance(a, str))
    return actions
