"""Ctrl-C, SIGTERM and SIGHUP end a run the same way: the clean-up runs (live children are killed, the
sample image is removed), then az exits with 128 + the signal's number, as shells and CI runners expect.

While `handling()` is in effect, each of these signals raises `Interruption` (a KeyboardInterrupt) in the
main thread, the only one Python delivers signals to. Inside a `deferred()` block (a child being started
and registered, the live children being killed) the interruption waits for the end of the block, so no
child can escape the registry between its start and its registration, and no kill loop is cut short.
"""

import signal
import threading
from contextlib import contextmanager

NAMES = ("SIGINT", "SIGTERM", "SIGHUP")     # SIGHUP: the terminal was closed (absent on Windows)


class Interruption(KeyboardInterrupt):
    """A signal asked the command to stop."""

    def __init__(self, signum):
        super().__init__(describe(signum))
        self.signum = signum


class _State:
    def __init__(self):
        self.depth = 0          # deferred() blocks open on the main thread
        self.pending = None     # a signal that arrived inside one
        self.first = None       # the first signal of the run: it decides the exit status
        self.settled = False    # the interruption was taken: further signals change nothing


_state = _State()


def describe(signum):
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


def exit_status(signum=None):
    """128 + the number of the signal that stopped the run (SIGINT when none was seen: a KeyboardInterrupt
    raised some other way)."""
    return 128 + int(signum or _state.first or signal.SIGINT)


def first():
    """The first signal received while handling() was in effect, or None."""
    return _state.first


def settle():
    """The run is over and its clean-up done: from now on a signal changes nothing (the report of the
    interruption and the exit status follow)."""
    _state.settled = True


def _handler(signum, _frame):
    if _state.first is None:
        _state.first = signum
    if _state.settled:
        return
    if _state.depth:
        _state.pending = signum
        return
    raise Interruption(signum)


@contextmanager
def handling():
    """Turn the three signals into Interruption for the duration of the block (main thread only: elsewhere
    nothing changes), and restore the previous handlers after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.__init__()
    previous = {}
    try:
        for name in NAMES:
            signum = getattr(signal, name, None)
            if signum is not None:
                try:
                    previous[signum] = signal.signal(signum, _handler)
                except (OSError, ValueError):    # a platform or embedding that does not allow it
                    pass
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred():
    """Hold an interruption of the main thread back until the block has ended (in other threads there is
    nothing to hold back). Blocks nest; the outermost one raises what arrived."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _state.depth += 1
    try:
        yield
    finally:
        _state.depth -= 1
        if _state.depth == 0 and _state.pending is not None:
            signum, _state.pending = _state.pending, None
            raise Interruption(signum)
