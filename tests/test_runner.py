"""Runner semantics: order, dependencies, stop-at-first-failure, budgets, crashes, concurrency."""

import threading
from contextlib import contextmanager

from azext_acrhealth.context import Context, Options
from azext_acrhealth.outcome import Status, failed, passed
from azext_acrhealth.runner import NOT_RUN, Check, run_plan


def ctx():
    return Context(Options(timeout=1), env={})


def ok(_ctx):
    return passed("fine")


def broken(_ctx):
    return failed("DOCKER_DAEMON_ERROR", "daemon down")


def statuses(results):
    return [(r.check.name, r.outcome.status) for r in results]


def test_results_come_in_plan_order_even_when_later_checks_finish_first():
    gate = threading.Event()

    def slow(_ctx):
        gate.wait(5)
        return passed("slow")

    def fast(_ctx):
        gate.set()
        return passed("fast")

    seen = []
    results = run_plan([Check("a", "A", slow), Check("b", "B", fast)], ctx(), on_result=seen.append)
    assert [r.check.name for r in seen] == ["a", "b"]
    assert statuses(results) == [("a", Status.PASSED), ("b", Status.PASSED)]


def test_independent_checks_run_concurrently():
    # Each check waits for the other: this only completes if both run at the same time.
    first, second = threading.Event(), threading.Event()

    def one(_ctx):
        first.set()
        return passed("one") if second.wait(5) else failed("DNS", "ran alone")

    def two(_ctx):
        second.set()
        return passed("two") if first.wait(5) else failed("DNS", "ran alone")

    results = run_plan([Check("one", "One", one), Check("two", "Two", two)], ctx())
    assert [r.outcome.message for r in results] == ["one", "two"]


def test_default_stops_at_the_first_failure():
    plan = [Check("a", "A", ok), Check("b", "B", broken), Check("c", "C", ok)]
    results = run_plan(plan, ctx())
    assert statuses(results) == [("a", Status.PASSED), ("b", Status.FAILED), ("c", Status.SKIPPED)]
    assert results[2].outcome.message == NOT_RUN


def test_ignore_errors_runs_every_check():
    plan = [Check("a", "A", broken), Check("b", "B", ok)]
    results = run_plan(plan, ctx(), ignore_errors=True)
    assert statuses(results) == [("a", Status.FAILED), ("b", Status.PASSED)]


def test_a_check_whose_prerequisite_failed_is_skipped_with_the_reason():
    plan = [Check("daemon", "Docker daemon", broken), Check("pull", "Docker pull", ok, needs=("daemon",)),
            Check("cli", "CLI", ok)]
    results = run_plan(plan, ctx(), ignore_errors=True)
    assert statuses(results) == [("daemon", Status.FAILED), ("pull", Status.SKIPPED), ("cli", Status.PASSED)]
    assert results[1].outcome.message == "skipped because Docker daemon failed"


def test_skips_propagate_down_a_chain():
    plan = [Check("a", "A", broken), Check("b", "B", ok, needs=("a",)), Check("c", "C", ok, needs=("b",))]
    results = run_plan(plan, ctx(), ignore_errors=True)
    assert results[2].outcome.message == "skipped because B did not run"


def test_data_flows_to_dependent_checks():
    def producer(_ctx):
        return passed("made", data={"secret": "s3cr3t"})

    def consumer(c):
        return passed("got " + c.data("producer")["secret"])

    results = run_plan([Check("producer", "P", producer), Check("consumer", "C", consumer, needs=("producer",))],
                       ctx())
    assert results[1].outcome.message == "got s3cr3t"


def test_a_check_that_raises_is_reported_as_crashed_and_the_run_goes_on():
    def bug(_ctx):
        raise KeyError("nope")

    results = run_plan([Check("bug", "Bug", bug), Check("b", "B", ok)], ctx())
    assert statuses(results) == [("bug", Status.CRASHED), ("b", Status.PASSED)]
    assert "KeyError" in results[0].outcome.message


def test_a_check_returning_garbage_is_crashed():
    results = run_plan([Check("bad", "Bad", lambda _c: "ok")], ctx())
    assert results[0].outcome.status is Status.CRASHED


@contextmanager
def hanging():
    """A check that does not return until the test is over."""
    release = threading.Event()

    def hang(_ctx):
        release.wait(10)
        return passed("late")

    try:
        yield hang
    finally:
        release.set()


def test_a_check_over_its_budget_fails_with_its_code():
    with hanging() as hang:
        results = run_plan([Check("hang", "Hang", hang, budget=0.2, code="DOCKER_DAEMON_ERROR"),
                            Check("b", "B", ok)], ctx(), ignore_errors=True)
    assert results[0].outcome.status is Status.FAILED
    assert results[0].outcome.code == "DOCKER_DAEMON_ERROR"
    assert "0.2 s" in results[0].outcome.message
    assert results[1].outcome.status is Status.PASSED


def test_a_non_blocking_failure_does_not_stop_the_run():
    plan = [Check("login", "Login", lambda _c: failed("AZURE_LOGIN_ERROR", "run az login"), blocking=False),
            Check("b", "B", ok)]
    assert statuses(run_plan(plan, ctx())) == [("login", Status.FAILED), ("b", Status.PASSED)]


def test_interactive_checks_run_on_the_calling_thread():
    where = {}

    def prompt(_ctx):
        where["thread"] = threading.current_thread()
        return passed("asked")

    run_plan([Check("a", "A", ok), Check("pull", "Pull", prompt, interactive=True)], ctx())
    assert where["thread"] is threading.current_thread()


def test_results_are_recorded_in_the_context():
    c = ctx()
    run_plan([Check("a", "A", ok)], c)
    assert c.results["a"].outcome.message == "fine"


def test_the_run_time_limit_fails_running_checks_and_skips_waiting_ones():
    with hanging() as hang:
        results = run_plan([Check("hang", "Hang", hang, budget=60, code="CONNECTIVITY_CHALLENGE_ERROR"),
                            Check("after", "After", ok, needs=("hang",))], ctx(), ignore_errors=True,
                           time_limit=0.3)
    assert results[0].outcome.status is Status.FAILED
    assert results[0].outcome.code == "CONNECTIVITY_CHALLENGE_ERROR"
    assert "time limit of 0.3 s" in results[0].outcome.message
    assert results[1].outcome.status is Status.SKIPPED


def test_the_time_limit_pauses_while_an_interactive_check_has_the_floor():
    # The interactive check takes longer than the whole limit; the threaded check after it, which
    # waits for it, must still get its turn.
    def prompt(_ctx):
        threading.Event().wait(0.5)
        return passed("answered")

    results = run_plan([Check("pull", "Pull", prompt, interactive=True), Check("b", "B", ok, needs=("pull",))],
                       ctx(), time_limit=0.3)
    assert statuses(results) == [("pull", Status.PASSED), ("b", Status.PASSED)]


def test_a_slow_check_is_announced_once(monkeypatch):
    import azext_acrhealth.runner as runner
    monkeypatch.setattr(runner, "SLOW", 0.1)
    release, seen = threading.Event(), []

    def slow(_ctx):
        release.wait(0.5)
        return passed("done")

    run_plan([Check("slow", "Slow", slow, budget=5)], ctx(), on_slow=lambda check, budget: seen.append(check.name))
    assert seen == ["slow"]
