"""Docker's credential configuration: the helpers that `docker login` and `az acr login` will call.

A `credsStore` or `credHelpers` entry whose `docker-credential-<name>` program is missing makes every
login fail with a message that does not name the cause; so does a config.json that is not JSON.
"""

import json
import os
import re

from ..executables import find
from ..outcome import failed, passed

MAX_CONFIG = 4 << 20    # bytes: a config.json larger than this is not one Docker wrote
_HELPER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def config_path(env):
    """$DOCKER_CONFIG/config.json, else ~/.docker/config.json, with HOME from the given environment."""
    if env.get("DOCKER_CONFIG"):
        return os.path.join(env["DOCKER_CONFIG"], "config.json")
    home = env.get("HOME") or env.get("USERPROFILE") or os.path.expanduser("~")
    return os.path.join(home, ".docker", "config.json")


def read_config(path):
    """(the file's JSON object, None), (None, None) when there is no such file, or (None, (why it cannot be
    read, details)). The file is read bounded: a config.json is small."""
    if not os.path.exists(path):
        return None, None
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG + 1)
        if len(raw) > MAX_CONFIG:
            raise ValueError("larger than {} MiB".format(MAX_CONFIG >> 20))
        config = json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as ex:
        return None, ("not valid JSON: {} at line {} column {}".format(ex.msg, ex.lineno, ex.colno),
                      {"line": ex.lineno, "column": ex.colno})
    except (OSError, ValueError, RecursionError) as ex:
        return None, ("cannot be read: {}".format(getattr(ex, "strerror", None) or ex), {})
    if not isinstance(config, dict):
        return None, ("not a JSON object", {})
    return config, None


def docker_credentials(ctx, _given):
    path = config_path(ctx.env)
    config, problem = read_config(path)
    if problem:
        return _unreadable(path, problem[0], **problem[1])
    if config is None:
        return passed("no Docker configuration file", path=path)

    helpers = {}   # helper name -> what names it in the file
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        helpers.setdefault(store, []).append("credsStore")
    per_registry = config.get("credHelpers")
    if isinstance(per_registry, dict):
        for registry, name in sorted(per_registry.items()):
            if isinstance(name, str) and name:
                helpers.setdefault(name, []).append("credHelpers[{}]".format(registry))
    found = {name: helper_program(name, ctx.env, ctx.cwd) for name in helpers}
    missing = {name: users for name, users in helpers.items() if not found[name]}
    untrusted = sorted(name for name in helpers if found[name] and found[name].untrusted)
    if untrusted:
        name = untrusted[0]
        return failed("DOCKER_CREDENTIAL_HELPER_ERROR",
                      "{} names docker-credential-{}, which docker refuses to run (as Go's exec does) and so do "
                      "we: {}".format(", ".join(helpers[name]), name, found[name].refusal()),
                      fix="put the folder that holds docker-credential-{} on PATH as an absolute path, and remove "
                          "relative entries (and '.') from PATH".format(name), path=path,
                      untrusted=["docker-credential-" + n for n in untrusted])
    if missing:
        programs = ", ".join("docker-credential-" + name for name in sorted(missing))
        entries = ", ".join(entry for name in sorted(missing) for entry in missing[name])
        return failed("DOCKER_CREDENTIAL_HELPER_ERROR",
                      "{} names {} not found on PATH".format(entries, programs),
                      fix="install {}, or remove {} from {}".format(programs, entries, path),
                      path=path, missing=sorted("docker-credential-" + name for name in missing))
    if not helpers:
        return passed("no credential helper configured", path=path)
    return passed("credential helpers found: {}".format(", ".join(sorted(helpers))), path=path,
                  helpers=sorted("docker-credential-" + name for name in helpers))


def helper_program(name, env, cwd):
    """Where `docker-credential-<name>` is (an executables.Found), or None. A name that could make the
    program a path (a separator, "..") is never looked up."""
    if not _HELPER_NAME.match(name) or ".." in name:
        return None
    return find("docker-credential-" + name, env, cwd)


def _unreadable(path, why, **details):
    return failed("DOCKER_CREDENTIAL_HELPER_ERROR", "{} is {}".format(path, why) if why.startswith("not")
                  else "{} {}".format(path, why),
                  fix="fix the file, or move it aside so that Docker writes a new one", path=path, **details)
