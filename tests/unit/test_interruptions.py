"""Ctrl-C, SIGTERM and SIGHUP: one interruption, its exit status, and the blocks it may not cut short.
Real signals, sent to this process."""

import signal

import pytest

from azext_acrhealth import interruptions
from azext_acrhealth.interruptions import Interruption


def _deliver(signum):
    """Send signum to this thread and give Python a few bytecodes to run the handler."""
    signal.raise_signal(signum)
    for _ in range(100):
        pass


@pytest.mark.parametrize("signum, status, name", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM"),
                                                  (signal.SIGHUP, 129, "SIGHUP")])
def test_each_signal_is_an_interruption_with_128_plus_its_number(signum, status, name):
    before = signal.getsignal(signum)
    with pytest.raises(Interruption) as raised, interruptions.handling():
        _deliver(signum)
    assert isinstance(raised.value, KeyboardInterrupt)
    assert raised.value.signum == signum and interruptions.first() == signum
    assert interruptions.exit_status(signum) == status and interruptions.describe(signum) == name
    assert signal.getsignal(signum) is before      # the previous handler is back


def test_an_interruption_waits_for_the_end_of_a_deferred_block():
    done = []
    with pytest.raises(Interruption) as raised, interruptions.handling():
        with interruptions.deferred():
            _deliver(signal.SIGTERM)
            with interruptions.deferred():       # blocks nest: only the outermost raises
                _deliver(signal.SIGINT)
                done.append("inner")
            done.append("outer")
    assert done == ["inner", "outer"]
    assert raised.value.signum == signal.SIGINT          # the latest one is raised ...
    assert interruptions.first() == signal.SIGTERM       # ... the first one decides the exit status
    assert interruptions.exit_status() == 143


def test_once_settled_a_signal_changes_nothing():
    with interruptions.handling():
        interruptions.settle()
        _deliver(signal.SIGTERM)
    assert interruptions.first() == signal.SIGTERM
