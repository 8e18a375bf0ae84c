"""Pipeline: the build's child processes (page workers, Pagefind) end with it, however it ends.

A build stopped by Ctrl-C or SIGTERM stops its children itself (units.Workers terminates its pool;
subprocess.run kills Pagefind). A build killed outright (SIGKILL, the out-of-memory killer) cannot,
so on Linux each child asks the kernel, as it starts, to kill it as soon as the build process is gone
(prctl PR_SET_PDEATHSIG, which also holds across Pagefind's exec): no orphan goes on working and
writing into a folder the next build removes. Other systems have no such call; there children end
when they next find their parent gone (the workers' pool) or when they finish (Pagefind).
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def _prctl():
    """libc's prctl, looked up in the build process (not after a fork, where loading a library is unsafe)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


PRCTL = _prctl()


STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def stop_signals_held():
    """Hold Ctrl-C and SIGTERM while children start, and act on them once they all exist. Stopped in the
    middle, a child would be left orphaned, and Python drops a Ctrl-C that lands in the handlers it runs
    around a fork: the build would go on as if never stopped."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start_program(parent: int) -> None:
    """Run in a child forked to run another program (Pagefind), before it starts: end with `parent`, and take
    Ctrl-C and SIGTERM again (a program keeps the signals held when it was forked)."""
    end_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)


def end_with_parent(parent: int) -> None:
    """Run in a child just after it is forked: be killed when the process `parent` ends. If it has ended
    already (between the fork and this call), end now."""
    if PRCTL is not None:
        PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)


def usable_cpus() -> int:
    """The cores this process may run on (the machine's, unless a container or taskset limits it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1
