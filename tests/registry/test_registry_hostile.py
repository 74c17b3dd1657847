"""Broken and hostile servers (issue 6): each ends in the right code within its time bound, through the
runner, with no crash; and no token ever reaches the report."""

import io
import json
import socket
import threading
import time

import pytest
from conftest import StubAccount, outcome, registry_json, run_registry
from fakecloud import Scenario

from azext_acrhealth import report
from azext_acrhealth.outcome import Status

HANG_GUARD = 30   # seconds: generous; only catches a hang, never measures speed


def run(cloud, **options):
    start = time.monotonic()
    results = run_registry(cloud, **options)
    assert time.monotonic() - start < HANG_GUARD
    assert not [n for n, r in results.items() if r.outcome.status is Status.CRASHED]
    return results


@pytest.mark.parametrize("step, behaviour, check, code, words", [
    ("v2", "huge_headers", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "headers"),
    ("v2", "huge_body", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200"),
    ("v2", "endless", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "answered 200"),
    ("v2", "drip", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "no answer"),
    ("v2", "drip_headers", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "no answer"),
    ("v2", "redirect_loop", "challenge", "CONNECTIVITY_CHALLENGE_ERROR", "redirecting to https://"),
    ("exchange", "huge_body", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "cut at the size limit"),
    ("exchange", "endless", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON"),
    ("exchange", "drip", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "no answer"),
    ("exchange", "redirect_loop", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "redirecting to"),
    ("exchange", "invalid_json", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "not JSON"),
    ("exchange", "list", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON list"),
    ("exchange", "number", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "JSON int"),
    ("exchange", "object_token", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "dict value"),
    ("exchange", "reset", "refresh_token", "CONNECTIVITY_REFRESH_TOKEN_ERROR", "reset"),
    ("token", "huge_headers", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "headers"),
    ("token", "drip", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "no answer"),
    ("token", "invalid_json", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "not JSON"),
    ("token", "list", "access_token", "CONNECTIVITY_ACCESS_TOKEN_ERROR", "JSON list"),
])
def test_hostile_answers(cloud, step, behaviour, check, code, words):
    setattr(cloud.scenario, step, behaviour)
    found = outcome(run(cloud, timeout=2), check)
    assert (found.status, found.code) == (Status.FAILED, code), found
    assert words in found.message


def test_hostile_arm_answers_never_crash(cloud):
    for behaviour in ("huge_body", "endless", "drip", "invalid_json", "html", "redirect_loop"):
        cloud.scenario.arm_registries = behaviour if behaviour != "invalid_json" else "status:200"
        results = run(cloud, registry_name="myreg", timeout=2)
        assert outcome(results, "login_server").details["loginServer"] == "myreg.azurecr.io"


def test_wrong_shapes_from_arm_never_crash(cloud):
    registry = registry_json(cloud, encryption=["not", "a", "dict"], privateEndpointConnections={"a": 1},
                             dataEndpointHostNames="not-a-list")
    registry["identity"] = 42
    cloud.scenario.registries = [7, None, "x", registry]
    results = run(cloud, vnet="v", timeout=2)
    assert outcome(results, "cmk").status is Status.PASSED
    assert outcome(results, "private_endpoints").code == "PRIVATE_ENDPOINT_DNS_ERROR"
    assert outcome(results, "data_endpoints").status is Status.SKIPPED


class ConnectProxy:
    """A CONNECT proxy on loopback that tunnels bytes, like a corporate proxy (without inspection)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.targets = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._tunnel, args=(client,), daemon=True).start()

    def _tunnel(self, client):
        with client:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = client.recv(4096)
                if not chunk:
                    return
                head += chunk
            target = head.split(b" ")[1].decode()
            self.targets.append(target)
            host, port = target.rsplit(":", 1)
            with socket.create_connection((host.strip("[]"), int(port)), timeout=10) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                pump = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
                pump.start()
                self._pump(client, upstream)
                pump.join(5)

    @staticmethod
    def _pump(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self):
        self.sock.close()


def test_tls_interception_behind_a_proxy_names_issuer_and_proxy(make_cloud, monkeypatch):
    # The registry's certificate comes from a CA the client does not trust, as with an inspecting proxy.
    cloud = make_cloud(cert="self_signed")
    proxy = ConnectProxy()
    try:
        monkeypatch.setenv("HTTPS_PROXY", "http://user:secret@127.0.0.1:{}".format(proxy.port))
        found = outcome(run(cloud), "challenge")
    finally:
        proxy.close()
    assert (found.status, found.code) == (Status.FAILED, "CONNECTIVITY_SSL_ERROR")
    assert found.details["proxy"] == "http://***@127.0.0.1:{}".format(proxy.port)
    assert "proxy http://***@127.0.0.1" in found.message and "secret" not in found.message
    assert found.details["certificateIssuer"] == "CN=self-signed.example"
    assert proxy.targets.count(cloud.netloc) >= 2     # the request and the certificate probe both tunnelled


def test_dead_proxy_is_a_challenge_error_naming_it(cloud, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    found = outcome(run(cloud), "challenge")
    assert found.code == "CONNECTIVITY_CHALLENGE_ERROR" and "proxy http://127.0.0.1:9 is in effect" in found.message


def test_no_proxy_is_honoured_in_the_report(cloud, monkeypatch):
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert outcome(run(cloud), "challenge").status is Status.PASSED


# ---------------------------------------------------------------- secrets

SECRET_SCENARIOS = [{}, {"exchange": "not_jwt"}, {"token": "not_jwt"}, {"token": "401"}, {"exchange": "html"},
                    {"granted_actions": ["pull"]}, {"realm": "https://127.0.0.2:1/oauth2/token"}]


@pytest.mark.parametrize("changes", SECRET_SCENARIOS)
def test_no_token_in_any_output(make_cloud, changes):
    cloud = make_cloud(Scenario(**changes))
    cloud.scenario.registries = [registry_json(cloud)]
    account = StubAccount(cloud)
    results = run_registry(cloud, account, repository="app", registry_name="myreg")
    body = report.summarise(list(results.values()), 1.0, registry="myreg")
    human = io.StringIO()
    reporter = report.HumanReport(human)
    for result in results.values():
        reporter.check(result)
    reporter.summary(body)
    text = json.dumps(body) + human.getvalue() + repr([r.outcome for r in results.values()])
    secrets = set(cloud.issued_tokens)
    assert account.aad in secrets and len(secrets) >= 2
    for secret in secrets:
        assert secret not in text
        assert secret.split(".")[-1] not in text      # not even the signature part
