"""hsession's log lines in Python's logging, on the logger "hsession".

The library's log callback is installed with the level the logger is
enabled for, checked when a Session is made and before each request (a
cached int compare), so `logging.basicConfig(level=logging.DEBUG)` or
`logging.getLogger("hsession").setLevel(...)` takes effect on the next
request. The callback runs on the library's logging thread; ctypes takes
the GIL for it, and no hsession I/O thread ever waits for it (lines queue,
and are dropped and counted when the queue is full).

Levels: the library's error, warn, info and debug are logging's ERROR,
WARNING, INFO and DEBUG; its trace is level 5, named TRACE.
"""

import atexit
import logging
import threading

from . import _lib

TRACE = 5
if logging.getLevelName(TRACE) == f"Level {TRACE}":
    logging.addLevelName(TRACE, "TRACE")

logger = logging.getLogger("hsession")
# As requests and urllib3: a library logs nowhere until the application
# configures logging.
logger.addHandler(logging.NullHandler())

# The library's level number -> logging's.
_TO_PYTHON = {1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO, 4: logging.DEBUG, 5: TRACE}

_lock = threading.Lock()
_installed = 0  # the library level the callback is installed with (0: none)
_seen = None  # the logger's effective level when last checked


def _on_line(_user_data, level, message):
    try:
        logger.log(_TO_PYTHON.get(level, logging.DEBUG), "%s", message.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001 - nothing may unwind into the library's thread
        pass


# Kept for the life of the process: the library holds the pointer.
_callback = _lib.LOG_CALLBACK(_on_line)


def _wanted(effective):
    """The library level for a logger's effective level (0: off)."""
    if logger.disabled:
        return 0
    for lib_level in (5, 4, 3, 2, 1):
        if effective <= _TO_PYTHON[lib_level]:
            return lib_level
    return 0


def sync():
    """Installs, changes or removes the callback to match the logger."""
    global _installed, _seen
    effective = logger.getEffectiveLevel()
    if effective == _seen:
        return
    with _lock:
        wanted = _wanted(effective)
        if wanted != _installed:
            rc = _lib.set_log_callback(_callback if wanted else _lib.LOG_CALLBACK(), None, wanted, None)
            if rc == 0:
                _installed = wanted
        _seen = effective


@atexit.register
def _remove():
    """No line may reach Python while the interpreter shuts down; the call
    waits for a line being delivered (ctypes releases the GIL meanwhile)."""
    if _installed:
        _lib.set_log_callback(_lib.LOG_CALLBACK(), None, 0, None)


def dropped():
    """Lines lost because the logger could not keep up (since the process started)."""
    return _lib.log_dropped()
