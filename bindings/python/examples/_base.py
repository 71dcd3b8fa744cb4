"""Shared by the examples: the server's base URL (argv[1], else the env var
HSESSION_BASE_URL, else http://127.0.0.1:8080) and the package from this
source tree when it is not installed."""

import os
import sys

try:
    import hsession  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def base_url():
    if len(sys.argv) > 1:
        return sys.argv[1].rstrip("/")
    return os.environ.get("HSESSION_BASE_URL", "http://127.0.0.1:8080").rstrip("/")
