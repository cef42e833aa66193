"""When briefgen may fork worker processes that go on running Python (extraction, rendering)."""

from __future__ import annotations

import os
import threading


def fork_is_safe() -> bool:
    """Only where ``fork`` exists and while this is the process's one thread.

    A forked child gets a copy of every lock as it was at the fork, held or not, but only the forking
    thread: a lock another thread held then (a request thread writing the log to stderr, watchdog's event
    queue, a lock inside a C library) stays locked in the child for ever, and the child hangs the first
    time it needs it.
    """
    return hasattr(os, "fork") and threading.active_count() == 1
