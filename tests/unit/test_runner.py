"""Runner semantics: order, dependencies, stop-at-first-failure, budgets, crashes, concurrency."""

import threading
from contextlib import contextmanager

import pytest

from azext_acrhealth.context import Context, Options
from azext_acrhealth.outcome import NotRun, Status, failed, passed
from azext_acrhealth.runner import Check, PlanError, run_plan, validate


def ctx():
    return Context(Options(timeout=1), env={})


def ok(_ctx, _given):
    return passed("fine")


def broken(_ctx, _given):
    return failed("DOCKER_DAEMON_ERROR", "daemon down")


def statuses(results):
    return [(r.check.name, r.outcome.status) for r in results]


def test_results_come_in_plan_order_even_when_later_checks_finish_first():
    gate = threading.Event()

    def slow(_ctx, _given):
        gate.wait(5)
        return passed("slow")

    def fast(_ctx, _given):
        gate.set()
        return passed("fast")

    seen = []
    results = run_plan([Check("a", "A", slow), Check("b", "B", fast)], ctx(), on_result=seen.append)
    assert [r.check.name for r in seen] == ["a", "b"]
    assert statuses(results) == [("a", Status.PASSED), ("b", Status.PASSED)]


def test_independent_checks_run_concurrently():
    # Each check waits for the other: this only completes if both run at the same time.
    first, second = threading.Event(), threading.Event()

    def one(_ctx, _given):
        first.set()
        return passed("one") if second.wait(5) else failed("DNS", "ran alone")

    def two(_ctx, _given):
        second.set()
        return passed("two") if first.wait(5) else failed("DNS", "ran alone")

    results = run_plan([Check("one", "One", one), Check("two", "Two", two)], ctx())
    assert [r.outcome.message for r in results] == ["one", "two"]


def test_default_stops_at_the_first_failure():
    plan = [Check("a", "A", ok), Check("b", "B", broken), Check("c", "C", ok)]
    results = run_plan(plan, ctx())
    assert statuses(results) == [("a", Status.PASSED), ("b", Status.FAILED), ("c", Status.SKIPPED)]
    assert results[2].not_run is NotRun.FIRST_FAILURE and results[2].outcome.message.startswith("not run")
    assert results[0].not_run is None and results[1].not_run is None


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


def test_handoffs_flow_to_the_checks_that_need_them_and_only_to_those():
    def producer(_ctx, _given):
        return passed("made", handoff={"secret": "s3cr3t"})

    def consumer(_ctx, given):
        return passed("got " + given["producer"]["secret"])

    def bystander(_ctx, given):
        return passed("given " + ",".join(sorted(given)))

    results = run_plan([Check("producer", "P", producer), Check("consumer", "C", consumer, needs=("producer",)),
                        Check("bystander", "B", bystander)], ctx())
    assert results[1].outcome.message == "got s3cr3t"
    assert results[2].outcome.message == "given "


def test_a_check_that_uses_another_waits_for_it_and_runs_whatever_it_found():
    def reader(_ctx, given):
        return passed("saw " + ",".join(sorted(given)))

    results = run_plan([Check("good", "G", lambda _c, _g: passed("x", handoff={"a": 1})), Check("bad", "B", broken),
                        Check("reader", "R", reader, uses=("good", "bad"))], ctx(), ignore_errors=True)
    assert results[2].outcome.status is Status.PASSED and results[2].outcome.message == "saw good"
    with pytest.raises(PlanError, match="'later'"):
        validate([Check("first", "F", ok, uses=("later",)), Check("later", "L", ok)])


def test_a_need_that_names_no_earlier_check_fails_when_the_plan_is_built():
    with pytest.raises(PlanError, match="'later'"):
        validate([Check("first", "F", ok, needs=("later",)), Check("later", "L", ok)])
    with pytest.raises(PlanError, match="'typo'"):
        run_plan([Check("a", "A", ok, needs=("typo",))], ctx())
    with pytest.raises(PlanError, match="twice"):
        validate([Check("a", "A", ok), Check("a", "A", ok)])


def test_a_check_that_raises_is_reported_as_crashed_and_the_run_goes_on():
    def bug(_ctx, _given):
        raise KeyError("nope")

    results = run_plan([Check("bug", "Bug", bug), Check("b", "B", ok)], ctx())
    assert statuses(results) == [("bug", Status.CRASHED), ("b", Status.PASSED)]
    assert "KeyError" in results[0].outcome.message


def test_a_check_returning_garbage_is_crashed():
    results = run_plan([Check("bad", "Bad", lambda _c, _g: "ok")], ctx())
    assert results[0].outcome.status is Status.CRASHED


@contextmanager
def hanging():
    """A check that does not return until the test is over."""
    release = threading.Event()

    def hang(_ctx, _given):
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
    plan = [Check("login", "Login", lambda _c, _g: failed("AZURE_LOGIN_ERROR", "run az login"), blocking=False),
            Check("b", "B", ok)]
    assert statuses(run_plan(plan, ctx())) == [("login", Status.FAILED), ("b", Status.PASSED)]


def test_interactive_checks_run_on_the_calling_thread():
    where = {}

    def prompt(_ctx, _given):
        where["thread"] = threading.current_thread()
        return passed("asked")

    run_plan([Check("a", "A", ok), Check("pull", "Pull", prompt, interactive=True)], ctx())
    assert where["thread"] is threading.current_thread()


def test_the_context_carries_inputs_and_edges_only():
    c = ctx()
    run_plan([Check("a", "A", ok)], c)
    assert not hasattr(c, "results") and not hasattr(c, "data")


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
    def prompt(_ctx, _given):
        threading.Event().wait(0.5)
        return passed("answered")

    results = run_plan([Check("pull", "Pull", prompt, interactive=True), Check("b", "B", ok, needs=("pull",))],
                       ctx(), time_limit=0.3)
    assert statuses(results) == [("pull", Status.PASSED), ("b", Status.PASSED)]


def test_a_slow_check_is_announced_once(monkeypatch):
    import azext_acrhealth.runner as runner
    monkeypatch.setattr(runner, "SLOW", 0.1)
    release, seen = threading.Event(), []

    def slow(_ctx, _given):
        release.wait(0.5)
        return passed("done")

    run_plan([Check("slow", "Slow", slow, budget=5)], ctx(), on_slow=lambda check, budget: seen.append(check.name))
    assert seen == ["slow"]


def _alive(pid):
    import os
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purpose; /proc tells (Linux).
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return True


def _hanging_tool(pids):
    """A check whose tool never answers: it records the child's pid (the child prints it first)."""
    def check(c, _given):
        proc = c.edges.run(["sh", "-c", "echo $$ > {}; exec sleep 100".format(pids)], timeout=60)
        return passed("tool ended: {}".format(proc.error))
    return check


def test_a_check_given_up_on_has_its_process_killed(tmp_path):
    import time
    pids = tmp_path / "pid"
    results = run_plan([Check("hang", "Hang", _hanging_tool(pids), budget=0.5, code="DOCKER_DAEMON_ERROR")], ctx())
    assert results[0].outcome.code == "DOCKER_DAEMON_ERROR"
    pid = int(pids.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_after_the_run_no_check_starts_a_process(tmp_path):
    # Stop at the first failure: the check still waiting for its turn may not start its tool afterwards.
    gate = threading.Event()
    started = tmp_path / "started"

    def late(c, _given):
        gate.wait(5)
        proc = c.edges.run(["sh", "-c", "touch {}".format(started)], timeout=5)
        return passed("ran: {}".format(proc.error))

    c = ctx()
    results = run_plan([Check("a", "A", broken), Check("late", "Late", late)], c)
    gate.set()
    assert results[1].not_run is NotRun.FIRST_FAILURE
    threading.Event().wait(0.5)
    assert not started.exists()
    assert c.edges.run(["true"]).error.startswith("cancelled")
    assert c.edges.get("https://127.0.0.1:9/").error == "cancelled"


def test_an_interrupted_interactive_check_is_reported_then_the_interruption_goes_on(tmp_path):
    # Ctrl-C during the pull: the pull tidied up and says so in its outcome; the runner reports that
    # outcome, kills what the other checks still run, and lets the interruption end the run.
    import time

    from azext_acrhealth.outcome import Interrupted, skipped
    pids = tmp_path / "pid"

    def pull(_c, _given):
        deadline = time.monotonic() + 10
        while not (pids.exists() and pids.read_text().strip()) and time.monotonic() < deadline:   # the tool runs
            time.sleep(0.02)
        raise Interrupted(skipped("interrupted: the pull was stopped and the image removed"))

    reported = []
    plan = [Check("pull", "Pull", pull, interactive=True), Check("tool", "Tool", _hanging_tool(pids), budget=60)]
    with pytest.raises(Interrupted):
        run_plan(plan, ctx(), on_result=reported.append)
    assert [(r.check.name, r.outcome.status, r.outcome.message) for r in reported] == [
        ("pull", Status.SKIPPED, "interrupted: the pull was stopped and the image removed")]
    pid = int(pids.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_a_check_given_up_on_sends_no_request_afterwards(cloud):
    # The runner waits for a later, slower check, so the run is still going when the first one, given up at
    # its budget, tries to reach the registry: it must not.
    import time
    attempts = []

    def late_request(c, _given):
        time.sleep(0.6)
        attempts.append(c.edges.get(cloud.url + "/v2/"))
        attempts.append(c.edges.resolve("localhost"))
        return passed("answered {}".format(attempts[0].status))

    def slow(_c, _given):
        time.sleep(1.5)
        return passed("done")

    c = Context(Options(timeout=1), env={"REQUESTS_CA_BUNDLE": cloud.ca})
    results = run_plan([Check("late", "Late", late_request, budget=0.2, code="DATA_ENDPOINT_ERROR"),
                        Check("slow", "Slow", slow)], c, ignore_errors=True)
    assert results[0].outcome.code == "DATA_ENDPOINT_ERROR" and results[1].outcome.status is Status.PASSED
    assert [a.error for a in attempts] == ["cancelled", "error"] and "given up" in attempts[1].reason
    assert cloud.requests == []


def test_a_check_given_up_on_is_reported_for_why_it_was_given_up_not_for_its_killed_tool(tmp_path):
    # The killed tool makes the check return at once ("could not start: cancelled"). On a busy machine the
    # check's thread can answer before the runner records its verdict: slow cancel() down to make that sure.
    import time

    from azext_acrhealth.edges import Edges

    class SlowToCancel(Edges):
        def cancel(self, owner):
            super().cancel(owner)
            time.sleep(0.3)

    c = Context(Options(timeout=1), env={}, edges=SlowToCancel(1, {}, "/"))
    results = run_plan([Check("hang", "Hang", _hanging_tool(tmp_path / "pid"), budget=0.3, code="DOCKER_DAEMON_ERROR")],
                       c)
    assert results[0].outcome.message == "no answer within 0.3 s; gave up waiting"
