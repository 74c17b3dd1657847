"""Finding and running the user's command-line tools as their shell would: PATH and cwd from the context, and
the words for how a run failed."""

import os
import shutil


def which(name, ctx):
    """The path of `name` as PATH (ctx.env) finds it, or None. A name with a separator is a path,
    taken relative to ctx.cwd. Relative PATH entries (and the empty entry, meaning ".") are also
    taken relative to ctx.cwd, not to this process's directory."""
    if os.sep in name or (os.altsep and os.altsep in name):
        path = os.path.join(ctx.cwd, name)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    for entry in ctx.env.get("PATH", os.defpath).split(os.pathsep):
        folder = os.path.join(ctx.cwd, entry or os.curdir)
        found = shutil.which(name, path=folder)
        if found:
            return os.path.abspath(found)
    return None


def in_directory(path, directory):
    """Whether path (or the file it links to) sits directly in directory."""
    for candidate in (os.path.abspath(path), os.path.realpath(path)):
        parent = os.path.dirname(candidate)
        try:
            if os.path.samefile(parent, directory):
                return True
        except (OSError, ValueError):
            if os.path.normcase(os.path.normpath(parent)) == os.path.normcase(os.path.normpath(directory)):
                return True
    return False


def first_line(text, limit=300):
    """The first non-empty line of a tool's output, shortened for a one-line report."""
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= limit else line[:limit - 1] + "…"
    return ""


def excerpt(text, lines=8, limit=2000):
    """The last few non-empty lines of a tool's output, for details (the end holds the error)."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()][-lines:]
    joined = "\n".join(kept)
    return joined if len(joined) <= limit else joined[-limit:]


def failure(proc, timeout):
    """How a finished-but-failed process failed, in one clause with the tool's own words."""
    if proc.error:
        hint = ""
        if proc.argv and os.path.exists(proc.argv[0]) and "no such file" in proc.error.lower():
            # The file is there: the kernel could not find its interpreter or loader.
            hint = " (the file exists: its interpreter or loader is missing)"
        return "could not start: {}{}".format(proc.error, hint)
    if proc.timed_out:
        return "did not answer within {:g} s".format(timeout)
    said = error_line(proc.stderr) or first_line(proc.stdout)
    return "exited with status {}{}".format(proc.returncode, ": " + said if said else "")


def error_line(text):
    """A tool's error is usually its last "Error ..." line (docker, helm); else the first line it printed."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if line.lower().startswith(("error", "cannot", "permission denied")):
            return line[:300]
    return first_line(text)
