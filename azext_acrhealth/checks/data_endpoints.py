"""Dedicated data endpoints: layers come from <registry>.<region>.data.azurecr.io, which must resolve and
answer too (a firewall that allows only the login server breaks every pull)."""

from .. import hosts
from ..outcome import failed, passed, skipped
from . import arm

MAX_ENDPOINTS = 10


def data_endpoints(ctx):
    registry = ctx.data("registry_resource").get("registry")
    if not registry:
        return skipped("no registry resource from Azure Resource Manager")
    names = arm.properties(registry).get("dataEndpointHostNames")
    names = [n for n in names if isinstance(n, str) and n][:MAX_ENDPOINTS] if isinstance(names, list) else []
    if not names:
        return skipped("the registry has no dedicated data endpoints")
    results, problems = [], []
    for name in names:
        name = hosts.normalise_login_server(name)
        host, _ = hosts.split_host_port(name)
        res = ctx.resolve(host)
        if not res.ok:
            problems.append("{} does not resolve ({})".format(host, res.reason))
            results.append({"host": name, "resolved": [], "reachable": False})
            continue
        # Any HTTP answer proves the endpoint reachable; no credentials are sent.
        answer = ctx.http.get("https://{}/v2/".format(name))
        reachable = answer.ok
        if not reachable:
            problems.append("{} at {} cannot be reached ({}: {})".format(name, ", ".join(res.addresses),
                                                                        answer.error, answer.reason))
        results.append({"host": name, "resolved": list(res.addresses), "reachable": reachable,
                        "status": answer.status})
    if problems:
        return failed("DATA_ENDPOINT_ERROR", "; ".join(problems), endpoints=results)
    return passed("{} reachable".format(", ".join(r["host"] for r in results)), endpoints=results)
