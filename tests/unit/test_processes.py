"""Processes.run against real processes that print too much, never exit, or leave a grandchild behind.

The time bounds are hang guards, not speed assertions: each is many times the expected duration.
"""

import shutil
import sys
import time

import pytest

from azext_acrhealth import processes

HANG_GUARD = 10.0


def test_output_is_capped_per_stream_and_the_call_returns():
    # 50 MB on each stream: the readers keep draining (so the child is never blocked) but keep 1 MiB.
    script = ("import sys\nfor _ in range(50):\n"
              "    sys.stdout.write('x' * (1 << 20)); sys.stderr.write('y' * (1 << 20))\n")
    result = processes.Processes().run([sys.executable, "-c", script], timeout=60)
    assert result.returncode == 0 and not result.timed_out
    assert len(result.stdout) == processes.MAX_OUTPUT
    assert len(result.stderr) == processes.MAX_OUTPUT
    assert set(result.stdout) == {"x"} and set(result.stderr) == {"y"}


def test_a_process_that_never_exits_is_killed_at_the_timeout():
    start = time.monotonic()
    result = processes.Processes().run(["sleep", "100"], timeout=1)
    assert result.timed_out and result.returncode is None and not result.ok
    assert time.monotonic() - start < HANG_GUARD


def test_a_grandchild_holding_the_pipes_is_killed_with_its_group():
    start = time.monotonic()
    result = processes.Processes().run(["sh", "-c", "sleep 100 & echo started; exec sleep 100"], timeout=1)
    assert result.timed_out
    assert result.stdout == "started\n"
    assert time.monotonic() - start < HANG_GUARD


@pytest.mark.skipif(not shutil.which("setsid"), reason="setsid(1) is not installed")
def test_a_grandchild_that_left_the_group_does_not_hold_the_call():
    # The grandchild escapes the kill (its own session) and keeps both pipes open for 30 s.
    start = time.monotonic()
    result = processes.Processes().run(["sh", "-c", "setsid sleep 30 & echo done"], timeout=5)
    assert result.returncode == 0 and not result.timed_out
    assert result.stdout == "done\n"
    assert time.monotonic() - start < HANG_GUARD


def test_output_arrives_even_when_the_pipe_stays_open():
    # Partial output must be kept when a reader is abandoned: it reads what is there, not a full block.
    result = processes.Processes().run(["sh", "-c", "echo partial; exec sleep 100"], timeout=1)
    assert result.timed_out and result.stdout == "partial\n"


def test_a_missing_program_is_described_not_raised():
    result = processes.Processes().run(["/nonexistent/acrhealth-tool"], timeout=1)
    assert result.error and result.returncode is None and not result.ok


def _alive(pid):
    try:
        with open("/proc/{}/stat".format(pid)) as stat:
            return stat.read().split()[2] != "Z"
    except OSError:
        return False


def _wait_dead(pid, guard=5.0):
    deadline = time.monotonic() + guard
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def _start_in_thread(registry, tmp_path, owner=None):
    """A process that never ends, run from another thread; returns (its pid, the thread's result box)."""
    import threading
    pidfile, box = tmp_path / "pid", {}
    thread = threading.Thread(target=lambda: box.setdefault("result", registry.run(
        ["sh", "-c", "echo $$ > {}; sleep 100 & exec sleep 100".format(pidfile)], timeout=60, owner=owner)))
    thread.start()
    deadline = time.monotonic() + HANG_GUARD
    while not (pidfile.exists() and pidfile.read_text().strip()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return int(pidfile.read_text()), thread, box


def test_close_kills_every_live_process_and_its_group(tmp_path):
    registry = processes.Processes()
    pid, thread, box = _start_in_thread(registry, tmp_path)
    assert registry.live() == 1
    registry.close()
    thread.join(HANG_GUARD)
    assert _wait_dead(pid)
    assert box["result"].error == processes.CANCELLED and box["result"].returncode is None
    # Closed: nothing new starts.
    assert registry.run(["true"], timeout=5).error == processes.CANCELLED


def test_cancel_kills_one_owner_only(tmp_path):
    registry = processes.Processes()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    pid_a, thread_a, _ = _start_in_thread(registry, tmp_path / "a", owner="a")
    pid_b, thread_b, _ = _start_in_thread(registry, tmp_path / "b", owner="b")
    registry.cancel("a")
    thread_a.join(HANG_GUARD)
    assert _wait_dead(pid_a) and _alive(pid_b)
    assert registry.run(["true"], timeout=5, owner="a").error == processes.CANCELLED
    assert registry.run(["true"], timeout=5, owner="b").ok
    registry.close()
    thread_b.join(HANG_GUARD)
    assert _wait_dead(pid_b)


def test_an_interrupted_wait_kills_the_child(tmp_path):
    # Ctrl-C reaches our process, not the child (its own session): the child must still die.
    import signal
    import threading

    from azext_acrhealth import interruptions
    registry = processes.Processes()
    pidfile = tmp_path / "pid"
    timer = threading.Timer(1.0, lambda: signal.pthread_kill(threading.main_thread().ident, signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt), interruptions.handling():
        registry.run(["sh", "-c", "echo $$ > {}; exec sleep 100".format(pidfile)], timeout=60)
    assert _wait_dead(int(pidfile.read_text()))
    assert registry.live() == 0


def test_stdin_is_written_and_closed():
    result = processes.Processes().run(["cat"], timeout=5, stdin=b"myreg.azurecr.io\n")
    assert result.ok and result.stdout == "myreg.azurecr.io\n"


def test_what_a_tool_leaves_running_in_its_group_is_killed_when_it_exits(tmp_path):
    pidfile = tmp_path / "pid"
    result = processes.Processes().run(["sh", "-c", "sleep 100 & echo $! > {}; echo done".format(pidfile)],
                                       timeout=10)
    assert result.returncode == 0 and result.stdout == "done\n"
    assert _wait_dead(int(pidfile.read_text()))


def test_a_signal_between_a_start_and_its_registration_leaves_no_child(monkeypatch):
    # The signal lands just after the child started, before the registry knows it: it must wait until
    # the child is registered, then the interruption kills it like any other.
    import signal
    import subprocess

    from azext_acrhealth import interruptions
    started, real = [], subprocess.Popen

    def popen(*args, **kwargs):
        proc = real(*args, **kwargs)
        started.append(proc.pid)
        signal.raise_signal(signal.SIGINT)
        return proc

    monkeypatch.setattr(processes.subprocess, "Popen", popen)
    registry = processes.Processes()
    with pytest.raises(KeyboardInterrupt), interruptions.handling():
        registry.run(["sleep", "100"], timeout=60)
    assert _wait_dead(started[0])
    assert registry.live() == 0


def test_a_signal_does_not_cut_the_killing_short(tmp_path, monkeypatch):
    # close() kills two hung tools; a signal arrives after the first one: the second must die too.
    import signal

    from azext_acrhealth import interruptions
    registry = processes.Processes()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    pid_a, thread_a, _ = _start_in_thread(registry, tmp_path / "a")
    pid_b, thread_b, _ = _start_in_thread(registry, tmp_path / "b")
    real = processes._signal
    calls = []

    def signal_then_interrupt(proc):
        real(proc)
        calls.append(proc.pid)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(processes, "_signal", signal_then_interrupt)
    with pytest.raises(KeyboardInterrupt), interruptions.handling():
        registry.close()
    thread_a.join(HANG_GUARD)
    thread_b.join(HANG_GUARD)
    assert _wait_dead(pid_a) and _wait_dead(pid_b)
