"""What a credential is, from its user name; how it is described and sent, never showing its secret."""

import base64

import pytest

from azext_acrhealth import credentials
from azext_acrhealth.credentials import NULL_GUID, Credential, kind_of

SECRET = "s3cret-Value/with+base64=chars"


@pytest.mark.parametrize("user, kind", [
    (NULL_GUID, "refresh token"), ("<token>", "refresh token"), (None, "refresh token"),
    ("myreg", "admin user"), ("MyReg", "admin user"),
    ("3f0c2a11-0000-4000-8000-00000000abcd", "service principal"),
    ("ci-puller", "token"), ("user@example.com", "user"), ("a b", "user"), ("-bad-token", "user"),
])
def test_the_kind_follows_from_the_user_name(user, kind):
    assert kind_of(user, "myreg") == kind


def test_without_a_registry_name_no_user_is_the_admin():
    assert kind_of("myreg", None) == "token"


def test_the_secret_is_in_no_description_and_no_repr():
    for user in (NULL_GUID, "myreg", "ci-puller", "3f0c2a11-0000-4000-8000-00000000abcd", "x@y", None):
        cred = Credential(user, SECRET, kind_of(user, "myreg"))
        assert SECRET not in cred.describe() and SECRET not in repr(cred)


def test_basic_authentication_and_every_form_to_scrub():
    cred = Credential("myreg", SECRET, "admin user")
    assert cred.basic() == "Basic " + base64.b64encode(("myreg:" + SECRET).encode()).decode()
    assert cred.secrets() == (SECRET, cred.basic().split()[1])


def test_only_a_valid_token_name_may_enter_a_command():
    assert Credential("ci-puller", SECRET, "token").token_name == "ci-puller"
    assert Credential("ci;rm -rf", SECRET, "token").token_name is None
    assert Credential("ci-puller", SECRET, "admin user").token_name is None


def test_a_user_name_is_shown_printable_and_short():
    shown = credentials.shown_user("evil\x1b[31m" + "x" * 200)
    assert "\x1b" not in shown and len(shown) <= 60


def test_a_password_that_is_not_utf8_is_sent_as_its_bytes():
    secret = b"caf\xe9-pass".decode("utf-8", "surrogateescape")      # how os.environ holds such bytes
    encoded = Credential("myreg", secret, "admin user").basic().split()[1]
    assert base64.b64decode(encoded) == b"myreg:caf\xe9-pass"
