"""Fixtures of the registry checks' tests: a trustme CA, certificates (good and bad), the fake cloud on
loopback, and a stand-in for the Azure CLI account (Azure itself cannot exist in a unit test)."""

import datetime
import os
import sys

import pytest
import trustme

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import fakecloud  # noqa: E402

from azext_acrhealth import account as account_module  # noqa: E402
from azext_acrhealth.checks import registry  # noqa: E402
from azext_acrhealth.context import Context, Options  # noqa: E402
from azext_acrhealth.runner import run_plan  # noqa: E402

NAMES = ("localhost", "127.0.0.1", "127.0.0.2", "::1")
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy",
                   "NO_PROXY", "no_proxy", "CURL_CA_BUNDLE", "SSL_CERT_FILE")


@pytest.fixture(scope="session")
def ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def pki(ca, tmp_path_factory):
    """Paths: the CA bundle, and (cert, key) pairs: good, wrong name, expired, self-signed."""
    root = tmp_path_factory.mktemp("pki")
    ca.cert_pem.write_to_path(str(root / "ca.pem"))
    past = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    leaves = {"good": ca.issue_cert(*NAMES),
              "wrong_name": ca.issue_cert("other.example"),
              "expired": ca.issue_cert(*NAMES, not_before=past, not_after=past + datetime.timedelta(days=30)),
              "self_signed": None}
    paths = {"ca": str(root / "ca.pem")}
    for name, leaf in leaves.items():
        cert, key = str(root / (name + ".pem")), str(root / (name + ".key"))
        if leaf is None:
            _self_signed(cert, key)
        else:
            leaf.cert_chain_pems[0].write_to_path(cert)
            leaf.private_key_pem.write_to_path(key)
        paths[name] = (cert, key)
    return paths


def _self_signed(cert_path, key_path):
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "self-signed.example")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    with open(cert_path, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))


@pytest.fixture(autouse=True)
def trust(pki, monkeypatch):
    """Trust the test CA only, and no proxy: requests reads these per request."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", pki["ca"])


@pytest.fixture
def make_cloud(pki):
    """make_cloud(scenario=None, cert="good", host="127.0.0.1") -> a started FakeCloud, stopped after."""
    started = []

    def make(scenario=None, cert="good", host="127.0.0.1"):
        certfile, keyfile = pki[cert]
        cloud = fakecloud.FakeCloud(scenario or fakecloud.Scenario(), certfile, keyfile, host=host).start()
        started.append(cloud)
        return cloud

    yield make
    for cloud in started:
        cloud.stop()


@pytest.fixture
def cloud(make_cloud):
    return make_cloud()


class StubAccount:
    """The Account interface, backed by the fake cloud: ARM calls really go to it over HTTPS."""

    def __init__(self, cloud, suffix=".azurecr.io", login_error=None, cloud_name="AzureCloud"):
        self.cloud = cloud
        self.suffix = suffix
        self.login_error = login_error
        self.name = cloud_name
        self.audiences = []
        scenario = cloud.scenario
        self.aad = cloud.issue({"aud": account_module.ACR_AUDIENCE, "tid": scenario.tenant,
                                "appid": "11111111-2222-3333-4444-555555555555"})
        self.arm_token = cloud.issue({"aud": "https://management.fake.local/", "tid": scenario.tenant})

    def cli_version(self):
        return "2.91.0"

    def cloud_name(self):
        return self.name

    def acr_suffix(self):
        return self.suffix

    def config(self, section, option, fallback=None):
        return fallback

    def acr_audience(self):
        return account_module.ACR_AUDIENCE

    def token(self, resource):
        self.audiences.append(resource)
        if self.login_error:
            raise account_module.LoginError(self.login_error)
        return self.aad, self.cloud.scenario.tenant

    def subscription_id(self):
        if self.login_error:
            raise account_module.LoginError(self.login_error)
        return self.cloud.scenario.subscription

    def arm_endpoint(self):
        return self.cloud.url

    def arm_audience(self):
        return "https://management.fake.local/"

    def arm_get(self, path, api_version, timeout):
        if self.login_error:
            raise account_module.LoginError(self.login_error)
        return account_module.arm_request(self.cloud.url, self.arm_token, path, api_version, timeout)


def registry_json(cloud, name="myreg", **properties):
    sub = cloud.scenario.subscription
    rid = "/subscriptions/{}/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/{}".format(sub, name)
    props = {"loginServer": cloud.netloc, "publicNetworkAccess": "Enabled"}
    props.update(properties)
    return {"id": rid, "name": name, "type": "Microsoft.ContainerRegistry/registries", "location": "westus",
            "sku": {"name": "Premium"}, "properties": props}


def run_registry(cloud, account=None, ignore_errors=True, **options):
    """Run the registry plan against the fake cloud; return {check name: CheckResult}."""
    options.setdefault("timeout", 2)
    if "registry_name" not in options:
        options.setdefault("login_server", cloud.netloc)
    opts = Options(ignore_errors=ignore_errors, **options)
    ctx = Context(opts, account=account if account is not None else StubAccount(cloud))
    results = run_plan(registry.plan(opts, "registry"), ctx, ignore_errors=ignore_errors)
    return {r.check.name: r for r in results}


def outcome(results, name):
    return results[name].outcome
