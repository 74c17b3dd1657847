"""End-to-end harness: the real az, the extension from its wheel, and the fake cloud, in a namespace.

The session registers the fake cloud and logs in with a service principal once; every test gets a copy
of that logged-in configuration and its own HOME, then runs `az acr check-health` through
tests/support/netns.py with the fake cloud behaving as the test's scenario says. Every run fails if the fake
cloud saw a request it does not recognise.
"""

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tests.support import azcli, netns

# The fake cloud's identities: made-up values, the secret is the fake cloud's only.
TENANT = "72f9a1b0-0000-4000-8000-00000000a1d0"
APP_ID = "c0ffee00-0000-4000-8000-0000000000a1"
SECRET = "fake-cloud-secret"
SUBSCRIPTION = "5ab5c41b-0000-4000-8000-0000000005b5"
RESOURCE_GROUP = "rg"

CLOUD = "FakeCloud"
CLOUD_NO_ACR = "FakeCloudNoAcr"
AAD_HOST = "login.fake.local"
ARM_HOST = "management.fake.local"
SUFFIX = ".azurecr.fake"
REGISTRY = "myregistry"
LOGIN_SERVER = REGISTRY + SUFFIX
DATA_ENDPOINT = REGISTRY + ".fakeregion.data" + SUFFIX
AUTH_HOST = "auth" + SUFFIX                 # a token server under the suffix, for Debian's registry
REAL_REGISTRY = "realreg"                   # Debian's registry server answers for this one
MISMATCH_REGISTRY = "badcert"               # in the hosts file, not in the certificate
CLOUD_ADDRESS = "127.0.0.1"
REAL_REGISTRY_ADDRESS = "127.0.0.2"         # a second loopback address: both servers listen on 443
STORAGE_SUFFIX = "core.fake"                # the cloud's storage suffix: layers may come from *.blob.core.fake
STORAGE_HOST = "fakestore.blob." + STORAGE_SUFFIX

CERT_NAMES = ("localhost", "127.0.0.1", AAD_HOST, ARM_HOST, LOGIN_SERVER, DATA_ENDPOINT, AUTH_HOST,
              REAL_REGISTRY + SUFFIX, STORAGE_HOST)
HOSTS = {CLOUD_ADDRESS: ["localhost", AAD_HOST, ARM_HOST, LOGIN_SERVER, DATA_ENDPOINT, AUTH_HOST,
                         MISMATCH_REGISTRY + SUFFIX, STORAGE_HOST],
         REAL_REGISTRY_ADDRESS: [REAL_REGISTRY + SUFFIX]}

# Registries the hardening tests make hostile one by one (fakecloud Scenario.per_host), so that one batch
# holds many cases: in the certificate and the hosts file, like the registry.
SPARE_REGISTRIES = tuple("spare{}".format(i) for i in range(1, 9))
CERT_NAMES += tuple(name + SUFFIX for name in SPARE_REGISTRIES)
HOSTS[CLOUD_ADDRESS] = HOSTS[CLOUD_ADDRESS] + [name + SUFFIX for name in SPARE_REGISTRIES]
FOREIGN_ADDRESS = "127.0.0.3"               # where the hosts a hostile answer names live, with a listener


def registry_id(name=REGISTRY):
    return "/subscriptions/{}/resourceGroups/{}/providers/Microsoft.ContainerRegistry/registries/{}".format(
        SUBSCRIPTION, RESOURCE_GROUP, name)


def hosts_text(hosts=None):
    hosts = HOSTS if hosts is None else hosts
    return "".join("{} {}\n".format(address, " ".join(names)) for address, names in hosts.items())


def register_cloud(name=CLOUD, acr_suffix=True):
    args = ["cloud", "register", "-n", name, "--skip-endpoint-discovery",
            "--endpoint-active-directory", "https://" + AAD_HOST,
            "--endpoint-resource-manager", "https://{}/".format(ARM_HOST),
            "--endpoint-active-directory-resource-id", "https://{}/".format(ARM_HOST)]
    if acr_suffix:
        args += ["--suffix-acr-login-server-endpoint", SUFFIX, "--suffix-storage-endpoint", STORAGE_SUFFIX]
    return args


def login():
    return ["login", "--service-principal", "-u", APP_ID, "-p", SECRET, "--tenant", TENANT]


# ---------------------------------------------------------------- certificates

@dataclass(frozen=True)
class Certificates:
    ca: Path      # REQUESTS_CA_BUNDLE for az
    cert: Path    # server certificate (chain) for every name in CERT_NAMES
    key: Path

    @classmethod
    def create(cls, folder):
        import trustme
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        ca = trustme.CA()
        server = ca.issue_cert(*CERT_NAMES)
        paths = cls(folder / "ca.pem", folder / "server.pem", folder / "server.key")
        ca.cert_pem.write_to_path(str(paths.ca))
        server.private_key_pem.write_to_path(str(paths.key))
        with open(paths.cert, "wb") as f:
            for blob in server.cert_chain_pems:
                f.write(blob.bytes())
        return paths


# ---------------------------------------------------------------- the fake cloud, inside the namespace

def scenario(**overrides):
    """The fake cloud's behaviour for one test: our identities and registry, plus the test's changes."""
    base = {"tenant": TENANT, "subscription": SUBSCRIPTION, "registries": [registry_resource()]}
    base.update(overrides)
    return base


def registry_resource(name=REGISTRY, login_server=LOGIN_SERVER, identity=None, **properties):
    props = {"loginServer": login_server, "provisioningState": "Succeeded", "publicNetworkAccess": "Enabled",
             "dataEndpointEnabled": True, "dataEndpointHostNames": [DATA_ENDPOINT],
             "networkRuleSet": {"defaultAction": "Allow", "ipRules": []},
             "encryption": {"status": "disabled"}}
    props.update(properties)
    resource = {"id": registry_id(name), "name": name, "type": "Microsoft.ContainerRegistry/registries",
                "location": "fakeregion", "sku": {"name": "Premium", "tier": "Premium"}, "properties": props}
    if identity:
        resource["identity"] = identity
    return resource


def image_scenario(image=None, redirect=DATA_ENDPOINT, **overrides):
    """scenario() with the registry holding an image (default fakecloud.sample_image(): app:v1 for
    linux/amd64) whose blobs it redirects to the host `redirect` (None: it serves them itself)."""
    from tests.support import fakecloud
    image = image or fakecloud.sample_image()
    fields = dict(image.fields(), blob_redirect="https://" + redirect if redirect else None)
    fields.update(overrides)
    return scenario(**fields)


def start_cloud(config):
    from tests.support import fakecloud
    cloud = fakecloud.FakeCloud(fakecloud.Scenario.from_dict(config["scenario"]), config["cert"], config["key"],
                                host=config["address"], port=config["port"])
    return cloud.start()


def collect_cloud(cloud):
    return {"requests": list(cloud.requests), "unrecognised": list(cloud.unrecognised),
            "issued_tokens": [dict(describe_token(t), token=t) for t in sorted(cloud.issued_tokens)]}


def stop_cloud(cloud):
    cloud.stop()


def describe_token(token):
    """{kind: aad, refresh or access; audience}, from the claims of a token the fake cloud issued."""
    import base64
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {"kind": "opaque", "audience": None}
    if claims.get("grant_type") == "refresh_token":
        kind = "refresh"
    elif "access" in claims:
        kind = "access"
    else:
        kind = "aad"
    return {"kind": kind, "audience": claims.get("aud")}


# ---------------------------------------------------------------- docker's stored login

NULL_GUID = "00000000-0000-0000-0000-000000000000"


def stored_refresh_token(lifetime=3 * 3600, **claims):
    """A refresh token as `az acr login` stores it for docker (the fake cloud did not issue it)."""
    import time

    from tests.support.fakecloud import unsigned_jwt
    values = {"jti": os.urandom(8).hex(), "sub": "stored-login", "aud": LOGIN_SERVER, "tenant": TENANT,
              "iss": "Azure Container Registry", "exp": int(time.time() + lifetime), "grant_type": "refresh_token"}
    values.update(claims)
    return unsigned_jwt(values)


def auth_entry(user, secret):
    import base64
    return {"auth": base64.b64encode("{}:{}".format(user, secret).encode()).decode()}


def docker_logged_in(server=LOGIN_SERVER, token=None):
    """~/.docker/config.json after `az acr login -n <registry>`: the null-GUID user and a refresh token."""
    return {"auths": {server: auth_entry(NULL_GUID, token or stored_refresh_token())}}


def write_docker_config(home, config):
    folder = Path(home) / ".docker"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    return folder / "config.json"


# ---------------------------------------------------------------- runs

@dataclass(frozen=True)
class Program:
    """A command of a batch that is not az (a test's own tool), run in the namespace like the others."""
    argv: tuple


@dataclass
class Result:
    """One az run inside the namespace, with what the fake cloud saw during the whole batch."""
    returncode: int
    stdout: str
    stderr: str
    requests: list = field(default_factory=list)
    issued_tokens: list = field(default_factory=list)
    commands: list = field(default_factory=list)

    @property
    def body(self):
        return json.loads(self.stdout)

    def check(self, name):
        return {c["name"]: c for c in self.body["checks"]}[name]

    def paths(self, host=None):
        return [r["path"] for r in self.requests if host is None or (r.get("host") or "").split(":")[0] == host]

    def __str__(self):
        return "exit {}\n--- stdout\n{}\n--- stderr\n{}".format(self.returncode, self.stdout[-3000:],
                                                             self.stderr[-5000:])


class Session:
    """What every e2e test shares: certificates, the installed extension, and three configurations made
    once: logged in to the fake cloud; the fake cloud set but nobody logged in; logged in to a copy of
    the fake cloud that defines no registry suffix."""

    CONFIGS = ("logged_in", "anonymous", "no_acr")

    def __init__(self, root, extension_dir):
        self.root = Path(root)
        self.extension_dir = Path(extension_dir)
        self.certs = Certificates.create(self.root / "certs")
        envs = {}
        for name in self.CONFIGS:
            (self.root / name / "home").mkdir(parents=True)
            (self.root / name / "config").mkdir()
            envs[name] = self.env(self.root / name / "home", self.root / name / "config", path=azcli.NO_TOOLS)
        commands = [(register_cloud(CLOUD), envs["logged_in"]), (["cloud", "set", "-n", CLOUD], envs["logged_in"]),
                    (login(), envs["logged_in"]),
                    (register_cloud(CLOUD), envs["anonymous"]), (["cloud", "set", "-n", CLOUD], envs["anonymous"]),
                    (register_cloud(CLOUD_NO_ACR, acr_suffix=False), envs["no_acr"]),
                    (["cloud", "set", "-n", CLOUD_NO_ACR], envs["no_acr"]), (login(), envs["no_acr"])]
        result = self.batch(self.root / "set-up", commands, scenario())
        failed = [c for c in result["commands"] if c["returncode"] != 0]
        assert not failed, "session set-up failed: {}".format(failed)

    def env(self, home, config, path):
        env = azcli.base_env(home, config, self.extension_dir)
        env.update({"REQUESTS_CA_BUNDLE": str(self.certs.ca), "AZURE_CORE_INSTANCE_DISCOVERY": "false",
                    "PATH": path})
        return env

    def batch(self, workdir, commands, cloud_scenario, hosts=None, services=(), timeout=120):
        """Run az commands, (arguments, environment) pairs, one after the other in one namespace with the
        fake cloud; return the driver's report. A third item, a dict, adds to the command's spec (for
        example "signal", see netns._signal_later)."""
        workdir = Path(workdir)
        workdir.mkdir(parents=True, exist_ok=True)
        spec = {"workdir": str(workdir), "hosts": hosts_text(hosts), "services": list(services),
                "cloud": None if cloud_scenario is None else {
                    "address": CLOUD_ADDRESS, "port": 443, "cert": str(self.certs.cert),
                    "key": str(self.certs.key), "scenario": cloud_scenario},
                "commands": [dict({"argv": list(args.argv) if isinstance(args, Program) else [str(azcli.AZ), *args],
                                   "env": env, "cwd": str(workdir), "timeout": timeout},
                                  **(extra[0] if extra else {}))
                             for args, env, *extra in commands]}
        # The driver may take as long as all its commands, plus its own start and stop.
        report = netns.run(spec, workdir, timeout=max(600, sum(c["timeout"] for c in spec["commands"]) + 120))
        assert report["unrecognised"] == [], "the fake cloud did not recognise: {}".format(report["unrecognised"])
        return report

    def test_config(self, folder, config="logged_in"):
        """A private copy of one of the session's configurations, and a fresh HOME in which docker is logged
        in to the registry as `az acr login` leaves it (see docker_logged_in)."""
        folder = Path(folder)
        home, copy = folder / "home", folder / "config"
        home.mkdir(parents=True)
        shutil.copytree(self.root / config / "config", copy)
        write_docker_config(home, docker_logged_in())
        return home, copy


class Runner:
    """One test's access to the session: run check-health (and any set-up commands) in a namespace."""

    def __init__(self, session, folder):
        self.session = session
        self.folder = Path(folder)
        self.tools = self.folder / "bin"     # stand-in executables go here; it comes first on PATH
        self.tools.mkdir(parents=True)
        self.config = "logged_in"          # or "anonymous", "no_acr": see Session
        self.extra_env = {}                # variables added to az's environment
        self._home = None

    @property
    def home(self):
        """This test's HOME (created on first use), for files such as ~/.docker/config.json."""
        if self._home is None:
            self._home, self._config = self.session.test_config(self.folder, self.config)
        return self._home

    def env(self):
        self.home  # noqa: B018 - create HOME and config
        # Only the test's stand-ins: whatever docker, podman or helm this machine has must not be found.
        env = self.session.env(self._home, self._config, path=str(self.tools))
        env.update(self.extra_env)
        return env

    def check_health(self, *args, cloud=None, before=(), hosts=None, services=(), timeout=120):
        """`az acr check-health <args> -o json` after the set-up commands `before`; returns a Result."""
        env = self.env()
        commands = [(command, env) for command in (*before, ["acr", "check-health", *args])]
        report = self.session.batch(self.folder / "run", commands, scenario() if cloud is None else cloud,
                                    hosts, services, timeout)
        for command in report["commands"][:-1]:
            assert command["returncode"] == 0, "set-up command failed: {}".format(command)
        last = report["commands"][-1]
        return Result(last["returncode"], last["stdout"], last["stderr"], report["requests"],
                      report["issued_tokens"], report["commands"])

    def check_health_runs(self, runs, cloud=None, hosts=None, services=(), timeout=120):
        """Several `az acr check-health` runs in one namespace, one after the other, with one fake cloud:
        runs are Invocations; returns one Result per run, each with every request of the batch."""
        base = self.env()
        commands = [(["acr", "check-health", *run.args], dict(base, **run.env),
                     {k: v for k, v in (("signal", run.signal), ("password", run.password)) if v is not None})
                    for run in runs]
        report = self.session.batch(self.folder / "run", commands, scenario() if cloud is None else cloud,
                                    hosts, services, timeout)
        return [Result(c["returncode"], c["stdout"], c["stderr"], report["requests"], report["issued_tokens"],
                       [c]) for c in report["commands"]]


@dataclass(frozen=True)
class Invocation:
    """One `az acr check-health` of a batch: its arguments, variables added to the test's environment,
    a signal to send it on the way ({"signum", "when": a file to wait for, "after": seconds}), and a password
    to type at its password prompt, on a terminal (a pty) given as its stdin."""
    args: tuple
    env: dict = field(default_factory=dict)
    signal: dict = None
    password: str = None


def foreign_host(folder, names, ports=(443, 8443, 80), control=9):
    """A host that must hear nothing: a listener on FOREIGN_ADDRESS recording every connection (TLS or not),
    and a hosts map that puts `names` there. Returns (service, hosts, log); after the batch,
    tests.support.listener.connections(log) is what it heard."""
    import sys
    log = Path(folder) / "foreign-connections.jsonl"
    service = {"argv": [sys.executable, str(netns.ROOT / "tests" / "support" / "listener.py"),
                        "--address", FOREIGN_ADDRESS, "--ports", ",".join(str(p) for p in ports),
                        "--control", str(control), "--log", str(log)],
               "address": FOREIGN_ADDRESS, "port": control, "log": str(Path(folder) / "listener.out")}
    return service, dict(HOSTS, **{FOREIGN_ADDRESS: list(names)}), log


# ---------------------------------------------------------------- Debian's registry server

DEBIAN_REGISTRY_PACKAGE = "docker-registry"


def debian_registry(cache):
    """Path of Debian's docker-registry binary, fetched with apt-get download and unpacked with
    dpkg-deb -x into cache (nothing is installed on the machine); None, with the reason, if impossible."""
    cache = Path(cache)
    binary = cache / "root" / "usr" / "bin" / "docker-registry"
    if binary.exists():
        return binary, None
    for tool in ("apt-get", "dpkg-deb"):
        if not shutil.which(tool):
            return None, "{} is not available to fetch Debian's {}".format(tool, DEBIAN_REGISTRY_PACKAGE)
    cache.mkdir(parents=True, exist_ok=True)
    download = ["apt-get", "download", "-o", "APT::Sandbox::User=root", DEBIAN_REGISTRY_PACKAGE]
    proc = subprocess.run(download, cwd=cache, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 and os.geteuid() == 0:
        # A fresh machine may have no package lists yet.
        subprocess.run(["apt-get", "update"], capture_output=True, text=True, timeout=300)
        proc = subprocess.run(download, cwd=cache, capture_output=True, text=True, timeout=300)
    debs = sorted(cache.glob(DEBIAN_REGISTRY_PACKAGE + "_*.deb"))
    if proc.returncode != 0 or not debs:
        return None, "apt-get download {} failed: {}".format(DEBIAN_REGISTRY_PACKAGE,
                                                              (proc.stderr or proc.stdout).strip()[-300:])
    subprocess.run(["dpkg-deb", "-x", str(debs[-1]), str(cache / "root")], check=True, timeout=120)
    return (binary, None) if binary.exists() else (None, "the package holds no usr/bin/docker-registry")
