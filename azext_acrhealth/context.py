"""What every check receives: the run's inputs (options, environment, working directory, a way to ask the
user) and its edges. Nothing else: results of earlier checks come as the handoffs the runner gives."""

import os
from dataclasses import dataclass, field

from .edges import Edges

DEFAULT_TIMEOUT = 10.0      # seconds for one network request or one tool invocation
PULL_TIMEOUT = 120.0        # seconds for `docker pull` of the sample image, which downloads data
RUN_LIMIT_FACTOR = 1.5      # the whole run (pull aside) is bounded at 1.5 x timeout: 15 s by default


@dataclass(frozen=True)
class Options:
    registry_name: str = None    # short name, for ARM look-ups
    login_server: str = None     # set when the user gave a full login server (a name with a dot)
    yes: bool = False
    vnet: str = None
    repository: str = None
    image: object = None         # an _validators.ImageReference: the image checks join the registry checks
    timeout: float = DEFAULT_TIMEOUT
    username: str = None         # -u: check the registry with this user name instead of the CLI's identity
    password: str = field(default=None, repr=False)   # -p (else ACR_CHECK_HEALTH_PASSWORD); never shown

    @property
    def time_limit(self):
        return RUN_LIMIT_FACTOR * self.timeout

    @property
    def registry_requested(self):
        return bool(self.registry_name or self.login_server)


@dataclass
class Context:
    options: Options
    account: object = None                        # an account.AzureAccount
    env: dict = field(default_factory=lambda: dict(os.environ))
    cwd: str = field(default_factory=os.getcwd)
    confirm: object = None                        # callable(question) -> bool; None when there is no TTY
    edges: Edges = None                           # built from the fields above unless given

    def __post_init__(self):
        if self.edges is None:
            self.edges = Edges(self.options.timeout, self.env, self.cwd, self.account)

    @property
    def timeout(self):
        return self.options.timeout
