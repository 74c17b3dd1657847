"""HTTPS requests with a hard time limit, a capped body, no redirects and nothing taken from the environment
behind our back.

requests (shipped with az) does the work, with `trust_env` off: no ~/.netrc credentials are added to a
request, and no proxy or CA bundle is picked up implicitly. The run's environment still decides them,
explicitly: the proxy comes from proxies.proxy_for (the choice az's own client would make), the CA bundle
from REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE. Before a request leaves, its URL is parsed by both the
standard library and urllib3 (the parser requests uses): if they disagree on scheme, host or port, or
the authority holds a user name, a backslash or a percent sign, nothing is sent.
"""

import json
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from . import proxies
from .text import body_excerpt, scrub, without_userinfo

MAX_BODY = 1 << 20     # bytes kept from an HTTP body
USER_AGENT = "acrhealth"
_BAD_AUTHORITY = set("\\%@ \t\r\n")


@dataclass(frozen=True)
class HttpResult:
    url: str
    status: int = None
    headers: dict = field(default_factory=dict)   # names in lower case
    body: bytes = b""
    truncated: bool = False      # the body was longer than the cap
    error: str = None            # "ssl", "timeout", "connect", "proxy", "reset", "invalid", "cancelled" or "error"
    reason: str = None           # the underlying message, for the report (never with a proxy password)
    proxy: str = None            # the proxy the request went through, masked; None when direct
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
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return None

    def excerpt(self, limit=160, secrets=()):
        """A short single-line view of the body for a report, scrubbed of tokens."""
        return body_excerpt(self.body, limit, secrets)


_CAUSES = {"timeout": "no answer", "reset": "the connection was reset", "connect": "cannot connect",
           "ssl": "TLS failed", "proxy": "the proxy failed", "invalid": "invalid URL",
           "cancelled": "not sent: the check was given up"}


def preload():
    """Import the HTTP stack on the calling thread, before the checks' threads start. Checks that import
    it for the first time in several threads at once (our requests, MSAL's) can meet a partially
    initialised module: Python breaks the import deadlock by handing one thread the half-made module.
    The edges' lookups and certificate reads come along: the edges import them on first use."""
    import requests  # noqa: F401
    import urllib3  # noqa: F401

    from . import resolver, tls  # noqa: F401


def url_problem(url):
    """Why url must not be requested, or None. Two parsers must agree on where it goes."""
    from urllib3.util import parse_url
    try:
        mine = urlsplit(url)
        theirs = parse_url(url)
        host, port = mine.hostname, mine.port
    except (ValueError, TypeError) as ex:
        return "not a valid URL ({})".format(ex)
    if mine.scheme.lower() not in ("https", "http"):
        return "not an HTTP(S) URL"
    if not host or any(ch in _BAD_AUTHORITY or ord(ch) < 32 or ord(ch) >= 127 for ch in mine.netloc):
        return "its authority holds characters a host name cannot have"
    if ((theirs.scheme or "").lower(), (theirs.host or "").lower().strip("[]"), theirs.port) != \
            (mine.scheme.lower(), host.lower(), port):
        return "URL parsers disagree on its host"
    return None


class _NoQueryInLogs(logging.Filter):
    """urllib3 logs every request line at DEBUG, query included, and `az --debug` shows it. The query of a
    redirected layer download holds a storage signature: the lines of our requests (made in our worker
    threads) lose their query; az's own requests are logged as before."""

    def filter(self, record):
        if threading.current_thread().name == _THREAD and isinstance(record.args, tuple):
            record.args = tuple(a.split("?", 1)[0] + "?…" if isinstance(a, str) and "?" in a else a
                                for a in record.args)
        return True


_THREAD = "http"
_NO_QUERY = _NoQueryInLogs()
for _name in ("urllib3.connectionpool", "urllib3.util.retry"):
    logging.getLogger(_name).addFilter(_NO_QUERY)


class Http:
    """HTTP(S) requests with connect and read timeouts, a total deadline, a capped body, no redirects."""

    def __init__(self, timeout, env, max_body=MAX_BODY):
        self.timeout = timeout
        self.env = env
        self.max_body = max_body
        self.verify = env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or True
        self._closed = False
        self._session = None
        self._lock = threading.Lock()

    def close(self):
        """Send no further request."""
        self._closed = True

    def get(self, url, headers=None, timeout=None, max_body=None):
        return self.request("GET", url, headers=headers, timeout=timeout, max_body=max_body)

    def post(self, url, data=None, headers=None, timeout=None):
        return self.request("POST", url, data=data, headers=headers, timeout=timeout)

    def proxy_for(self, url):
        return proxies.proxy_for(url, self.env)

    def request(self, method, url, data=None, headers=None, timeout=None, max_body=None):
        """The request runs in a worker thread: read timeouts apply per socket read, so a server that
        drips one byte a second (headers or body) would never trip them; the total deadline is kept
        here, and the socket is shut down when it passes."""
        timeout = self.timeout if timeout is None else timeout
        start = time.monotonic()
        if self._closed:
            return HttpResult(url, error="cancelled", reason="the run was over")
        problem = url_problem(url)
        if problem:
            return HttpResult(url, error="invalid", reason=problem)
        proxy = self.proxy_for(url)
        unusable = proxies.problem(proxy) if proxy else None
        if unusable:
            return HttpResult(url, error="proxy", reason="the proxy {} cannot be used: {}".format(
                proxies.masked(proxy), unusable), proxy=proxies.masked(proxy))
        box = {}
        done = threading.Event()

        def work():
            try:
                box["result"] = self._request(method, url, data, headers, timeout, max_body or self.max_body,
                                              proxy, start, box)
            except BaseException as ex:  # noqa: BLE001 - a bug here must be a result, never a stray traceback
                box["result"] = HttpResult(url, error="error", reason="{}: {}".format(type(ex).__name__, ex),
                                           proxy=proxies.masked(proxy), duration=time.monotonic() - start)
            finally:
                done.set()

        threading.Thread(target=work, daemon=True, name=_THREAD).start()
        if not done.wait(timeout + 0.5):
            _shut(box.get("response"))
            return HttpResult(url, error="timeout", reason="no complete answer within {:g} s".format(timeout),
                              proxy=proxies.masked(proxy), duration=time.monotonic() - start)
        return box["result"]

    def _client(self):
        """One session for the run, so that /v2/, the exchange and the token reuse one TLS connection.
        It keeps no cookies and reads nothing from the environment."""
        with self._lock:
            if self._session is None:
                self._session = _new_session()
            return self._session

    def _request(self, method, url, data, headers, timeout, max_body, proxy, start, box):
        deadline = start + timeout
        sent = {"User-Agent": USER_AGENT}
        sent.update(headers or {})
        masked = proxies.masked(proxy)
        try:
            response = self._client().request(
                method, url, data=data, headers=sent, stream=True, allow_redirects=False, verify=self.verify,
                proxies={"http": proxy, "https": proxy} if proxy else {}, timeout=(min(timeout, 10.0), timeout))
            box["response"] = response
            with response:
                body, truncated = _read(response, deadline, max_body)
                return HttpResult(url, status=response.status_code,
                                  headers={k.lower(): v for k, v in response.headers.items()},
                                  body=body, truncated=truncated, proxy=masked, duration=time.monotonic() - start)
        except _Deadline:
            return HttpResult(url, error="timeout", reason="no complete answer within {:g} s".format(timeout),
                              proxy=masked, duration=time.monotonic() - start)
        except Exception as ex:  # noqa: BLE001 - every transport failure becomes a described result
            kind, reason = classify(ex)
            return HttpResult(url, error=kind, reason=scrub(reason, proxies.secrets(proxy)), proxy=masked,
                              duration=time.monotonic() - start)


def _new_session():
    """A requests session that keeps no cookies, reads nothing from the environment (no ~/.netrc, no proxy
    or CA bundle behind our back) and never reads a redirect's target: redirects are not followed here,
    yet requests decodes the Location header as UTF-8 even with allow_redirects off, and a hostile one
    that is not UTF-8 would turn the answer into an 'invalid URL' error."""
    import http.cookiejar

    import requests

    class Session(requests.Session):
        def get_redirect_target(self, resp):
            return None

    session = Session()
    session.trust_env = False
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


def _read(response, deadline, limit):
    """Read at most `limit` bytes, and give up at the deadline even if bytes keep dripping in."""
    chunks, kept, truncated = [], 0, False
    for chunk in response.iter_content(16384):
        if time.monotonic() > deadline:
            raise _Deadline()
        chunks.append(chunk[:limit - kept])
        kept += len(chunks[-1])
        if kept >= limit:
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
    """Map a requests/urllib3/ssl exception to (kind, one-line reason, without any URL's password)."""
    import requests
    chain, seen = [], ex
    while seen is not None and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__ or (seen.args[0] if seen.args and
                                                      isinstance(seen.args[0], BaseException) else None)
    reason = without_userinfo(_reason(chain))
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
