"""The proxy we choose is the one requests (az's HTTP client) would choose from the same environment, and
no proxy credential survives in what we show of it."""

import os
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azext_acrhealth import proxies

VARIABLES = {
    "https_proxy": ["http://p1:1", ""], "HTTPS_PROXY": ["http://p2:2", ""], "all_proxy": ["http://p3:3", ""],
    "ALL_PROXY": ["http://p4:4"], "http_proxy": ["http://p5:5"],
    "no_proxy": ["", "*", "127.0.0.1", ".0.0.1", "example.com", ".example.com", "ample.com", "127.0.0.0/8",
                 "x.example.com:8443", "EXAMPLE.com", "::1", "localhost", "a.com, example.com", "*.example.com"],
    "NO_PROXY": ["", "example.com", "127.0.0.1", "*", ".0.0.1", "10.0.0.0/8"],
}
URLS = ["https://example.com/v2/", "https://x.example.com:8443/", "https://127.0.0.1/", "https://[::1]:443/",
        "https://EXAMPLE.COM./", "https://localhost/", "https://sub.ample.com/", "https://10.1.2.3/"]


def requests_choice(url, env):
    """The proxy requests itself picks for url with env as the process environment."""
    import requests.utils
    with mock.patch.dict(os.environ, env, clear=True):
        return requests.utils.select_proxy(url, requests.utils.get_environ_proxies(url, no_proxy=None)) or None


@settings(max_examples=1500, deadline=None)
@given(st.fixed_dictionaries({}, optional={name: st.sampled_from(values) for name, values in VARIABLES.items()}),
       st.sampled_from(URLS))
def test_the_proxy_chosen_is_the_one_requests_chooses(env, url):
    assert proxies.proxy_for(url, env) == requests_choice(url, env)


@pytest.mark.parametrize("proxy, shown", [
    ("http://user:p@ss@proxy.example:8080", "http://***@proxy.example:8080"),
    ("http://user:p/ss@proxy.example:8080", "http://***@proxy.example:8080"),   # an unencoded '/' ...
    ("http://user:p#ss@proxy.example:8080/", "http://***@proxy.example:8080/"),  # ... or '#'
    ("user:p@ss@proxy.example:8080", "***@proxy.example:8080"),                  # no scheme
    ("http://proxy.example:8080", "http://proxy.example:8080"),
    (None, None),
])
def test_a_proxy_is_shown_without_anything_before_its_last_at_sign(proxy, shown):
    assert proxies.masked(proxy) == shown


def test_the_secrets_of_a_proxy_url_are_its_user_information_whole_in_parts_raw_and_decoded():
    assert proxies.secrets("http://user:p@ss@proxy:1") == ["user:p@ss", "p@ss", "user"]
    assert set(proxies.secrets("http://us%40r:pa%2Fss@proxy:1")) == {
        "us%40r:pa%2Fss", "us@r:pa/ss", "us%40r", "us@r", "pa%2Fss", "pa/ss"}
    assert proxies.secrets("http://proxy:1") == [] and proxies.secrets(None) == []


@pytest.mark.parametrize("proxy, why", [
    ("user:p@ss@proxy.example:8080", "names no host"),         # requests reads the scheme 'user'
    ("proxy:3128", "names no host"),                           # ... and here the scheme 'proxy'
    ("proxy.example:8080", None),                              # (a dot cannot be in a scheme)
    ("http://user:p/ss@proxy.example:8080", "percent-encode"),
    ("http://user:p?ss@proxy.example:8080", "percent-encode"),
    ("http://user:p#ss@proxy.example:8080", "percent-encode"),
    ("http://user:p@ss@proxy.example:8080", None),             # '@' is read up to the last one: usable
    ("http://us%40r:pa%2Fss@proxy.example:8080", None),
    ("127.0.0.1:3128", None),
])
def test_a_proxy_url_the_client_cannot_read_is_told_apart(proxy, why):
    problem = proxies.problem(proxy)
    assert (problem is None) if why is None else (why in problem)
