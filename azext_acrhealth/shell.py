"""Command lines a user can paste into their shell: POSIX sh, or PowerShell on Windows.

Only names we chose and values that were validated go into them (callers check values first).
"""

import os
import re
import shlex

_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_PLAIN = re.compile(r"[\w%+=:./-]+", re.ASCII)   # words PowerShell passes on as they are
_QUOTES = re.compile("['\u2018\u2019\u201a\u201b]")
WINDOWS = os.name == "nt"                        # then the user's shell is taken to be PowerShell


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


def quote(word, windows=None):
    """One word, quoted so that the shell passes it on unchanged."""
    if _windows(windows):
        # In a PowerShell single-quoted string only a single quote is special (the typographic ones too),
        # and it is doubled.
        return word if _PLAIN.fullmatch(word) else "'" + _QUOTES.sub(r"\g<0>\g<0>", word) + "'"
    return shlex.quote(word)


def line(argv, windows=None):
    """A command line of these words."""
    return " ".join(quote(word, windows) for word in argv)


def _windows(windows):
    return WINDOWS if windows is None else windows


def _check(name):
    if not _NAME.match(name):
        raise ValueError("not an environment variable name: {!r}".format(name))
