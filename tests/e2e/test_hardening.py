"""The promises of README's Security section, end to end through the real az, against hostile servers,
tools and environments: tokens go only to the registry, no process outlives the command, no credential
of the proxy or of ~/.netrc shows up or goes out, nothing hostile reaches the terminal.

Each test groups its cases into one namespace batch (several az runs, one fake cloud), to stay fast.
"""

import re
import signal

import pytest

from tests.support import e2e, listener, standins
from tests.support.e2e import Invocation

pytestmark = pytest.mark.e2e


def spare(index):
    return e2e.SPARE_REGISTRIES[index - 1] + e2e.SUFFIX


def with_spares(**overrides):
    """The fake cloud, with the spare registries known to ARM too (no data endpoint of their own)."""
    registries = [e2e.registry_resource()] + [e2e.registry_resource(name, name + e2e.SUFFIX, dataEndpointHostNames=[])
                                              for name in e2e.SPARE_REGISTRIES]
    return e2e.scenario(registries=registries, **overrides)


def bearer(realm, service):
    return 'Bearer realm="{}",service="{}"'.format(realm, service)


# ---------------------------------------------------------------- 1, 2: a token goes only to the registry

# (login server, the WWW-Authenticate header it sends exactly as written, the realm az reads from it as the
# report shows it, why it is refused). In a quoted string "\\" stands for one backslash (RFC 7230 quoted-pair).
HOSTILE_REALMS = [
    # The validator read these as hosts under the registry domain (or the registry itself); the HTTP client
    # sends to attacker.example, or to host:8443.
    (spare(1), bearer(r"https://attacker.example\\.azurecr.fake/oauth2/token", spare(1)),
     r"https://attacker.example\.azurecr.fake/oauth2/token", "backslash"),
    (spare(2), bearer(r"https://host:8443\\@{}/".format(spare(2)), spare(2)),
     # The report masks what looks like user information.
     "https://***@{}/".format(spare(2)), "backslash"),
    # The same realm, with quoted-pairs all along, as a sender may write it.
    (spare(3), bearer(r"https:\/\/attacker.example\\.azurecr.fake\/oauth2\/token", spare(3)),
     r"https://attacker.example\.azurecr.fake/oauth2/token", "backslash"),
    # Malformed: a finding, not a crash.
    (spare(4), bearer("https://[::1/oauth2/token", spare(4)), "https://[::1/oauth2/token", "not host[:port]"),
    # 'ª' becomes 'a' under NFKC: read naively, the registry's own domain.
    (spare(5), bearer("https://{}.ªzurecr.fake/oauth2/token".format(e2e.SPARE_REGISTRIES[4]), spare(5)),
     "https://{}.ªzurecr.fake/oauth2/token".format(e2e.SPARE_REGISTRIES[4]), "Unicode normalisation"),
]


def test_a_hostile_or_malformed_realm_gets_no_token_and_the_foreign_host_hears_nothing(e2e_run, tmp_path):
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    service, hosts, log = e2e.foreign_host(tmp_path, ["attacker.example", "host"])
    cloud = with_spares(per_host={server: {"challenge_header": header} for server, header, _, _ in HOSTILE_REALMS})

    runs = [Invocation(("-n", server, "--ignore-errors", "--timeout", "5", "-o", "json"))
            for server, *_ in HOSTILE_REALMS]
    results = e2e_run.check_health_runs(runs, cloud=cloud, hosts=hosts, services=[service])

    for (server, _, realm, reason), result in zip(HOSTILE_REALMS, results, strict=True):
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr
        assert result.check("challenge")["details"]["realm"] == realm, result
        assert result.check("aad_token")["status"] == "passed", result       # there was a token to leak
        refused = result.check("refresh_token")
        assert (refused["status"], refused["code"]) == ("failed", "CONNECTIVITY_REALM_ERROR"), refused
        assert reason in refused["message"] and "was not sent" in refused["message"], refused["message"]
        assert result.check("access_token")["status"] == "skipped"
        assert "CONNECTIVITY_REALM_ERROR" in result.stderr
        # The registry saw the anonymous /v2/ and nothing else.
        assert result.paths(server) == ["/v2/"], result.requests
    assert [r for r in results[0].requests if r["path"].startswith("/oauth2/")] == []
    assert listener.connections(log) == [], "a request reached the foreign host"


# ---------------------------------------------------------------- 3: no process outlives the command

def test_no_tool_outlives_the_run_when_its_time_limit_fires(e2e_run):
    """docker context inspect, docker ps and helm all hang: the run's limit (1.5 x 2 s) gives up on them."""
    standins.write_docker(e2e_run.tools, "wedged")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT, hang=True)
    try:
        result = e2e_run.check_health("--timeout", "2", "--ignore-errors", "--yes", "-o", "json", cloud=None)
        leftovers = standins.alive(e2e_run.tools)
    finally:
        standins.kill_leftovers(e2e_run.tools)

    assert result.returncode == 1, result
    assert "gave up: the run's time limit of 3 s was reached" in result.check("docker_daemon")["message"], result
    started = {args for _, args in standins.pids(e2e_run.tools, "docker") + standins.pids(e2e_run.tools, "helm")}
    assert {"context inspect --format {{.Name}} {{.Endpoints.docker.Host}}", "ps --quiet"} <= started, started
    assert any(args.startswith("version") for args in started), started     # helm's
    assert leftovers == [], "still running after az returned: {}".format(leftovers)


INTERRUPTIONS = [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP")]


def test_an_interrupted_pull_leaves_nothing_running_and_says_what_became_of_the_image(e2e_run):
    """Ctrl-C, SIGTERM and SIGHUP while `docker pull` hangs: the pull is killed, the image removed (the
    stand-in's rmi), the report says so, and az ends with 128 + the signal's number."""
    runs, folders = [], []
    for signum, *_ in INTERRUPTIONS:
        folder = e2e_run.folder / "bin-{}".format(signum.name)      # one docker per run: its own pid file
        folder.mkdir()
        standins.write_docker(folder, "pull_hang")
        standins.write_helm(folder, standins.HELM3_OUTPUT)
        folders.append(folder)
        runs.append(Invocation(("--yes", "-o", "json"), env={"PATH": "{}:/usr/bin:/bin".format(folder)},
                               signal={"signum": int(signum), "when": str(folder / "docker.pids"), "after": 0.3}))
    try:
        results = e2e_run.check_health_runs(runs, cloud=None)
        leftovers = [standins.alive(folder) for folder in folders]
    finally:
        for folder in folders:
            standins.kill_leftovers(folder)

    for (signum, status, name), folder, result, alive in zip(INTERRUPTIONS, folders, results, leftovers, strict=True):
        assert result.commands[0]["signal"]["sent"], result
        assert result.returncode == status, "{}: {}".format(signum.name, result)
        assert alive == [], "{}: still running after az returned: {}".format(signum.name, alive)
        assert "pull " + standins.IMAGE in standins.calls(folder, "docker")
        assert "rmi " + standins.IMAGE in standins.calls(folder, "docker")
        assert "[-] Docker pull: interrupted: the pull of {} was stopped and the image removed".format(
            standins.IMAGE) in result.stderr, result
        assert re.search(r"^Interrupted by {} after \d+\.\d s: \d+ of \d+ checks reported, the others stopped; no "
                         r"process was left running\.$".format(name), result.stderr, re.M), result
        assert "Traceback" not in result.stderr
        assert result.stdout == ""          # no result: the user stopped the command


# ---------------------------------------------------------------- 4: proxy credentials never show

# An unencoded '@' in the password: masking up to the first '@' leaves "ss@" behind.
PROXIES = {"working": "http://user:p@ss@127.0.0.1:3128", "refusing (407)": "http://user:p@ss@127.0.0.1:3129",
           "not listening": "http://user:p@ss@127.0.0.1:3130",
           # Without a scheme (requests assumes http://), and with an unencoded '/' in the password.
           "written without a scheme": "user:p@ss@127.0.0.1:3130",
           "with a '/' in its password": "http://user:p/ss@127.0.0.1:3128"}


def proxy_service(folder, port, refuse=None):
    import sys
    argv = [sys.executable, str(e2e.netns.ROOT / "tests" / "support" / "proxy.py"), "--port", str(port)]
    return {"argv": argv + (["--refuse", str(refuse)] if refuse else []), "address": "127.0.0.1", "port": port,
            "log": str(folder / "proxy-{}.out".format(port))}


def test_proxy_credentials_never_appear_even_with_debug(e2e_run, tmp_path):
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    services = [proxy_service(tmp_path, 3128), proxy_service(tmp_path, 3129, 407)]
    runs = [Invocation(("-n", e2e.REGISTRY, "--ignore-errors", "--debug", "-o", "json"), env={"HTTPS_PROXY": proxy})
            for proxy in PROXIES.values()]

    results = e2e_run.check_health_runs(runs, services=services)

    for what, result in zip(PROXIES, results, strict=True):
        output = result.stdout + result.stderr
        assert "DEBUG" in result.stderr or "cli.azure" in result.stderr, result        # --debug was on
        assert "Traceback" not in output, output[max(0, output.find("Traceback") - 1500):output.find("Traceback") + 300]
        for secret in ("p@ss", "ss@", "user:", "p/ss"):
            assert secret not in output, "{} proxy: '{}' in the output: ...{}...".format(
                what, secret, output[max(0, output.find(secret) - 200):output.find(secret) + 50])
    working, refusing, closed, schemeless, slash = results
    assert working.returncode == 0, working                 # through the proxy, everything works
    connects = (tmp_path / "proxy-3128.out").read_text()
    assert "CONNECT {}:443 Basic".format(e2e.LOGIN_SERVER) in connects, connects
    for result in (refusing, closed):
        assert result.returncode == 1, result
        assert "http://***@127.0.0.1:" in result.stdout + result.stderr
    # A proxy URL the HTTP client cannot read is named, masked, with what to change.
    assert "***@127.0.0.1:3130 cannot be used: it names no host" in schemeless.check("challenge")["message"]
    assert "percent-encode them" in slash.check("challenge")["message"]


# ---------------------------------------------------------------- 6: no ambient credentials

def test_netrc_adds_no_credentials_to_our_requests(e2e_run):
    """`default` matches every host: requests with its environment trust would send it to the registry, and
    put Basic in place of the ARM token."""
    standins.write_docker(e2e_run.tools, "ok")
    standins.write_helm(e2e_run.tools, standins.HELM3_OUTPUT)
    netrc = e2e_run.home / ".netrc"
    netrc.write_text("default login netrc-user password netrc-password\n")
    netrc.chmod(0o600)

    result = e2e_run.check_health("-n", e2e.REGISTRY, "--yes", "-o", "json")

    assert result.returncode == 0, result
    ours = sorted((r["host"].split(":")[0], r["path"], r["authorization"]) for r in result.requests
                  if r["host"].split(":")[0] in (e2e.LOGIN_SERVER, e2e.DATA_ENDPOINT))
    # The access token, then the one for the login docker stored (a refresh token, sent in the form).
    assert ours == sorted([(e2e.LOGIN_SERVER, "/v2/", None), (e2e.LOGIN_SERVER, "/oauth2/exchange", None),
                           (e2e.LOGIN_SERVER, "/oauth2/token", None), (e2e.LOGIN_SERVER, "/oauth2/token", None),
                           (e2e.DATA_ENDPOINT, "/v2/", None)]), ours
    arm = [(r["path"], r["authorization"]) for r in result.requests if r["host"].split(":")[0] == e2e.ARM_HOST]
    assert arm and all(scheme == "Bearer" for _, scheme in arm), arm
    # (azure-cli's own token requests to Entra ID, through MSAL, do carry the netrc entry: not ours to change.)
    assert "netrc-password" not in result.stdout + result.stderr and "netrc-user" not in result.stdout + result.stderr


# ---------------------------------------------------------------- 7: nothing hostile reaches the terminal

# Header-safe (no CR, which would end the header line): retitle the window, ring the bell, recolour, and the
# 8-bit CSI, as UTF-8 (C2 9B) that clients decode to U+009B.
HOSTILE_HEADER = "\x1b]0;owned\x07\x1b[31m\xc2\x9b2J"


def _control_characters(text):
    """The C0 (but newline) and C1 control characters in text."""
    return sorted({ch for ch in text if (ord(ch) < 32 and ch != "\n") or 0x7f <= ord(ch) <= 0x9f})


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_control_characters_from_servers_and_tools_never_reach_the_terminal_or_the_json(e2e_run):
    standins.write_docker(e2e_run.tools, "hostile_output")
    standins.write_helm(e2e_run.tools, "version " + standins.HOSTILE_OUTPUT, rc=1, stderr=standins.HOSTILE_OUTPUT)
    cloud = with_spares(
        # The challenge's service, and a redirect of the exchange, carry escape sequences ...
        challenge_header=bearer("https://{}/oauth2/token".format(e2e.LOGIN_SERVER), e2e.LOGIN_SERVER + HOSTILE_HEADER),
        exchange="redirect:https://elsewhere.example/" + HOSTILE_HEADER,
        per_host={spare(1): {"v2": "hostile:503"},           # ... a 5xx body is full of them ...
                  spare(2): {"challenge_header": bearer(    # ... and so is a realm.
                      "https://{}/{}/oauth2/token".format(spare(2), HOSTILE_HEADER), spare(2))}})
    runs = [Invocation((*args, "--ignore-errors", "--yes", "-o", "json"))
            for args in (("-n", e2e.REGISTRY), ("-n", spare(1)), ("-n", spare(2)))]

    results = e2e_run.check_health_runs(runs, cloud=cloud)

    for result in results:
        assert result.returncode == 1, result
        assert _control_characters(result.stderr) == [], result.stderr
        assert _control_characters(result.stdout) == []
        assert [s for s in _strings(result.body) if _control_characters(s)] == []
        assert "\\x1b" in result.stderr and "\\x1b" in result.stdout     # shown, escaped, not dropped
    first, failing, realm = results
    assert first.check("refresh_token")["details"]["location"].startswith("https://elsewhere.example/\\x1b]0;owned")
    assert "\\x1b" in first.check("challenge")["details"]["service"]
    assert "\\x1b" in first.check("docker_daemon")["details"]["output"]
    assert "\\x1b" in failing.check("challenge")["message"] and "503" in failing.check("challenge")["message"]
    assert "\\x1b" in realm.check("refresh_token")["message"]
    assert realm.check("refresh_token")["code"] == "CONNECTIVITY_REALM_ERROR"
