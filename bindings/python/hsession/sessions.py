"""Session: requests.Session's API over one hsession handle.

Every setting maps to a C setter when it is set (headers, auth, params,
proxies, verify, cert, trust_env, max_redirects); the Python attributes are
views of what the library holds. A request is packed into one buffer
(README "Packed requests") and sent with one call; the response comes back
with one more, so a request costs two foreign calls and one free.
"""

import ctypes
import json as _json
import math
import os
import struct
import threading
import weakref
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode

from . import _lib
from .adapters import HTTPAdapter, pack_retry
from .auth import classify
from .cookies import SessionCookies
from .exceptions import (InvalidHeader, InvalidJSONError, InvalidProxyURL, InvalidURL, MissingSchema, RequestException)
from .models import Response, raise_error
from .structures import CaseInsensitiveDict

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


class SessionClosed(RequestException):
    """The session was closed."""


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
    """(connect ms, read ms) of a requests timeout argument (0 = no limit)."""
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
    if "://" not in url:
        raise MissingSchema(f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?")
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
    """session.params: every change re-sends the whole list to the library."""

    def __init__(self, session, initial=None):
        super().__init__()
        self._session = session
        if initial:
            self.update(initial)

    def _sync(self):
        pairs = _pairs(dict(self))
        s = self._session
        s._use(_lib.clear_query_params)
        for k, v in pairs:
            s._check(_lib.add_query_param, k.encode(), v.encode())

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
                s._check(_lib.set_proxy, key.encode(), None if url is None else _b(url, "proxy URL"))
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


class Session:
    """A persistent, thread-safe HTTP session with requests.Session's API.

    Unlike requests.Session, one Session may be shared by any number of
    threads; its settings apply to requests started after they are set.
    """

    __attrs__ = ["headers", "cookies", "auth", "proxies", "params", "verify", "cert", "adapters",
                 "stream", "trust_env", "max_redirects"]

    def __init__(self):
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
        self.stream = False
        self.hooks = {"response": []}
        self._cookies = SessionCookies(self)
        self.adapters = {}
        self._retry_by_prefix = []  # (prefix lower-cased, packed tag-20 field or None), longest first
        self.mount("https://", HTTPAdapter())
        self.mount("http://", HTTPAdapter())
        _SESSIONS.add(self)

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

    def close(self):
        """Closes the session: its pool is released once requests in flight
        (from other threads) have returned. Later requests raise SessionClosed."""
        with self._guard:
            if self._closed:
                return
            self._closed = True
            if self._inflight == 0 and self._h:
                h, self._h = self._h, None
                _lib.free(h)

    def __enter__(self):
        return self

    def __exit__(self, *args):
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
        """The session's cookie jar (a view of the library's jar)."""
        return self._cookies

    @cookies.setter
    def cookies(self, value):
        # requests allows replacing the jar: here its contents replace the jar's.
        if value is self._cookies:
            return
        self._cookies.clear()
        if value is not None:
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
            else:
                self._check(_lib.set_bearer_auth, kind[1].encode())
        self._auth = auth

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

    def set_timeout(self, timeout, total=_UNSET):
        """Default timeout for every request: a number (connect and read) or
        a (connect, read) tuple, None for no limit; `total` bounds a whole
        request, body included (None: no limit). hsession's defaults are
        finite: connect 10 s, read 30 s, total 300 s."""
        c, r = _timeouts(timeout)
        t = None if total is _UNSET else _timeout_ms(total, "total")
        self._use(_lib.set_connect_timeout_ms, c)
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

    def mount(self, prefix, adapter):
        """Uses adapter's retry policy (max_retries) for URLs starting with
        prefix; the longest matching prefix wins, as in requests."""
        retries = getattr(adapter, "max_retries", None)
        field = None
        if retries is not None:
            if isinstance(retries, int):
                from .adapters import Retry
                retries = Retry(retries, read=False) if retries == 0 else Retry(retries)
            payload = pack_retry(retries)
            default = (retries.total == 0 and not retries.status_forcelist)
            # The library's default is no retries: skip the field then.
            field = None if default else _pack_field(20, len(payload)) + payload
            if field is not None:
                _validate_field(field)  # a bad policy fails here, not on every request
        self.adapters[prefix] = adapter
        keys = sorted(self.adapters, key=len, reverse=True)
        self.adapters = {k: self.adapters[k] for k in keys}
        entries = [(p, f) for p, f in self._retry_by_prefix if p != prefix.lower()]
        entries.append((prefix.lower(), field))
        entries.sort(key=lambda e: len(e[0]), reverse=True)
        self._retry_by_prefix = entries

    def get_adapter(self, url):
        for prefix, adapter in self.adapters.items():
            if url.lower().startswith(prefix.lower()):
                return adapter
        raise InvalidURL(f"No connection adapters were found for {url!r}")

    # -- counters
    @property
    def requests_sent(self):
        return self._use(_lib.requests_sent)

    @property
    def connections_opened(self):
        return self._use(_lib.connections_opened)

    # -- requests
    def request(self, method, url, params=None, data=None, headers=None, cookies=None, files=None,
                auth=None, timeout=None, allow_redirects=True, proxies=None, hooks=None, stream=None,
                verify=None, cert=None, json=None):
        """Sends a request and returns a Response (see requests.Session.request).

        timeout None uses the session's timeouts (finite by default)."""
        if not isinstance(method, (str, bytes)):
            raise TypeError(f"method must be str, not {type(method).__name__}")
        if isinstance(method, bytes):
            method = method.decode("utf-8")
        url = _url_text(url)
        if stream is None:
            stream = self.stream
        buf = self._pack(method.upper(), url, params, data, headers, cookies, files, auth, timeout,
                         allow_redirects, proxies, stream, verify, cert, json)
        o = _request_outs()
        h = self._acquire()
        try:
            rc = _request_packed(h, buf, len(buf), o[2], o[3])
        finally:
            self._release()
        if rc:
            raise_error(rc, o[1].value, url)
        r = Response._from_handle(o[0].value, stream)
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
        out = [_pack_field(1, len(m)), m, _pack_field(2, len(u)), u]
        add = out.append
        has_ct = False
        if headers:
            items = headers.items() if hasattr(headers, "items") else headers
            for name, value in items:
                n = _header_part(name, name, "name")
                if value is None:
                    add(_pack_field(4, len(n)) + n)
                    continue
                v = _header_part(value, name, "value")
                if n.lower() == b"content-type":
                    has_ct = True
                f = _strs(n, v)
                add(_pack_field(3, len(f)) + f)
        if params is not None:
            for k, v in _pairs(params):
                f = _strs(k.encode(), v.encode())
                add(_pack_field(5, len(f)) + f)
        body, ctype = self._body(data, files, json, out)
        if body is not None:
            add(_pack_field(6, len(body)))
            add(body)
        if ctype is not None and not has_ct:
            f = _strs(b"Content-Type", ctype)
            add(_pack_field(3, len(f)) + f)
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
                add(_pack_field(7, len(f)) + f)
        if auth is not None:
            kind = classify(auth)
            if kind[0] == "basic":
                f = _strs(kind[1].encode(), kind[2].encode())
                add(_pack_field(8, len(f)) + f)
            else:
                t = kind[1].encode()
                add(_pack_field(9, len(t)) + t)
        if timeout is not None:
            c, r = _timeouts(timeout)
            add(_pack_field(11, 8) + _U64.pack(c))
            add(_pack_field(12, 8) + _U64.pack(r))
        if not allow_redirects:
            add(_pack_field(14, 4) + _pack_u32(0))
        if stream:
            add(_pack_field(16, 1) + b"\x01")
        lower = url.lower()
        for prefix, field in self._retry_by_prefix:
            if lower.startswith(prefix):
                if field is not None:
                    add(field)
                break
        if verify is not None or cert is not None or proxies:
            self._pack_transport(out, verify, cert, proxies)
        return b"".join(out)

    def _body(self, data, files, json, out):
        """(body bytes or None, content type or None); multipart parts go to out."""
        if files:
            if data is not None and not isinstance(data, (Mapping, list, tuple)):
                raise ValueError("data must be a dict or a list of pairs when files are given")
            for k, v in _pairs(data):
                f = _strs(k.encode(), v.encode())
                out.append(_pack_field(17, len(f)) + f)
            items = files.items() if isinstance(files, Mapping) else files
            for name, value in items:
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
                    out.append(_pack_field(19, len(path)) + path)
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

    def _pack_transport(self, out, verify, cert, proxies):
        """Per-request TLS and proxy settings, where they differ from the session's."""
        add = out.append
        if verify is not None and verify != self._verify:
            if isinstance(verify, (str, bytes, os.PathLike)):
                p = os.fsencode(verify)
                add(_pack_field(22, 1) + b"\x01")
                add(_pack_field(23, len(p)) + p)
            elif isinstance(verify, bool):
                add(_pack_field(22, 1) + (b"\x01" if verify else b"\x00"))
                if verify:
                    add(_pack_field(23, 0))
            else:
                raise TypeError(f"verify must be True, False or a CA bundle path, not {verify!r}")
        if cert is not None and cert != self._cert:
            c, k = _cert_paths(cert)
            f = _strs(c, k)
            add(_pack_field(24, len(f)) + f)
        if proxies:
            for key, url in proxies.items():
                if self._proxies.get(key) == url:
                    continue
                if key == "no_proxy":
                    v = b"" if url is None else _b(url, "no_proxy")
                    add(_pack_field(26, len(v)) + v)
                elif key in _PROXY_KEYS:
                    f = _strs(key.encode(), b"" if url is None else _b(url, "proxy URL"))
                    add(_pack_field(25, len(f)) + f)
                else:
                    raise ValueError(f"proxies key {key!r}: hsession takes 'http', 'https', 'all' "
                                     "and 'no_proxy'")

    def get(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", True)
        return self.request("GET", url, **kwargs)

    def options(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", True)
        return self.request("OPTIONS", url, **kwargs)

    def head(self, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        return self.request("HEAD", url, **kwargs)

    def post(self, url, data=None, json=None, **kwargs):
        return self.request("POST", url, data=data, json=json, **kwargs)

    def put(self, url, data=None, **kwargs):
        return self.request("PUT", url, data=data, **kwargs)

    def patch(self, url, data=None, **kwargs):
        return self.request("PATCH", url, data=data, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)


def _validate_field(field):
    """Checks a packed field as the library will, by building a request with it."""
    buf = _pack_field(1, 3) + b"GET" + _pack_field(2, 17) + b"http://localhost/" + field
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
        return _pack_field(18, len(f)) + f
    if hasattr(content, "read"):
        content = content.read()
    if isinstance(content, str):
        content = content.encode("utf-8")
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"file content must be bytes, str or a file, not {type(content).__name__}")
    f = _pack_u32(len(name)) + name + _pack_u32(len(fname)) + fname + _pack_u32(len(ctype)) + ctype \
        + bytes(content)
    return _pack_field(21, len(f)) + f


def session():
    """A new Session (requests.session())."""
    return Session()
