"""Which token servers may receive a credential: only the login server, or a host under the cloud's registry
suffix on 443, over HTTPS; and the URL sent to is built from the validated origin, never from the text."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import realms
from azext_acrhealth.login_servers import Origin

SERVER, SUFFIX = "myreg.azurecr.io", ".azurecr.io"


def test_the_registry_and_hosts_under_the_suffix_are_trusted():
    assert realms.token_server("https://myreg.azurecr.io/oauth2/token", SERVER, SUFFIX) == \
        (Origin("myreg.azurecr.io", 443), None)
    assert realms.token_server("https://MyReg.AzureCR.io./oauth2/token", SERVER, SUFFIX)[0] == \
        Origin("myreg.azurecr.io", 443)
    assert realms.token_server("https://myreg.westus.data.azurecr.io/x", SERVER, "azurecr.io")[1] is None
    assert realms.token_server("https://127.0.0.1:8443/oauth2/token", "127.0.0.1:8443", None) == \
        (Origin("127.0.0.1", 8443), None)
    assert realms.token_server("https://[::1]:8443/oauth2/token", "[::1]:8443", None)[0] == Origin("::1", 8443)


@pytest.mark.parametrize("realm, problem", [
    # The review's cases: a validator and the HTTP client that read the authority differently.
    ("https://attacker.example\\.azurecr.io/oauth2/token", "backslash"),
    ("https://host:8443\\@myreg.azurecr.io/", "backslash"),
    ("https://attacker.example%5C.azurecr.io/oauth2/token", "percent"),
    ("https://attacker.example@myreg.azurecr.io/oauth2/token", "at sign"),
    ("https://myreg.azurecr.io@attacker.example/oauth2/token", "at sign"),
    ("https://attacker.example\t.azurecr.io/", "whitespace or control"),
    ("https://attacker.example .azurecr.io/", "whitespace or control"),
    ("https://attacker.example\x00.azurecr.io/", "whitespace or control"),
    ("https://attacker.example\u200b.azurecr.io/", "whitespace or control"),
    # Malformed: a finding, never a crash.
    ("https://[::1/oauth2/token", "not host[:port]"),
    ("https:///oauth2/token", "no host"),
    ("https://:443/oauth2/token", "no host"),
    ("https://ｍyreg.azurecr.io/oauth2/token", "Unicode normalisation"),
    ("https://myreg\uff0eazurecr.io/", "Unicode normalisation"),
    ("https://myrég.azurecr.io/", "not plain ASCII"),
    ("https://myreg.azurecr.io:99999/", "out of range"),
    ("https://myreg.azurecr.io:x/", "not host[:port]"),
    ("https://-bad-.azurecr.io/", "not a valid host name"),
    ("http://myreg.azurecr.io/oauth2/token", "not HTTPS"),
    ("myreg.azurecr.io/oauth2/token", "not HTTPS"),
    ("", "empty"),
    (None, "empty"),
    ("https://x" + "a" * 3000, "longer than"),
    # Well-formed, but not ours.
    ("https://myreg.azurecr.io.evil.example/", "neither the login server"),
    ("https://x.azurecr.io:8443/", "neither the login server"),
    ("https://evil.example/oauth2/token", "neither the login server"),
])
def test_untrusted_or_malformed_realms_are_refused_with_the_reason(realm, problem):
    origin, why = realms.token_server(realm, SERVER, SUFFIX)
    assert origin is None and problem in why


def test_without_a_suffix_only_the_login_server_itself_is_trusted():
    assert realms.token_server("https://other.azurecr.io/", SERVER, None) == (None, "it is not the login server")
    assert realms.token_server("https://myreg.azurecr.io:444/", SERVER, None)[0] is None


def test_describe_shows_the_origin_or_a_bounded_excerpt():
    assert realms.describe("https://MyReg.azurecr.io/oauth2/token?x=1") == "https://myreg.azurecr.io"
    assert realms.describe("https://[::1/oauth2/token") == "https://[::1/oauth2/token"
    assert len(realms.describe("x" * 500)) == 100


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("https:/\\@%.[]:0123456789abcdefgz-azurecr.io \t\x00ｍ?#")),
               max_size=60))
def test_any_realm_is_an_origin_under_the_rules_or_a_reason(text):
    from urllib3.util import parse_url
    origin, why = realms.token_server(text, SERVER, SUFFIX)
    assert (origin is None) != (why is None)
    if origin is not None:
        # Whatever was accepted, the client's own parser sends the request to that very host.
        parsed = parse_url(origin.url("/oauth2/exchange"))
        assert parsed.host == origin.host and (parsed.port or 443) == origin.port
        assert origin.host == SERVER or origin.host.endswith(SUFFIX)
        assert parse_url(text).host.rstrip(".") == origin.host
