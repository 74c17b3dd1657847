"""The WWW-Authenticate parser (RFC 7235): examples, then properties over arbitrary headers."""

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import www_authenticate as challenge
from azext_acrhealth.www_authenticate import Challenge


def test_acr_challenge():
    header = 'Bearer realm="https://myreg.azurecr.io/oauth2/token",service="myreg.azurecr.io"'
    assert challenge.parse(header) == (Challenge("Bearer", {"realm": "https://myreg.azurecr.io/oauth2/token",
                                                            "service": "myreg.azurecr.io"}),)


def test_quoted_commas_equals_and_escaped_quotes():
    found = challenge.bearer('Bearer realm="https://r/t", service="s", scope="repository:a,b:pull,push", '
                             'error="say \\"no\\" = 1"')
    assert found.params == {"realm": "https://r/t", "service": "s", "scope": "repository:a,b:pull,push",
                            "error": 'say "no" = 1'}


def test_several_challenges_and_case_insensitivity():
    parsed = challenge.parse('Basic realm="x", BEARER Realm="https://r", SERVICE=s ,Negotiate abc==, NTLM')
    assert [c.scheme for c in parsed] == ["Basic", "BEARER", "Negotiate", "NTLM"]
    assert parsed[1].is_scheme("bearer") and parsed[1].params == {"realm": "https://r", "service": "s"}
    assert parsed[2].token68 == "abc==" and parsed[2].params == {}
    assert challenge.bearer('Basic realm="x", bearer realm="https://r",service="s"').params["service"] == "s"


def test_bearer_absent_or_garbage():
    assert challenge.bearer('Basic realm="registry"') is None
    assert challenge.bearer("") is None
    assert challenge.parse(None) == ()
    assert challenge.parse('Bearer realm="unterminated') == (Challenge("Bearer", {"realm": "unterminated"}),)
    assert challenge.parse("=,,=\"") == ()


def test_first_duplicate_parameter_wins():
    assert challenge.bearer('Bearer realm="a", realm="b", service=s').params["realm"] == "a"


def _check_shape(parsed):
    assert isinstance(parsed, tuple)
    for item in parsed:
        assert isinstance(item, Challenge)
        assert isinstance(item.scheme, str) and item.scheme
        assert isinstance(item.params, dict)
        assert all(isinstance(k, str) and k == k.lower() and isinstance(v, str) for k, v in item.params.items())
        assert item.token68 is None or isinstance(item.token68, str)
        assert not (item.token68 and item.params)


HEADER_ALPHABET = st.sampled_from(list('Bearer realm service scope Basic ="\\,; \t=:/.-_~+' + string.ascii_letters)) | \
    st.characters()


@settings(max_examples=2000, deadline=None)
@given(st.text(HEADER_ALPHABET, max_size=200))
def test_any_header_parses_to_a_defined_shape(header):
    _check_shape(challenge.parse(header))
    found = challenge.bearer(header)
    assert found is None or found.is_scheme("bearer")
    assert isinstance(challenge.describe(header), str)


TOKENS = st.text(string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~", min_size=1, max_size=12)
VALUES = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=30)


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(TOKENS.map(str.lower), VALUES, min_size=1, max_size=5), st.booleans())
def test_quoted_parameters_round_trip(params, leading_challenge):
    quoted = ", ".join('{}="{}"'.format(k, v.replace("\\", "\\\\").replace('"', '\\"')) for k, v in params.items())
    header = ('Basic realm="other", ' if leading_challenge else "") + "Bearer " + quoted
    found = challenge.bearer(header)
    assert found is not None and found.params == params
