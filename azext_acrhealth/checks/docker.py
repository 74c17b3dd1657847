"""Docker client, daemon, version, credentials and pull."""

import os
import shutil

from ..outcome import failed, passed


def find_client(ctx):
    """The client the user's tools would run: $DOCKER_COMMAND, else docker, else podman."""
    override = ctx.env.get("DOCKER_COMMAND")
    candidates = [override] if override else ["docker", "podman"]
    for name in candidates:
        path = shutil.which(name, path=ctx.env.get("PATH", os.defpath))
        if path:
            return path
    return None


def docker_client(ctx):
    path = find_client(ctx)
    if not path:
        return failed("DOCKER_COMMAND_ERROR", "no docker (or podman) executable on PATH",
                      fix="install Docker, or add the folder that holds it to PATH")
    return passed(path, data={"path": path}, path=path)


def docker_daemon(ctx):
    path = ctx.data("docker_client")["path"]
    proc = ctx.run([path, "ps"])
    if proc.ok:
        return passed("running", data={"path": path})
    if proc.timed_out:
        return failed("DOCKER_DAEMON_ERROR", "`docker ps` did not answer within {:g} s".format(ctx.timeout))
    return failed("DOCKER_DAEMON_ERROR", proc.output.splitlines()[0] if proc.output else
                  "`docker ps` exited with status {}".format(proc.returncode))
