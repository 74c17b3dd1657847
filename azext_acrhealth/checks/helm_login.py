"""Helm's stored login for the registry: the credential `helm push` and `helm pull` send to it.

`helm registry login` keeps it in Helm's own registry configuration, a file in Docker's format (auths,
credsStore, credHelpers) that `docker login` and `az acr login` never change. Helm (3.8 and later) sends the
entry it holds there for the registry, and only without one falls back to Docker's stored login. The way
Azure's documentation logs Helm in stores an ACR refresh token there, which lives about three hours: after
that every push fails with 'unauthorized', however fresh Docker's login is, since Helm's stale entry shadows
it. Read as Docker's stored login is, and judged the same way (docker_login.judge).
"""

import os
import sys

from .. import shell
from ..credentials import NULL_GUID
from ..outcome import skipped
from .credentials import registry_lookup, registry_name
from .docker_login import Client, judge, stored_login


def registry_config(env, platform=sys.platform):
    """The file Helm 3.8+ keeps registry logins in: HELM_REGISTRY_CONFIG, else registry/config.json in
    Helm's configuration folder (HELM_CONFIG_HOME, else XDG_CONFIG_HOME/helm, else the platform's)."""
    if env.get("HELM_REGISTRY_CONFIG"):
        return env["HELM_REGISTRY_CONFIG"]
    if env.get("HELM_CONFIG_HOME"):
        return os.path.join(env["HELM_CONFIG_HOME"], "registry", "config.json")
    base = env.get("XDG_CONFIG_HOME")
    if not base:
        home = env.get("HOME") or os.path.expanduser("~")
        base = env.get("APPDATA") or home if platform == "win32" else \
            os.path.join(home, "Library", "Preferences") if platform == "darwin" else os.path.join(home, ".config")
    return os.path.join(base, "helm", "registry", "config.json")


def login_command(name, server):
    """The login Azure's documentation gives Helm: a refresh token of the user's identity, on stdin."""
    return "{} | {}".format(
        shell.line(["az", "acr", "login", "-n", name, "--expose-token", "--output", "tsv", "--query", "accessToken"]),
        shell.line(["helm", "registry", "login", server, "--username", NULL_GUID, "--password-stdin"]))


def helm_login(ctx, given):
    if "helm_client" not in given:
        return skipped("skipped because Helm client did not pass")
    if not given["helm_client"].get("path"):
        return skipped("Helm is not installed")
    server = given["challenge"]["login_server"]
    name = registry_name(ctx, given["login_server"])
    path = registry_config(ctx.env)
    stored = stored_login(ctx, [path], server, name)
    if stored.problem:
        return stored.problem
    if stored.credential is None:
        return skipped("helm holds no login of its own for {} in {}, so it sends Docker's (see Docker "
                       "login)".format(server, path))
    logout = shell.line(["helm", "registry", "logout", server])
    who = Client("helm", login_command(name, server), logout, expired="HELM_LOGIN_EXPIRED_ERROR",
                 rejected="HELM_LOGIN_REJECTED_ERROR",
                 instead="remove Helm's own login (`{}`), so that Helm sends Docker's, which `az acr login` "
                         "renews".format(logout), refresh_from="az acr login --expose-token")
    return judge(ctx, given, stored, who, registry_lookup(ctx, given))
