"""Pipeline: the build's child processes (page workers, Pagefind) end with it, however it ends.

A build stopped by Ctrl-C or SIGTERM stops its children itself (units.Workers terminates its pool;
subprocess.run kills Pagefind). A build killed outright (SIGKILL, the out-of-memory killer) cannot,
so on Linux each child asks the kernel, as it starts, to kill it as soon as the build process is gone
(prctl PR_SET_PDEATHSIG, which also holds across Pagefind's exec): no orphan goes on working and
writing into a folder the next build removes. Other systems have no such call; there children end
when they next find their parent gone (the workers' pool) or when they finish (Pagefind).
"""
from __future__ import annotations

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


def end_with_parent(parent: int) -> None:
    """Run in a child just after it is forked: be killed when the process `parent` ends. If it has ended
    already (between the fork and this call), end now."""
    if PRCTL is not None:
        PRCTL(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    if os.getppid() != parent:
        os._exit(1)
