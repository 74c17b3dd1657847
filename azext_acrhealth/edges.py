"""The edges of the world, in one object: processes, name resolution, HTTP(S), peer certificates and ARM.

Checks reach the world only through `ctx.edges`; tests hand in an Edges pointed at real local servers
and stand-in executables, or replace one of its methods. Nothing here raises for an expected failure:
each call returns a result that says what went wrong. The runner tells the edges which check is working
(`working_for`), gives up on one (`cancel`: its processes are killed, it starts no process, lookup or
request any more) and ends the run (`close`: every live process is killed, no new process or request
starts).
"""

import threading
from contextlib import contextmanager

from .processes import CANCELLED, Processes

# The network modules (HTTP, DNS, certificates) are imported on first use: an environment-only run needs
# none of them. A registry run imports them, and requests, on the main thread before its checks start
# (account.Account.prepare), so no two threads import them for the first time at once.


class Edges:
    def __init__(self, timeout, env, cwd, account=None):
        self.timeout = timeout
        self.env = env
        self.cwd = cwd
        self.account = account
        self.processes = Processes()
        self._http = None
        self._http_lock = threading.Lock()
        self._closed = False
        self._owner = threading.local()
        self._given_up = set()     # checks the runner gave up on: they reach nothing any more
        self._arm_token = None
        self._arm_lock = threading.Lock()

    # ------------------------------------------------------------ the runner's controls

    @contextmanager
    def working_for(self, owner):
        """Tag what this thread starts with the check that starts it."""
        previous = getattr(self._owner, "name", None)
        self._owner.name = owner
        try:
            yield
        finally:
            self._owner.name = previous

    def cancel(self, owner):
        """The runner gave up on this check: kill its processes; it starts no process, lookup or request."""
        self._given_up.add(owner)
        self.processes.cancel(owner)

    def _cancelled(self):
        return getattr(self._owner, "name", None) in self._given_up

    def close(self):
        with self._http_lock:
            self._closed = True
            if self._http is not None:
                self._http.close()
        self.processes.close()

    @property
    def http(self):
        """The run's HTTP client, made on first use; one made after the run ended sends nothing either."""
        with self._http_lock:
            if self._http is None:
                from .http_requests import Http
                self._http = Http(self.timeout, self.env)
                if self._closed:
                    self._http.close()
            return self._http

    # ------------------------------------------------------------ the world

    def run(self, argv, timeout=None, stdin=None, env=None):
        """Run one of the user's tools with the run's environment and working directory."""
        return self.processes.run(argv, self.timeout if timeout is None else timeout,
                                  env=self.env if env is None else env, cwd=self.cwd, stdin=stdin,
                                  owner=getattr(self._owner, "name", None))

    def resolve(self, host, timeout=None):
        from .resolver import Resolution, resolve
        if self._cancelled():
            return Resolution(host, error="error", reason=CANCELLED)
        return resolve(host, self.timeout if timeout is None else timeout)

    def get(self, url, headers=None, timeout=None, max_body=None):
        from .http_requests import HttpResult
        if self._cancelled():
            return HttpResult(url, error="cancelled", reason=CANCELLED)
        return self.http.get(url, headers=headers, timeout=timeout, max_body=max_body)

    def post(self, url, data=None, headers=None, timeout=None):
        from .http_requests import HttpResult
        if self._cancelled():
            return HttpResult(url, error="cancelled", reason=CANCELLED)
        return self.http.post(url, data=data, headers=headers, timeout=timeout)

    def proxy_for(self, url):
        """The proxy a request to url goes through (as given, with any credentials), or None."""
        return self.http.proxy_for(url)

    def peer_certificate(self, url, timeout=None):
        """The certificate presented at an https URL, through the proxy a request would use; or None."""
        from .tls import peer_certificate
        if self._cancelled():
            return None
        return peer_certificate(url, min(self.timeout if timeout is None else timeout, 5.0),
                                proxy=self.proxy_for(url))

    def arm_get(self, path, api_version):
        """GET an ARM path (or a nextLink on the ARM host) with the CLI's ARM token -> HttpResult.
        Raises account.LoginError when there is no login."""
        from .http_requests import HttpResult
        if self._cancelled():
            return HttpResult(str(path)[:200], error="cancelled", reason=CANCELLED)
        url = arm_url(self.account.arm_endpoint(), path, api_version)
        if url is None:
            return HttpResult(str(path)[:200], error="invalid",
                              reason="the link leaves the Azure Resource Manager host; the token is not sent there")
        with self._arm_lock:   # several checks read ARM at once: ask for the token once
            if self._arm_token is None:
                self._arm_token = self.account.token(self.account.arm_audience())[0]
            token = self._arm_token
        return self.http.get(url, headers={"Authorization": "Bearer " + token, "Accept": "application/json"})


def arm_url(endpoint, path, api_version):
    """The URL of an ARM path, or None when `path` is an absolute URL that is not https on ARM's own host
    and port: the ARM token must not follow a nextLink anywhere else. A nextLink is rebuilt on ARM's
    origin, never requested as written."""
    from urllib.parse import urlencode, urlsplit

    from .login_servers import parse_origin
    endpoint = endpoint.rstrip("/")
    if "://" in path:
        arm, _ = parse_origin(endpoint + "/")
        link, _ = parse_origin(path)
        if arm is None or link != arm:
            return None
        # Rebuilt from ARM's own origin: only the path and query come from the link.
        parts = urlsplit(path)
        url = arm.url(parts.path or "/") + ("?" + parts.query if parts.query else "")
    else:
        url = endpoint + "/" + path.lstrip("/")
    if "api-version=" not in url:
        url += ("&" if "?" in url else "?") + urlencode({"api-version": api_version})
    return url
