"""Docker's stored login for the registry: the credential `docker pull` actually sends.

"`az acr login` succeeded, but docker says unauthorized": the refresh token `az acr login` stored lives
about three hours, and another credential (the admin user, a token, an old service principal secret)
may shadow it. So: find what docker (or podman) holds for this login server, as it would (credHelpers,
then credsStore, then auths), read a refresh token's expiry without verifying it, and ask the registry's
realm for a pull token with the credential.

A credential helper is run only as `docker-credential-<name> get`, with the login server on stdin,
bounded by --timeout; its output is never shown as it is. The secret goes only to the validated realm.
"""

import base64
import binascii
import json
import os
import re
from dataclasses import dataclass

from .. import credentials, jwt_claims, realms
from ..credentials import TOKEN_USER, Credential
from ..outcome import failed, passed, skipped, warning
from ..text import one_line, printable, scrub
from . import answers, arm, docker_config
from .credentials import expiry, registry_lookup, registry_name, request_token, why_rejected
from .tokens import read_token

EXPIRING = 600          # seconds: a refresh token that expires within this is about to fail
NOT_FOUND = "credentials not found in native keychain"   # docker-credential-helpers' "no entry" answer
_HIDDEN_OUTPUT = "its output is not shown"
_JSON_SECRET = re.compile(r'(?i)"(secret|password|username)"')   # JSON a helper printed: never echoed


@dataclass(frozen=True)
class Stored:
    credential: Credential = None   # None: docker holds nothing for the registry
    where: str = ""                 # where docker keeps it, for the report
    looked: tuple = ()              # the files read
    problem: object = None          # an Outcome, when the store could not be read


@dataclass(frozen=True)
class Client:
    """The client whose stored login is judged, and the words and codes of its findings."""
    tool: str                 # "docker", "podman" or "helm", as reports name it
    login: str                # the command that stores a current login for the user's Azure identity
    logout: str               # the command that removes the stored login
    expired: str = "DOCKER_LOGIN_EXPIRED_ERROR"
    rejected: str = "DOCKER_LOGIN_REJECTED_ERROR"
    instead: str = ""         # another way out of a stale login, added to its fix
    refresh_from: str = "az acr login"    # the command that gives this client an ACR refresh token


def docker_login(ctx, given):
    for need, title in (("docker_client", "Docker client"), ("docker_credentials", "Docker credential helpers")):
        if need not in given:
            return skipped("skipped because {} did not pass".format(title))
    found, client = given["login_server"], given["docker_client"]
    server = given["challenge"]["login_server"]
    name = registry_name(ctx, found)
    tool = _tool(client)
    who = Client(tool, _login_command(ctx, client, name), "{} logout {}".format(tool, server))
    resource = registry_lookup(ctx, given)
    stored = stored_login(ctx, auth_files(ctx.env, client), server, name, creds_store=tool != "podman")
    if stored.problem:
        return stored.problem
    if stored.credential is None:
        if arm.properties(resource()[0]).get("anonymousPullEnabled") is True:
            return passed("{} holds no credential for {}; the registry allows anonymous pull, so pulls work "
                          "without one (pushing needs `az acr login -n {}`)".format(tool, server, name),
                          looked=list(stored.looked), anonymousPull=True)
        where = "in " + ", ".join(stored.looked) if stored.looked else "(no configuration file: {})".format(
            ", ".join(auth_files(ctx.env, client)))
        return warning("{} is not logged in to this registry: no credential for {} {}".format(tool, server, where),
                       fix="log in to the registry with your Azure identity", commands=[who.login],
                       looked=list(stored.looked))
    return judge(ctx, given, stored, who, resource)


def judge(ctx, given, stored, who, resource):
    """Whether the registry takes the credential a client stored (stored.credential), and the finding."""
    ch, found = given["challenge"], given["login_server"]
    server = ch["login_server"]
    name = registry_name(ctx, found)
    cred = stored.credential
    details = {"kind": cred.kind, "user": cred.user, "storedIn": stored.where}
    what = "{}'s stored login for {} ({}, in {})".format(who.tool, server, cred.describe(who.refresh_from),
                                                         stored.where)
    left = expiry(cred.secret) if cred.refresh_token else None
    if left is not None:
        details["expiresInSeconds"] = int(left)
    if left is not None and left <= 0:
        return _stale(who, resource, who.expired,
                      "{} expired {} ago; the registry rejects it".format(what, _duration(-left)), details)

    origin, problem = realms.token_server(ch["realm"], server, ctx.account.acr_suffix())
    if problem:
        return skipped("not checked: the challenge names token server {}, but {}; the stored credential was "
                       "not sent".format(realms.describe(ch["realm"]), problem))
    repository = ctx.options.repository
    scope = "repository:{}:pull".format(repository) if repository else "registry:catalog:*"
    res = request_token(ctx, origin, ch["service"], scope, cred)
    url = origin.url("/oauth2/token")
    details.update(answers.details(res), url=url, scope=scope)
    if res.ok and res.status == 401:
        name = registry_name(ctx, found, resource()[0])     # the resource's name, when -n was a login server
        cause = why_rejected(ctx, cred, name, resource)
        return _stale(who, resource, who.rejected,
                      "{} is rejected by {} (401): {}".format(what, url, cause.text), details, cause)
    token, outcome = read_token(res, "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "access token",
                                secrets=cred.secrets())
    if outcome:
        # The token server failed, not the credential: the Entra checks report that server's failure.
        return warning("{}; whether the registry accepts it is unknown: {}".format(what, outcome.message),
                       **details)
    if repository and not _grants_pull(token, repository):
        if cred.refresh_token and not ctx.options.username:
            # Most likely the CLI's own identity, whose permissions the Access token check reports: one
            # cause, one finding.
            return passed("{} is accepted by {}, but grants no pull on repository '{}' (see Access token)".format(
                what, url, repository), **details)
        return warning("{} is accepted, but it does not grant pull on repository '{}'".format(what, repository),
                       code="REPOSITORY_PERMISSION_ERROR",
                       fix="log in with an identity or token that may pull from '{}'".format(repository),
                       commands=[who.login], **details)
    if left is not None and left < EXPIRING:
        return warning("{} expires in {}; {} after that fail with 'unauthorized'".format(
                       what, _duration(left), "pushes and pulls" if who.tool == "helm" else "pulls"),
                       code=who.expired, fix="log in again now", commands=[who.login], **details)
    valid = ", valid for {}".format(_duration(left)) if left is not None else ""
    return passed("{} is accepted by {}{}".format(what, url, valid), **details)


def _stale(who, resource, code, message, details, cause=None):
    """The failure for a stored credential the registry will not take, with the fix for this case: log in
    again, or, where the registry allows anonymous pull, log out (the client sends a stored credential and
    fails with it; it does not fall back to anonymous access)."""
    commands = list(cause.commands) if cause else []
    commands = [c for c in commands if c != who.login] + [who.login]
    fix = "log in again, so that {} stores a current token for your Azure identity".format(who.tool)
    if cause and cause.fix:
        fix = cause.fix if who.login in cause.commands else "{}; or {}".format(cause.fix, fix)
    if who.instead:
        fix = "{}; or {}".format(fix, who.instead)
    if arm.properties(resource()[0]).get("anonymousPullEnabled") is True:
        message += ". The registry allows anonymous pull, but {} sends the stored credential, and it " \
                   "fails".format(who.tool)
        fix = "to pull anonymously, remove the stored credential; to push, {}".format(fix)
        commands = [who.logout] + commands
        details = dict(details, anonymousPull=True)
    return failed(code, message, fix=fix, commands=commands, **details)


# ---------------------------------------------------------------- finding the stored login

def stored_login(ctx, files, server, name, creds_store=True):
    """What a client holds for `server` in its configuration files (Docker's format): credHelpers[server],
    else credsStore (unless the client knows none: podman), else auths, in the first file that names the
    server (podman reads several)."""
    looked = []
    for path in files:
        config, problem = docker_config.read_config(path)
        if problem:
            return Stored(problem=failed("DOCKER_CREDENTIAL_HELPER_ERROR", "{} {}".format(
                path, problem[0] if problem[0].startswith("cannot") else "is " + problem[0]),
                fix="fix the file, or move it aside and log in again", path=path))
        if config is None:
            continue
        looked.append(path)
        helpers = config.get("credHelpers") if isinstance(config.get("credHelpers"), dict) else {}
        helper = _entry(helpers, server)
        if isinstance(helper, str) and helper:
            return _from_helper(ctx, helper, server, name, "credHelpers in " + path, looked)
        store = config.get("credsStore")
        if isinstance(store, str) and store and creds_store:
            return _from_helper(ctx, store, server, name, "credsStore in " + path, looked)
        auths = config.get("auths") if isinstance(config.get("auths"), dict) else {}
        entry = _entry(auths, server)
        if isinstance(entry, dict):
            cred, problem = _from_entry(entry, name, path)
            if problem:
                return Stored(problem=problem, looked=tuple(looked))
            if cred is not None:
                return Stored(cred, path, tuple(looked))
    return Stored(looked=tuple(looked))


def auth_files(env, client):
    """The files docker, or podman (containers/image), reads credentials from, in its order."""
    docker = docker_config.config_path(env)
    if client.get("kind") != "podman":
        return [docker]
    if env.get("REGISTRY_AUTH_FILE"):
        return [env["REGISTRY_AUTH_FILE"]]
    if env.get("XDG_RUNTIME_DIR"):
        runtime = os.path.join(env["XDG_RUNTIME_DIR"], "containers", "auth.json")
    else:
        runtime = os.path.join("/run", "containers", str(_uid()), "auth.json")
    home = env.get("HOME") or os.path.expanduser("~")
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    return [runtime, os.path.join(config_home, "containers", "auth.json"), docker]


def _uid():
    return os.getuid() if hasattr(os, "getuid") else 0


def _entry(mapping, server):
    """mapping[server], also under a key docker reads as the same host ("https://server/v1/")."""
    if server in mapping:
        return mapping[server]
    for key, value in mapping.items():
        if isinstance(key, str) and _hostname(key) == server.lower():
            return value
    return None


def _hostname(key):
    """docker's ConvertToHostname: without the scheme and anything after the first '/'."""
    key = key.strip().lower()
    for scheme in ("https://", "http://"):
        if key.startswith(scheme):
            key = key[len(scheme):]
    return key.split("/", 1)[0]


def _from_entry(entry, name, path):
    """(Credential or None, None) from an `auths` entry, or (None, the failed outcome for a bad one)."""
    identity = entry.get("identitytoken")
    if isinstance(identity, str) and identity:
        return Credential(None, identity, credentials.REFRESH_TOKEN, source=path), None
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, sep, secret = base64.b64decode(auth, validate=True).decode("utf-8").partition(":")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            sep = ""
        if not sep:
            return None, failed("DOCKER_CREDENTIAL_HELPER_ERROR",
                                "the entry for this registry in {} holds an 'auth' value that is not base64 of "
                                "user:password; docker cannot use it".format(path),
                                fix="remove the entry (docker logout), then log in again", path=path)
        return Credential(user, secret, credentials.kind_of(user, name), source=path), None
    user, secret = entry.get("username"), entry.get("password")
    if isinstance(user, str) and isinstance(secret, str) and user and secret:
        return Credential(user, secret, credentials.kind_of(user, name), source=path), None
    return None, None


def _from_helper(ctx, helper, server, name, where, looked):
    """Run `docker-credential-<helper> get` with the login server on stdin, as docker does."""
    program = "docker-credential-" + helper
    found = docker_config.helper_program(helper, ctx.env, ctx.cwd)
    looked = tuple(looked)
    if not found:
        return Stored(problem=failed("DOCKER_CREDENTIAL_HELPER_ERROR", "{} names {}, which is not on PATH".format(
            where, program), fix="install {}, or remove the entry".format(program)), looked=looked)
    if found.untrusted:
        return Stored(problem=failed("DOCKER_CREDENTIAL_HELPER_ERROR", "refusing to run {}".format(found.refusal()),
                                     fix="put the folder that holds {} on PATH as an absolute path".format(program)),
                      looked=looked)
    proc = ctx.edges.run([found.path, "get"], stdin=server.encode("utf-8"))
    where = "{} ({})".format(program, where)
    said = (proc.stdout or "").strip() or (proc.stderr or "").strip()
    if proc.returncode is not None and proc.returncode != 0 and said == NOT_FOUND:
        return Stored(where=where, looked=looked)      # docker sends nothing
    problem = _helper_failure(proc, program, ctx.timeout)
    if problem:
        return Stored(problem=problem, looked=looked)
    answer = _json(proc.stdout)
    user, secret = (answer.get("Username"), answer.get("Secret")) if isinstance(answer, dict) else (None, None)
    if not isinstance(user, str) or not isinstance(secret, str):
        return Stored(problem=failed("DOCKER_CREDENTIAL_HELPER_ERROR",
                                     "`{} get` answered with output that is not the JSON docker expects "
                                     "({})".format(program, _HIDDEN_OUTPUT),
                                     fix="reinstall {}, or remove it from the Docker configuration".format(program)),
                      looked=looked)
    if not secret:
        return Stored(where=where, looked=looked)
    if user == TOKEN_USER:
        return Stored(Credential(None, secret, credentials.REFRESH_TOKEN, source=where), where, looked)
    return Stored(Credential(user, secret, credentials.kind_of(user, name), source=where), where, looked)


def _helper_failure(proc, program, timeout):
    """The failed outcome for a helper that did not answer as one should, or None."""
    fix = ("check that the credential store behind {} is unlocked and answers (keychain, pass and gpg-agent, "
           "the Secret Service), or remove it from the Docker configuration".format(program))
    if proc.error:
        why = "could not start: {}".format(proc.error)
    elif proc.timed_out:
        why = "did not answer within {:g} s; docker waits on it too".format(timeout)
    elif not proc.ok:
        why = "exited with status {}{}".format(proc.returncode, _summary(proc))
    else:
        return None
    return failed("DOCKER_CREDENTIAL_HELPER_ERROR", "`{} get` {}".format(program, why), fix=fix,
                  helper=program, returncode=proc.returncode)


def _summary(proc):
    """A helper's own words about a failure, one short line, only when they cannot hold a credential."""
    text = (proc.stdout or "").strip() or (proc.stderr or "").strip()
    line = text.splitlines()[0] if text else ""
    if not line:
        return " (no output)"
    if "{" in line or _JSON_SECRET.search(line):
        return " ({})".format(_HIDDEN_OUTPUT)
    return ": " + one_line(printable(scrub(line)), 120)


def _json(text):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


# ---------------------------------------------------------------- words and commands

def _tool(client):
    return "podman" if os.path.basename(client.get("path") or "").startswith("podman") else "docker"


def _login_command(ctx, client, name):
    """`az acr login -n <name>`; az acr login runs `docker` unless DOCKER_COMMAND names another client."""
    if _tool(client) == "podman" and not ctx.env.get("DOCKER_COMMAND"):
        return "DOCKER_COMMAND=podman az acr login -n {}".format(name)
    return "az acr login -n {}".format(name)


def _grants_pull(token, repository):
    claims = jwt_claims.claims(token)
    if claims is None:
        return True       # not a JWT: nothing to read, the 200 is all we know
    granted = jwt_claims.granted_actions(claims, "repository", repository)
    return "pull" in granted or "*" in granted


def _duration(seconds):
    seconds = int(abs(seconds))
    if seconds < 120:
        return "{} s".format(seconds)
    if seconds < 7200:
        return "{} min".format(seconds // 60)
    if seconds < 172800:
        return "{} h {} min".format(seconds // 3600, seconds % 3600 // 60)
    return "{} days".format(seconds // 86400)

