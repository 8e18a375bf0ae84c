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
import threading

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


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def stop_signals_held():
    """Hold Ctrl-C (SIGINT) and SIGTERM until the block is done, then act on them as usual: while the site
    is swapped in (clair/write.py), and while children start. Stopped in the middle of a start, a child
    would be left orphaned; and a Ctrl-C that reaches Python inside the handlers it runs around a fork
    (logging's) is dropped, so the build would go on as if never stopped. Both layers are needed: the
    Python handlers only note the signal, whichever thread the system gives it to, and the held signal
    mask passes to the children, which take their signals back once they are ready (`start_program`,
    units.py `_quiet_worker`). Outside the main thread (the preview's builds) signals are not Python's
    to handle, and only the mask applies."""
    received: list[int] = []
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum))
                for sig in STOP_SIGNALS} if in_main_thread else {}
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            signal.raise_signal(received[0])


def start_program(parent: int) -> None:
    """Run in a child forked to run another program (Pagefind), before it starts: end with `parent`, and take
    Ctrl-C and SIGTERM again as a program does by default (it would keep the signals held when it was forked)."""
    end_with_parent(parent)
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_DFL)
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
