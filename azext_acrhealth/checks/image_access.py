"""--image, first step: a token for repository:<repo>:pull with the credential the registry checks used (the
CLI's identity through its refresh token, or the user name and password of -u); without pull, who lacks it and
the exact change that grants it (a role assignment, or a token's scope map)."""

import re

from .. import fix_commands, jwt_claims, login_servers
from ..account import LoginError
from ..credentials import ADMIN, SERVICE_PRINCIPAL, TOKEN, is_guid, shown_user
from ..outcome import failed, passed, warning
from ..text import one_line
from . import answers, arm, credentials, registry_settings, tokens
from .image import registry_name

ROLE_READER = "Container Registry Repository Reader"


def image_access(ctx, given):
    """An access token for repository:<repo>:pull, with the credential the registry checks used: the CLI's
    identity through its refresh token, or the user name and password given with -u."""
    image = ctx.options.image
    scope = "repository:{}:pull".format(image.repository)
    if "credentials" in given:
        found = given["credentials"]
        url = found["origin"].url("/oauth2/token")
        res = credentials.request_token(ctx, found["origin"], found["service"], scope, found["credential"])
        secrets = found["credential"].secrets()
    else:
        refresh = given["refresh_token"]
        url = refresh["origin"].url("/oauth2/token")
        res = ctx.edges.post(url, data={"grant_type": "refresh_token", "service": refresh["service"],
                                       "scope": scope, "refresh_token": refresh["refresh_token"]})
        secrets = (refresh["refresh_token"],)
    token, outcome = tokens.read_token(res, "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR",
                                       "access token for " + scope, secrets=secrets)
    if outcome:
        return outcome
    # The token goes to the registry's own origin only, built from the login server the DNS check resolved.
    handoff = {"token": token, "origin": login_servers.login_server_origin(given["login_server"]["login_server"]),
               # The registry's network rules, for the firewall finding of a later step's 403.
               "network": answers.network(ctx, given)}
    details = {"url": url, "scope": scope, "repository": image.repository}
    claims = jwt_claims.claims(token)
    if claims is None:
        return warning("{} issued a token for {} that is not a JWT, so what it grants cannot be read; the "
                       "manifest request tells".format(url, scope), handoff=handoff, **details)
    granted = jwt_claims.granted_actions(claims, "repository", image.repository)
    if "pull" in granted or "*" in granted:
        return passed("pull granted on repository '{}'".format(image.repository), handoff=handoff,
                      granted=sorted(granted), **details)
    return _no_pull(ctx, given, sorted(granted), details)


def _no_pull(ctx, given, granted, details):
    if "credentials" in given:
        return _credential_no_pull(ctx, given, granted, details)
    repository = ctx.options.image.repository
    aad = given["aad_token"]
    who = _identity(aad.get("token"))
    object_id, kind = aad.get("principal") or (None, None)
    registry = _registry_resource(ctx, given)
    settings = registry_settings.read(registry)
    name = registry_name(ctx, registry)
    where = "registry {}".format(name) if name else "the registry"
    message = "{} has no pull permission on repository '{}' (the token grants {})".format(
        who, repository, ", ".join(granted) or "nothing")
    details = dict(details, granted=granted, identity=who,
                   roleAssignmentMode=arm.properties(registry).get("roleAssignmentMode"))
    rid = settings.resource_id
    # The same command, built and quoted by the same rules, as the access token check's.
    if settings.abac:
        # ABAC mode: AcrPull is not honoured; a repository role with a condition on the repository is.
        fix = ("{} uses ABAC repository permissions, where AcrPull is not honoured: assign {} the role '{}' on "
               "it, with a condition that limits it to repository '{}'".format(where, who, ROLE_READER, repository))
        command = fix_commands.role_assignment(ROLE_READER, object_id, kind, rid, repository)
    else:
        fix = "assign {} the AcrPull role on {}".format(who, where)
        command = fix_commands.role_assignment("AcrPull", object_id, kind, rid)
    if not command:
        fix += " (scope: the registry's resource ID{})".format(
            ", from `az acr show -n {} --query id -o tsv`".format(name) if name else "")
    return failed("REPOSITORY_PERMISSION_ERROR", message, fix=fix, commands=[command] if command else [], **details)


def _credential_no_pull(ctx, given, granted, details):
    """No pull for the user name and password of -u: what to change depends on what they are."""
    repository = ctx.options.image.repository
    cred = given["credentials"]["credential"]
    who = cred.describe()
    message = "{} has no pull permission on repository '{}' (the token grants {})".format(
        who, repository, ", ".join(granted) or "nothing")
    details = dict(details, granted=granted, kind=cred.kind, user=cred.user)
    registry = _registry_resource(ctx, given)
    settings = registry_settings.read(registry)
    name = registry_name(ctx, registry)
    commands = []
    if cred.kind == TOKEN and cred.token_name:
        scope_map = _scope_map(ctx, settings.resource_id, cred.token_name)
        fix = "add repository '{}' with content/read and metadata/read to the scope map {}of token '{}'".format(
            repository, "'{}' ".format(scope_map) if scope_map else "", cred.token_name)
        commands = [fix_commands.scope_map_add_repository(scope_map, name, repository)]
        if not commands[0]:
            commands = ["az acr token show -n {} -r {} --query scopeMapId -o tsv".format(cred.token_name, name)] \
                if name else []
    elif cred.kind == SERVICE_PRINCIPAL:
        abac = settings.abac
        role = ROLE_READER if abac else "AcrPull"
        fix = "assign {} the role '{}' on the registry{}".format(
            who, role, ", with a condition that limits it to repository '{}'".format(repository) if abac else "")
        commands = [fix_commands.role_assignment(role, None, None, settings.resource_id,
                                                 repository if abac else None, app_id=cred.user)]
    elif cred.kind == ADMIN:
        fix = "the admin user may pull every repository: check that '{}' is this registry's admin user".format(
            shown_user(cred.user))
    else:
        fix = "use a credential that may pull repository '{}': a token whose scope map includes it, or a service " \
              "principal with the AcrPull role".format(repository)
    return failed("REPOSITORY_PERMISSION_ERROR", message, fix=fix, commands=[c for c in commands if c], **details)


def _scope_map(ctx, rid, token):
    """The name of a token's scope map, from its ARM resource; None when it cannot be read."""
    if rid is None:
        return None
    body, _ = credentials.token_resource(ctx, rid, token)
    scope_map = arm.properties(body).get("scopeMapId")
    name = scope_map.rstrip("/").rsplit("/", 1)[-1] if isinstance(scope_map, str) else ""
    return name if re.fullmatch(r"[\w-]{1,50}", name, re.ASCII) else None


def _identity(aad_token):
    """How to name the identity in a report, from the AAD token's claims."""
    claims = jwt_claims.claims(aad_token) or {}
    oid, appid = claims.get("oid"), claims.get("appid") or claims.get("azp")
    user = next((claims[k] for k in ("upn", "unique_name", "preferred_username") if isinstance(claims.get(k), str)),
                None)
    if user:
        who = "user {}".format(one_line(user, 100))
    elif isinstance(appid, str) and appid:
        who = "application {}".format(one_line(appid, 60))
    else:
        who = "the signed-in identity"
    if is_guid(oid):
        who += " (object ID {})".format(oid)
    return who


def _registry_resource(ctx, given):
    """The registry's ARM resource: from the login server look-up, else one look-up now (failure path
    only); None when it cannot be read."""
    resource = given.get("registry_resource")
    if resource:
        return resource.get("registry")
    found = given["login_server"]
    if found.get("looked_up"):
        return found.get("registry")
    try:
        registry, _, _ = arm.find_registry(ctx, login_server=found["login_server"])
    except LoginError:
        return None
    return registry
