"""Session: requests.Session's API over one hsession handle.

Every setting maps to a C setter when it is set (headers, auth, params,
proxies, verify, cert, trust_env, max_redirects); the Python attributes are
views of what the library holds. A request is packed into one buffer
(docs/packed-format.md) and sent with one call; the response comes back
with one more, so a request costs two foreign calls and one free.
"""

from __future__ import annotations

import ctypes
import datetime
import json as _json
import math
import os
import struct
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

from http.cookiejar import CookieJar
from urllib.parse import urljoin, urlparse  # noqa: F401 (requests.sessions has urljoin)

from . import _lib, _logging, _tags
# Names of requests.sessions whose users moved to _redirects stay importable from here.
from ._prepare import get_auth_from_url, requote_uri  # noqa: F401
from ._redirects import (DEFAULT_PORTS, SessionRedirectMixin, _environ_proxies, _session_jar,  # noqa: F401
                         hop_requests, resolve_proxies)
from .adapters import HTTPAdapter, pack_retry
from .auth import _basic_auth_str, classify  # noqa: F401
from .cookies import (RequestsCookieJar, SessionCookies, cookiejar_from_dict, extract_cookies_to_jar,
                      merge_cookies)
from .exceptions import (ChunkedEncodingError, ContentDecodingError, InvalidHeader, InvalidJSONError,
                         InvalidProxyURL, InvalidSchema, InvalidURL, MissingSchema, RequestException,
                         SessionClosed, TooManyRedirects, raise_error)
from .hooks import default_hooks, dispatch_hook
from .models import REDIRECT_STATI, PreparedRequest, Request, Response
from .structures import CaseInsensitiveDict
from .utils import rewind_body  # noqa: F401

_log_sync = _logging.sync  # the logger's level, checked before each request

_FIELD = struct.Struct("<BI")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_pack_field = _FIELD.pack
_pack_u32 = _U32.pack

VERSION = _lib.version().decode()
_request_packed = _lib.request_packed
_tls = threading.local()


def _request_outs():
    """This thread's (response, error) out-parameters and their byrefs; read
    right after the call, and written by the library only as documented
    (response on success, error on failure)."""
    try:
        return _tls.outs
    except AttributeError:
        r, e = ctypes.c_void_p(), ctypes.c_void_p()
        _tls.outs = o = (r, e, ctypes.byref(r), ctypes.byref(e))
        return o
DEFAULT_USER_AGENT = f"hsession/{VERSION}"


_UNSET = object()

# Every live session, for the fork handler below.
_SESSIONS = weakref.WeakSet()


def _after_fork_in_child():
    # The library rebuilds its runtime in the child by itself. Python's side:
    # a lock another thread held at the fork stays held in the child, and
    # that thread's calls in flight never return here, so start afresh.
    for sess in list(_SESSIONS):
        sess._guard = threading.Lock()
        sess._inflight = 0
        sess._cookies._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _b(s, what):
    """bytes of a str argument; TypeError for anything else."""
    if isinstance(s, str):
        return s.encode("utf-8")
    if isinstance(s, (bytes, bytearray)):
        return bytes(s)
    raise TypeError(f"{what} must be str or bytes, not {type(s).__name__}")


def _header_part(v, name, what):
    if isinstance(v, str):
        v = v.encode("utf-8")
    elif isinstance(v, (bytes, bytearray)):
        v = bytes(v)
    else:
        v = None
    if v is not None:
        if v[:1] in (b" ", b"\t"):
            # As requests: a leading space would read as a folded header line.
            raise InvalidHeader(f"header {what} of {name!r} must not start with whitespace")
        return v
    # requests: "Header part (1) from ('X', 1) must be of type str or bytes"
    raise InvalidHeader(f"header {what} {v!r} of {name!r} must be of type str or bytes, "
                        f"not {type(v).__name__}")


def _strs(*parts):
    """Each part but the last prefixed by its u32 length; the last takes the rest."""
    out = b"".join(_pack_u32(len(p)) + p for p in parts[:-1])
    return out + parts[-1]


def _timeout_ms(v, which):
    if v is None:
        return 0  # no limit
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ValueError(f"Timeout value {which} was {v!r}, but it must be an int, float or None.")
    if not v > 0 or math.isinf(v) and v < 0:
        raise ValueError(f"Attempted to set {which} timeout to {v}, but the timeout cannot be set "
                         "to a value less than or equal to 0.")
    if math.isinf(v):
        return 0
    return max(1, math.ceil(v * 1000))


def _timeouts(timeout):
    """(connect ms, read ms) of a requests timeout argument (0 = no limit,
    -1 = not given: the session's). urllib3's Timeout objects work too."""
    if hasattr(timeout, "connect_timeout") and hasattr(timeout, "read_timeout"):
        c, r = timeout.connect_timeout, timeout.read_timeout
        return (_timeout_ms(c, "connect") if c is None or isinstance(c, (int, float)) else -1,
                _timeout_ms(r, "read") if r is None or isinstance(r, (int, float)) else -1)
    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise ValueError(f"Invalid timeout {timeout}. Pass a (connect, read) timeout tuple, "
                             "or a single float to set both timeouts to the same value.")
        return _timeout_ms(timeout[0], "connect"), _timeout_ms(timeout[1], "read")
    ms = _timeout_ms(timeout, "connect")
    return ms, ms


def _pairs(data):
    """(key, value) pairs of a dict (list values repeat the key), list of tuples, or query string."""
    if data is None:
        return []
    if isinstance(data, (str, bytes)):
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        return parse_qsl(data, keep_blank_values=True)
    items = data.items() if isinstance(data, Mapping) else data
    out = []
    try:
        for k, v in items:
            if v is None:
                continue
            vs = v if isinstance(v, (list, tuple)) else (v,)
            for one in vs:
                if one is None:
                    continue
                k2 = k.decode("utf-8") if isinstance(k, bytes) else str(k)
                out.append((k2, one.decode("utf-8") if isinstance(one, bytes) else str(one)))
    except (TypeError, ValueError):
        raise TypeError("expected a dict, a list of (key, value) pairs or a query string, "
                        f"not {type(data).__name__}") from None
    return out


def _url_text(url):
    if isinstance(url, bytes):
        url = url.decode("utf-8")
    elif not isinstance(url, str):
        url = str(url)
    url = url.lstrip()
    sep = url.find("://")
    if sep < 0:
        if ":" in url and not url.lower().startswith("http"):
            # "localhost:3128": a scheme no adapter takes, as requests reads it.
            raise InvalidSchema(f"No connection adapters were found for {url!r}")
        raise MissingSchema(f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?")
    if url[sep + 3:sep + 4] in ("*", "."):
        raise InvalidURL("URL has an invalid label.")
    return url


class _SyncedDict(CaseInsensitiveDict):
    """A case-insensitive dict whose changes go to the library first."""

    def __init__(self, apply_set, apply_del, initial=()):
        super().__init__()
        self._apply_set = apply_set
        self._apply_del = apply_del
        for k, v in dict(initial).items():
            CaseInsensitiveDict.__setitem__(self, k, v)

    def __setitem__(self, key, value):
        if value is None:
            if key in self:
                self.__delitem__(key)
            return
        self._apply_set(key, value)
        CaseInsensitiveDict.__setitem__(self, key, value)

    def __delitem__(self, key):
        CaseInsensitiveDict.__getitem__(self, key)  # KeyError first
        self._apply_del(key)
        CaseInsensitiveDict.__delitem__(self, key)

    def clear(self):
        for k in list(self):
            del self[k]


class _WriteThroughDict(dict):
    """dict methods that must go through __setitem__, so every write
    reaches the library (plain dict's setdefault and |= bypass it)."""

    def setdefault(self, k, default=None):
        if k not in self:
            self[k] = default
        return self[k]

    def __ior__(self, other):
        self.update(other)
        return self


class _ParamsDict(_WriteThroughDict):
    """session.params: each change is checked and packed once; the pairs go
    with every request (not into the library's session parameters, so a
    PreparedRequest, whose URL already holds them, is sent as it is)."""

    def __init__(self, session, initial=None):
        super().__init__()
        self._session = session
        self._packed = {}
        if initial:
            self.update(initial)

    def _sync(self):
        multi = {}
        for k, v in _pairs(dict(self)):
            multi.setdefault(k, []).append(v)
        self._packed = multi

    def __setitem__(self, k, v):
        super().__setitem__(k, v)
        self._sync()

    def __delitem__(self, k):
        super().__delitem__(k)
        self._sync()

    def update(self, *a, **kw):
        super().update(*a, **kw)
        self._sync()

    def pop(self, *a):
        v = super().pop(*a)
        self._sync()
        return v

    def popitem(self):
        kv = super().popitem()
        self._sync()
        return kv

    def clear(self):
        super().clear()
        self._sync()


_PROXY_KEYS = ("http", "https", "all")


class _ProxiesDict(_WriteThroughDict):
    """session.proxies: {'http': url, 'https': url, 'all': url, 'no_proxy': 'hosts'}."""

    def __init__(self, session, initial=None):
        super().__init__()
        self._session = session
        if initial:
            self.update(initial)

    def _apply(self, key, url):
        s = self._session
        if key == "no_proxy":
            s._check(_lib.set_no_proxy, None if url is None else _b(url, "no_proxy"))
        elif key in _PROXY_KEYS:
            try:
                s._check(_lib.set_proxy, key.encode(), None if url is None else _proxy_url(url))
            except InvalidURL as e:
                raise InvalidProxyURL(str(e), code=e.code) from None
        else:
            raise ValueError(f"proxies key {key!r}: hsession takes 'http', 'https', 'all' and 'no_proxy'")

    def __setitem__(self, k, v):
        self._apply(k, v)
        super().__setitem__(k, v)

    def __delitem__(self, k):
        self._apply(k, None)
        super().__delitem__(k)

    def update(self, *a, **kw):
        for k, v in dict(*a, **kw).items():
            self[k] = v

    def pop(self, k, *default):
        if k in self:
            v = self[k]
            del self[k]
            return v
        if default:
            return default[0]
        raise KeyError(k)

    def popitem(self):
        k = next(reversed(self))
        return k, self.pop(k)

    def clear(self):
        for k in list(self):
            del self[k]


def merge_setting(request_setting, session_setting, dict_class=dict):
    """The request's setting over the session's (requests.sessions.merge_setting):
    dicts merge, a None value removes the key; anything else, the request's wins."""
    if session_setting is None:
        return request_setting
    if request_setting is None:
        return session_setting
    if not (isinstance(session_setting, Mapping) and isinstance(request_setting, Mapping)):
        return request_setting
    merged = dict_class(session_setting.items())
    merged.update(request_setting.items())
    for k in [k for k, v in merged.items() if v is None]:
        del merged[k]
    return merged


def merge_hooks(request_hooks, session_hooks, dict_class=dict):
    if session_hooks is None or session_hooks.get("response") == []:
        return request_hooks
    if request_hooks is None or request_hooks.get("response") == []:
        return session_hooks
    return merge_setting(request_hooks, session_hooks, dict_class)


# The methods whose override makes send() follow redirects in Python.
_REDIRECT_METHODS = ("get_redirect_target", "should_strip_auth", "rebuild_method", "rebuild_auth",
                     "rebuild_proxies", "resolve_redirects")


class Session(SessionRedirectMixin):
    """A persistent, thread-safe HTTP session with requests.Session's API.

    Unlike requests.Session, one Session may be shared by any number of
    threads; its settings apply to requests started after they are set.
    """

    # What pickling keeps (requests' list).
    __attrs__ = ["headers", "cookies", "auth", "proxies", "hooks", "params", "verify", "cert", "adapters",
                 "stream", "trust_env", "max_redirects"]

    def __init__(self):
        _log_sync()
        h = ctypes.c_void_p()
        err = ctypes.c_void_p()
        rc = _lib.new(ctypes.byref(h), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        self._h = h.value
        self._guard = threading.Lock()
        self._inflight = 0
        self._closed = False
        self._headers = _SyncedDict(self._set_header, self._del_header, {"User-Agent": DEFAULT_USER_AGENT})
        self._auth = None
        self._params = _ParamsDict(self)
        self._proxies = _ProxiesDict(self)
        self._verify = True
        self._cert = None
        self._trust_env = True
        self._max_redirects = 30
        self._max_body_size = 256 << 20
        self._http2_keep_alive = None
        self._max_connections_per_host = None
        self.stream = False
        self.hooks = default_hooks()
        self._cookies = SessionCookies(self)
        self._user_jar = None
        self.adapters = {}
        self._retry_by_prefix = []  # (prefix lower-cased, packed tag-20 field or None), longest first
        self._weak = weakref.ref(self)
        # Requests go through prepare_request() and send() (in Python) when
        # the library cannot do what was asked: an auth callable, an adapter
        # of the caller's, or a subclass overriding requests' methods.
        self._custom_adapters = False
        kind = type(self)
        self._overridden = any(getattr(kind, m) is not getattr(SessionRedirectMixin, m) for m in _REDIRECT_METHODS)
        self._subclassed = self._overridden or any(
            getattr(kind, m) is not getattr(Session, m)
            for m in ("prepare_request", "send", "merge_environment_settings", "get_adapter"))
        self._python_path = self._subclassed
        self.mount("https://", HTTPAdapter())
        self.mount("http://", HTTPAdapter())
        _SESSIONS.add(self)

    def _route(self):
        """Whether requests go through prepare_request and send (see __init__)."""
        self._python_path = (self._subclassed or self._custom_adapters or self._user_jar is not None
                             or _auth_callable(self._auth))

    def __getstate__(self):
        state = {attr: getattr(self, attr, None) for attr in self.__attrs__}
        state["headers"] = dict(self._headers)
        state["cookies"] = self._cookies.to_jar()
        state["params"] = dict(self._params)
        state["proxies"] = dict(self._proxies)
        state["adapters"] = dict(self.adapters)
        return state

    def __setstate__(self, state):
        Session.__init__(self)
        for attr, value in state.items():
            if attr == "adapters":
                for prefix, adapter in value.items():
                    self.mount(prefix, adapter)
            else:
                setattr(self, attr, value)

    # -- the handle's life: close() frees it once no call is using it
    def _acquire(self):
        with self._guard:
            if self._closed:
                raise SessionClosed("the session is closed")
            self._inflight += 1
            return self._h

    def _release(self):
        with self._guard:
            self._inflight -= 1
            if self._closed and self._inflight == 0 and self._h:
                h, self._h = self._h, None
                _lib.free(h)

    def _use(self, fn, *args):
        """fn(handle, *args) with the handle kept alive during the call."""
        h = self._acquire()
        try:
            return fn(h, *args)
        finally:
            self._release()

    def _check(self, fn, *args):
        """Like _use for a setter that takes err_out last; raises on failure."""
        err = ctypes.c_void_p()
        rc = self._use(fn, *args, ctypes.byref(err))
        if rc:
            raise_error(rc, err)

    def close(self) -> None:
        """Closes the session: its pool is released once requests in flight
        (from other threads) have returned. Later requests raise SessionClosed."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            if self._inflight == 0 and self._h:
                h, self._h = self._h, None
                _lib.free(h)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- settings, each synchronised with the library
    def _set_header(self, name, value):
        n = _header_part(name, name, "name")
        v = _header_part(value, name, "value")
        self._check(_lib.set_header, n, v)

    def _del_header(self, name):
        self._check(_lib.remove_header, _header_part(name, name, "name"))

    @property
    def headers(self):
        """Default headers (case-insensitive); changes apply to later requests."""
        return self._headers

    @headers.setter
    def headers(self, value):
        value = dict(value)
        for k, v in value.items():  # check all first: a bad one changes nothing
            _header_part(k, k, "name")
            if v is not None:
                _header_part(v, k, "value")
        self._headers.clear()
        for k, v in value.items():
            self._headers[k] = v

    @property
    def cookies(self):
        """The session's cookie jar (a view of the library's jar), or the
        http.cookiejar.CookieJar assigned to it."""
        return self._cookies if self._user_jar is None else self._user_jar

    @cookies.setter
    def cookies(self, value):
        if value is self._cookies:
            return
        self._cookies.clear()
        self._user_jar = None
        self._route()
        if isinstance(value, CookieJar) and not isinstance(value, RequestsCookieJar):
            # A jar of the caller's own class stays the session's jar (its
            # policy decides): requests then go through prepare_request and
            # send, which take cookies from it and store new ones in it.
            self._user_jar = value
            self._route()
        elif value is not None:
            # Dicts and RequestsCookieJars: their cookies go into the library's jar.
            self._cookies.update(value if hasattr(value, "items") else {c.name: c for c in value})

    @property
    def auth(self):
        return self._auth

    @auth.setter
    def auth(self, auth):
        if auth is None:
            self._use(_lib.clear_auth)
        else:
            kind = classify(auth)
            if kind[0] == "basic":
                self._check(_lib.set_basic_auth, kind[1].encode(), kind[2].encode())
            elif kind[0] == "bearer":
                self._check(_lib.set_bearer_auth, kind[1].encode())
            elif kind[0] == "digest":
                self._check(_lib.set_digest_auth, kind[1].encode(), kind[2].encode())
            else:
                self._use(_lib.clear_auth)  # an auth callable runs on each PreparedRequest
        self._auth = auth
        self._route()

    @property
    def params(self):
        return self._params

    @params.setter
    def params(self, value):
        _pairs(value)  # type check before anything changes
        p = _ParamsDict(self)
        dict.update(p, value or {})
        p._sync()
        self._params = p

    @property
    def proxies(self):
        return self._proxies

    @proxies.setter
    def proxies(self, value):
        if value is self._proxies:  # s.proxies |= {...} assigns the view back
            return
        value = dict(value or {})
        self._proxies.clear()
        self._proxies.update(value)

    @property
    def verify(self):
        """True (verify against the platform roots), False, or a CA bundle path."""
        return self._verify

    @verify.setter
    def verify(self, value):
        if isinstance(value, (str, bytes, os.PathLike)):
            self._check(_lib.set_ca_file, os.fsencode(value))
            self._check(_lib.set_verify, 1)
        elif isinstance(value, bool):
            self._check(_lib.set_verify, int(value))
            if value:
                self._check(_lib.set_ca_file, None)
        else:
            raise TypeError(f"verify must be True, False or a CA bundle path, not {value!r}")
        self._verify = value

    @property
    def cert(self):
        """None, a PEM path holding certificate and key, or (cert path, key path)."""
        return self._cert

    @cert.setter
    def cert(self, value):
        if value is None:
            self._check(_lib.set_client_cert, None, None)
        else:
            c, k = _cert_paths(value)
            self._check(_lib.set_client_cert, c, k)
        self._cert = value

    @property
    def trust_env(self):
        return self._trust_env

    @trust_env.setter
    def trust_env(self, value):
        self._check(_lib.set_trust_env, 1 if value else 0)
        self._trust_env = bool(value)

    @property
    def max_redirects(self):
        return self._max_redirects

    @max_redirects.setter
    def max_redirects(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"max_redirects must be a non-negative int, not {value!r}")
        self._use(_lib.set_max_redirects, value)
        self._max_redirects = value

    def set_timeout(self, timeout: Any, total: Any = _UNSET) -> None:
        """Default timeout for every request: a number (connect and read) or
        a (connect, read) tuple, None for no limit; `total` bounds a whole
        request, body included (None: no limit). hsession's defaults are
        finite: connect 10 s, read 30 s, total 300 s."""
        c, r = _timeouts(timeout)
        t = None if total is _UNSET else _timeout_ms(total, "total")
        if c >= 0:
            self._use(_lib.set_connect_timeout_ms, c)
        if r >= 0:
            self._use(_lib.set_read_timeout_ms, r)
        if t is not None:
            self._use(_lib.set_total_timeout_ms, t)

    @property
    def max_body_size(self):
        """The largest decoded body accepted, in bytes (None: no limit);
        default 256 MiB. A larger one raises BodyTooLarge."""
        return self._max_body_size

    @max_body_size.setter
    def max_body_size(self, value):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
            raise ValueError(f"max_body_size must be a positive int or None, not {value!r}")
        self._use(_lib.set_max_body_size, value or 0)
        self._max_body_size = value

    @property
    def http2_keep_alive(self):
        """HTTP/2 keep-alive pings (an hsession extension): None (default, no
        pings) or (interval, timeout) in seconds. Each pooled HTTP/2
        connection is pinged every interval; one that does not answer within
        the timeout is closed, so a silently dead connection is found in
        seconds and its requests are sent again where that is safe."""
        return self._http2_keep_alive

    @http2_keep_alive.setter
    def http2_keep_alive(self, value):
        if value is None:
            interval = timeout = 0
        else:
            if not isinstance(value, (tuple, list)) or len(value) != 2:
                raise ValueError(f"http2_keep_alive must be None or (interval, timeout), not {value!r}")
            interval = _timeout_ms(value[0], "keep-alive interval")
            timeout = _timeout_ms(value[1], "keep-alive timeout")
            if not interval or not timeout:
                raise ValueError(f"http2_keep_alive needs finite times, not {value!r}")
            value = tuple(value)
        self._check(_lib.set_http2_keep_alive_ms, interval, timeout)
        self._http2_keep_alive = value

    @property
    def max_connections_per_host(self):
        """The most connections open to one host at once (an hsession
        extension; None, the default, means no cap). A request beyond it
        waits for a connection to come free, at most the connect timeout,
        then raises ConnectTimeout. Mounting an HTTPAdapter with
        pool_block=True sets it to the adapter's pool_maxsize, as requests'
        blocking pool caps its connections; here the cap covers every host
        of the session."""
        return self._max_connections_per_host

    @max_connections_per_host.setter
    def max_connections_per_host(self, value):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"max_connections_per_host must be None or an int above 0, not {value!r}")
        self._check(_lib.set_max_connections_per_host, value or 0)
        self._max_connections_per_host = value

    def mount(self, prefix: str, adapter: Any) -> None:
        """Uses adapter's retry policy (max_retries) for URLs starting with
        prefix; the longest matching prefix wins, as in requests. An adapter
        with pool_block=True caps connections per host at its pool_maxsize
        (see max_connections_per_host)."""
        if getattr(adapter, "_pool_block", False):
            self.max_connections_per_host = int(getattr(adapter, "_pool_maxsize", 10))
        retries = getattr(adapter, "max_retries", None)
        field = None
        if retries is not None:
            if isinstance(retries, int):
                from .adapters import Retry
                retries = Retry(retries, read=False) if retries == 0 else Retry(retries)
            payload = pack_retry(retries)
            default = (retries.total == 0 and not retries.status_forcelist)
            # The library's default is no retries: skip the field then.
            field = None if default else _pack_field(_tags.RETRY, len(payload)) + payload
            if field is not None:
                _validate_field(field)  # a bad policy fails here, not on every request
        self.adapters[prefix] = adapter
        self._custom_adapters = self._custom_adapters or not _library_adapter(adapter)
        self._route()
        keys = sorted(self.adapters, key=len, reverse=True)
        self.adapters = {k: self.adapters[k] for k in keys}
        entries = [(p, f) for p, f in self._retry_by_prefix if p != prefix.lower()]
        entries.append((prefix.lower(), field))
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        self._retry_by_prefix = entries

    def get_adapter(self, url):
        """The adapter of the longest mounted prefix of url."""
        for prefix, adapter in self.adapters.items():
            if url.lower().startswith(prefix.lower()):
                return adapter
        raise InvalidSchema(f"No connection adapters were found for {url!r}")

    def prepare_request(self, request: Request) -> PreparedRequest:
        """The PreparedRequest of a Request with the session's settings merged
        in: cookies, headers, params, auth and hooks (requests' semantics)."""
        cookies = request.cookies or {}
        if not isinstance(cookies, CookieJar):
            cookies = cookiejar_from_dict(cookies)
        merged_cookies = merge_cookies(merge_cookies(RequestsCookieJar(), _session_jar(self)), cookies)
        p = PreparedRequest()
        p.prepare(method=request.method.upper(), url=request.url, files=request.files, data=request.data,
                  json=request.json,
                  headers=merge_setting(request.headers, self.headers, dict_class=CaseInsensitiveDict),
                  params=merge_setting(request.params, dict(self.params)),
                  auth=merge_setting(request.auth, self.auth), cookies=merged_cookies,
                  hooks=merge_hooks(request.hooks, self.hooks))
        return p

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        """The settings a request to url gets: its own, else the
        environment's (with trust_env: proxies, REQUESTS_CA_BUNDLE or
        CURL_CA_BUNDLE), else the session's."""
        if self.trust_env:
            no_proxy = proxies.get("no_proxy") if proxies is not None else None
            for k, v in _environ_proxies(url, no_proxy).items():
                proxies.setdefault(k, v)
            if verify is True or verify is None:
                verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or verify
        return {"proxies": merge_setting(proxies, dict(self.proxies)), "stream": merge_setting(stream, self.stream),
                "verify": merge_setting(verify, self.verify), "cert": merge_setting(cert, self.cert)}

    def send(self, request: PreparedRequest, **kwargs: Any) -> Response:
        """Sends a PreparedRequest (requests.Session.send)."""
        kwargs.setdefault("stream", self.stream)
        kwargs.setdefault("verify", self.verify)
        kwargs.setdefault("cert", self.cert)
        if isinstance(request, Request):
            raise ValueError("You can only send PreparedRequests.")
        allow_redirects = kwargs.pop("allow_redirects", True)
        stream = kwargs.get("stream")
        adapter = self.get_adapter(url=request.url)
        ours = _library_adapter(adapter)
        python_redirects = allow_redirects and (self._overridden or not ours)
        if ours:
            r = self._send_prepared(request, allow_redirects and not python_redirects, **kwargs)
        else:
            kwargs.setdefault("proxies", {})
            kwargs.setdefault("timeout", None)
            start = time.perf_counter()
            r = adapter.send(request, **kwargs)
            r.elapsed = datetime.timedelta(seconds=time.perf_counter() - start)
        r = dispatch_hook("response", request.hooks, r, **kwargs)
        if python_redirects:
            history = list(self.resolve_redirects(r, request, **kwargs))
            if history:
                history.insert(0, r)
                r = history.pop()
                r.history = history
        elif not allow_redirects and r.is_redirect:
            r._next = next(self.resolve_redirects(r, request, yield_requests=True, **kwargs), None)
        if not stream:
            r.content  # noqa: B018
        return r

    def _send_prepared(self, prep, follow, stream=False, timeout=None, verify=None, cert=None, proxies=None,
                       **_adapter_kwargs):
        """One library call for a PreparedRequest: its method, URL, headers
        and body exactly (session headers it lacks are left out, no session
        auth or params added); the library follows redirects when `follow`."""
        url = _url_text(prep.url)
        buf = self._pack_prepared(prep, url, follow, stream, timeout, verify, cert, proxies)
        o = _request_outs()
        _log_sync()
        h = self._acquire()
        try:
            rc = _request_packed(h, buf, len(buf), o[2], o[3])
        finally:
            self._release()
        if rc:
            try:
                raise_error(rc, o[1].value, url)
            except RequestException as e:
                e.request = prep
                raise
        r = Response._from_handle(o[0].value, stream)
        r._req_args = (self._weak, prep)
        jar = self._user_jar
        if jar is not None:
            # The caller's jar keeps the cookies; the library's stays empty.
            for hop in r.history:
                extract_cookies_to_jar(jar, hop.request, hop)
            extract_cookies_to_jar(jar, prep, r)
            self._use(_lib.cookies_clear)
        if follow and r.status_code in REDIRECT_STATI:
            _check_redirect_limit(self, r)
        return r

    def _pack_prepared(self, prep, url, follow, stream, timeout, verify, cert, proxies):
        m = _b(prep.method or "GET", "method")
        u = url.encode("utf-8")
        out = [_pack_field(_tags.METHOD, len(m)), m, _pack_field(_tags.URL, len(u)), u]
        add = out.append
        if "Authorization" not in (prep.headers or {}):
            digest = getattr(prep, "_hs_digest", None)
            if digest is not None:
                # HTTPDigestAuth ran on the PreparedRequest: the library answers.
                f = _strs(digest[0].encode(), digest[1].encode())
                add(_pack_field(_tags.DIGEST_AUTH, len(f)) + f)
            else:
                add(_pack_field(_tags.NO_AUTH, 0))  # no session auth: the prepared headers decide
        body = prep.body
        sent = set()
        for name, value in (prep.headers or {}).items():
            n = _header_part(name, name, "name")
            low = n.lower()
            if value is None:
                continue
            # The library frames the body itself.
            if low == b"transfer-encoding" or (low == b"content-length" and body is not None):
                continue
            if low == b"cookie" and value == prep._hs_cookie_header:
                # Made from the jar and the request's cookies: sent as the
                # request's cookies, so the library recomputes the jar's for
                # each redirect hop (and drops these off the origin).
                for pair in value.split("; "):
                    k, sep, v = pair.partition("=")
                    if sep:
                        f = _strs(k.encode(), v.encode())
                        add(_pack_field(_tags.COOKIE, len(f)) + f)
                sent.add(low)
                continue
            f = _strs(n, _header_part(value, name, "value"))
            add(_pack_field(_tags.HEADER, len(f)) + f)
            sent.add(low)
        for name in list(self._headers) + ["Accept", "Accept-Encoding"]:
            n = name.encode()
            if n.lower() not in sent:
                add(_pack_field(_tags.REMOVE_HEADER, len(n)) + n)
        if body is not None:
            if isinstance(body, str):
                body = body.encode("utf-8")
            elif hasattr(body, "read"):
                path = _disk_file(body)
                if path is not None:
                    add(_pack_field(_tags.BODY_FILE, len(path)) + path)
                    body = None
                else:
                    body = body.read()
                    body = body.encode("utf-8") if isinstance(body, str) else bytes(body)
            elif not isinstance(body, (bytes, bytearray, memoryview)):
                body = b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in body)
            if body is not None:
                add(_pack_field(_tags.BODY, len(body)))
                add(bytes(body))
        lower = url.lower()
        self._pack_options(add, lower, timeout, follow, stream)
        if proxies and self._trust_env:
            # The library applies the environment's proxies itself.
            env = _environ_proxies(url, proxies.get("no_proxy"))
            proxies = {k: v for k, v in proxies.items() if env.get(k) != v}
        if verify is not None or cert is not None or proxies:
            self._pack_transport(out, verify, cert, proxies, lower.startswith("https:"))
        return b"".join(out)

    # -- counters
    @property
    def requests_sent(self):
        return self._use(_lib.requests_sent)

    @property
    def connections_opened(self):
        return self._use(_lib.connections_opened)

    # -- requests
    def request(self, method: str | bytes, url: str | bytes, params: Any = None, data: Any = None,
                headers: Mapping[str, str | bytes | None] | None = None, cookies: Any = None, files: Any = None,
                auth: Any = None, timeout: Any = None, allow_redirects: bool = True,
                proxies: Mapping[str, str | None] | None = None, hooks: Any = None, stream: bool | None = None,
                verify: bool | str | None = None, cert: str | tuple[str, str] | None = None,
                json: Any = None) -> Response:
        """Sends a request and returns a Response (see requests.Session.request).

        timeout None uses the session's timeouts (finite by default)."""
        if not isinstance(method, (str, bytes)):
            raise TypeError(f"method must be str, not {type(method).__name__}")
        if isinstance(method, bytes):
            method = method.decode("utf-8")
        if self._python_path or (auth is not None and _auth_callable(auth)):
            # requests' own sequence: Request -> prepare_request -> send.
            req = Request(method=method.upper(), url=url, headers=headers, files=files, data=data or {},
                          json=json, params=params or {}, auth=auth, cookies=cookies, hooks=hooks)
            prep = self.prepare_request(req)
            settings = self.merge_environment_settings(prep.url, proxies or {}, stream, verify, cert)
            return self.send(prep, timeout=timeout, allow_redirects=allow_redirects, **settings)
        url = _url_text(url)
        if stream is None:
            stream = self.stream
        method = method.upper()
        buf = self._pack(method, url, params, data, headers, cookies, files, auth, timeout,
                         allow_redirects, proxies, stream, verify, cert, json)
        o = _request_outs()
        _log_sync()
        h = self._acquire()
        try:
            rc = _request_packed(h, buf, len(buf), o[2], o[3])
        finally:
            self._release()
        args = (self._weak, method, url, headers, files, data, params, auth, cookies, None, json)
        if rc:
            try:
                raise_error(rc, o[1].value, url)
            except RequestException as e:
                e.request = _quiet_prepare(self, args)
                raise
        r = Response._from_handle(o[0].value, stream)
        # What .request is built from, if it is ever asked for.
        r._req_args = args
        if allow_redirects and r.status_code in REDIRECT_STATI:
            _check_redirect_limit(self, r)
        if hooks or self.hooks.get("response"):
            r = self._run_hooks(r, hooks)
        return r

    def _run_hooks(self, r, hooks):
        """requests' response hooks: each may return a replacement response."""
        fns = list(self.hooks.get("response") or [])
        extra = (hooks or {}).get("response") or []
        fns += [extra] if callable(extra) else list(extra)
        for fn in fns:
            out = fn(r)
            if out is not None:
                r = out
        return r

    def _pack(self, method, url, params, data, headers, cookies, files, auth, timeout, allow_redirects,
              proxies, stream, verify, cert, json):
        m = method.encode()
        u = url.encode("utf-8")
        out = [_pack_field(_tags.METHOD, len(m)), m, _pack_field(_tags.URL, len(u)), u]
        add = out.append
        has_ct = False
        if headers:
            items = headers.items() if hasattr(headers, "items") else headers
            for name, value in items:
                n = _header_part(name, name, "name")
                if value is None:
                    add(_pack_field(_tags.REMOVE_HEADER, len(n)) + n)
                    continue
                v = _header_part(value, name, "value")
                if n.lower() == b"content-type":
                    has_ct = True
                f = _strs(n, v)
                add(_pack_field(_tags.HEADER, len(f)) + f)
        session_params = self._params._packed
        if params is not None or session_params:
            for k, v in _merged_params(params, session_params):
                f = _strs(k.encode(), v.encode())
                add(_pack_field(_tags.QUERY, len(f)) + f)
        body, ctype = self._body(data, files, json, out)
        if body is not None:
            add(_pack_field(_tags.BODY, len(body)))
            add(body)
        if ctype is not None and not has_ct:
            f = _strs(b"Content-Type", ctype)
            add(_pack_field(_tags.HEADER, len(f)) + f)
        jar_any = self._cookies._any_host
        if cookies or jar_any:
            merged = dict(jar_any)
            if cookies:
                if hasattr(cookies, "items"):
                    merged.update(cookies.items())
                else:
                    merged.update((c.name, c.value) for c in cookies)
            for k, v in merged.items():
                f = _strs(_b(k, "cookie name"), _b(v, "cookie value"))
                add(_pack_field(_tags.COOKIE, len(f)) + f)
        if auth is not None:
            kind = classify(auth)
            if kind[0] == "basic":
                f = _strs(kind[1].encode(), kind[2].encode())
                add(_pack_field(_tags.BASIC_AUTH, len(f)) + f)
            elif kind[0] == "digest":
                f = _strs(kind[1].encode(), kind[2].encode())
                add(_pack_field(_tags.DIGEST_AUTH, len(f)) + f)
            else:
                t = kind[1].encode()
                add(_pack_field(_tags.BEARER_AUTH, len(t)) + t)
        self._pack_options(add, url.lower(), timeout, allow_redirects, stream)
        https = url[:6].lower() == "https:"
        if https and (verify is None or verify is True) and self._verify is True and self._trust_env:
            # requests' merge_environment_settings: the environment's CA bundle.
            verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or verify
        if verify is not None or cert is not None or proxies:
            self._pack_transport(out, verify, cert, proxies, https)
        return b"".join(out)

    def _body(self, data, files, json, out):
        """(body bytes or None, content type or None); multipart parts go to out."""
        if files:
            if data is not None and not isinstance(data, (Mapping, list, tuple)):
                raise ValueError("data must be a dict or a list of pairs when files are given")
            for k, v in _pairs(data):
                f = _strs(k.encode(), v.encode())
                out.append(_pack_field(_tags.FORM_FIELD, len(f)) + f)
            items = files.items() if isinstance(files, Mapping) else files
            for name, value in items:
                if value is None or (isinstance(value, (tuple, list)) and len(value) > 1 and value[1] is None):
                    continue  # requests leaves such a part out
                out.append(_file_field(_b(name, "files field name"), value))
            return None, None  # the library sets multipart/form-data with its boundary
        if data is not None and data != {} and data != []:
            if isinstance(data, (bytes, bytearray, memoryview)):
                return bytes(data), None
            if isinstance(data, str):
                return data.encode("utf-8"), None
            if hasattr(data, "read"):
                path = _disk_file(data)
                if path is not None:
                    # A file on disk is streamed by the library (tag 19), not read here.
                    out.append(_pack_field(_tags.BODY_FILE, len(path)) + path)
                    return None, None
                d = data.read()
                return (d.encode("utf-8") if isinstance(d, str) else bytes(d)), None
            if isinstance(data, (Mapping, list, tuple)):
                return urlencode(_pairs(data)).encode(), b"application/x-www-form-urlencoded"
            try:
                return b"".join(c.encode("utf-8") if isinstance(c, str) else bytes(c) for c in data), None
            except TypeError:
                raise TypeError(f"data of type {type(data).__name__} cannot be sent") from None
        if json is not None:
            try:
                body = _json.dumps(json, allow_nan=False, separators=(",", ":")).encode("utf-8")
            except (ValueError, TypeError) as e:
                raise InvalidJSONError(str(e)) from None
            return body, b"application/json"
        return None, None

    def _pack_options(self, add, lower_url, timeout, follow, stream):
        """The fields both packers write the same way: timeouts, redirects,
        streaming, and the retry policy of the longest mounted prefix."""
        if timeout is not None:
            _pack_timeouts(add, timeout)
        if not follow:
            add(_pack_field(_tags.MAX_REDIRECTS, 4) + _pack_u32(0))
        else:
            add(_AT_LIMIT)
        if stream:
            add(_pack_field(_tags.STREAM, 1) + b"\x01")
        for prefix, field in self._retry_by_prefix:
            if lower_url.startswith(prefix):
                if field is not None:
                    add(field)
                break

    def _pack_transport(self, out, verify, cert, proxies, https):
        """Per-request TLS and proxy settings, where they differ from the
        session's; TLS settings only for https (as requests)."""
        add = out.append
        if not (verify is None or isinstance(verify, (bool, str, bytes, os.PathLike))):
            raise TypeError(f"verify must be True, False or a CA bundle path, not {verify!r}")
        if https and verify is not None and verify != self._verify:
            if isinstance(verify, (str, bytes, os.PathLike)):
                if not os.path.exists(verify):
                    raise OSError(f"Could not find a suitable TLS CA certificate bundle, invalid path: {verify}")
                p = os.fsencode(verify)
                add(_pack_field(_tags.VERIFY, 1) + b"\x01")
                add(_pack_field(_tags.CA_FILE, len(p)) + p)
            else:
                add(_pack_field(_tags.VERIFY, 1) + (b"\x01" if verify else b"\x00"))
                if verify:
                    add(_pack_field(_tags.CA_FILE, 0))
        if https and cert is not None and cert != self._cert:
            c, k = _cert_paths(cert)
            if not os.path.exists(c):
                raise OSError(f"Could not find the TLS certificate file, invalid path: {os.fsdecode(c)}")
            if not os.path.exists(k):
                raise OSError(f"Could not find the TLS key file, invalid path: {os.fsdecode(k)}")
            f = _strs(c, k)
            add(_pack_field(_tags.CLIENT_CERT, len(f)) + f)
        if proxies:
            for key, url in proxies.items():
                if self._proxies.get(key) == url:
                    continue
                if key == "no_proxy":
                    v = b"" if url is None else _b(url, "no_proxy")
                    add(_pack_field(_tags.NO_PROXY, len(v)) + v)
                elif key in _PROXY_KEYS:
                    f = _strs(key.encode(), b"" if url is None else _proxy_url(url))
                    add(_pack_field(_tags.PROXY, len(f)) + f)
                else:
                    raise ValueError(f"proxies key {key!r}: hsession takes 'http', 'https', 'all' "
                                     "and 'no_proxy'")

    def get(self, url: str | bytes, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return self.request("GET", url, **kwargs)

    def options(self, url: str | bytes, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", True)
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url: str | bytes, **kwargs: Any) -> Response:
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str | bytes, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url: str | bytes, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url: str | bytes, data: Any = None, **kwargs: Any) -> Response:
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url: str | bytes, **kwargs: Any) -> Response:
        return self.request("DELETE", url, **kwargs)


# Tag 27: at the redirect limit the library returns the redirect, so
# TooManyRedirects can carry it (as requests' does).
_AT_LIMIT = _pack_field(_tags.RETURN_AT_REDIRECT_LIMIT, 1) + b"\x01"


def _pack_timeouts(add, timeout):
    c, r = _timeouts(timeout)
    if c >= 0:
        add(_pack_field(_tags.CONNECT_TIMEOUT, 8) + _U64.pack(c))
    if r >= 0:
        add(_pack_field(_tags.READ_TIMEOUT, 8) + _U64.pack(r))


def _check_redirect_limit(session, r):
    """TooManyRedirects, carrying the last redirect response, when the
    library stopped at the limit (tag 27)."""
    if r.status_code in REDIRECT_STATI and len(r.history) >= session._max_redirects and "location" in r.headers:
        r.close()
        raise TooManyRedirects(f"Exceeded {session._max_redirects} redirects.", response=r)


def _proxy_url(url):
    """A proxy URL as requests reads it: without a scheme it is http://;
    without a host it is InvalidProxyURL."""
    text = url.decode("utf-8") if isinstance(url, (bytes, bytearray)) else url
    if not isinstance(text, str):
        raise TypeError(f"proxy URL must be str or bytes, not {type(url).__name__}")
    if "://" not in text and not text.startswith("http:") and not text.startswith("https:"):
        text = "http://" + text
    try:
        host = urlparse(text).hostname
    except ValueError:
        host = None
    if not host:
        raise InvalidProxyURL("Please check proxy URL. It is malformed and could be missing the host.")
    return text.encode("utf-8")


def _auth_callable(auth):
    return auth is not None and not isinstance(auth, tuple) and classify(auth)[0] == "call"


def _library_adapter(adapter):
    """Whether requests sent through adapter go to the library (our
    HTTPAdapter, or requests', with its send() not overridden)."""
    kind = type(adapter)
    return (isinstance(adapter, HTTPAdapter) and kind.send is HTTPAdapter.send) or (
        kind.__name__ == "HTTPAdapter" and kind.__module__ == "requests.adapters")


def _quiet_prepare(session, args):
    """The PreparedRequest of a request that failed, for the exception's
    .request; None when the arguments themselves cannot be prepared."""
    try:
        return session.prepare_request(Request(*args[1:]))
    except Exception:
        return None


def _merged_params(params, session_params):
    """(key, value) pairs: the session's, then the request's; a request key
    (even with None) replaces the session's, as requests' merge_setting. A
    request's params that are not a dict replace the session's entirely."""
    pairs = _pairs(params) if params is not None else []
    if not session_params or (params is not None and not isinstance(params, Mapping)):
        return pairs
    given = set(params) if params is not None else ()
    out = [(k, v) for k, vs in session_params.items() if k not in given for v in vs]
    return out + pairs


def _validate_field(field):
    """Checks a packed field as the library will, by building a request with it."""
    buf = _pack_field(_tags.METHOD, 3) + b"GET" + _pack_field(_tags.URL, 17) + b"http://localhost/" + field
    req = ctypes.c_void_p()
    err = ctypes.c_void_p()
    rc = _lib.request_new_packed(buf, len(buf), ctypes.byref(req), ctypes.byref(err))
    if rc:
        raise_error(rc, err)
    _lib.request_free(req)


def _cert_paths(value):
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError("cert must be a path or a (cert, key) pair")
        return os.fsencode(value[0]), os.fsencode(value[1])
    if isinstance(value, (str, bytes, os.PathLike)):
        p = os.fsencode(value)
        return p, p
    raise TypeError(f"cert must be a path or a (cert, key) pair, not {type(value).__name__}")


def _disk_file(f):
    """The path of a regular file opened for binary reading at its start,
    which the library can stream itself; None for anything else."""
    path = getattr(f, "name", None)
    if not isinstance(path, (str, bytes)) or "b" not in getattr(f, "mode", ""):
        return None
    try:
        if f.tell() != 0 or not os.path.isfile(path):
            return None
    except (OSError, ValueError):
        return None
    return os.fsencode(path)


def _file_field(name, value):
    """A multipart file part: from a file on disk (streamed by the library,
    tag 18) or from bytes in memory (tag 21)."""
    file_name = None
    ctype = b""
    if isinstance(value, (tuple, list)):
        if not 2 <= len(value) <= 4:
            raise ValueError("a files= tuple is (file name, content[, content type[, headers]])")
        file_name = value[0]
        content = value[1]
        if len(value) > 2 and value[2]:
            ctype = _b(value[2], "content type")
    else:
        content = value
    if file_name is None:
        file_name = os.path.basename(getattr(content, "name", "") or "") or name.decode()
    fname = b"" if file_name is None else _b(file_name, "file name")
    path = _disk_file(content)
    if path is not None:
        # Tag 18: every string u32-prefixed, the last one too.
        f = _strs(name, path, fname, ctype, b"")
        return _pack_field(_tags.FORM_FILE, len(f)) + f
    if hasattr(content, "read"):
        content = content.read()
    if isinstance(content, int) and not isinstance(content, bool):
        content = str(content)  # as requests (urllib3) sends a number
    if isinstance(content, str):
        content = content.encode("utf-8")
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"file content must be bytes, str or a file, not {type(content).__name__}")
    f = _pack_u32(len(name)) + name + _pack_u32(len(fname)) + fname + _pack_u32(len(ctype)) + ctype \
        + bytes(content)
    return _pack_field(_tags.FORM_BYTES, len(f)) + f


def session():
    """A new Session (requests.session())."""
    return Session()
