"""The session's cookie jar as a dict-like view, and a response's cookies.

The jar lives in the library (RFC 6265 rules, README "Cookies"); this view
reads it on each access, so it is always what the next request would use.
A cookie set without a domain (`session.cookies["k"] = "v"`, as requests
allows) has no host to belong to in an RFC 6265 jar: the view keeps it and
sends it with every request of the session (packed per-request cookie),
as requests sends its domain-less cookies everywhere.
"""

import ctypes
import os
import threading

from . import _lib
from .exceptions import InvalidArgument

_MISSING = object()


class Cookie:
    """One cookie of the jar (the fields of http.cookiejar.Cookie that apply)."""

    __slots__ = ("name", "value", "domain", "path", "expires", "secure", "http_only", "host_only")

    def __init__(self, name, value, domain="", path="/", expires=None, secure=False, http_only=False,
                 host_only=True):
        self.name = name
        self.value = value
        self.domain = domain
        self.path = path
        self.expires = expires
        self.secure = secure
        self.http_only = http_only
        self.host_only = host_only

    def __repr__(self):
        return f"<Cookie {self.name}={self.value} for {self.domain or '*'}{self.path}>"


def _s(p):
    return p.decode("utf-8", "replace") if p else ""


def _read_list(lst):
    out = []
    name, value, domain, path = (ctypes.c_char_p() for _ in range(4))
    expires = ctypes.c_int64()
    flags = ctypes.c_uint32()
    try:
        for i in range(_lib.cookie_list_count(lst)):
            _lib.cookie_list_at(lst, i, ctypes.byref(name), ctypes.byref(value), ctypes.byref(domain),
                                ctypes.byref(path), ctypes.byref(expires), ctypes.byref(flags))
            f = flags.value
            out.append(Cookie(_s(name.value), _s(value.value), _s(domain.value), _s(path.value),
                              expires.value or None, bool(f & _lib.COOKIE_SECURE),
                              bool(f & _lib.COOKIE_HTTP_ONLY), bool(f & _lib.COOKIE_HOST_ONLY)))
    finally:
        _lib.cookie_list_free(lst)
    return out


_FORMATS = {"netscape": _lib.COOKIE_FILE_NETSCAPE, "cookies.txt": _lib.COOKIE_FILE_NETSCAPE,
            "json": _lib.COOKIE_FILE_JSON}


def _format(fmt, path):
    if fmt is None:
        fmt = "json" if str(path).endswith(".json") else "netscape"
    try:
        return _FORMATS[fmt]
    except KeyError:
        raise ValueError(f"cookie file format must be 'netscape' or 'json', not {fmt!r}") from None


class SessionCookies:
    """`session.cookies`: a dict-like view of the session's jar.

    Iterating yields Cookie objects (as a requests jar does); keys(),
    values(), items(), get(), [] and `in` work on names.
    """

    def __init__(self, session):
        self._session = session
        self._any_host = {}
        self._lock = threading.Lock()

    # -- reading
    def list(self):
        """Every cookie: the jar's (oldest first), then those for any host."""
        from .models import raise_error
        lst = ctypes.c_void_p()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_list, ctypes.byref(lst), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        jar = _read_list(lst)
        return jar + [Cookie(k, v, "", "/", host_only=False) for k, v in self._any_host.items()]

    def for_url(self, url):
        """The cookies (name -> value) a request to url would carry from the jar."""
        from .models import raise_error
        lst = ctypes.c_void_p()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_for_url, url.encode(), ctypes.byref(lst), ctypes.byref(err))
        if rc:
            raise_error(rc, err, url)
        d = {c.name: c.value for c in _read_list(lst)}
        d.update(self._any_host)
        return d

    def __iter__(self):
        return iter(self.list())

    def __len__(self):
        return len(self.list())

    def keys(self):
        return [c.name for c in self.list()]

    def values(self):
        return [c.value for c in self.list()]

    def items(self):
        return [(c.name, c.value) for c in self.list()]

    def get_dict(self, domain=None, path=None):
        return {c.name: c.value for c in self.list()
                if (domain is None or c.domain == domain) and (path is None or c.path == path)}

    def list_domains(self):
        return sorted({c.domain for c in self.list()})

    def get(self, name, default=None, domain=None, path=None):
        for c in self.list():
            if c.name == name and (domain is None or c.domain == domain) and (path is None or c.path == path):
                return c.value
        return default

    def __getitem__(self, name):
        v = self.get(name, _MISSING)
        if v is _MISSING:
            raise KeyError(name)
        return v

    def __contains__(self, name):
        return self.get(name, _MISSING) is not _MISSING

    def __repr__(self):
        return f"<SessionCookies {self.list()!r}>"

    # -- changing
    def set(self, name, value, domain=None, path=None, secure=False, expires=None, http_only=False,
            url=None):
        """Sets a cookie. With domain (or url) it goes into the jar for that
        host (a leading dot: the domain and its subdomains), checked against
        the jar's rules (InvalidArgument when refused); without either it is
        sent to every host. value None deletes the cookie."""
        from .models import raise_error
        if not isinstance(name, str):
            raise TypeError(f"cookie name must be str, not {type(name).__name__}")
        if value is None:
            self._remove(name, domain, path)
            return None
        if not isinstance(value, str):
            raise TypeError(f"cookie value must be str, not {type(value).__name__}")
        if domain is None and url is None:
            if any(ch in name for ch in "=; \t\r\n\0") or any(ch in value for ch in ";\r\n\0"):
                raise InvalidArgument(f"invalid cookie {name!r}={value!r}")
            with self._lock:
                self._any_host[name] = value
            return None
        flags = (_lib.COOKIE_SECURE if secure else 0) | (_lib.COOKIE_HTTP_ONLY if http_only else 0)
        dom_attr = None
        if url is None:
            host = domain.lstrip(".")
            if domain.startswith("."):
                dom_attr = host
            url = f"{'https' if secure else 'http'}://{host}{path or '/'}"
        elif domain is not None:
            dom_attr = domain.lstrip(".")
        if expires is not None:
            expires = int(expires)
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_set_fields, url.encode(), name.encode(), value.encode(),
                                dom_attr.encode() if dom_attr else None,
                                path.encode() if path else None, expires or 0, flags, ctypes.byref(err))
        if rc:
            raise_error(rc, err, url)
        return None

    def set_cookie_header(self, url, set_cookie):
        """Stores a Set-Cookie header value as if url had sent it."""
        from .models import raise_error
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_set, url.encode(), set_cookie.encode(), ctypes.byref(err))
        if rc:
            raise_error(rc, err, url)

    def __setitem__(self, name, value):
        self.set(name, value)

    def _remove(self, name, domain=None, path=None):
        found = False
        with self._lock:
            if domain is None and self._any_host.pop(name, None) is not None:
                found = True
        for c in self.list():
            if c.name == name and c.domain and (domain is None or c.domain == domain.lstrip(".")) \
                    and (path is None or c.path == path):
                rc = self._session._use(_lib.cookies_delete, c.domain.encode(), c.path.encode(),
                                        name.encode(), None)
                found = found or rc == 0
        return found

    def __delitem__(self, name):
        if not self._remove(name):
            raise KeyError(name)

    def pop(self, name, default=_MISSING):
        v = self.get(name, _MISSING)
        if v is _MISSING:
            if default is _MISSING:
                raise KeyError(name)
            return default
        self._remove(name)
        return v

    def update(self, other=(), **kwargs):
        items = other.items() if hasattr(other, "items") else other
        for k, v in list(items) + list(kwargs.items()):
            if hasattr(v, "domain") and hasattr(v, "value") and not isinstance(v, str):
                self.set(v.name, v.value, domain=v.domain or None, path=v.path, secure=v.secure,
                         expires=v.expires)
            else:
                self.set(k, v)

    def clear(self, domain=None, path=None, name=None):
        """Deletes every cookie (or those of domain / path / name, as requests' jar.clear)."""
        if domain is None and path is None and name is None:
            with self._lock:
                self._any_host.clear()
            self._session._use(_lib.cookies_clear)
            return
        for c in self.list():
            if (domain is None or c.domain == domain.lstrip(".")) and (path is None or c.path == path) \
                    and (name is None or c.name == name):
                self._remove(c.name, c.domain or None, c.path if c.domain else None)

    # -- files
    def save(self, path, format=None):
        """Saves the jar to path (format 'netscape' cookies.txt, or 'json';
        by default json for *.json); written atomically with mode 0600.
        Cookies for any host (no domain) are not saved. Returns the count."""
        from .models import raise_error
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_save, os.fsencode(path), _format(format, path),
                                ctypes.byref(n), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        return n.value

    def load(self, path, format=None):
        """Adds the cookies of the file at path to the jar; returns the count stored."""
        from .models import raise_error
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_load, os.fsencode(path), _format(format, path),
                                ctypes.byref(n), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        return n.value

    def _request_cookies(self):
        return self._any_host


def cookies_from_response(resp):
    """name -> value of the cookies a response set (its Set-Cookie headers)."""
    out = {}
    for v in resp._set_cookies():
        pair = v.split(";", 1)[0]
        name, sep, value = pair.partition("=")
        if sep:
            out[name.strip()] = value.strip()
    return out
