"""Claims of any token, and the actions an access token grants (property-based)."""


from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import jwt_claims
from azext_acrhealth.checks import tokens
from azext_acrhealth.outcome import Status
from tests.support.strategies import ANY_JSON as JSON


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
