"""HTTPAdapter and Retry: the objects requests' mount() takes.

An adapter here only carries a retry policy; the library does the retrying
(urllib3's Retry semantics, docs/behaviour.md). mount() also
accepts requests' HTTPAdapter and urllib3's Retry (duck-typed), so code
that imports them keeps working.
"""

from __future__ import annotations

import struct
from typing import Any, Collection, Optional, Union

DEFAULT_ALLOWED_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})
RETRY_AFTER_STATUS_CODES = frozenset({413, 429, 503})


class Retry:
    """urllib3.util.Retry's arguments (the ones that apply to hsession).

    `redirect` and `raise_on_redirect` are accepted for compatibility; the
    redirect limit is the session's max_redirects.
    """

    DEFAULT_ALLOWED_METHODS = DEFAULT_ALLOWED_METHODS
    DEFAULT_BACKOFF_MAX = 120

    def __init__(self, total: Union[int, bool, None] = 10, connect: Optional[int] = None,
                 read: Union[int, bool, None] = None, redirect: Union[int, bool, None] = None,
                 status: Optional[int] = None, other: Optional[int] = None,
                 allowed_methods: Optional[Collection[str]] = DEFAULT_ALLOWED_METHODS,
                 status_forcelist: Optional[Collection[int]] = None, backoff_factor: float = 0,
                 backoff_max: float = DEFAULT_BACKOFF_MAX, raise_on_redirect: bool = True,
                 raise_on_status: bool = True, history: Any = None, respect_retry_after_header: bool = True,
                 remove_headers_on_redirect: Optional[Collection[str]] = None,
                 backoff_jitter: float = 0.0) -> None:
        self.total = total
        self.connect = connect
        self.read = read
        self.redirect = redirect
        self.status = status
        self.other = other
        self.allowed_methods = allowed_methods
        self.status_forcelist = status_forcelist or set()
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.raise_on_redirect = raise_on_redirect
        self.raise_on_status = raise_on_status
        self.respect_retry_after_header = respect_retry_after_header
        self.backoff_jitter = backoff_jitter

    @classmethod
    def from_int(cls, retries: Union[Retry, int, None]) -> Any:  # a Retry, or the urllib3 Retry given
        if retries is None:
            return cls(0, read=False)
        if isinstance(retries, cls) or hasattr(retries, "status_forcelist"):
            return retries
        return cls(retries)

    def __repr__(self) -> str:
        return (f"Retry(total={self.total}, connect={self.connect}, read={self.read}, "
                f"status={self.status})")


class BaseAdapter:
    """requests' BaseAdapter: an adapter of your own sends the
    PreparedRequests of the URLs it is mounted for (Session.send calls
    its send())."""

    def __init__(self):
        super().__init__()

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        raise NotImplementedError

    def close(self):
        raise NotImplementedError


class HTTPAdapter(BaseAdapter):
    """requests' HTTPAdapter: here it holds the retry policy of its mount
    prefix; the session's library handle sends the requests."""

    __attrs__ = ["max_retries", "config", "_pool_connections", "_pool_maxsize", "_pool_block"]

    def __init__(self, pool_connections: int = 10, pool_maxsize: int = 10,
                 max_retries: Union[Retry, int, None] = 0, pool_block: bool = False) -> None:
        super().__init__()
        if isinstance(max_retries, int) and max_retries == 0:
            self.max_retries = Retry(0, read=False)
        else:
            self.max_retries = Retry.from_int(max_retries)
        self.config = {}
        self._pool_connections = pool_connections
        self._pool_maxsize = pool_maxsize
        self._pool_block = pool_block

    def proxy_headers(self, proxy):
        """The headers to send to proxy: Proxy-Authorization from its credentials."""
        from urllib.parse import unquote, urlsplit

        from .auth import _basic_auth_str
        parts = urlsplit(proxy)
        if parts.username:
            return {"Proxy-Authorization": _basic_auth_str(unquote(parts.username), unquote(parts.password or ""))}
        return {}

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        # Only reached when called directly: a Session sends through the library.
        raise NotImplementedError("hsession's HTTPAdapter sends through the Session it is mounted on "
                                  "(use Session.send)")

    def close(self) -> None:
        pass


def _count(v, what):
    # urllib3: None = no own limit; False = that kind is not retried.
    if v is None:
        return -1
    if v is False:
        return 0
    if isinstance(v, bool) or not isinstance(v, int):
        raise TypeError(f"Retry {what} must be an int, None or False, not {v!r}")
    if v < 0:
        raise ValueError(f"Retry {what} must not be negative, got {v}")
    return v


def pack_retry(retry):
    """The payload of packed tag 20 for a Retry (ours or urllib3's)."""
    total = getattr(retry, "total", 10)
    if total is False:
        total = None  # urllib3: total=False disables the total count
    statuses = sorted(int(s) for s in (getattr(retry, "status_forcelist", None) or ()))
    methods = getattr(retry, "allowed_methods", DEFAULT_ALLOWED_METHODS)
    if methods is False or methods is None:
        methods_s = "*"  # urllib3: a falsy allowed_methods retries every method
    else:
        methods_s = ",".join(sorted(m.upper() for m in methods))
    backoff_max = getattr(retry, "backoff_max", None)
    if backoff_max is None:
        backoff_max = getattr(retry, "DEFAULT_BACKOFF_MAX", 120)
    payload = struct.pack(
        "<qqqqdddBBI",
        _count(total, "total"), _count(retry.connect, "connect"), _count(retry.read, "read"),
        _count(retry.status, "status"),
        float(getattr(retry, "backoff_factor", 0) or 0), float(backoff_max),
        float(getattr(retry, "backoff_jitter", 0) or 0),
        1 if getattr(retry, "respect_retry_after_header", True) else 0,
        1 if getattr(retry, "raise_on_status", True) else 0,
        len(statuses))
    payload += struct.pack(f"<{len(statuses)}H", *statuses) if statuses else b""
    return payload + methods_s.encode()
