"""A parser for the WWW-Authenticate header (RFC 7235), and nothing else.

    WWW-Authenticate = 1#challenge
    challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
    auth-param       = token BWS "=" BWS ( token / quoted-string )

The built-in command split the header on spaces, commas and "=", which breaks on a quoted scope such as
`scope="repository:a,b:pull"`. This parser is total: any string gives a tuple of challenges, never an
exception, so a hostile registry cannot crash the check.
"""

import re
from dataclasses import dataclass, field

_TCHARS = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_SCHEME = re.compile(r"[ \t]*(" + _TCHARS + r")")
# A quoted string may lack its closing quote at the very end of a broken header: take what is there.
_PARAM = re.compile(r"[ \t]*(" + _TCHARS + r')[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)(?:"|\\?$)|(' + _TCHARS + r"))",
                    re.DOTALL)
_TOKEN68 = re.compile(r"[ \t]*([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|$)")
_SEPARATORS = re.compile(r"[ \t,]*")
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


@dataclass(frozen=True)
class Challenge:
    scheme: str                                   # as sent; compare with .is_scheme()
    params: dict = field(default_factory=dict)    # names in lower case; values unquoted
    token68: str = None

    def is_scheme(self, name):
        return self.scheme.lower() == name.lower()


def parse(header):
    """Every challenge in the header, in order. Unparseable bytes are skipped, never raised on."""
    if not isinstance(header, str):
        return ()
    challenges, pos, end = [], 0, len(header)
    while pos < end:
        pos = _SEPARATORS.match(header, pos).end()
        if pos >= end:
            break
        scheme = _SCHEME.match(header, pos)
        if not scheme:
            pos += 1          # garbage: skip one character and try again
            continue
        pos = scheme.end()
        params, token68 = {}, None
        if pos < end and header[pos] in " \t":
            t68 = _TOKEN68.match(header, pos)
            if t68 and not _PARAM.match(header, pos):
                token68, pos = t68.group(1), t68.end()
            else:
                pos = _params(header, pos, params)
        challenges.append(Challenge(scheme.group(1), params, token68))
    return tuple(challenges)


def _params(header, pos, params):
    """Read comma-separated auth-params from pos; stop before the next challenge's scheme."""
    while True:
        match = _PARAM.match(header, pos)
        if not match:
            return pos
        name = match.group(1).lower()
        quoted, bare = match.group(2), match.group(3)
        value = _ESCAPE.sub(r"\1", quoted) if quoted is not None else bare
        params.setdefault(name, value)   # RFC 7235: a name appears once; keep the first
        pos = match.end()
        after = _SEPARATORS.match(header, pos).end()
        if after == pos or "," not in header[pos:after]:
            return after                 # no comma: whatever follows is not a parameter of ours
        pos = after


def bearer(header):
    """The first Bearer challenge of the header, or None."""
    for challenge in parse(header):
        if challenge.is_scheme("bearer"):
            return challenge
    return None


def describe(header, limit=120):
    """A short, printable view of a challenge header for a report."""
    text = " ".join(str(header).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
