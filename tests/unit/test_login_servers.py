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
