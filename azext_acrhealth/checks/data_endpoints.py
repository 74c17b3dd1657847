"""Dedicated data endpoints: layers come from <registry>.<region>.data.azurecr.io, which must resolve and
answer too (a firewall that allows only the login server breaks every pull)."""

from .. import login_servers
from ..outcome import failed, passed, skipped
from . import answers, arm

MAX_ENDPOINTS = 10


def data_endpoints(ctx, given):
    registry = given["registry_resource"]["registry"]
    names = arm.properties(registry).get("dataEndpointHostNames")
    names = [n for n in names if isinstance(n, str) and n][:MAX_ENDPOINTS] if isinstance(names, list) else []
    if not names:
        return skipped("the registry has no dedicated data endpoints")
    results, problems = [], []
    for name in names:
        name = login_servers.normalise_login_server(name)
        origin = login_servers.login_server_origin(name)
        if origin is None:
            problems.append("'{}' is not a host name".format(name[:100]))
            results.append({"host": name[:300], "resolved": [], "reachable": False})
            continue
        host = origin.host
        res = ctx.edges.resolve(host)
        if not res.ok:
            problems.append("{} does not resolve ({})".format(host, res.reason))
            results.append({"host": name, "resolved": [], "reachable": False})
            continue
        # Any HTTP answer proves the endpoint reachable, but the registry's firewall refusing this machine there,
        # while the login server let it in (another route out, say), is the firewall finding. When /v2/ was
        # refused as well, the challenge has reported it. No credentials are sent.
        answer = ctx.edges.get(origin.url("/v2/"))
        blocked = answers.firewall(answer, answers.network(ctx, given)) if answer.ok and "challenge" in given \
            else None
        if blocked:
            return blocked
        reachable = answer.ok
        if not reachable:
            problems.append("{} at {} cannot be reached ({}: {})".format(name, ", ".join(res.addresses),
                                                                        answer.error, answer.reason))
        results.append({"host": name, "resolved": list(res.addresses), "reachable": reachable,
                        "status": answer.status})
    if problems:
        return failed("DATA_ENDPOINT_ERROR", "; ".join(problems), endpoints=results)
    return passed("{} reachable".format(", ".join(r["host"] for r in results)), endpoints=results)
