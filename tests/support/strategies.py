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


def keyed_json(keys, leaves=(), max_leaves=20):
    """JSON documents whose objects use `keys` (the fields a reader looks for), with plain values and
    `leaves` (values that mean something to it) at the ends: the shapes a hostile or broken answer takes."""
    leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    if leaves:
        leaf = leaf | st.sampled_from(list(leaves))
    return st.recursive(leaf, lambda inner: st.lists(inner, max_size=3) |
                        st.dictionaries(st.sampled_from(list(keys)), inner, max_size=5), max_leaves=max_leaves)
