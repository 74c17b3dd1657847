"""Claims of any token, and the actions an access token grants (property-based)."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import jwt_claims
from azext_acrhealth.checks import tokens
from azext_acrhealth.outcome import Status

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner,
                                                                                max_size=4),
                    max_leaves=12)
TOKEN_BODIES = st.dictionaries(st.sampled_from(["refresh_token", "access_token", "errors", "token_type"]), JSON,
                               max_size=3).map(json.dumps).map(str.encode)
BODIES = st.binary(max_size=300) | JSON.map(json.dumps).map(str.encode) | TOKEN_BODIES
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 307, 400, 401, 403, 404, 429, 500, 503])
HEADERS = st.dictionaries(st.sampled_from(["content-type", "location", "x-ms-correlation-request-id"]),
                          st.text(max_size=40), max_size=3)
ERRORS = st.sampled_from([None, None, None, "ssl", "timeout", "connect", "proxy", "reset", "invalid", "error"])


@settings(max_examples=2000, deadline=None)
@given(JSON, st.text(max_size=10))
def test_any_claims_give_a_set_of_actions_and_a_defined_outcome(access, repository):
    claims = {"access": access}
    actions = jwt_claims.granted_actions(claims, "repository", repository)
    assert isinstance(actions, set) and all(isinstance(a, str) for a in actions)
    found = tokens._repository_permissions(claims, repository or "r", {})
    assert found.status in (Status.PASSED, Status.WARNING, Status.FAILED)


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=80) | st.lists(st.text("eyJ0abc-_=+/", max_size=20), min_size=3, max_size=3).map(".".join))
def test_claims_of_anything_is_a_dict_or_none(token):
    found = jwt_claims.claims(token)
    assert found is None or isinstance(found, dict)


def test_claims_of_a_jwt():
    import base64
    payload = base64.urlsafe_b64encode(b'{"access":[{"type":"repository","name":"App","actions":["pull"]}]}')
    token = "e30." + payload.decode().rstrip("=") + ".sig"
    assert jwt_claims.granted_actions(jwt_claims.claims(token), "repository", "app") == {"pull"}
    assert jwt_claims.claims("a.b") is None and jwt_claims.claims(None) is None
