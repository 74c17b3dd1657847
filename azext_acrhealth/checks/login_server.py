"""The registry's login server, and its Azure resource (for the encryption, endpoint and network checks)."""

from .. import login_servers
from ..outcome import failed, passed, skipped
from . import arm, registry_settings


def login_server(ctx, _given):
    opts = ctx.options
    if opts.login_server:
        # The user gave the login server: no look-up stands between them and the network checks.
        server = login_servers.normalise_login_server(opts.login_server)
        return passed(server, handoff={"login_server": server}, loginServer=server, source="argument")
    registry, subscription, why = arm.find_registry(ctx, name=opts.registry_name)
    found = arm.properties(registry).get("loginServer") if registry else None
    if isinstance(found, str) and found:
        server = login_servers.normalise_login_server(found)
        if login_servers.login_server_origin(server) is None:
            return failed("LOGIN_SERVER_ERROR", "Azure Resource Manager gives registry '{}' the login server '{}', "
                          "which is not a host name".format(opts.registry_name, found[:100]),
                          loginServer=found[:300], source="arm")
        return passed("{} (from Azure Resource Manager)".format(server),
                      handoff={"login_server": server, "registry": registry, "looked_up": True},
                      loginServer=server, source="arm", subscription=subscription, resourceId=registry.get("id"))
    suffix = ctx.account.acr_suffix()
    if not suffix:
        return failed("LOGIN_SERVER_ERROR",
                      "registry '{}' not found through Azure Resource Manager ({}), and cloud '{}' defines no "
                      "registry suffix to guess its login server".format(opts.registry_name, why,
                                                                         ctx.account.cloud_name()),
                      armLookup=why, cloud=ctx.account.cloud_name())
    server = login_servers.normalise_login_server(opts.registry_name + "." + suffix.lstrip("."))
    return passed("{} (from the cloud suffix; Azure Resource Manager look-up: {})".format(server, why),
                  handoff={"login_server": server, "registry": None, "looked_up": True, "why": why},
                  loginServer=server, source="cloud suffix", armLookup=why)


def registry_resource(ctx, given):
    """The registry's ARM resource and its access settings (registry_settings), in one summary line: for the
    network, encryption, private endpoint and data endpoint checks. Its absence never fails the run: those
    checks are then skipped with this reason, and the others go on without it."""
    found = given["login_server"]
    if found.get("looked_up"):
        registry, why = found.get("registry"), found.get("why")
    else:
        registry, _, why = arm.find_registry(ctx, login_server=found["login_server"])
    if not registry:
        return skipped("registry resource not read: {}; its encryption, private endpoints and data "
                       "endpoints are not checked".format(why))
    settings = registry_settings.read(registry)
    return passed("{}: {}".format(settings.name or registry.get("id"), settings.summary()),
                  handoff={"registry": registry, "settings": settings}, **settings.details())
