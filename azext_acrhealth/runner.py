"""Running a plan: dependencies, concurrency, time budgets, skip reasons, stop-at-first-failure.

Independent checks start at once in threads (most of the time is spent waiting on processes and
sockets); results are reported strictly in plan order. A check marked `interactive` (it may prompt)
runs on the calling thread when its turn comes. A check that raises becomes a "crashed" outcome.
The runner owns the results: a check receives only the handoffs of the checks it needs.

Nothing outlives the runner's interest in it: a check it gives up on has its processes killed and
may start no more, and once the run is over the edges accept no new process or request.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from types import MappingProxyType

from .outcome import Interrupted, NotRun, Outcome, Status, crashed, failed, skipped

POLL = 0.05
SLOW = 3.0   # seconds after which the report says what it is waiting for


@dataclass(frozen=True)
class Check:
    name: str                  # stable identifier, used in JSON and --query
    title: str                 # what the human report calls it
    func: object               # callable(ctx, given) -> Outcome; given: {name of a needed check: its handoff}
    needs: tuple = ()          # names of earlier checks that must pass (or warn) before this one runs
    uses: tuple = ()           # earlier checks whose handoffs it reads when they passed; it runs either way
    budget: float = 15.0       # seconds before the runner gives up waiting for it (threaded checks)
    code: str = None           # the code reported when the budget or the run's time limit runs out
    interactive: bool = False  # may prompt: runs on the caller's thread, in order, outside the time limit
    blocking: bool = True      # a failure stops the run unless --ignore-errors
    group: str = "environment"


@dataclass(frozen=True)
class CheckResult:
    check: Check
    outcome: Outcome
    duration: float
    not_run: NotRun = None     # set when the runner did not run the check at all


class PlanError(ValueError):
    """A plan that cannot run: a duplicate name, or a need that names no earlier check."""


def validate(plan):
    """Raise PlanError unless every name is unique and every need names an earlier check."""
    seen = set()
    for check in plan:
        if check.name in seen:
            raise PlanError("check '{}' appears twice in the plan".format(check.name))
        unknown = [need for need in (*check.needs, *check.uses) if need not in seen]
        if unknown:
            raise PlanError("check '{}' needs {}, which is not an earlier check of the plan".format(
                check.name, ", ".join(repr(n) for n in unknown)))
        seen.add(check.name)
    return plan


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
    validate(plan)
    run = _Run(plan, ctx, time_limit)
    try:
        return run.report(on_result, ignore_errors, on_slow)
    finally:
        ctx.edges.close()


class _Run:
    def __init__(self, plan, ctx, time_limit):
        self.plan = plan
        self.ctx = ctx
        self.slots = {check.name: _Slot() for check in plan}
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.clock = _Clock(time_limit)

    def report(self, on_result, ignore_errors, on_slow):
        for check in self.plan:
            if not check.interactive:
                threading.Thread(target=self.execute, args=(check,), daemon=True, name="check-" + check.name).start()
        results = []
        for check in self.plan:
            slot = self.slots[check.name]
            if self.stop.is_set():
                # A thread may have finished it already; the user asked to stop at the first failure.
                result = CheckResult(check, skipped("not run: stopped at the first failure"), 0.0,
                                     not_run=NotRun.FIRST_FAILURE)
            else:
                if check.interactive:
                    with self.clock.paused():
                        try:
                            self.execute(check)
                        except Interrupted as stop:
                            self.finish(slot, CheckResult(check, stop.outcome, 0.0))
                            if on_result:
                                on_result(slot.result)
                            raise
                else:
                    self.wait(slot, check, on_slow)
                result = slot.result
            results.append(result)
            if on_result:
                on_result(result)
            if result.outcome.status is Status.FAILED and check.blocking and not ignore_errors:
                self.stop.set()
                self.ctx.edges.close()
        return results

    def given(self, check):
        """(handoffs of the checks this one needs, or None) and the reason it cannot run, if any."""
        handoffs = {}
        for need in check.needs:
            slot = self.slots[need]
            slot.done.wait()
            result = slot.result
            if not result.outcome.status.ok:
                verb = "did not run" if result.outcome.status is Status.SKIPPED else "failed"
                return None, "skipped because {} {}".format(result.check.title, verb)
            handoffs[need] = result.outcome.handoff
        for use in check.uses:
            slot = self.slots[use]
            slot.done.wait()
            if slot.result.outcome.status.ok:
                handoffs[use] = slot.result.outcome.handoff
        return MappingProxyType(handoffs), None

    def execute(self, check):
        slot = self.slots[check.name]
        given, reason = self.given(check)
        not_run = None
        if reason is None and self.stop.is_set():
            reason, not_run = "not run: stopped at the first failure", NotRun.FIRST_FAILURE
        slot.started_at = time.monotonic()
        if reason is not None:
            outcome = skipped(reason)
        else:
            try:
                with self.ctx.edges.working_for(check.name):
                    outcome = check.func(self.ctx, given)
                if not isinstance(outcome, Outcome):
                    outcome = crashed("returned {!r} instead of an outcome".format(type(outcome).__name__))
            except Interrupted:
                raise
            except Exception as ex:  # noqa: BLE001 - a bug in one check must not end the run
                outcome = crashed("{}: {}".format(type(ex).__name__, ex))
        self.finish(slot, CheckResult(check, outcome, time.monotonic() - slot.started_at, not_run))

    def wait(self, slot, check, on_slow=None):
        """Wait for a threaded check, no longer than its budget once it has started, nor past the run's
        limit; a check given up on has its processes killed."""
        told = False
        while not slot.done.wait(POLL):
            started, now = slot.started_at, time.monotonic()
            not_run = None
            if started is not None and now - started > check.budget:
                outcome = failed(check.code, "no answer within {:g} s; gave up waiting".format(check.budget)) \
                    if check.code else crashed("did not finish within {:g} s".format(check.budget))
            elif self.clock.expired():
                limit = "the run's time limit of {:g} s was reached".format(self.clock.limit)
                if started is None:
                    outcome, not_run = skipped("not run: " + limit), NotRun.TIME_LIMIT
                else:
                    outcome = failed(check.code, "gave up: " + limit) if check.code else crashed("gave up: " + limit)
            else:
                if on_slow and not told and started is not None and now - started > SLOW:
                    told = True
                    on_slow(check, check.budget)
                continue
            # Record the verdict first: the check, once its tools are killed, returns an outcome of its own
            # ("could not start: cancelled"), which must not take the place of why it was given up.
            self.finish(slot, CheckResult(check, outcome, now - (started or now), not_run))
            self.ctx.edges.cancel(check.name)
            return

    def finish(self, slot, result):
        """Record a result once: a check that answers after the runner gave up on it is ignored."""
        with self.lock:
            if slot.done.is_set():
                return
            slot.result = result
            slot.done.set()


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
