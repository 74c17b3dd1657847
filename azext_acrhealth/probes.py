"""The edges of the world: processes, name resolution and HTTP, each with a hard time limit.

Checks receive these through the context, so tests hand them real local servers and real executables.
Nothing here raises for an expected failure: each call returns a result that says what went wrong.
"""

import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

MAX_OUTPUT = 1 << 20   # bytes kept from each stream of a process
MAX_BODY = 1 << 20     # bytes kept from an HTTP body
READ_GRACE = 1.0       # seconds to finish reading a process's pipes once it has ended


# ---------------------------------------------------------------- processes

@dataclass(frozen=True)
class ProcResult:
    argv: tuple
    returncode: int = None       # None when the process could not start or was killed on timeout
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: str = None            # why the process could not start (OSError text)
    duration: float = 0.0

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out

    @property
    def output(self):
        """stderr and stdout together, stripped: what a user would have seen."""
        return "\n".join(s for s in (self.stderr.strip(), self.stdout.strip()) if s)


def _drain(stream, sink, limit):
    """Read a stream to its end, keeping at most `limit` bytes, so a chatty tool cannot fill memory."""
    kept = 0
    try:
        # read1 returns what the pipe has now; read(n) would wait for n bytes or the end of the pipe.
        for chunk in iter(lambda: stream.read1(65536), b""):
            if kept < limit:
                sink.append(chunk[:limit - kept])
                kept += len(sink[-1])
    except (OSError, ValueError):
        pass


def run(argv, timeout, env=None, cwd=None, max_output=MAX_OUTPUT):
    """Run argv (never through a shell) and return a ProcResult within `timeout` seconds.

    The process gets its own session so that a timeout kills it and everything it started.
    """
    argv = tuple(str(a) for a in argv)
    start = time.monotonic()
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, cwd=cwd, start_new_session=True)
    except (OSError, ValueError) as ex:
        return ProcResult(argv, error=getattr(ex, "strerror", None) or str(ex),
                          duration=time.monotonic() - start)
    out, err = [], []
    readers = [threading.Thread(target=_drain, args=(proc.stdout, out, max_output), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, err, max_output), daemon=True)]
    for reader in readers:
        reader.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(proc)
    # A grandchild outside the process group (it called setsid) may hold the pipes open after the
    # process ended: give the readers a short grace, then leave them behind. Closing a stream that a
    # reader is still blocked on would block too (the buffered reader's lock), so only idle ones are
    # closed; a reader left behind ends, and its pipe closes, when that grandchild exits.
    grace = time.monotonic() + READ_GRACE
    for reader in readers:
        reader.join(timeout=max(0.0, grace - time.monotonic()))
    for stream, reader in zip((proc.stdout, proc.stderr), readers, strict=True):
        if not reader.is_alive():
            try:
                stream.close()
            except OSError:
                pass
    return ProcResult(argv, returncode=None if timed_out else proc.returncode,
                      stdout=b"".join(out).decode("utf-8", "replace"),
                      stderr=b"".join(err).decode("utf-8", "replace"),
                      timed_out=timed_out, duration=time.monotonic() - start)


def _kill(proc):
    try:
        # Windows has no process groups (no os.killpg): kill the process alone there.
        os.killpg(proc.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        try:
            proc.kill()
        except OSError:
            pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass


# ---------------------------------------------------------------- names

@dataclass(frozen=True)
class Resolution:
    host: str
    addresses: tuple = ()        # unique addresses, IPv4 first, in resolver order
    error: str = None            # "invalid", "not_found", "timeout" or "error"
    reason: str = None           # the resolver's own words
    duration: float = 0.0

    @property
    def ok(self):
        return bool(self.addresses)


def resolve(host, timeout):
    """Resolve host to every IPv4 and IPv6 address, in a thread so the lookup can be abandoned."""
    start = time.monotonic()
    try:
        # Catches empty labels, labels over 63 characters and names IDNA cannot encode, before any lookup.
        host.encode("idna")
    except UnicodeError as ex:
        return Resolution(host, error="invalid", reason="not a valid host name ({})".format(ex),
                          duration=time.monotonic() - start)
    box = {}

    def lookup():
        try:
            box["infos"] = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as ex:
            box["error"] = ("not_found" if ex.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", -5))
                            else "error", ex.strerror or str(ex))
        except (OSError, UnicodeError, ValueError) as ex:
            box["error"] = ("error", str(ex))

    worker = threading.Thread(target=lookup, daemon=True)
    worker.start()
    worker.join(timeout)
    duration = time.monotonic() - start
    if worker.is_alive():
        return Resolution(host, error="timeout", reason="no answer within {:g} s".format(timeout),
                          duration=duration)
    if "error" in box:
        return Resolution(host, error=box["error"][0], reason=box["error"][1], duration=duration)
    v4 = [info[4][0] for info in box["infos"] if info[0] == socket.AF_INET]
    v6 = [info[4][0] for info in box["infos"] if info[0] == socket.AF_INET6]
    addresses = tuple(dict.fromkeys(v4 + v6))
    if not addresses:
        return Resolution(host, error="not_found", reason="no address", duration=duration)
    return Resolution(host, addresses=addresses, duration=duration)


# ---------------------------------------------------------------- HTTP

@dataclass(frozen=True)
class HttpResult:
    url: str
    status: int = None
    headers: dict = field(default_factory=dict)   # names in lower case
    body: bytes = b""
    truncated: bool = False      # the body was longer than the cap
    error: str = None            # "ssl", "timeout", "connect", "proxy", "reset", "invalid" or "error"
    reason: str = None           # the underlying message, for the report
    duration: float = 0.0

    @property
    def ok(self):
        return self.error is None

    @property
    def cause(self):
        """The transport failure in a few words, for a report."""
        return _CAUSES.get(self.error, "request failed")

    def header(self, name, default=None):
        return self.headers.get(name.lower(), default)

    def json(self):
        """The body as JSON, or None when it is not JSON (a proxy's HTML page, for example)."""
        import json
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None

    def excerpt(self, limit=160):
        """A short single-line view of the body for a report."""
        import re
        text = self.body[:4096].decode("utf-8", "replace")
        text = re.sub(r"<[^>]{0,200}>", " ", text)
        text = " ".join(text.split())
        return text if len(text) <= limit else text[:limit - 1] + "…"


_CAUSES = {"timeout": "no answer", "reset": "the connection was reset", "connect": "cannot connect",
           "ssl": "TLS failed", "proxy": "the proxy failed", "invalid": "invalid URL"}


class Http:
    """HTTPS requests with connect and read timeouts, a total deadline, a capped body, no redirects.

    It honours the environment like the rest of az: HTTPS_PROXY/NO_PROXY and REQUESTS_CA_BUNDLE.
    """

    def __init__(self, timeout, max_body=MAX_BODY, user_agent="acrhealth"):
        self.timeout = timeout
        self.max_body = max_body
        self.user_agent = user_agent

    def get(self, url, headers=None, timeout=None):
        return self.request("GET", url, headers=headers, timeout=timeout)

    def post(self, url, data=None, headers=None, timeout=None):
        return self.request("POST", url, data=data, headers=headers, timeout=timeout)

    def request(self, method, url, data=None, headers=None, timeout=None):
        """The request runs in a worker thread: read timeouts apply per socket read, so a server that
        drips one byte a second (headers or body) would never trip them; the total deadline is kept
        here, and the socket is shut down when it passes."""
        timeout = self.timeout if timeout is None else timeout
        start = time.monotonic()
        box = {}
        done = threading.Event()

        def work():
            box["result"] = self._request(method, url, data, headers, timeout, start, box)
            done.set()

        threading.Thread(target=work, daemon=True, name="http").start()
        if not done.wait(timeout + 0.5):
            _shut(box.get("response"))
            return HttpResult(url, error="timeout", reason="no complete answer within {:g} s".format(timeout),
                              duration=time.monotonic() - start)
        return box["result"]

    def _request(self, method, url, data, headers, timeout, start, box):
        import requests
        deadline = start + timeout
        sent = {"User-Agent": self.user_agent}
        sent.update(headers or {})
        try:
            with requests.Session() as session:
                response = session.request(method, url, data=data, headers=sent, stream=True,
                                           allow_redirects=False,
                                           timeout=(min(timeout, 10.0), timeout))
                box["response"] = response
                with response:
                    body, truncated = self._read(response, deadline)
                    return HttpResult(url, status=response.status_code,
                                      headers={k.lower(): v for k, v in response.headers.items()},
                                      body=body, truncated=truncated, duration=time.monotonic() - start)
        except _Deadline:
            return HttpResult(url, error="timeout", reason="no complete answer within {:g} s".format(timeout),
                              duration=time.monotonic() - start)
        except Exception as ex:  # noqa: BLE001 - every transport failure becomes a described result
            kind, reason = classify(ex)
            return HttpResult(url, error=kind, reason=reason, duration=time.monotonic() - start)

    def _read(self, response, deadline):
        """Read at most max_body bytes, and give up at the deadline even if bytes keep dripping in."""
        chunks, kept, truncated = [], 0, False
        for chunk in response.iter_content(16384):
            if time.monotonic() > deadline:
                raise _Deadline()
            chunks.append(chunk[:self.max_body - kept])
            kept += len(chunks[-1])
            if kept >= self.max_body:
                truncated = True
                break
        return b"".join(chunks), truncated


class _Deadline(Exception):
    pass


def _shut(response):
    """Unblock a worker stuck reading a dripping body: shut its socket down (best effort)."""
    sock = getattr(getattr(getattr(response, "raw", None), "_connection", None), "sock", None)
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def classify(ex):
    """Map a requests/urllib3/ssl exception to (kind, one-line reason)."""
    import requests
    chain, seen = [], ex
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and
                                                      isinstance(seen.args[0], BaseException) else None)
    reason = _reason(chain)
    if isinstance(ex, requests.exceptions.SSLError):
        return "ssl", reason
    if isinstance(ex, requests.exceptions.ProxyError):
        return "proxy", reason
    if isinstance(ex, (requests.exceptions.Timeout,)):
        return "timeout", reason
    if isinstance(ex, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                       requests.exceptions.InvalidSchema, UnicodeError)):
        return "invalid", reason
    if any(isinstance(e, ConnectionResetError) for e in chain) or "reset" in reason.lower():
        return "reset", reason
    if isinstance(ex, requests.exceptions.ConnectionError):
        return "connect", reason
    return "error", reason


def _reason(chain):
    """The most specific message in an exception chain, without urllib3's object reprs."""
    import re
    for ex in reversed(chain):
        text = str(ex).strip()
        if text:
            text = re.sub(r"<urllib3[^>]*>: ", "", text)
            text = re.sub(r"\(Caused by [A-Za-z]+\((.*)\)\)$", r"\1", text)
            return " ".join(text.split())[:300]
    return type(chain[0]).__name__


# ---------------------------------------------------------------- TLS certificates

@dataclass(frozen=True)
class CertInfo:
    subject: str
    issuer: str
    not_before: str              # ISO 8601, UTC
    not_after: str
    names: tuple = ()            # DNS names and IP addresses of the subjectAltName extension
    self_signed: bool = False
    expired: bool = False
    not_yet_valid: bool = False


def peer_certificate(host, port, timeout, proxy=None):
    """The certificate a TLS server presents, read without verifying it, or None when it cannot be read.

    After a verification failure this tells the user whom they were really talking to: a TLS-inspecting
    proxy shows its own issuer here. With an http:// proxy the certificate is read through a CONNECT
    tunnel, as requests would see it.
    """
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        sock = _tunnel(proxy, host, port, timeout) if proxy else socket.create_connection((host, port), timeout)
        with sock, context.wrap_socket(sock, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except (OSError, ValueError, ssl.SSLError):
        return None
    return describe_certificate(der) if der else None


def _tunnel(proxy, host, port, timeout):
    from urllib.parse import urlsplit
    parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError("unsupported proxy")
    sock = socket.create_connection((parts.hostname, parts.port or 80), timeout)
    target = "[{}]:{}".format(host, port) if ":" in host else "{}:{}".format(host, port)
    sock.sendall("CONNECT {0} HTTP/1.1\r\nHost: {0}\r\n\r\n".format(target).encode("ascii"))
    reply = b""
    while b"\r\n\r\n" not in reply and len(reply) < 16384:
        chunk = sock.recv(4096)
        if not chunk:
            break
        reply += chunk
    if not reply.split(b" ", 2)[1:2] == [b"200"]:
        sock.close()
        raise OSError("proxy refused CONNECT")
    return sock


def describe_certificate(der):
    """CertInfo for a DER certificate, or None when it cannot be parsed."""
    import datetime
    try:
        from cryptography import x509
        cert = x509.load_der_x509_certificate(der)
        try:
            san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            names = tuple(san.get_values_for_type(x509.DNSName)) + \
                tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
        except x509.ExtensionNotFound:
            names = ()
        before, after = cert.not_valid_before_utc, cert.not_valid_after_utc
        now = datetime.datetime.now(datetime.UTC)
        return CertInfo(subject=cert.subject.rfc4514_string(), issuer=cert.issuer.rfc4514_string(),
                        not_before=before.isoformat(), not_after=after.isoformat(), names=names,
                        self_signed=cert.subject == cert.issuer, expired=after < now, not_yet_valid=before > now)
    except Exception:  # noqa: BLE001 - a malformed certificate from a hostile server is just "unreadable"
        return None
