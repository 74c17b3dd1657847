"""probes.run against real processes that print too much, never exit, or leave a grandchild behind.

The time bounds are hang guards, not speed assertions: each is many times the expected duration.
"""

import shutil
import sys
import time

import pytest

from azext_acrhealth import probes

HANG_GUARD = 10.0


def test_output_is_capped_per_stream_and_the_call_returns():
    # 50 MB on each stream: the readers keep draining (so the child is never blocked) but keep 1 MiB.
    script = ("import sys\nfor _ in range(50):\n"
              "    sys.stdout.write('x' * (1 << 20)); sys.stderr.write('y' * (1 << 20))\n")
    result = probes.run([sys.executable, "-c", script], timeout=60)
    assert result.returncode == 0 and not result.timed_out
    assert len(result.stdout) == probes.MAX_OUTPUT
    assert len(result.stderr) == probes.MAX_OUTPUT
    assert set(result.stdout) == {"x"} and set(result.stderr) == {"y"}


def test_a_process_that_never_exits_is_killed_at_the_timeout():
    start = time.monotonic()
    result = probes.run(["sleep", "100"], timeout=1)
    assert result.timed_out and result.returncode is None and not result.ok
    assert time.monotonic() - start < HANG_GUARD


def test_a_grandchild_holding_the_pipes_is_killed_with_its_group():
    start = time.monotonic()
    result = probes.run(["sh", "-c", "sleep 100 & echo started; exec sleep 100"], timeout=1)
    assert result.timed_out
    assert result.stdout == "started\n"
    assert time.monotonic() - start < HANG_GUARD


@pytest.mark.skipif(not shutil.which("setsid"), reason="setsid(1) is not installed")
def test_a_grandchild_that_left_the_group_does_not_hold_the_call():
    # The grandchild escapes the kill (its own session) and keeps both pipes open for 30 s.
    start = time.monotonic()
    result = probes.run(["sh", "-c", "setsid sleep 30 & echo done"], timeout=5)
    assert result.returncode == 0 and not result.timed_out
    assert result.stdout == "done\n"
    assert time.monotonic() - start < HANG_GUARD


def test_output_arrives_even_when_the_pipe_stays_open():
    # Partial output must be kept when a reader is abandoned: it reads what is there, not a full block.
    result = probes.run(["sh", "-c", "echo partial; exec sleep 100"], timeout=1)
    assert result.timed_out and result.stdout == "partial\n"


def test_a_missing_program_is_described_not_raised():
    result = probes.run(["/nonexistent/acrhealth-tool"], timeout=1)
    assert result.error and result.returncode is None and not result.ok
