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


_EMPTY = MappingProxyType({})


@dataclass(frozen=True)
class Outcome:
    status: Status
    message: str                  # one line: what was found, with the values that matter
    code: str = None              # catalogue code (failures; warnings may have one)
    fix: str = None               # the fix for this very case, shown before the catalogue's solutions
    details: dict = field(default_factory=dict)  # shown in JSON: versions, addresses, status codes
    data: dict = field(default_factory=dict, repr=False, compare=False)  # for dependent checks only; never shown


def passed(message, data=_EMPTY, **details):
    return Outcome(Status.PASSED, message, details=details, data=data)


def warning(message, code=None, fix=None, data=_EMPTY, **details):
    return Outcome(Status.WARNING, message, code=code, fix=fix, details=details, data=data)


def failed(code, message, fix=None, data=_EMPTY, **details):
    return Outcome(Status.FAILED, message, code=code, fix=fix, details=details, data=data)


def skipped(reason, **details):
    return Outcome(Status.SKIPPED, reason, details=details)


def crashed(message):
    return Outcome(Status.CRASHED, message)
