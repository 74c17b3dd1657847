"""What every check receives: the options of the run, the probes, and the Azure CLI account."""

import os
import threading
import time
from dataclasses import dataclass, field

from . import probes

DEFAULT_TIMEOUT = 10.0      # seconds for one network request or one tool invocation
PULL_TIMEOUT = 120.0        # seconds for `docker pull` of the sample image, which downloads data
RUN_LIMIT_FACTOR = 1.5      # the whole run (pull aside) is bounded at 1.5 x timeout: 15 s by default


@dataclass(frozen=True)
class Options:
    registry_name: str = None    # short name, for ARM look-ups
    login_server: str = None     # set when the user gave a full login server (a name with a dot)
    ignore_errors: bool = False
    yes: bool = False
    vnet: str = None
    repository: str = None
    timeout: float = DEFAULT_TIMEOUT

    @property
    def time_limit(self):
        return RUN_LIMIT_FACTOR * self.timeout

    @property
    def registry_requested(self):
        return bool(self.registry_name or self.login_server)


@dataclass
class Context:
    options: Options
    account: object = None                        # account.Account, or a stand-in for Azure in tests
    env: dict = field(default_factory=lambda: dict(os.environ))
    cwd: str = field(default_factory=os.getcwd)
    confirm: object = None                        # callable(question) -> bool; None when there is no TTY
    http: probes.Http = None
    results: dict = field(default_factory=dict)   # check name -> CheckResult, filled in by the runner
    started: float = field(default_factory=time.monotonic)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        if self.http is None:
            self.http = probes.Http(self.options.timeout)

    @property
    def timeout(self):
        return self.options.timeout

    def run(self, argv, timeout=None, env=None):
        return probes.run(argv, self.timeout if timeout is None else timeout,
                          env=self.env if env is None else env, cwd=self.cwd)

    def resolve(self, host, timeout=None):
        return probes.resolve(host, self.timeout if timeout is None else timeout)

    def data(self, check_name):
        """The private data a finished check left for the checks that depend on it."""
        with self._lock:
            result = self.results.get(check_name)
        return result.outcome.data if result else {}
