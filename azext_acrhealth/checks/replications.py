"""The registry's geo-replicas: where it is served from, and any replica that is not ready."""

from ..outcome import passed, skipped, warning
from . import arm
from .arm import dicts_at, get_path

MAX_REPLICAS = 30


def replications(ctx, given):
    settings = given["registry_resource"]["settings"]
    if (settings.sku or "").lower() != "premium":
        # Only Premium registries replicate: no request needed to know there is nothing to list.
        return passed("none (geo-replication needs the Premium SKU; this registry is {})".format(
            settings.sku or "of an unknown SKU"), replications=[])
    rid = settings.id_text
    if not rid or not rid.startswith("/subscriptions/") or any(ch in rid for ch in "?#"):
        return skipped("replications not read: the registry's resource id is not usable")
    body, why = arm.get(ctx, rid.rstrip("/") + "/replications", arm.API_REGISTRIES)
    if body is None:
        return skipped("replications not read: {}".format(why))
    found = []
    for entry in dicts_at(body, "value")[:MAX_REPLICAS]:
        location = entry.get("location")
        state = get_path(entry, "properties", "provisioningState")
        status = get_path(entry, "properties", "status", "displayStatus")
        found.append({"location": location if isinstance(location, str) else None,
                      "provisioningState": state if isinstance(state, str) else None,
                      "status": status if isinstance(status, str) else None})
    if not found:
        return passed("none: the registry is served from {} only".format(settings.location or "its home region"),
                      replications=[])
    text = ", ".join("{} ({})".format(r["location"] or "unknown region", r["status"] or r["provisioningState"] or
                                      "state unknown") for r in found)
    unhealthy = [r for r in found if (r["provisioningState"] or "Succeeded").lower() != "succeeded"
                 or (r["status"] or "Ready").lower() != "ready"]
    count = "{} replica{}: {}".format(len(found), "" if len(found) == 1 else "s", text)
    if unhealthy:
        return warning("{}; not ready: {}: pulls routed to {} may fail".format(
            count, ", ".join(r["location"] or "unknown region" for r in unhealthy),
            "it" if len(unhealthy) == 1 else "them"), replications=found)
    return passed(count, replications=found)
