"""The one set of text helpers: lines and excerpts of tool output and bodies, and making text safe to show.

Everything a server or a tool said passes through `printable` before it reaches the report or the JSON
(no escape sequences, carriage returns or bells on the user's terminal), and every error text through
`without_userinfo` (no proxy password). Token-shaped strings are masked by `scrub`.
"""

import os
import re

# C0 and C1 control characters, DEL included; newline and tab are handled by the caller's choice.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# scheme://user:password@host: the userinfo runs to the last "@" before the path, query or fragment.
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]{0,15}://)[^/?#\s]*@")
_JWT_LIKE = re.compile(r"eyJ[A-Za-z0-9_\-]{4,}(?:\.[A-Za-z0-9_\-]*){0,2}")
_TAGS = re.compile(r"<[^>]{0,200}>")


def printable(text, multiline=False):
    """text with every control character written as a visible escape (\\x1b), so nothing a server or a
    tool sent can move the cursor, recolour or rewrite the user's terminal. Newlines survive only when
    multiline is set; tabs become spaces."""
    if not isinstance(text, str):
        return text
    text = text.replace("\t", " ")
    if multiline:
        text = text.replace("\r\n", "\n")
    pattern = _CONTROL if multiline else _CONTROL_ALL
    return pattern.sub(lambda m: "\\x{:02x}".format(ord(m.group())), text)


def without_userinfo(text):
    """text with the user:password of every URL in it masked: http://user:p@ss@proxy -> http://***@proxy."""
    return _USERINFO.sub(r"\1***@", text) if isinstance(text, str) else text


def scrub(text, secrets=()):
    """text without the given secrets and without anything shaped like a JWT."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return _JWT_LIKE.sub("***", text)


def shorten(text, limit=80):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def one_line(text, limit=300):
    """All whitespace runs collapsed to one space, shortened."""
    return shorten(" ".join(str(text).split()), limit)


def first_line(text, limit=300):
    """The first non-empty line of a tool's output, for a one-line report."""
    for line in str(text).splitlines():
        line = line.strip()
        if line:
            return shorten(line, limit)
    return ""


def last_lines(text, lines=8, limit=2000):
    """The last few non-empty lines of a tool's output, for details (the end holds the error)."""
    kept = [line.rstrip() for line in str(text).splitlines() if line.strip()][-lines:]
    joined = "\n".join(kept)
    return joined if len(joined) <= limit else joined[-limit:]


def error_line(text):
    """A tool's error is usually its last "Error ..." line (docker, helm); else the first line it printed."""
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    for line in reversed(lines):
        if line.lower().startswith(("error", "cannot", "permission denied")):
            return line[:300]
    return first_line(text)


def body_excerpt(body, limit=160, secrets=()):
    """A short single-line view of an HTTP body (tags dropped), scrubbed of tokens before it is cut so
    that no token survives even in part."""
    text = body[:8192].decode("utf-8", "replace") if isinstance(body, bytes) else str(body)[:8192]
    text = scrub(_TAGS.sub(" ", text), secrets)
    return one_line(text, limit)


def plural(count, word, words=None):
    return "{} {}".format(count, word if count == 1 else (words or word + "s"))


def run_failure(proc, timeout):
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
