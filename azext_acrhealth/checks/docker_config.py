"""Docker's credential configuration: the helpers that `docker login` and `az acr login` will call.

A `credsStore` or `credHelpers` entry whose `docker-credential-<name>` program is missing makes every
login fail with a message that does not name the cause; so does a config.json that is not JSON.
"""

import json
import os

from ..executables import find
from ..outcome import failed, passed

MAX_CONFIG = 4 << 20    # bytes: a config.json larger than this is not one Docker wrote


def config_path(env):
    """$DOCKER_CONFIG/config.json, else ~/.docker/config.json, with HOME from the given environment."""
    if env.get("DOCKER_CONFIG"):
        return os.path.join(env["DOCKER_CONFIG"], "config.json")
    home = env.get("HOME") or env.get("USERPROFILE") or os.path.expanduser("~")
    return os.path.join(home, ".docker", "config.json")


def docker_credentials(ctx, _given):
    path = config_path(ctx.env)
    if not os.path.exists(path):
        return passed("no Docker configuration file", path=path)
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CONFIG + 1)
        if len(raw) > MAX_CONFIG:
            raise ValueError("larger than {} MiB".format(MAX_CONFIG >> 20))
        config = json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as ex:
        return _unreadable(path, "not valid JSON: {} at line {} column {}".format(ex.msg, ex.lineno, ex.colno),
                           line=ex.lineno, column=ex.colno)
    except (OSError, ValueError, RecursionError) as ex:
        return _unreadable(path, "cannot be read: {}".format(getattr(ex, "strerror", None) or ex))
    if not isinstance(config, dict):
        return _unreadable(path, "not a JSON object")

    helpers = {}   # helper name -> what names it in the file
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        helpers.setdefault(store, []).append("credsStore")
    per_registry = config.get("credHelpers")
    if isinstance(per_registry, dict):
        for registry, name in sorted(per_registry.items()):
            if isinstance(name, str) and name:
                helpers.setdefault(name, []).append("credHelpers[{}]".format(registry))
    missing = {name: users for name, users in helpers.items()
               if not find("docker-credential-" + name, ctx.env, ctx.cwd)}
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


def _unreadable(path, why, **details):
    return failed("DOCKER_CREDENTIAL_HELPER_ERROR", "{} is {}".format(path, why) if why.startswith("not")
                  else "{} {}".format(path, why),
                  fix="fix the file, or move it aside so that Docker writes a new one", path=path, **details)
