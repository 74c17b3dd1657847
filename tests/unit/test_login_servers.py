"""Login server names and the strict origin parser behind every credential-carrying URL."""

from azext_acrhealth import login_servers
from azext_acrhealth.login_servers import Origin, parse_origin


def test_host_port_helpers():
    assert login_servers.split_host_port("localhost:5000") == ("localhost", 5000)
    assert login_servers.split_host_port("[::1]:5000") == ("::1", 5000)
    assert login_servers.split_host_port("myreg.azurecr.io") == ("myreg.azurecr.io", None)
    assert login_servers.normalise_login_server("https://MyReg.azurecr.io/") == "myreg.azurecr.io"


def test_login_server_origins():
    assert login_servers.login_server_origin("MyReg.azurecr.io.") == Origin("myreg.azurecr.io", 443)
    assert login_servers.login_server_origin("127.0.0.1:8443") == Origin("127.0.0.1", 8443)
    assert login_servers.login_server_origin("[::1]:8443").url("/v2/") == "https://[::1]:8443/v2/"
    assert login_servers.login_server_origin("bad name.example") is None
    assert login_servers.login_server_origin("x\\y.azurecr.io") is None


def test_urls_are_built_from_the_origin_alone():
    origin, _ = parse_origin("https://myreg.azurecr.io:443/oauth2/token?service=x#frag")
    assert origin.url("/oauth2/exchange") == "https://myreg.azurecr.io/oauth2/exchange"
    origin, _ = parse_origin("https://localhost:8443/anything")
    assert str(origin) == "https://localhost:8443"


def test_ipv4_addresses_in_other_forms_are_not_taken_for_host_names():
    # getaddrinfo reads each of these as 127.0.0.1 (or 1.2.3.4); only a.b.c.d is an address here.
    for host in ("127.1", "0x7f.0.0.1", "0x7f.1", "2130706433", "017700000001", "1.2.3.04", "0x"):
        assert parse_origin("https://{}/".format(host))[0] is None, host
        assert "IPv4 address in a form other than a.b.c.d" in parse_origin("https://{}/".format(host))[1]
        assert login_servers.login_server_origin(host) is None
    # A number is a fine label anywhere but last.
    assert parse_origin("https://1.2.3.4/")[0] == Origin("1.2.3.4", 443)
    assert parse_origin("https://123.example.io/")[0] == Origin("123.example.io", 443)
    assert parse_origin("https://0x1.azurecr.io/")[0] == Origin("0x1.azurecr.io", 443)
