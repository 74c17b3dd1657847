"""The registry: login server, DNS, challenge, tokens."""

from ..outcome import failed, passed


def login_server(ctx):
    opts = ctx.options
    if opts.login_server:
        return passed(opts.login_server, data={"login_server": opts.login_server},
                      loginServer=opts.login_server, source="argument")
    suffix = ctx.account.acr_suffix() if ctx.account else None
    if not suffix:
        return failed("LOGIN_SERVER_ERROR",
                      "cloud '{}' defines no registry suffix".format(ctx.account.cloud_name()))
    server = opts.registry_name + suffix
    return passed(server, data={"login_server": server}, loginServer=server, source="cloud suffix")


def dns(ctx):
    server = ctx.data("login_server")["login_server"]
    host = server.rsplit(":", 1)[0] if server.count(":") == 1 else server
    res = ctx.resolve(host)
    if not res.ok:
        return failed("CONNECTIVITY_DNS_ERROR", "{} does not resolve: {}".format(host, res.reason))
    return passed("{} at {}".format(host, ", ".join(res.addresses)), addresses=list(res.addresses))
