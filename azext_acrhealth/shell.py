"""Command lines a user can paste into their shell: POSIX sh, or PowerShell on Windows.

Only names we chose and values that were validated go into them (callers check values first).
"""

import os
import re

_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def unset(name, windows=None):
    """The command that removes an environment variable from the current shell."""
    _check(name)
    if _windows(windows):
        return "Remove-Item Env:{}".format(name)
    return "unset {}".format(name)


def export(name, value, windows=None):
    """The command that sets an environment variable in the current shell; value must be validated."""
    _check(name)
    if _windows(windows):
        return "$Env:{} = '{}'".format(name, value)
    return "export {}={}".format(name, value)


def _windows(windows):
    return os.name == "nt" if windows is None else windows


def _check(name):
    if not _NAME.match(name):
        raise ValueError("not an environment variable name: {!r}".format(name))
