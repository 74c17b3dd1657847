"""Credentials other than the CLI's Entra identity: the user name and password given with -u/-p, and what
every credential check shares: asking the registry's realm for a token with one, and telling from ARM
why the registry rejects it (admin user disabled, token disabled or expired).

The secret goes only to the realm the challenge named once realms.token_server has accepted it, over
HTTPS, in a URL built from that validated origin. Messages, details and fixes never hold it; excerpts
of answers are scrubbed of it (and of its Basic encoding).
"""

import re
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib.parse import urlencode

from .. import credentials, fix_commands, realms
from ..account import LoginError
from ..credentials import ADMIN, PASSWORD_VARIABLE, REFRESH_TOKEN, SERVICE_PRINCIPAL, TOKEN, Credential
from ..outcome import failed, skipped
from . import answers, arm, tokens

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.\d+)?(Z|[+-]\d\d:\d\d)?$")


# ---------------------------------------------------------------- -u/--username and -p/--password

def given_credentials(ctx, given):
    """The user name and password given on request, tested as docker would use them: Basic
    authentication at the realm's token endpoint, for the catalog or --repository."""
    found, ch = given["login_server"], given["challenge"]
    user = ctx.options.username
    secret = ctx.options.password or ctx.env.get(PASSWORD_VARIABLE)
    if not secret:
        return skipped("no password for user '{}': pass -p/--password, or set {}".format(
            credentials.shown_user(user), PASSWORD_VARIABLE))
    name = registry_name(ctx, found)
    cred = Credential(user, secret, credentials.kind_of(user, name), source="-u/--username")
    what = cred.describe()
    origin, problem = realms.token_server(ch["realm"], ch["login_server"], ctx.account.acr_suffix())
    if problem:
        return failed("CONNECTIVITY_REALM_ERROR",
                      "the challenge names token server {}, but {}; the password was not sent".format(
                          realms.describe(ch["realm"]), problem), realm=str(ch["realm"])[:300])
    repository = ctx.options.repository
    scope = tokens.scope_for(repository)
    res = request_token(ctx, origin, ch["service"], scope, cred)
    details = {"kind": cred.kind, "user": cred.user, "scope": scope}
    if res.ok and res.status == 401:
        lookup = registry_lookup(ctx, given)
        name = registry_name(ctx, found, lookup()[0])      # the resource's name, when -n was a login server
        cause = why_rejected(ctx, cred, name, lookup)
        url = origin.url("/oauth2/token")
        return failed("CREDENTIALS_REJECTED_ERROR", "{} rejected {}: {}".format(url, what, cause.text),
                      fix=cause.fix or "check the user name and the password", commands=cause.commands,
                      **dict(answers.details(res), **details))
    token, outcome = tokens.read_token(res, "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "access token",
                                       secrets=cred.secrets())
    if outcome:
        return outcome
    # The token endpoint without the query: the scope is in the message and the details already.
    judged = tokens.judge_access(token, origin.url("/oauth2/token"), scope, repository, kind=cred.kind, user=cred.user)
    # --image asks for its repository's token with the same credential, at the same validated realm.
    handoff = {"credential": cred, "origin": origin, "service": ch["service"]}
    return replace(judged, message="{}: {}".format(what, judged.message), handoff=handoff)


# ---------------------------------------------------------------- shared by the credential checks

def request_token(ctx, origin, service, scope, cred):
    """Ask the realm for an access token with this credential, as docker does: a refresh token as a
    refresh_token grant, a user name and password with Basic authentication. -> HttpResult."""
    url = origin.url("/oauth2/token")
    if cred.refresh_token:
        return ctx.edges.post(url, data={"grant_type": "refresh_token", "service": service, "scope": scope,
                                         "refresh_token": cred.secret})
    return ctx.edges.get("{}?{}".format(url, urlencode({"service": service, "scope": scope})),
                         headers={"Authorization": cred.basic()})


def registry_name(ctx, found, registry=None):
    """The registry's name as commands take it (`az acr login -n <name>`): validated, never raw text."""
    candidates = [ctx.options.registry_name, (registry or found.get("registry") or {}).get("name")]
    server = found.get("login_server") or ""
    candidates.append(server.split(".", 1)[0].split("-", 1)[0] if "." in server else None)
    for candidate in candidates:
        if fix_commands.registry_name(candidate):
            return fix_commands.registry_name(candidate)
    return server if re.match(r"^[a-z0-9.:\[\]-]{1,253}$", server) else "<registry>"


def registry_of(ctx, given):
    """(the registry's ARM resource, None) or (None, why not): from the registry resource check, else the
    login server check's look-up, else one look-up by login server."""
    resource = (given.get("registry_resource") or {}).get("registry")
    if resource:
        return resource, None
    found = given["login_server"]
    if found.get("looked_up"):
        return found.get("registry"), found.get("why") or "not found"
    try:
        registry, _, why = arm.find_registry(ctx, login_server=found["login_server"])
    except LoginError:
        return None, "not logged in to Azure"
    return registry, why


def registry_lookup(ctx, given):
    """registry_of, looked up at most once, when first asked for: lookup() -> (registry, why not)."""
    box = []

    def lookup():
        if not box:
            box.append(registry_of(ctx, given))
        return box[0]
    return lookup


@dataclass(frozen=True)
class Cause:
    text: str                 # why the registry most likely rejects the credential
    fix: str = None
    commands: tuple = ()


def why_rejected(ctx, cred, name, lookup):
    """The likely cause of a rejection, from the registry's resource (lookup(), see registry_lookup) when
    ARM can tell it."""
    if cred.kind == REFRESH_TOKEN:
        return Cause("the token was revoked or issued for another registry, or the identity that logged in has "
                     "lost its access", fix="log in again with an identity that has a role on the registry "
                     "(AcrPull or higher)", commands=("az acr login -n {}".format(name),))
    if cred.kind == SERVICE_PRINCIPAL:
        return Cause("its client secret expired or was reset, the service principal was deleted, or it has no role "
                     "on the registry", fix="create a new client secret for the service principal (or give it the "
                     "AcrPull role on the registry) and use that",
                     commands=("az ad app credential reset --id {} --append".format(cred.user),))
    registry, why = lookup()
    if cred.kind == ADMIN:
        return _admin_cause(registry, why, name)
    if cred.kind == TOKEN and cred.token_name:
        return _token_cause(ctx, registry, why, cred.token_name, name)
    return Cause("the password is wrong, or '{}' is no admin user, token or service principal of this "
                 "registry".format(credentials.shown_user(cred.user)),
                 fix="use the admin user (the registry's name), a token of the registry, or a service principal's "
                     "application ID, with its current password")


def _admin_cause(registry, why, name):
    if registry is None:
        return Cause("the admin password was regenerated, or the admin user was disabled (the registry's resource "
                     "could not be read: {})".format(why),
                     fix="get the current admin password with `az acr credential show -n {}`".format(name))
    enabled = arm.properties(registry).get("adminUserEnabled")
    if enabled is False:
        return Cause("the admin user of registry '{}' is disabled".format(name),
                     fix="enable the admin user if your policy allows it (`az acr update -n {} --admin-enabled "
                         "true`)".format(name))
    if enabled is not True:
        return Cause("the admin password was regenerated, or the admin user was disabled",
                     fix="get the current admin password with `az acr credential show -n {}`".format(name))
    return Cause("the admin user is enabled, so its password was most likely regenerated since it was stored",
                 fix="use the current admin password, shown by `az acr credential show -n {}`".format(name))


def _token_cause(ctx, registry, why, token, name):
    if registry is None or not isinstance(registry.get("id"), str):
        return Cause("the token's password is wrong or expired, or the token is disabled (the registry's resource "
                     "could not be read: {})".format(why),
                     fix="check the token with `az acr token show -n {} -r {}`".format(token, name))
    body, problem = token_resource(ctx, registry["id"], token)
    if body is None:
        if "not found" in problem:
            return Cause("registry '{}' has no token named '{}' (was it deleted?)".format(name, token),
                         fix="create the token again, or use another credential",
                         commands=("az acr token list -r {} -o table".format(name),))
        return Cause("the token's password is wrong or expired, or the token is disabled (its resource could not "
                     "be read: {})".format(problem),
                     fix="check the token with `az acr token show -n {} -r {}`".format(token, name))
    props = arm.properties(body)
    if str(props.get("status", "")).lower() == "disabled":
        return Cause("token '{}' is disabled".format(token), fix="enable the token",
                     commands=("az acr token update -n {} -r {} --status enabled".format(token, name),))
    creds = props.get("credentials") if isinstance(props.get("credentials"), dict) else {}
    listed = creds.get("passwords") if isinstance(creds.get("passwords"), list) else ()
    passwords = [p for p in listed if isinstance(p, dict)][:2]
    generate = "az acr token credential generate -n {} -r {} --password1 --expiration-in-days 30".format(token,
                                                                                                      name)
    if not passwords:
        return Cause("token '{}' has no password".format(token), fix="generate a password for the token",
                     commands=(generate,))
    expiries = [_parse_time(p.get("expiry")) for p in passwords]
    now = datetime.now(UTC)
    if all(e is not None and e <= now for e in expiries):
        last = max(expiries).strftime("%Y-%m-%d %H:%M UTC")
        return Cause("the password{} of token '{}' expired (the last on {})".format(
            "s" if len(expiries) > 1 else "", token, last), fix="generate a new password for the token",
            commands=(generate,))
    return Cause("token '{}' is enabled and has a valid password, so the one used is not current (regenerated "
                 "since it was stored?)".format(token), fix="use the token's current password, or generate a new one",
                 commands=(generate,))


def token_resource(ctx, registry_id, token):
    """(the ARM resource of the registry's token named `token`, None), or (None, why it cannot be read)."""
    return arm.get(ctx, "{}/tokens/{}".format(registry_id, token), arm.API_REGISTRIES)


def _parse_time(text):
    """An ARM date-time ('2024-05-01T10:00:00.1234567Z') as an aware datetime, or None."""
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    zone = match.group(2) or "Z"
    try:
        return datetime.fromisoformat(match.group(1) + ("+00:00" if zone == "Z" else zone))
    except ValueError:
        return None


def expiry(secret):
    """Seconds until a JWT-shaped secret expires (negative when it has), or None without an `exp`."""
    from .. import jwt_claims
    exp = (jwt_claims.claims(secret) or {}).get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return exp - time.time()
