"""What a check returns. Checks build outcomes with the helpers below and never print."""

from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


class Status(StrEnum):
    PASSED = "passed"
    WARNING = "warning"
    FAILED = "failed"
    SKIPPED = "skipped"
    CRASHED = "crashed"  # the check itself raised: a bug of ours, reported in one line

    @property
    def ok(self):
        """A dependent check may run after this status."""
        return self in (Status.PASSED, Status.WARNING)

    @property
    def bad(self):
        """This status makes the run fail (exit status 1)."""
        return self in (Status.FAILED, Status.CRASHED)


class NotRun(StrEnum):
    """Why the runner did not run a check at all (its outcome is then skipped)."""
    FIRST_FAILURE = "first_failure"    # the run stopped at the first failure (no --ignore-errors)
    TIME_LIMIT = "time_limit"          # the run's time limit came before the check could start


_EMPTY = MappingProxyType({})


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str                  # one line: what was found, with the values that matter
    code: str = None              # catalogue code (failures; warnings may have one)
    fix: str = None               # the fix for this very case, shown before the catalogue's solutions
    commands: tuple = ()          # exact command lines that apply the fix, values validated
    details: dict = field(default_factory=dict)  # shown in JSON: versions, addresses, status codes
    # What the checks that need this one receive (paths, tokens, parsed answers); never shown.
    handoff: dict = field(default_factory=dict, repr=False, compare=False)


def passed(message, handoff=_EMPTY, **details):
    return Outcome(Status.PASSED, message, details=details, handoff=handoff)


def warning(message, code=None, fix=None, commands=(), handoff=_EMPTY, **details):
    return Outcome(Status.WARNING, message, code=code, fix=fix, commands=tuple(commands), details=details,
                   handoff=handoff)


def failed(code, message, fix=None, commands=(), handoff=_EMPTY, **details):
    return Outcome(Status.FAILED, message, code=code, fix=fix, commands=tuple(commands), details=details,
                   handoff=handoff)


def skipped(reason, **details):
    return Outcome(Status.SKIPPED, reason, details=details)


def crashed(message):
    return Outcome(Status.CRASHED, message)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during an interactive check, which tidied up first: the runner reports its
    outcome, then the interruption goes on."""

    def __init__(self, outcome):
        super().__init__(outcome.message)
        self.outcome = outcome
