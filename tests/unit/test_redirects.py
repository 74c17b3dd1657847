"""Where a layer download may follow the registry's redirect."""

import pytest

from azext_acrhealth import redirects

BASE = "https://myreg.azurecr.io/v2/app/blobs/sha256:abc"
ACR, STORAGE = ".azurecr.io", "core.windows.net"


@pytest.mark.parametrize("location, host, kind, url", [
    ("https://myreg.westus.data.azurecr.io/docker/blob?se=1&sig=abc", "myreg.westus.data.azurecr.io",
     redirects.DATA_ENDPOINT, "https://myreg.westus.data.azurecr.io/docker/blob?se=1&sig=abc"),
    ("https://weuacr1.blob.core.windows.net/c/blob?sv=2&sig=x%2By", "weuacr1.blob.core.windows.net",
     redirects.STORAGE, "https://weuacr1.blob.core.windows.net/c/blob?sv=2&sig=x%2By"),
    ("https://MyReg.WestUS.Data.AzureCR.io./x", "myreg.westus.data.azurecr.io", redirects.DATA_ENDPOINT,
     "https://myreg.westus.data.azurecr.io/x"),
    ("https://myreg.westus.data.azurecr.io:8443/x", "myreg.westus.data.azurecr.io:8443", redirects.DATA_ENDPOINT,
     "https://myreg.westus.data.azurecr.io:8443/x"),
    ("https://a.blob.core.windows.net", "a.blob.core.windows.net", redirects.STORAGE, "https://a.blob.core.windows.net/"),
])
def test_the_clouds_layer_hosts_are_followed(location, host, kind, url):
    hop, why = redirects.layer_hop(location, BASE, ACR, STORAGE)
    assert why is None and (hop.host, hop.kind) == (host, kind)
    # The URL requested is rebuilt from the validated origin, with the location's path and query.
    assert hop.url == url


def test_path_and_query_survive_and_the_fragment_is_dropped():
    hop, _ = redirects.layer_hop("https://a.blob.core.windows.net/c/b%20c?sig=x%2By&se=1#frag", BASE, ACR, STORAGE)
    assert hop.url == "https://a.blob.core.windows.net/c/b%20c?sig=x%2By&se=1"


@pytest.mark.parametrize("location, words", [
    ("https://evil.example/x", "evil.example is not under .data.azurecr.io nor .blob.core.windows.net"),
    ("https://myreg.azurecr.io/v2/x", "is not under"),                    # the registry itself: not a layer host
    ("/v2/app/blobs/x", "is not under"),                                   # relative: the registry again
    ("http://myreg.westus.data.azurecr.io/x", "not HTTPS"),
    ("https://user:pw@myreg.westus.data.azurecr.io/x", "at sign"),
    ("https://myreg.westus.data.azurecr.io\\@evil.example/x", "backslash"),
    ("https://data.azurecr.io/x", "is not under"),                         # the suffix itself is no host of a registry
    ("https://evildata.azurecr.io/x", "is not under"),
    ("https://a.blob.core.windows.net.evil.example/x", "is not under"),
    ("https://a.queue.core.windows.net/x", "is not under"),
    ("https://a.westus.data.azurecr.io/x y", "whitespace"),
    ("", "no location"),
    (None, "no location"),
])
def test_anything_else_is_refused(location, words):
    hop, why = redirects.layer_hop(location, BASE, ACR, STORAGE)
    assert hop is None and words in why


def test_without_suffixes_nothing_is_followed():
    hop, why = redirects.layer_hop("https://a.blob.core.windows.net/x", BASE, None, None)
    assert hop is None and "defines neither" in why
    hop, _ = redirects.layer_hop("https://a.blob.core.windows.net/x", BASE, ".azurecr.io", None)
    assert hop is None


def test_a_report_names_the_host_never_the_signed_query():
    assert redirects.describe("https://a.blob.core.windows.net/c/b?sig=SECRET", BASE) == "a.blob.core.windows.net"
    assert redirects.describe("http://evil.example:81/x?sig=SECRET", BASE) == "evil.example:81"
    assert redirects.describe("/relative?sig=SECRET", BASE) == "myreg.azurecr.io"
    assert "SECRET" not in redirects.describe("https://user:SECRET@host.example/x", BASE)
    assert redirects.describe(None) == "(no host)"
