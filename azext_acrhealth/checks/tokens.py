"""Azure AD → registry tokens: the AAD token, the refresh token exchange, the access token.

Tokens travel only in outcome `data`; messages, details and fixes never hold one, and any body excerpt
is scrubbed of the tokens sent and of anything shaped like a JWT.
"""

from .. import fix_commands, jwt_claims, realms
from ..account import LoginError
from ..outcome import failed, passed, warning
from ..text import one_line, scrub
from . import answers

REPOSITORY_ACTIONS = ("pull", "push", "metadata_read", "metadata_write", "delete")
CATALOG_SCOPE = "registry:catalog:*"


def aad_token(ctx, _given):
    audience = ctx.account.acr_audience()
    try:
        token, tenant = ctx.account.token(audience)
    except LoginError as ex:
        return failed("AZURE_LOGIN_ERROR", "no Azure AD token for {}: {}".format(audience, ex),
                      fix="run `az login`, then try again", audience=audience)
    if not isinstance(token, str) or not token:
        return failed("AZURE_LOGIN_ERROR", "the Azure CLI returned no token for {}".format(audience),
                      fix="run `az login`, then try again", audience=audience)
    claims = jwt_claims.claims(token) or {}
    identity = next((claims[k] for k in ("upn", "unique_name", "appid", "oid") if isinstance(claims.get(k), str)),
                    None)
    return passed("token for {} (tenant {}{})".format(audience, tenant, ", " + identity if identity else ""),
                  handoff={"token": token, "tenant": tenant, "principal": _principal(claims)}, audience=audience,
                  tenant=tenant, identity=identity)


def _principal(claims):
    """Who the token is for, as a role assignment names it: (object id, "User" or "ServicePrincipal"), or None.
    Delegated tokens (a user's) carry scp; application tokens (service principals, managed identities) do not."""
    oid = claims.get("oid")
    if not isinstance(oid, str) or not oid:
        return None
    return oid, "User" if "scp" in claims or "upn" in claims else "ServicePrincipal"


def refresh_token(ctx, given):
    """Exchange the AAD token for a registry refresh token at the challenge's realm, if it is trusted."""
    ch, aad = given["challenge"], given["aad_token"]
    realm, server = ch["realm"], ch["login_server"]
    origin, problem = realms.token_server(realm, server, ctx.account.acr_suffix())
    if problem:
        return failed("CONNECTIVITY_REALM_ERROR",
                      "the challenge names token server {}, but {}; the Azure AD token was not sent".format(
                          realms.describe(realm), problem), realm=realm[:300])
    # The URL is built from the validated origin alone, never from the realm's text.
    url = origin.url("/oauth2/exchange")
    res = ctx.edges.post(url, data={"grant_type": "access_token", "service": ch["service"],
                                   "tenant": aad["tenant"], "access_token": aad["token"]})
    token, outcome = _read_token(res, "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "refresh token",
                                 secrets=(aad["token"],), network=answers.network(ctx, given))
    if outcome:
        return outcome
    handoff = {"refresh_token": token, "origin": origin, "service": ch["service"]}
    if jwt_claims.claims(token) is None:
        return warning("{} issued a refresh token that is not a JWT, unlike Azure Container Registry; another "
                       "server may be answering for the registry".format(url), handoff=handoff, url=url, jwt=False)
    return passed("refresh token issued by {}".format(url), handoff=handoff, url=url, status=res.status)


def access_token(ctx, given):
    """Ask for an access token that proves something: the catalog, or every action on --repository."""
    refresh = given["refresh_token"]
    repository = ctx.options.repository
    scope = scope_for(repository)
    url = refresh["origin"].url("/oauth2/token")
    res = ctx.edges.post(url, data={"grant_type": "refresh_token", "service": refresh["service"], "scope": scope,
                                   "refresh_token": refresh["refresh_token"]})
    token, outcome = _read_token(res, "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "access token",
                                 secrets=(refresh["refresh_token"],), network=answers.network(ctx, given))
    if outcome:
        return outcome
    settings = (given.get("registry_resource") or {}).get("settings")
    principal = (given.get("aad_token") or {}).get("principal")
    return judge_access(token, url, scope, repository, settings=settings, principal=principal)


def scope_for(repository):
    """The scope that proves something: every action on --repository, else listing the catalog."""
    return "repository:{}:{}".format(repository, ",".join(REPOSITORY_ACTIONS)) if repository else CATALOG_SCOPE


def judge_access(token, url, scope, repository, settings=None, principal=None, **extra):
    """The outcome for an access token issued for `scope`: what it grants, and for a missing permission the
    role to assign in the registry's mode (settings) to the identity (principal). `extra` joins the details."""
    claims = jwt_claims.claims(token)
    details = dict({"url": url, "scope": scope}, **extra)
    if claims is None:
        if repository:
            return failed("CONNECTIVITY_ACCESS_TOKEN_ERROR", "{} issued an access token that is not a JWT, so its "
                          "permissions on '{}' cannot be read".format(url, repository), **details)
        return warning("{} issued an access token that is not a JWT; its permissions cannot be read".format(url),
                       **details)
    if repository:
        return _repository_permissions(claims, repository, details, settings, principal)
    if jwt_claims.granted_actions(claims, "registry", "catalog"):
        return passed("access token issued for {} by {}".format(scope, url), **details)
    lister = (" (on this ABAC-enabled registry, listing needs the Container Registry Repository Catalog Lister "
              "role)" if settings is not None and settings.abac else "")
    return warning("access token issued by {}, but it does not grant listing repositories ({}){}; pass "
                   "--repository to check pull and push on one repository".format(url, scope, lister), **details)


def _repository_permissions(claims, repository, details, settings=None, principal=None):
    granted = jwt_claims.granted_actions(claims, "repository", repository)
    if "*" in granted:
        granted = set(REPOSITORY_ACTIONS)
    have = [a for a in REPOSITORY_ACTIONS if a in granted]
    missing = [a for a in REPOSITORY_ACTIONS if a not in granted]
    details = dict(details, repository=repository, granted=have, missing=missing)
    if not missing:
        return passed("access token grants {} on repository '{}'".format(", ".join(have), repository), **details)
    text = "repository '{}': granted: {}; missing: {}".format(repository, ", ".join(have) or "none",
                                                             ", ".join(missing))
    fix, commands = _permission_fix(missing, repository, settings, principal)
    if settings is not None and settings.role_assignment_mode:
        details["roleAssignmentMode"] = settings.role_assignment_mode
    # No action at all means the identity cannot use the repository: a failure. A partial grant (a
    # pull-only identity, say) is a legitimate set-up, so it is a warning that names what is missing.
    if not have:
        return failed("REPOSITORY_PERMISSION_ERROR", text, fix=fix, commands=commands, **details)
    return warning(text, code="REPOSITORY_PERMISSION_ERROR", fix=fix, commands=commands, **details)


# The role that grants a missing action: (the action, the ABAC-enabled role, the legacy role). The first
# missing action in this order decides (pull before push before delete); the fix text names the others.
_ROLES = (("pull", "Container Registry Repository Reader", "AcrPull"),
          ("push", "Container Registry Repository Writer", "AcrPush"),
          ("delete", "Container Registry Repository Contributor", "AcrDelete"),
          ("metadata_read", "Container Registry Repository Reader", "AcrPull"),
          ("metadata_write", "Container Registry Repository Writer", "AcrPush"))


def _permission_fix(missing, repository, settings, principal):
    """What to assign for the missing actions, in the registry's role assignment mode, and the exact
    `az role assignment create` when the identity and the registry's id are known."""
    need, abac_role, legacy_role = next(role for role in _ROLES if role[0] in missing)
    if settings is not None and settings.abac:
        fix = ("this registry uses ABAC repository permissions (AcrPull, AcrPush and AcrDelete are not honoured "
               "there): assign the {} role, scoped to repository '{}' by an ABAC condition, to grant {} (Reader "
               "pulls, Writer pushes too, Contributor also deletes)".format(abac_role, repository, need))
        role, scoped = abac_role, repository
    elif settings is not None and settings.role_assignment_mode:
        fix = ("assign the {} role on the registry to grant {} (AcrPull pulls, AcrPush pushes too, AcrDelete "
               "deletes); this registry uses RBAC registry permissions, so roles apply to every "
               "repository".format(legacy_role, need))
        role, scoped = legacy_role, None
    else:
        return ("assign {} on the registry to grant {} ({} on registries with ABAC repository permissions, scoped "
                "to repository '{}')".format(legacy_role, need, abac_role, repository)), []
    object_id, kind = principal if principal else (None, None)
    command = fix_commands.role_assignment(role, object_id, kind, settings.resource_id, scoped)
    return fix, [command] if command else []


def read_token(res, key, code, what, secrets=(), network=None):
    """(token, None) from a token endpoint's answer, or (None, the failed outcome saying why); excerpts are
    scrubbed of `secrets`."""
    return _read_token(res, key, code, what, secrets, network)


def _read_token(res, key, code, what, secrets=(), network=None):
    """(token, None) from a token endpoint's answer, or (None, the failed outcome saying why)."""
    url = res.url
    if not res.ok:
        return None, failed(code, "{} for the {}: {} ({})".format(url, what, res.cause, res.reason),
                            url=url, error=res.error)
    refused = answers.refusal(res, code, "the " + what, network=network)
    if refused:
        return None, refused
    details = answers.details(res)
    body = res.json()
    if res.status != 200:
        return None, failed(code, "{} answered {}: {}".format(url, res.status, _error_text(res, body, secrets)),
                            **details)
    if body is None:
        kind = res.header("content-type") or "no content type"
        return None, failed(code, "{} answered 200 with a body that is not JSON ({}{}), not a {}; a proxy's page? "
                            "{}".format(url, kind.split(";")[0], ", cut at the size limit" if res.truncated else "",
                                        what, res.excerpt(secrets=secrets)), **details)
    if not isinstance(body, dict):
        return None, failed(code, "{} answered 200 with JSON {} instead of an object holding the {}".format(
            url, type(body).__name__, what), **details)
    token = body.get(key)
    if not isinstance(token, str) or not token.strip():
        found = "a {} value".format(type(token).__name__) if key in body else "no '{}' field".format(key)
        keys = ", ".join(sorted(str(k)[:40] for k in body)[:10]) or "none"
        return None, failed(code, "{} answered 200 with {} (fields: {})".format(url, found, keys), **details)
    return token.strip(), None


def _error_text(res, body, secrets):
    """ACR's {"errors":[{"code","message"}]} in one line, or a short excerpt of whatever came back."""
    errors = body.get("errors") if isinstance(body, dict) else None
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], dict) else None
    if first:
        text = "{} {}".format(first.get("code") or "", first.get("message") or "").strip()
        return one_line(scrub(text, secrets), 200) or "(empty body)"
    return res.excerpt(secrets=secrets) or "(empty body)"
