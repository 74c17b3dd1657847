"""Hypothesis strategies shared by the property tests: any JSON, and the shapes of token endpoints' answers."""

import json

from hypothesis import strategies as st

ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner,
                                                                                    max_size=4),
                        max_leaves=12)
TOKEN_BODIES = st.dictionaries(st.sampled_from(["refresh_token", "access_token", "errors", "token_type"]), ANY_JSON,
                               max_size=3).map(json.dumps).map(str.encode)
BODIES = st.binary(max_size=300) | ANY_JSON.map(json.dumps).map(str.encode) | TOKEN_BODIES
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 307, 400, 401, 403, 404, 429, 500, 503])
HEADERS = st.dictionaries(st.sampled_from(["content-type", "location", "x-ms-correlation-request-id"]),
                          st.text(max_size=40), max_size=3)
ERRORS = st.sampled_from([None, None, None, "ssl", "timeout", "connect", "proxy", "reset", "invalid", "error"])
