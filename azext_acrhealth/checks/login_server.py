"""The registry's login server, and its Azure resource (for the encryption, endpoint and network checks)."""

from .. import login_servers
from ..account import LoginError
from ..outcome import failed, passed, skipped, warning
from . import arm, registry_settings


def login_server(ctx, _given):
    opts = ctx.options
    if opts.login_server:
        # The user gave the login server: no look-up stands between them and the network checks.
        server = login_servers.normalise_login_server(opts.login_server)
        return passed(server, handoff={"login_server": server}, loginServer=server, source="argument")
    try:
        registry, subscription, why = arm.find_registry(ctx, name=opts.registry_name)
    except LoginError:
        registry, subscription, why = None, None, None
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
    logged_out = why is None
    why = why or "not logged in to Azure"
    suffix = ctx.account.acr_suffix()
    if not suffix:
        return failed("LOGIN_SERVER_ERROR",
                      "registry '{}' not found through Azure Resource Manager ({}), and cloud '{}' defines no "
                      "registry suffix to guess its login server".format(opts.registry_name, why,
                                                                         ctx.account.cloud_name()),
                      fix="run `az login`, then try again" if logged_out else None,
                      armLookup=why, cloud=ctx.account.cloud_name())
    server = login_servers.normalise_login_server(opts.registry_name + "." + suffix.lstrip("."))
    handoff = {"login_server": server, "registry": None, "looked_up": True, "why": why}
    details = {"loginServer": server, "source": "cloud suffix", "armLookup": why}
    if logged_out:
        # Only a guess: the registry may live in another cloud or have a different login server. The Azure
        # AD token check reports the missing login itself, with its code and fix.
        return warning("{}, guessed from the cloud's registry suffix: not logged in to Azure, so the registry "
                       "was not looked up".format(server), handoff=handoff, **details)
    return passed("{}, from the cloud's registry suffix; Azure Resource Manager: {}".format(server, why),
                  handoff=handoff, **details)


def registry_resource(ctx, given):
    """The registry's ARM resource and its access settings (registry_settings), in one summary line: for the
    network, encryption, private endpoint and data endpoint checks. Its absence never fails the run: those
    checks are then skipped with this reason, and the others go on without it."""
    found = given["login_server"]
    if found.get("looked_up"):
        registry, why = found.get("registry"), found.get("why")
    else:
        try:
            registry, _, why = arm.find_registry(ctx, login_server=found["login_server"])
        except LoginError:
            registry, why = None, "not logged in to Azure"
    if not registry:
        return skipped("registry resource not read: {}; its encryption, private endpoints and data "
                       "endpoints are not checked".format(why))
    settings = registry_settings.read(registry)
    return passed("{}: {}".format(settings.name or registry.get("id"), settings.summary()),
                  handoff={"registry": registry, "settings": settings}, **settings.details())
