"""Reading the registry's Azure resources through ARM with the CLI's credentials.

One call lists the registries of the subscription (the built-in scanned every resource of it, then
fetched the match). Failures come back as a reason a user can act on, never as an exception.
"""

from ..account import LoginError

API_REGISTRIES = "2025-11-01"             # the first stable version with roleAssignmentMode
API_REGISTRIES_FALLBACK = "2023-07-01"    # for clouds that do not serve the newer one yet
API_NETWORK = "2023-09-01"
API_IDENTITY = "2023-01-31"
MAX_PAGES = 20   # a nextLink loop from a broken endpoint must end


def get(ctx, path, api_version):
    """(JSON dict, None) or (None, why not) for one ARM GET."""
    try:
        res = ctx.edges.arm_get(path, api_version)
    except LoginError as ex:
        return None, "not logged in to Azure ({})".format(ex)
    if not res.ok:
        return None, "Azure Resource Manager did not answer ({}: {})".format(res.error, res.reason)
    if res.status != 200:
        return None, failure_reason(res)
    body = res.json()
    if not isinstance(body, dict):
        return None, "Azure Resource Manager answered {} with a body that is not a JSON object".format(res.status)
    return body, None


def failure_reason(res):
    """ARM's error code and message, worded for the status."""
    body = res.json()
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    what = {401: "credentials rejected (run az login)", 403: "no permission", 404: "not found",
            429: "throttled"}.get(res.status, "HTTP {}".format(res.status))
    text = "{} ({}{})".format(what, res.status, ": " + str(code) if code else "")
    if isinstance(message, str) and message:
        text += ": " + " ".join(message.split())[:200]
    return text


def find_registry(ctx, name=None, login_server=None):
    """(registry JSON, subscription, None) or (None, subscription, why not). Matches the name, or the
    login server, case-insensitively. Raises LoginError when nobody is logged in to Azure."""
    subscription = ctx.account.subscription_id()
    path = "/subscriptions/{}/providers/Microsoft.ContainerRegistry/registries".format(subscription)
    version = API_REGISTRIES
    for _ in range(MAX_PAGES):
        body, why = get(ctx, path, version)
        if body is None and version != API_REGISTRIES_FALLBACK and _unsupported_version(why):
            version = API_REGISTRIES_FALLBACK
            body, why = get(ctx, path, version)
        if body is None:
            return None, subscription, "registry list: " + why
        value = body.get("value")
        for registry in value if isinstance(value, list) else ():
            if _matches(registry, name, login_server):
                return registry, subscription, None
        path = body.get("nextLink")
        if not isinstance(path, str) or not path:
            break
    wanted = "with login server '{}'".format(login_server) if login_server else "named '{}'".format(name)
    return None, subscription, "no registry {} in subscription {}".format(wanted, subscription)


def _unsupported_version(why):
    return any(code in why for code in ("InvalidApiVersionParameter", "NoRegisteredProviderFound",
                                        "InvalidResourceType"))


def _matches(registry, name, login_server):
    if not isinstance(registry, dict):
        return False
    if login_server:
        props = registry.get("properties")
        found = props.get("loginServer") if isinstance(props, dict) else None
        return isinstance(found, str) and found.lower().rstrip("/") == login_server.lower()
    return isinstance(registry.get("name"), str) and registry["name"].lower() == (name or "").lower()


def properties(resource):
    props = resource.get("properties") if isinstance(resource, dict) else None
    return props if isinstance(props, dict) else {}


def get_path(value, *path):
    """value[path[0]][path[1]]..., or None as soon as a step is not a dict."""
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def dicts_at(value, *path):
    """The dicts of the list at path, or [] when there is no list there."""
    found = get_path(value, *path)
    return [v for v in found if isinstance(v, dict)] if isinstance(found, list) else []
