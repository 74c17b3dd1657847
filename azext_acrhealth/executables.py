"""Finding the user's executables (docker, podman, helm, credential helpers) as their shell would, from the
run's PATH and working directory, and telling when the one found must not be run.

A program found in the current directory, or through a relative PATH entry (`bin`, `./node_modules/.bin`,
or the empty entry, which means "."), depends on where the command happens to run: it may have been
planted there. Such a find is reported, so the check can refuse it, as the built-in command refuses a
docker in the current directory.
"""

import os
import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    path: str                    # absolute path of the program
    relative_entry: str = None   # the relative PATH entry it was found through ("" for the empty entry)
    in_cwd: bool = False         # it sits directly in the current directory

    @property
    def untrusted(self):
        return self.relative_entry is not None or self.in_cwd

    def refusal(self):
        """Why this program is not run, in one clause."""
        if self.in_cwd:
            return "'{}': it is in the current directory".format(self.path)
        entry = "the empty entry (the current directory)" if self.relative_entry == "" else \
            "'{}'".format(self.relative_entry)
        return "'{}': it was found through the relative PATH entry {}".format(self.path, entry)


def find(name, env, cwd):
    """Where the shell would find `name`, or None. A name with a separator is a path, taken relative to cwd."""
    if os.sep in name or (os.altsep and os.altsep in name):
        path = os.path.join(cwd, name)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            return None
        path = os.path.abspath(path)
        return Found(path, in_cwd=in_directory(path, cwd))
    for entry in env.get("PATH", os.defpath).split(os.pathsep):
        folder = os.path.join(cwd, entry or os.curdir)
        found = shutil.which(name, path=folder)
        if found:
            path = os.path.abspath(found)
            relative = None if os.path.isabs(entry) else entry
            return Found(path, relative_entry=relative, in_cwd=in_directory(path, cwd))
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

