"""A registry credential that is not the CLI's Entra identity: what Docker stored for a registry, or the
user name and password given with -u/-p. Pure helpers: what kind of credential it is, and how it is sent.

The secret lives only in `Credential.secret` (kept out of its repr) and in the request that carries it
to the registry's validated realm. Everything a report says about a credential comes from `describe()`,
which never includes it.
"""

import base64
import re
from dataclasses import dataclass, field

NULL_GUID = "00000000-0000-0000-0000-000000000000"   # `az acr login` stores its refresh token under this user
# Names, not secrets (ruff's S105 reads them as passwords).
TOKEN_USER = "<token>"  # noqa: S105 - credential helpers' user name for an identity token (docker's convention)
PASSWORD_VARIABLE = "ACR_CHECK_HEALTH_PASSWORD"  # noqa: S105 - where -u finds its password in CI

# The kinds of credential, as reports name them.
REFRESH_TOKEN = "refresh token"  # noqa: S105
ADMIN = "admin user"
TOKEN = "token"  # noqa: S105
SERVICE_PRINCIPAL = "service principal"
USER = "user"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
# An ACR token name: 5 to 50 letters, digits and hyphens; the only user names that enter a command.
_TOKEN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{3,48}[A-Za-z0-9]$")


@dataclass(frozen=True)
class Credential:
    user: str                                   # None for an identity token
    secret: str = field(repr=False)
    kind: str = USER
    source: str = ""                            # where it came from, for the report

    @property
    def refresh_token(self):
        """Sent as a refresh token (POST grant_type=refresh_token), not as a user name and password."""
        return self.kind == REFRESH_TOKEN

    @property
    def token_name(self):
        """The ACR token's name, when this is a token whose name may enter a command; else None."""
        return self.user if self.kind == TOKEN and _TOKEN_NAME.match(self.user or "") else None

    def describe(self, login="az acr login"):
        """What this credential is, in words, never with its secret: "the admin user 'myreg'". `login` is the
        command that gives a client the refresh token stored under the null GUID."""
        if self.kind == REFRESH_TOKEN:
            return "the ACR refresh token of `{}`".format(login) if self.user == NULL_GUID else "an identity token"
        if self.kind == ADMIN:
            return "the admin user '{}'".format(shown_user(self.user))
        if self.kind == TOKEN:
            return "the repository-scoped token '{}'".format(shown_user(self.user))
        if self.kind == SERVICE_PRINCIPAL:
            return "the service principal {}".format(self.user)
        return "the user '{}'".format(shown_user(self.user))

    def basic(self):
        """The value of an Authorization header with Basic authentication."""
        # surrogateescape: a password read from the environment as bytes that are not UTF-8 goes as it was.
        raw = "{}:{}".format(self.user or "", self.secret).encode("utf-8", "surrogateescape")
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def secrets(self):
        """Every form in which the secret could appear in an answer or an error: scrub them all."""
        encoded = self.basic().split(" ", 1)[1]
        return tuple(s for s in (self.secret, encoded) if s)


def kind_of(user, registry_name):
    """The kind of credential a user name stands for at an Azure container registry."""
    if user in (None, "", TOKEN_USER) or user == NULL_GUID:
        return REFRESH_TOKEN
    if registry_name and user.lower() == registry_name.lower():
        return ADMIN             # the admin user's name is the registry's name
    if _GUID.match(user):
        return SERVICE_PRINCIPAL
    if _TOKEN_NAME.match(user):
        return TOKEN
    return USER


def is_guid(text):
    return isinstance(text, str) and bool(_GUID.match(text))


def shown_user(user):
    """A user name as a report may show it: printable and short."""
    from .text import printable, shorten
    return shorten(printable(user or ""), 60)
