"""Running the user's tools: never through a shell, always with a time limit, and never left behind.

Each child gets its own session (so a timeout kills it and everything it started), which also means
Ctrl-C at the terminal does not reach it. So every live child is kept in a registry: the runner kills
the children of a check it gives up on, and the command kills them all when it ends, however it ends
(time limit, Ctrl-C, SIGTERM, SIGHUP, exit). Once the registry is closed, no new process starts. What a
tool leaves running in its process group when it exits is killed too. A signal cannot slip in between a
child's start and its registration, nor cut a kill loop short (interruptions.deferred).
"""

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from .interruptions import deferred

MAX_OUTPUT = 1 << 20   # bytes kept from each stream of a process
READ_GRACE = 1.0       # seconds to finish reading a process's pipes once it has ended
CANCELLED = "cancelled: the check was given up"


@dataclass(frozen=True)
class ProcResult:
    argv: tuple
    returncode: int = None       # None when the process could not start or was killed
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    error: str = None            # why the process could not start (OSError text), or CANCELLED
    duration: float = 0.0

    @property
    def ok(self):
        return self.returncode == 0 and not self.timed_out

    @property
    def output(self):
        """stderr and stdout together, stripped: what a user would have seen."""
        return "\n".join(s for s in (self.stderr.strip(), self.stdout.strip()) if s)


class Processes:
    """Starts processes and keeps the live ones, by owner (the check that started them)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._live = {}            # Popen -> owner
        self._closed = False
        self._cancelled = set()    # owners whose processes were killed: they start no more
        self._killed = set()       # processes killed by cancel() or close(), not by a timeout

    def run(self, argv, timeout, env=None, cwd=None, stdin=None, owner=None, max_output=MAX_OUTPUT):
        """Run argv and return a ProcResult within `timeout` seconds. stdin (bytes) is written to the
        process and closed; without it the process reads from /dev/null."""
        argv = tuple(str(a) for a in argv)
        start = time.monotonic()
        proc = None
        try:
            with self._lock, deferred():
                if self._closed or owner in self._cancelled:
                    return ProcResult(argv, error=CANCELLED)
                try:
                    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                                            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                            start_new_session=True)
                except (OSError, ValueError) as ex:
                    return ProcResult(argv, error=getattr(ex, "strerror", None) or str(ex),
                                      duration=time.monotonic() - start)
                self._live[proc] = owner
            return self._collect(proc, argv, stdin, timeout, max_output, start)
        finally:
            if proc is not None:
                with deferred():
                    if proc.returncode is None:  # interrupted (KeyboardInterrupt, SystemExit): leave nothing behind
                        _kill(proc)
                    with self._lock:
                        self._live.pop(proc, None)

    def _collect(self, proc, argv, stdin, timeout, max_output, start):
        out, err = [], []
        readers = [threading.Thread(target=_drain, args=(proc.stdout, out, max_output), daemon=True),
                   threading.Thread(target=_drain, args=(proc.stderr, err, max_output), daemon=True)]
        for reader in readers:
            reader.start()
        if stdin is not None:
            threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        # Whatever the tool left running in its group goes with it (a plugin, a helper it started).
        with deferred():
            _kill(proc)
        # A grandchild outside the process group (it called setsid) may hold the pipes open after the
        # process ended: give the readers a short grace, then leave them behind. Closing a stream that a
        # reader is still blocked on would block too (the buffered reader's lock), so only idle ones are
        # closed; a reader left behind ends, and its pipe closes, when that grandchild exits.
        grace = time.monotonic() + READ_GRACE
        for reader in readers:
            reader.join(timeout=max(0.0, grace - time.monotonic()))
        for stream, reader in zip((proc.stdout, proc.stderr), readers, strict=True):
            if not reader.is_alive():
                try:
                    stream.close()
                except OSError:
                    pass
        with self._lock:
            killed = proc in self._killed
            self._killed.discard(proc)
        return ProcResult(argv, returncode=None if timed_out or killed else proc.returncode,
                          stdout=b"".join(out).decode("utf-8", "replace"),
                          stderr=b"".join(err).decode("utf-8", "replace"),
                          timed_out=timed_out, error=CANCELLED if killed else None,
                          duration=time.monotonic() - start)

    def cancel(self, owner):
        """Kill the live processes of one owner, and refuse it new ones."""
        with deferred():
            with self._lock:
                self._cancelled.add(owner)
                victims = [proc for proc, who in self._live.items() if who == owner]
                self._killed.update(victims)
            _kill_all(victims)

    def close(self):
        """Kill every live process and start no new one. Safe to call more than once, from any thread."""
        with deferred():
            with self._lock:
                self._closed = True
                victims = list(self._live)
                self._killed.update(victims)
            _kill_all(victims)

    def live(self):
        with self._lock:
            return len(self._live)


def _feed(stream, data):
    try:
        stream.write(data)
    except (OSError, ValueError):
        pass
    finally:
        try:
            stream.close()
        except (OSError, ValueError):
            pass


def _drain(stream, sink, limit):
    """Read a stream to its end, keeping at most `limit` bytes, so a chatty tool cannot fill memory."""
    kept = 0
    try:
        # read1 returns what the pipe has now; read(n) would wait for n bytes or the end of the pipe.
        for chunk in iter(lambda: stream.read1(65536), b""):
            if kept < limit:
                sink.append(chunk[:limit - kept])
                kept += len(sink[-1])
    except (OSError, ValueError):
        pass


def _kill_all(victims):
    """Signal every victim first, then reap them: n hung tools cost one wait, not n."""
    for proc in victims:
        _signal(proc)
    for proc in victims:
        _kill(proc)


def _signal(proc):
    """SIGKILL to the process's group (what it started), or to the process alone where there are no groups
    (Windows) or its group is gone. The group is its own (a new session), so it holds nothing else."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
        return
    except (OSError, AttributeError):
        pass
    if proc.returncode is None:
        try:
            proc.kill()
        except OSError:
            pass


def _kill(proc):
    """Kill the process and its group, then reap it."""
    _signal(proc)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
