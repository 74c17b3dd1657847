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
import hashlib
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
        | "forbidden" (403 with ACR's firewall message naming forbidden_ip)
        | "drip_headers" (1 byte/s headers)
        | "endless" (never-ending body) | "huge_body" (64 MiB) | "huge_headers" | "redirect:URL"
        | "redirect_loop" (to itself)
    v2 only: "challenge" (= ok: 401 Bearer) | "basic" | "bearer_no_service" | "no_header" | "anonymous" (200)
    exchange/token only: "invalid_json" | "no_refresh_token"/"no_access_token" | "not_jwt" | "list"
        | "number" | "object_token" (the token field is an object) | "401" | "429" (shorthands)
    arm_registries also: "403" (AuthorizationFailed) | "old_api" (only api-version 2023-07-01 is served).
    Every answer's Date header is shifted by date_offset.

    The registry's content (--image): `images` and `blobs` (sample_image() builds them), read with a token
    this cloud issued that grants pull; blobs are served here, or redirected to `blob_redirect` (an origin
    that names this same server: a data endpoint or storage host), whose answers `redirected` decides:
    "ok" | "forbidden" (ACR's firewall 403) | "storage_forbidden" (Azure Storage's 403) | a common behaviour.
    A blob whose content does not match its digest is just an entry of `blobs` with other content.
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
    images: dict = field(default_factory=dict)   # repository -> {tag or digest: manifest JSON text}
    blobs: dict = field(default_factory=dict)    # digest -> {"data": text} | {"size": n, "seed": k} (filler),
                                                 # optionally with "behaviour": a common behaviour
    manifests: str = "ok"           # manifest GETs: "ok" | a common behaviour
    tags_list: str = "ok"           # tag list GETs: "ok" | a common behaviour
    blob_redirect: str = None       # https://host[:port] blob GETs are redirected to; None: served directly
    redirected: str = "ok"          # what the redirect's target answers (see above)
    token_signing_key: str = None   # PEM key (and chain, for the x5c header) that signs registry access
    token_signing_chain: str = None  # tokens, for a real registry to verify; None: unsigned
    # Credentials other than the Entra path's: a refresh token this cloud did not issue (a stored docker
    # login), answered as `stored_token` says ("ok" accepts one whose exp, if any, is to come); and GET
    # /oauth2/token with Basic authentication, answered as `basic` says ("ok" accepts the users of
    # `basic_users`, user -> password; None accepts any). Both take the token behaviours above.
    stored_token: str = "ok"
    basic: str = "ok"
    basic_users: dict = None
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


def _basic(header):
    """(user, password) of a Basic Authorization header, or (None, None)."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return None, None
    try:
        user, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None, None
    return (user, password) if sep else (None, None)


def _claims(token):
    try:
        part = token.split(".")[1]
        value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (AttributeError, IndexError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def unsigned_jwt(claims):
    """A JWT-shaped token that nobody can verify: what the clients under test only ever decode."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return "{}.{}.{}".format(part({"alg": "RS256", "typ": "JWT", "kid": "fake"}), part(claims),
                             base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode())


def signed_jwt(claims, key_path, chain_path=None):
    """A JWT signed with the PEM key at key_path (ES256 for an EC key, else RS256), with the certificates of
    chain_path in its x5c header: what a real registry (CNCF distribution) verifies against its
    rootcertbundle."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    with open(key_path, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    header = {"typ": "JWT", "alg": "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"}
    if chain_path:
        with open(chain_path, "rb") as f:
            chain = x509.load_pem_x509_certificates(f.read())
        header["x5c"] = [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode() for c in chain]

    def part(value):
        return base64.urlsafe_b64encode(value).rstrip(b"=").decode()
    signing_input = "{}.{}".format(part(json.dumps(header).encode()), part(json.dumps(claims).encode()))
    if header["alg"] == "ES256":
        r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return "{}.{}".format(signing_input, part(signature))


# ---------------------------------------------------------------- the registry's content

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
BLOB_STORE = "/blobstore/"          # where redirected blob downloads land, on whichever host
_CONTENT_PATH = re.compile(r"^/v2/(?P<name>[a-z0-9][a-z0-9._/-]*?)/(?P<kind>manifests|blobs|tags)/(?P<ref>[^/]+)$")


def digest_of(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def blob_bytes(spec):
    """The content of a `blobs` entry."""
    if "data" in spec:
        return spec["data"].encode()
    seed = int(spec.get("seed", 0)) % 256
    pattern = bytes((seed + i * 7) % 256 for i in range(256))
    size = int(spec["size"])
    return (pattern * (size // 256 + 1))[:size]


@dataclass
class SampleImage:
    """One image for a scenario: its manifests (`images`), blobs (`blobs`), and digests to ask for."""
    images: dict
    blobs: dict
    digest: str                 # of the top manifest (the index, or the single manifest)
    manifests: dict             # platform -> digest of its image manifest
    configs: dict               # platform -> digest of its config blob
    layers: dict                # platform -> digest of its layer

    def fields(self):
        return {"images": self.images, "blobs": self.blobs}


def sample_image(repository="app", tags=("v1",), platforms=("linux/amd64",), layer_size=64 << 10, index=True,
                 docker_types=False):
    """An image for `platforms`, each with a config and one layer of layer_size filler bytes: an index over
    them (OCI, or Docker's list with docker_types), or with index=False one manifest for the first platform.
    Every tag names the top manifest; every manifest is also served by its digest."""
    index_type, manifest_type = (DOCKER_LIST, DOCKER_MANIFEST) if docker_types else (OCI_INDEX, OCI_MANIFEST)
    config_type = "application/vnd.docker.container.image.v1+json" if docker_types else \
        "application/vnd.oci.image.config.v1+json"
    layer_type = "application/vnd.docker.image.rootfs.diff.tar.gzip" if docker_types else \
        "application/vnd.oci.image.layer.v1.tar+gzip"
    manifests, blobs, entries, digests, configs, layers = {}, {}, [], {}, {}, {}
    for seed, platform in enumerate(platforms):
        os_name, arch, *variant = platform.split("/")
        config = json.dumps({"architecture": arch, "os": os_name, **({"variant": variant[0]} if variant else {}),
                             "config": {"Cmd": ["/app"]}, "rootfs": {"type": "layers", "diff_ids": []}})
        layer = {"size": layer_size, "seed": seed}
        config_digest, layer_digest = digest_of(config.encode()), digest_of(blob_bytes(layer))
        blobs[config_digest], blobs[layer_digest] = {"data": config}, layer
        text = json.dumps({"schemaVersion": 2, "mediaType": manifest_type,
                           "config": {"mediaType": config_type, "digest": config_digest, "size": len(config)},
                           "layers": [{"mediaType": layer_type, "digest": layer_digest, "size": layer_size}]})
        digest = digest_of(text.encode())
        manifests[digest] = text
        digests[platform], configs[platform], layers[platform] = digest, config_digest, layer_digest
        described = {"os": os_name, "architecture": arch, **({"variant": variant[0]} if variant else {})}
        entries.append({"mediaType": manifest_type, "digest": digest, "size": len(text), "platform": described})
    if index:
        top = json.dumps({"schemaVersion": 2, "mediaType": index_type, "manifests": entries})
        top_digest = digest_of(top.encode())
        manifests[top_digest] = top
    else:
        top_digest = digests[platforms[0]]
        top = manifests[top_digest]
    for tag in tags:
        manifests[tag] = top
    return SampleImage({repository: manifests}, blobs, top_digest, digests, configs, layers)


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

    def issue(self, claims, key=None, chain=None):
        token = signed_jwt(claims, key, chain) if key else unsigned_jwt(claims)
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
        if method == "GET" and low == "/oauth2/token":
            return self.registry_token_basic
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
        if method == "GET" and _CONTENT_PATH.match(path):
            return self.registry_content
        if method == "GET" and low.startswith(BLOB_STORE):
            return self.redirected_blob
        if method == "GET" and low.endswith("/replications") and self._registry(low[:-len("/replications")]):
            return self.arm_replications
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
        elif behaviour == "forbidden":
            self._json(403, {"errors": [{"code": "DENIED", "message": "client with IP '{}' is not allowed access. "
                                         "Refer https://aka.ms/acr/firewall to grant access.".format(
                                             self.scenario.forbidden_ip)}]})
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
        if self._field("refresh_token") and self._field("refresh_token") not in self.cloud.issued_tokens:
            return self.registry_token_stored()
        if behaviour == "ok":
            if self._field("grant_type") != "refresh_token" or not self._field("refresh_token"):
                self._json(400, {"errors": [{"code": "BAD_REQUEST", "message": "missing fields"}]})
                return
            access = [self._grant(scope) for scope in self.form.get("scope", [])]
            token = self.cloud.issue({"jti": uuid.uuid4().hex, "sub": "user", "aud": self._field("service"),
                                      "iss": "Azure Container Registry", "exp": int(time.time()) + 3600,
                                      "access": [a for a in access if a]},
                                     self.scenario.token_signing_key, self.scenario.token_signing_chain)
            self._json(200, {"access_token": token})
        elif not self._token_shapes(behaviour, "access_token"):
            raise ValueError("unknown token behaviour " + behaviour)

    def registry_token_stored(self):
        """POST /oauth2/token with a refresh token this cloud did not issue: a login docker stored."""
        behaviour = self.scenario.stored_token
        if behaviour == "ok":
            exp = _claims(self._field("refresh_token")).get("exp")
            if isinstance(exp, (int, float)) and exp <= time.time():
                self._json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "the refresh token has expired"}]})
                return
            self._issue_access("stored")
        elif not self._token_shapes(behaviour, "access_token"):
            raise ValueError("unknown stored_token behaviour " + behaviour)

    def registry_token_basic(self):
        """GET /oauth2/token?service=..&scope=.. with Basic authentication, as docker asks with a user name
        and password."""
        behaviour = self.scenario.basic
        if behaviour == "ok":
            user, password = _basic(self.headers.get("Authorization"))
            users = self.scenario.basic_users
            if user is None or (users is not None and users.get(user) != password):
                self._json(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]})
                return
            self._issue_access(user, service=(self.query.get("service") or [None])[0],
                               scopes=self.query.get("scope", []))
        elif not self._token_shapes(behaviour, "access_token"):
            raise ValueError("unknown basic behaviour " + behaviour)

    def _issue_access(self, subject, service=None, scopes=None):
        access = [self._grant(scope) for scope in (self.form.get("scope", []) if scopes is None else scopes)]
        token = self.cloud.issue({"jti": uuid.uuid4().hex, "sub": subject, "aud": service or self._field("service"),
                                  "iss": "Azure Container Registry", "exp": int(time.time()) + 3600,
                                  "access": [a for a in access if a]},
                                 self.scenario.token_signing_key, self.scenario.token_signing_chain)
        self._json(200, {"access_token": token})

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

    # ------------------------------------------------------------ registry content (--image)

    def _registry_error(self, status, code, message, headers=()):
        self._json(status, {"errors": [{"code": code, "message": message, "detail": None}]}, headers)

    def _pull_allowed(self, name):
        """The request carries a registry access token this cloud issued that grants pull on name."""
        header = self.headers.get("Authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or token.strip() not in self.cloud.issued_tokens:
            return False
        try:
            part = token.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        except (IndexError, ValueError):
            return True      # an opaque token this cloud issued
        return any(a.get("type") == "repository" and a.get("name") == name and
                   ({"pull", "*"} & set(a.get("actions") or ())) for a in claims.get("access") or ())

    def registry_content(self):
        match = _CONTENT_PATH.match(self.route_path)
        name, kind, ref = match.group("name"), match.group("kind"), match.group("ref")
        if not self._pull_allowed(name):
            header = 'Bearer realm="{}",service="{}",scope="repository:{}:pull"'.format(
                self._realm(), self.scenario.service or self._host(), name)
            self._registry_error(401, "UNAUTHORIZED", "authentication required, visit https://aka.ms/acr/authorization "
                                 "for more information.", [("WWW-Authenticate", header)])
            return
        manifests = self.scenario.images.get(name)
        if kind == "manifests":
            if self.scenario.manifests != "ok":
                self._common(self.scenario.manifests) or self._send(500)
            elif manifests is None:
                self._registry_error(404, "NAME_UNKNOWN", "repository name not known to registry")
            elif ref not in manifests:
                self._registry_error(404, "MANIFEST_UNKNOWN", 'manifest tagged by "{}" is not found'.format(ref))
            else:
                text = manifests[ref].encode()
                media = json.loads(text).get("mediaType") or OCI_MANIFEST
                self._send(200, text, media, headers=[("Docker-Content-Digest", digest_of(text))])
        elif kind == "tags":
            if self.scenario.tags_list != "ok":
                self._common(self.scenario.tags_list) or self._send(500)
            elif ref != "list" or manifests is None:
                self._registry_error(404, "NAME_UNKNOWN", "repository name not known to registry")
            else:
                limit = int((self.query.get("n") or ["100"])[0])
                tags = sorted(t for t in manifests if not t.startswith("sha256:"))[:limit]
                self._json(200, {"name": name, "tags": tags})
        elif ref not in self.scenario.blobs:
            self._registry_error(404, "BLOB_UNKNOWN", "blob unknown to registry")
        elif self.scenario.blob_redirect:
            # As ACR does: a short-lived signed URL on another host; the signature is a secret of sorts.
            signature = self.cloud.issue_opaque()
            self._send(307, b"", headers=[("Location", "{}{}{}/data?se=2099-01-01&sp=r&sig={}".format(
                self.scenario.blob_redirect.rstrip("/"), BLOB_STORE, ref, signature))])
        else:
            self._serve_blob(ref)

    def _serve_blob(self, digest):
        spec = self.scenario.blobs[digest]
        if spec.get("behaviour"):       # this blob alone hangs, resets, ... wherever it is served
            self._common(spec["behaviour"]) or self._send(500)
            return
        data = blob_bytes(spec)
        match = re.match(r"^bytes=(\d+)-(\d*)$", self.headers.get("Range") or "")
        if match and int(match.group(1)) < len(data):
            start = int(match.group(1))
            end = min(int(match.group(2) or len(data) - 1), len(data) - 1)
            self._send(206, data[start:end + 1], "application/octet-stream",
                       headers=[("Content-Range", "bytes {}-{}/{}".format(start, end, len(data)))])
        else:
            self._send(200, data, "application/octet-stream", headers=[("Docker-Content-Digest", digest)])

    def redirected_blob(self):
        """A data endpoint's or storage's answer to the redirected download."""
        digest = self.route_path[len(BLOB_STORE):].split("/", 1)[0]
        signature = (self.query.get("sig") or [""])[0]
        behaviour = self.scenario.redirected
        if self.headers.get("Authorization"):
            # Azure Storage refuses a request that carries both a signature and a credential.
            self._send(400, b"<Error><Code>InvalidAuthenticationInfo</Code><Message>Authentication information is "
                            b"not given in the correct format.</Message></Error>", "application/xml")
        elif behaviour == "forbidden":
            self._registry_error(403, "DENIED", "client with IP '{}' is not allowed access. Refer "
                                 "https://aka.ms/acr/firewall to grant access.".format(self.scenario.forbidden_ip))
        elif behaviour == "storage_forbidden":
            self._send(403, b'<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationFailure</Code><Message>'
                            b"This request is not authorized to perform this operation.</Message></Error>",
                       "application/xml")
        elif behaviour != "ok":
            self._common(behaviour) or self._send(500)
        elif signature not in self.cloud.issued_tokens or digest not in self.scenario.blobs:
            self._send(403, b"<Error><Code>AuthenticationFailed</Code></Error>", "application/xml")
        else:
            self._serve_blob(digest)

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
        elif behaviour == "old_api":
            if self.query.get("api-version") == ["2023-07-01"]:
                self._json(200, {"value": self.scenario.registries})
            else:
                self._json(400, {"error": {"code": "InvalidApiVersionParameter", "message": "The api-version "
                                           "is invalid. The supported versions are '2023-07-01'."}})
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

    def _registry(self, low_path):
        return any(isinstance(r, dict) and str(r.get("id", "")).lower() == low_path for r in self.scenario.registries)

    def arm_replications(self):
        """A registry's replica list when the scenario's resources hold no <registry id>/replications: none."""
        self._json(200, {"value": []})

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
