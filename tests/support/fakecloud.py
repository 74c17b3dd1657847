"""A fake Azure cloud on one HTTPS server: Entra ID (AAD), Resource Manager (ARM) and a container registry.

Tests run it in a thread (`with FakeCloud(scenario, certfile, keyfile) as cloud: ...`) and change
`cloud.scenario` between requests; the end-to-end suite runs it as a process:

    python tests/support/fakecloud.py --port 443 --cert server.pem --key server.key --scenario scenario.json

which prints `READY <host> <port>` once it listens, then one JSON line per request on stdout.

Behaviour comes from a `Scenario` (a dataclass, loadable from JSON). Every request is logged (method,
Host header, path, form field names, the Authorization scheme: never a token). Tokens it issues are kept
in `issued_tokens` only, for tests that scan output for secrets. Requests it does not recognise are
answered 404 and recorded in `unrecognised`. Realm and service default to the Host header a request came
in on.
"""

import argparse
import base64
import json
import re
import socket
import ssl
import struct
import sys
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

REPOSITORY_ACTIONS = ("pull", "push", "metadata_read", "metadata_write", "delete")
# What a hostile server or tool writes to take over a terminal: clear the screen, retitle the window (OSC ...
# BEL), recolour, return to the start of the line to overwrite it, and the 8-bit CSI (a C1 control).
HOSTILE_TEXT = "\x1b[2J\x1b]0;owned\x07\x1b[31mred\rOVERWRITTEN\x9b2J\x07"


@dataclass
class Scenario:
    """What the fake cloud does. Behaviours of the registry's three endpoints (`v2`, `exchange`, `token`)
    and of the ARM registry list (`arm_registries`) are strings:

    common: "ok" | "status:NNN" | "html" (200 text/html page) | "hang" | "reset" | "drip" (1 byte/s body)
        | "drip_headers" (1 byte/s headers)
        | "endless" (never-ending body) | "huge_body" (64 MiB) | "huge_headers" | "redirect:URL"
        | "redirect_loop" (to itself)
    v2 only: "challenge" (= ok: 401 Bearer) | "basic" | "bearer_no_service" | "no_header" | "forbidden"
        (403 with ACR's firewall message) | "anonymous" (200)
    exchange/token only: "invalid_json" | "no_refresh_token"/"no_access_token" | "not_jwt" | "list"
        | "number" | "object_token" (the token field is an object) | "401" | "429" (shorthands)
    arm_registries also: "403" (AuthorizationFailed). Every answer's Date header is shifted by date_offset.
    "hostile:NNN" answers NNN with a body full of terminal control sequences (HOSTILE_TEXT).
    per_host changes any of these for the requests that name one host (the registry, its data endpoint).
    """
    tenant: str = "72f988bf-0000-0000-0000-000000000001"
    subscription: str = "00000000-0000-0000-0000-0000000000aa"
    v2: str = "challenge"
    exchange: str = "ok"
    token: str = "ok"
    arm_registries: str = "ok"
    realm: str = None               # the realm URL of the challenge; default https://<Host>/oauth2/token
    service: str = None             # the challenge's service; default: the Host header, port included
    granted_actions: list = None    # actions granted on any repository; None grants what is asked
    catalog: bool = True            # grant registry:catalog:*
    date_offset: float = 0.0        # seconds added to the registry's Date header
    forbidden_ip: str = "203.0.113.7"
    correlation_id: str = "c0ffee00-0000-4000-8000-000000000001"
    registries: list = field(default_factory=list)    # ARM registry objects, as GET returns them
    resources: dict = field(default_factory=dict)     # ARM id (any case) -> object, {"status": 404} or
                                                      # {"behaviour": "hang"} (any common behaviour)
    subscriptions: list = None      # GET /subscriptions value; default: the one subscription
    hang_seconds: float = 60.0      # how long "hang" and "drip" last at most (the server ends them on stop)
    # Hostile answers, for the hardening tests.
    challenge_header: str = None    # the /v2/ challenge's WWW-Authenticate, sent exactly as written
    per_host: dict = field(default_factory=dict)  # host name (no port) -> Scenario fields for requests to it

    @classmethod
    def from_dict(cls, values):
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError("unknown scenario fields: {}".format(", ".join(unknown)))
        return cls(**values)

    @classmethod
    def from_json(cls, text):
        return cls.from_dict(json.loads(text))

    def to_json(self):
        return json.dumps(asdict(self), indent=2)


def _scheme(header):
    """The scheme of an Authorization header ("Bearer", "Basic"), never its credential; None without one."""
    return header.split(None, 1)[0] if header and header.strip() else None


def unsigned_jwt(claims):
    """A JWT-shaped token that nobody can verify: what the clients under test only ever decode."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return "{}.{}.{}".format(part({"alg": "RS256", "typ": "JWT", "kid": "fake"}), part(claims),
                             base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode())


class FakeCloud:
    """The server. Use as a context manager, or start()/stop()."""

    def __init__(self, scenario=None, certfile=None, keyfile=None, host="127.0.0.1", port=0, log=None):
        self.scenario = scenario or Scenario()
        self.requests = []          # dicts: method, host, path, form (field names only)
        self.unrecognised = []
        self.issued_tokens = set()
        self.log = log              # callable(dict) per request, e.g. for the process mode
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(certfile, keyfile)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        server_class = type("Server", (_Server,), {"address_family": family})
        self.server = server_class((host, port), _Handler, cloud=self, context=context)
        self.host = host
        self.port = self.server.server_address[1]
        self._thread = None

    @property
    def netloc(self):
        return "[{}]:{}".format(self.host, self.port) if ":" in self.host else "{}:{}".format(self.host, self.port)

    @property
    def url(self):
        return "https://" + self.netloc

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True, name="fakecloud")
        self._thread.start()
        return self

    def stop(self):
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def record(self, entry, recognised):
        with self._lock:
            self.requests.append(entry)
            if not recognised:
                self.unrecognised.append(entry)
        if self.log:
            self.log(dict(entry, recognised=recognised))

    def issue(self, claims):
        token = unsigned_jwt(claims)
        with self._lock:
            self.issued_tokens.add(token)
        return token

    def issue_opaque(self):
        token = "opaque-" + uuid.uuid4().hex
        with self._lock:
            self.issued_tokens.add(token)
        return token

    def paths(self, method=None):
        return [r["path"] for r in self.requests if method is None or r["method"] == method]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler, cloud, context):
        self.cloud = cloud
        self.context = context
        super().__init__(address, handler)

    def get_request(self):
        sock, address = super().get_request()
        # Headers and body are written separately: without TCP_NODELAY, Nagle's algorithm meets the
        # client's delayed ACK and every answer stalls about 40 ms, which no real registry does.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # The handshake happens in the handler's thread, so a client that never completes one (a port
        # scan, a peer-certificate probe) cannot stall the accept loop.
        return self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

    def handle_error(self, request, client_address):
        pass   # clients that hang up mid-answer are part of the tests; no tracebacks on stderr


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, *args):
        pass

    def date_time_string(self, timestamp=None):
        """The Date header of every answer, shifted by the scenario's clock offset."""
        return formatdate((timestamp or time.time()) + self.scenario.date_offset, usegmt=True)

    # ------------------------------------------------------------ plumbing

    @property
    def cloud(self):
        return self.server.cloud

    @property
    def scenario(self):
        scenario = self.cloud.scenario
        if scenario.per_host:
            host = re.sub(r":\d+$", "", (self.headers.get("Host") or "").lower())
            if host in scenario.per_host:
                return replace(scenario, **scenario.per_host[host])
        return scenario

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        parts = urlsplit(self.path)
        self.route_path = parts.path
        self.query = parse_qs(parts.query)
        self.form = {}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            raw = self.rfile.read(min(length, 1 << 20))
            self.form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        handler = self._route(method, parts.path)
        entry = {"method": method, "host": self.headers.get("Host"), "path": parts.path,
                 "form": sorted(self.form), "authorization": _scheme(self.headers.get("Authorization"))}
        self.cloud.record(entry, handler is not None)
        try:
            if handler is None:
                self._json(404, {"error": {"code": "NotFound", "message": "fakecloud: no route"}})
            else:
                handler()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def _route(self, method, path):
        low = path.lower().rstrip("/")
        tenant = self.scenario.tenant.lower()
        if method == "GET" and low == "/v2":
            return self.registry_v2
        if method == "POST" and low == "/oauth2/exchange":
            return self.registry_exchange
        if method == "POST" and low == "/oauth2/token":
            return self.registry_token
        if method == "GET" and low in ("/{}/v2.0/.well-known/openid-configuration".format(tenant),
                                       "/organizations/v2.0/.well-known/openid-configuration",
                                       "/common/v2.0/.well-known/openid-configuration"):
            return self.aad_openid
        if method == "POST" and low.endswith("/oauth2/v2.0/token"):
            return self.aad_token
        if method == "GET" and low == "/subscriptions":
            return self.arm_subscriptions
        if method == "GET" and low == "/subscriptions/{}/providers/microsoft.containerregistry/registries".format(
                self.scenario.subscription.lower()):
            return self.arm_registry_list
        if method == "GET" and low == "/subscriptions/{}/resources".format(self.scenario.subscription.lower()):
            return self.arm_generic_resources
        if method == "GET" and self._arm_resource(low) is not None:
            return self.arm_resource
        return None

    def _host(self):
        return self.headers.get("Host") or "{}:{}".format(*self.server.server_address[:2])

    def _send(self, status, body=b"", content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Ms-Correlation-Request-Id", self.scenario.correlation_id)
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, value, headers=()):
        self._send(status, json.dumps(value).encode(), headers=headers)

    def _wait(self, seconds):
        self.cloud.stopping.wait(seconds)

    def _common(self, behaviour):
        """The behaviours every endpoint shares. True when one of them answered."""
        if behaviour.startswith("status:"):
            code = int(behaviour.split(":", 1)[1])
            self._json(code, {"errors": [{"code": "FAKE", "message": "status {} by scenario".format(code)}]})
        elif behaviour in ("401", "429"):
            code = int(behaviour)
            message = ("Too many requests. Please visit https://aka.ms/acr/skus#sku-feature-matrix"
                       if code == 429 else "authentication required")
            self._json(code, {"errors": [{"code": "TOOMANYREQUESTS" if code == 429 else "UNAUTHORIZED",
                                          "message": message}]})
        elif behaviour == "html":
            self._send(200, b"<html><head><title>Access denied</title></head><body><h1>Blocked by corporate "
                            b"proxy</h1><p>Policy 42 forbids this site.</p></body></html>", "text/html")
        elif behaviour == "hang":
            self._wait(self.scenario.hang_seconds)
            self.close_connection = True
        elif behaviour == "reset":
            self._reset()
        elif behaviour == "drip":
            self._drip()
        elif behaviour == "drip_headers":
            self._drip(headers_too=True)
        elif behaviour == "endless":
            self._endless()
        elif behaviour == "huge_body":
            self._huge_body()
        elif behaviour == "huge_headers":
            self._send(200, b"{}", headers=[("X-Filler-{}".format(i), "x" * 1000) for i in range(300)])
        elif behaviour.startswith("hostile:"):
            # As UTF-8 (a C1 control is two bytes there), and a raw C1 byte that is not UTF-8 at all.
            self._send(int(behaviour.split(":", 1)[1]), HOSTILE_TEXT.encode() + b" \x9b1m", "text/plain")
        elif behaviour.startswith("redirect:"):
            self._send(307, b"", headers=[("Location", behaviour.split(":", 1)[1])])
        elif behaviour == "redirect_loop":
            self._send(302, b"", headers=[("Location", "https://{}{}".format(self._host(), self.path))])
        else:
            return False
        return True

    def _reset(self):
        # SO_LINGER with a zero timeout makes close() send an RST instead of a FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    def _drip(self, headers_too=False):
        deadline = time.monotonic() + self.scenario.hang_seconds
        if headers_too:
            self.wfile.write(b"HTTP/1.1 200 OK\r\n")
            filler = b"X-Slow: " + b"x" * 10000
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            filler = b" " * 100000
        for byte in filler:
            if time.monotonic() > deadline or self.cloud.stopping.is_set():
                break
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            self._wait(1.0)
        self.close_connection = True

    def _endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"[" * 65536
        while not self.cloud.stopping.is_set():
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.close_connection = True

    def _huge_body(self):
        size = 64 << 20
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        block = b"<p>" + b"x" * 65533
        for _ in range(size // len(block)):
            if self.cloud.stopping.is_set():
                break
            self.wfile.write(block)
        self.close_connection = True

    # ------------------------------------------------------------ registry

    def _realm(self):
        return self.scenario.realm or "https://{}/oauth2/token".format(self._host())

    def registry_v2(self):
        behaviour = self.scenario.v2
        if behaviour in ("challenge", "ok"):
            header = self.scenario.challenge_header or 'Bearer realm="{}",service="{}"'.format(
                self._realm(), self.scenario.service or self._host())
            self._unauthorized(header)
        elif behaviour == "basic":
            self._unauthorized('Basic realm="{}"'.format(self._host()))
        elif behaviour == "bearer_no_service":
            self._unauthorized('Bearer realm="{}"'.format(self._realm()))
        elif behaviour == "no_header":
            self._unauthorized(None)
        elif behaviour == "forbidden":
            self._json(403, {"errors": [{"code": "DENIED", "message": "client with IP '{}' is not allowed access. "
                                         "Refer https://aka.ms/acr/firewall to grant access.".format(
                                             self.scenario.forbidden_ip)}]})
        elif behaviour == "anonymous":
            self._json(200, {}, headers=[("Docker-Distribution-Api-Version", "registry/2.0")])
        elif not self._common(behaviour):
            raise ValueError("unknown v2 behaviour " + behaviour)

    def _unauthorized(self, header):
        headers = [("Docker-Distribution-Api-Version", "registry/2.0")]
        if header:
            headers.append(("WWW-Authenticate", header))
        self._json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required, visit "
                                     "https://aka.ms/acr/authorization for more information."}]}, headers)

    def _field(self, name):
        values = self.form.get(name)
        return values[0] if values else None

    def registry_exchange(self):
        behaviour = self.scenario.exchange
        if behaviour == "ok":
            if self._field("grant_type") != "access_token" or not self._field("access_token") \
                    or not self._field("service"):
                self._json(400, {"errors": [{"code": "BAD_REQUEST", "message": "missing fields"}]})
                return
            token = self.cloud.issue({"jti": uuid.uuid4().hex, "sub": "user", "aud": self._field("service"),
                                      "iss": "Azure Container Registry", "exp": int(time.time()) + 10800,
                                      "grant_type": "refresh_token", "tenant": self._field("tenant")})
            self._json(200, {"refresh_token": token})
        elif not self._token_shapes(behaviour, "refresh_token"):
            raise ValueError("unknown exchange behaviour " + behaviour)

    def registry_token(self):
        behaviour = self.scenario.token
        if behaviour == "ok":
            if self._field("grant_type") != "refresh_token" or not self._field("refresh_token"):
                self._json(400, {"errors": [{"code": "BAD_REQUEST", "message": "missing fields"}]})
                return
            access = [self._grant(scope) for scope in self.form.get("scope", [])]
            token = self.cloud.issue({"jti": uuid.uuid4().hex, "sub": "user", "aud": self._field("service"),
                                      "iss": "Azure Container Registry", "exp": int(time.time()) + 3600,
                                      "access": [a for a in access if a]})
            self._json(200, {"access_token": token})
        elif not self._token_shapes(behaviour, "access_token"):
            raise ValueError("unknown token behaviour " + behaviour)

    def _grant(self, scope):
        kind, _, rest = scope.partition(":")
        name, _, actions = rest.rpartition(":")
        asked = [a for a in actions.split(",") if a]
        if kind == "registry" and name == "catalog":
            return {"type": "registry", "name": "catalog", "actions": ["*"]} if self.scenario.catalog else None
        if kind != "repository":
            return None
        allowed = self.scenario.granted_actions
        granted = asked if allowed is None else [a for a in asked if a in allowed]
        return {"type": "repository", "name": name, "actions": granted}

    def _token_shapes(self, behaviour, key):
        """The broken answers a token endpoint can give. True when one of them answered."""
        if behaviour == "invalid_json":
            self._send(200, b'{"' + key.encode() + b'": "abc", ')
        elif behaviour in ("no_refresh_token", "no_access_token"):
            self._json(200, {"token_type": "Bearer", "expires_in": 3600})
        elif behaviour == "not_jwt":
            self._json(200, {key: self.cloud.issue_opaque()})
        elif behaviour == "list":
            self._json(200, [{key: "x"}])
        elif behaviour == "number":
            self._json(200, 42)
        elif behaviour == "object_token":
            self._json(200, {key: {"value": "x"}})
        else:
            return self._common(behaviour)
        return True

    # ------------------------------------------------------------ Entra ID

    def aad_openid(self):
        base = "https://{}/{}".format(self._host(), self.scenario.tenant)
        self._json(200, {"token_endpoint": base + "/oauth2/v2.0/token",
                         "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                         "device_authorization_endpoint": base + "/oauth2/v2.0/devicecode",
                         "issuer": base + "/v2.0", "jwks_uri": base + "/discovery/v2.0/keys",
                         "tenant_region_scope": "WW", "response_types_supported": ["code", "token"],
                         "token_endpoint_auth_methods_supported": ["client_secret_post"]})

    def aad_token(self):
        scope = (self._field("scope") or "").split()
        resource = next((s[:-len("/.default")] for s in scope if s.endswith("/.default")), "")
        client = self._field("client_id") or "00000000-0000-0000-0000-0000000000c1"
        now = int(time.time())
        token = self.cloud.issue({"aud": resource, "iss": "https://{}/{}/v2.0".format(self._host(),
                                                                                     self.scenario.tenant),
                                  "tid": self.scenario.tenant, "oid": client, "appid": client, "sub": client,
                                  "iat": now, "nbf": now, "exp": now + 3599})
        self._json(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                         "access_token": token})

    # ------------------------------------------------------------ Resource Manager

    def arm_subscriptions(self):
        value = self.scenario.subscriptions
        if value is None:
            value = [{"id": "/subscriptions/" + self.scenario.subscription,
                      "subscriptionId": self.scenario.subscription, "tenantId": self.scenario.tenant,
                      "displayName": "Fake subscription", "state": "Enabled"}]
        self._json(200, {"value": value})

    def arm_registry_list(self):
        behaviour = self.scenario.arm_registries
        if behaviour == "ok":
            self._json(200, {"value": self.scenario.registries})
        elif behaviour == "403":
            self._json(403, {"error": {"code": "AuthorizationFailed", "message": "The client does not have "
                                       "authorization to perform action 'Microsoft.ContainerRegistry/"
                                       "registries/read'."}})
        elif not self._common(behaviour):
            raise ValueError("unknown arm_registries behaviour " + behaviour)

    def arm_generic_resources(self):
        """The generic resource list the built-in command filters by resource type to find a registry's
        resource group: the registries, as the list shows them (no properties)."""
        wanted = " ".join(self.query.get("$filter", [])).lower()
        if self.scenario.arm_registries != "ok" or "microsoft.containerregistry/registries" not in wanted:
            return self.arm_registry_list()
        value = [{key: registry[key] for key in ("id", "name", "type", "location", "sku") if key in registry}
                 for registry in self.scenario.registries if isinstance(registry, dict)]
        self._json(200, {"value": value})

    def _arm_resource(self, low_path):
        for registry in self.scenario.registries:
            if isinstance(registry, dict) and str(registry.get("id", "")).lower() == low_path:
                return registry
        for rid, value in self.scenario.resources.items():
            if rid.lower().rstrip("/") == low_path:
                return value
        return None

    def arm_resource(self):
        value = self._arm_resource(self.route_path.lower().rstrip("/"))
        if isinstance(value, dict) and set(value) == {"status"}:
            status = int(value["status"])
            self._json(status, {"error": {"code": {403: "AuthorizationFailed", 404: "ResourceNotFound"}.get(
                status, "Error"), "message": "status {} by scenario".format(status)}})
        elif isinstance(value, dict) and "behaviour" in value:
            self._common(value["behaviour"])
        else:
            self._json(200, value)


def main(argv=None):
    parser = argparse.ArgumentParser(description="A fake Azure cloud (AAD, ARM, registry) over HTTPS.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--cert", required=True, help="PEM certificate chain of the server")
    parser.add_argument("--key", required=True, help="PEM private key of the server")
    parser.add_argument("--scenario", help="JSON file with Scenario fields")
    args = parser.parse_args(argv)
    scenario = Scenario()
    if args.scenario:
        with open(args.scenario, encoding="utf-8") as f:
            scenario = Scenario.from_json(f.read())

    def log(entry):
        print(json.dumps(entry), flush=True)

    cloud = FakeCloud(scenario, args.cert, args.key, host=args.host, port=args.port, log=log)
    print("READY {} {}".format(args.host, cloud.port), flush=True)
    try:
        cloud.server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stopping.set()
        cloud.server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
