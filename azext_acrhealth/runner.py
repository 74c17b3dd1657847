"""The ordered plan: dependencies, concurrency, time budgets, skip reasons, stop-at-first-failure.

Independent checks start at once in threads (most of the time is spent waiting on processes and
sockets); results are reported strictly in plan order. A check marked `interactive` (it may prompt)
runs on the calling thread when its turn comes. A check that raises becomes a "crashed" outcome.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

from .outcome import Outcome, Status, crashed, failed, skipped

POLL = 0.05
SLOW = 3.0   # seconds after which the report says what it is waiting for
NOT_RUN = "not run: stopped at the first failure (pass --ignore-errors to run every check)"


@dataclass(frozen=True)
class Check:
    name: str                  # stable identifier, used in JSON and --query
    title: str                 # what the human report calls it
    func: object               # callable(ctx) -> Outcome
    needs: tuple = ()          # names of checks that must pass (or warn) before this one runs
    budget: float = 15.0       # seconds before the runner gives up waiting for it
    code: str = None           # the code reported when the budget runs out
    interactive: bool = False  # may prompt: runs on the caller's thread, in order
    blocking: bool = True      # a failure stops the run unless --ignore-errors
    group: str = "environment"


@dataclass(frozen=True)
class CheckResult:
    check: Check
    outcome: Outcome
    duration: float


class _Slot:
    def __init__(self):
        self.done = threading.Event()
        self.started_at = None
        self.result = None


def run_plan(plan, ctx, on_result=None, ignore_errors=False, time_limit=None, on_slow=None):
    """Run every check of the plan; call on_result(CheckResult) in plan order; return the results.

    time_limit bounds the whole run in seconds, not counting time spent in interactive checks (the
    pull, which has its own limit); checks still running then fail with their code, checks not yet
    started are skipped. on_slow(check, budget) is called once for a check still running after SLOW s.
    """
    slots = {check.name: _Slot() for check in plan}
    stop = threading.Event()
    clock = _Clock(time_limit)

    def prerequisite_problem(check):
        for need in check.needs:
            slot = slots.get(need)
            if slot is None:
                continue
            slot.done.wait()
            outcome = slot.result.outcome
            if not outcome.status.ok:
                title = slot.result.check.title
                if outcome.status is Status.SKIPPED:
                    return "skipped because {} did not run".format(title)
                return "skipped because {} failed".format(title)
        return None

    def execute(check):
        slot = slots[check.name]
        reason = prerequisite_problem(check)
        if reason is None and stop.is_set():
            reason = NOT_RUN
        slot.started_at = time.monotonic()
        if reason is not None:
            outcome = skipped(reason)
        else:
            try:
                outcome = check.func(ctx)
                if not isinstance(outcome, Outcome):
                    outcome = crashed("returned {!r} instead of an outcome".format(type(outcome).__name__))
            except Exception as ex:  # noqa: BLE001 - a bug in one check must not end the run
                outcome = crashed("{}: {}".format(type(ex).__name__, ex))
        _finish(slot, ctx, CheckResult(check, outcome, time.monotonic() - slot.started_at))

    for check in plan:
        if not check.interactive:
            threading.Thread(target=execute, args=(check,), daemon=True,
                             name="check-" + check.name).start()

    results = []
    for check in plan:
        slot = slots[check.name]
        if stop.is_set():
            # A thread may have finished it already; the user asked to stop at the first failure.
            result = CheckResult(check, skipped(NOT_RUN), 0.0)
            with ctx._lock:
                ctx.results[check.name] = result
        else:
            if check.interactive:
                with clock.paused():
                    execute(check)
            else:
                _wait(slot, check, ctx, clock, on_slow)
            result = slot.result
        results.append(result)
        if on_result:
            on_result(result)
        if result.outcome.status is Status.FAILED and check.blocking and not ignore_errors:
            stop.set()
    return results


def _wait(slot, check, ctx, clock, on_slow=None):
    """Wait for a threaded check, no longer than its budget once it has started, nor past the run's limit."""
    told = False
    while not slot.done.wait(POLL):
        started, now = slot.started_at, time.monotonic()
        if started is not None and now - started > check.budget:
            outcome = failed(check.code, "no answer within {:g} s; gave up waiting".format(check.budget)) \
                if check.code else crashed("did not finish within {:g} s".format(check.budget))
        elif clock.expired():
            limit = "the run's time limit of {:g} s was reached".format(clock.limit)
            if started is None:
                outcome = skipped("not run: " + limit)
            else:
                outcome = failed(check.code, "gave up: " + limit) if check.code else crashed("gave up: " + limit)
        else:
            if on_slow and not told and started is not None and now - started > SLOW:
                told = True
                on_slow(check, check.budget)
            continue
        _finish(slot, ctx, CheckResult(check, outcome, now - (started or now)))
        return


class _Clock:
    """The run's time limit, paused while an interactive check (a prompt, the pull) has the floor."""

    def __init__(self, limit):
        self.limit = limit
        self.deadline = None if limit is None else time.monotonic() + limit

    def expired(self):
        return self.deadline is not None and time.monotonic() > self.deadline

    @contextmanager
    def paused(self):
        began = time.monotonic()
        try:
            yield
        finally:
            if self.deadline is not None:
                self.deadline += time.monotonic() - began


def _finish(slot, ctx, result):
    """Record a result once: a check that answers after the runner gave up on it is ignored."""
    with ctx._lock:
        if slot.done.is_set():
            return
        slot.result = result
        ctx.results[result.check.name] = result
        slot.done.set()
