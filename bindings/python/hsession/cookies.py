"""The session's cookie jar as a dict-like view, and a response's cookies.

The jar lives in the library (RFC 6265 rules, docs/behaviour.md, "Cookies"); this view
reads it on each access, so it is always what the next request would use.
A cookie set without a domain (`session.cookies["k"] = "v"`, as requests
allows) has no host to belong to in an RFC 6265 jar: the view keeps it and
sends it with every request of the session (packed per-request cookie),
as requests sends its domain-less cookies everywhere.
"""

import calendar as _calendar
import copy as _copy
import ctypes
import os
import threading
import time as _time
import urllib.request as _urlreq
from collections.abc import MutableMapping as _MutableMapping
from http import cookiejar as _cookielib
from http.client import HTTPMessage as _HTTPMessage
from http.cookies import Morsel as _Morsel

from . import _lib
from .exceptions import InvalidArgument, raise_error

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
            v = _s(value.value)
            if v[:1] == '"' and v[-1:] == '"':
                v = v.replace('\\"', "")  # escaped quotes inside a quoted value, as requests' jar stores it
            out.append(Cookie(_s(name.value), v, _s(domain.value), _s(path.value),
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
        lst = ctypes.c_void_p()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_list, ctypes.byref(lst), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        jar = _read_list(lst)
        return jar + [Cookie(k, v, "", "/", host_only=False) for k, v in self._any_host.items()]

    def for_url(self, url):
        """The cookies (name -> value) a request to url would carry from the jar."""
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
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_save, os.fsencode(path), _format(format, path),
                                ctypes.byref(n), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        return n.value

    def load(self, path, format=None):
        """Adds the cookies of the file at path to the jar; returns the count stored."""
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        rc = self._session._use(_lib.cookies_load, os.fsencode(path), _format(format, path),
                                ctypes.byref(n), ctypes.byref(err))
        if rc:
            raise_error(rc, err)
        return n.value

    def _request_cookies(self):
        return self._any_host

    def set_cookie(self, cookie, *args, **kwargs):
        """Stores an http.cookiejar.Cookie (or a Cookie of this module), as a jar's set_cookie."""
        self.set(cookie.name, cookie.value, domain=cookie.domain or None,
                 path=cookie.path if cookie.domain else None, secure=bool(cookie.secure),
                 expires=cookie.expires)

    def list_paths(self):
        return sorted({c.path for c in self.list()})

    def multiple_domains(self):
        domains = [c.domain for c in self.list()]
        return len(domains) != len(set(domains))

    def to_jar(self):
        """A RequestsCookieJar holding a copy of every cookie."""
        jar = RequestsCookieJar()
        for c in self.list():
            jar.set_cookie(create_cookie(c.name, c.value, domain=c.domain, path=c.path or "/",
                                         secure=c.secure, expires=c.expires,
                                         rest={"HttpOnly": "" if c.http_only else None}))
        return jar

    def copy(self):
        return self.to_jar()

    def get_policy(self):
        from http.cookiejar import DefaultCookiePolicy
        return DefaultCookiePolicy()


# -- requests.cookies: a cookie jar in Python (http.cookiejar), for the
# cookies of a response, a request's `cookies=` and a PreparedRequest.


class CookieConflictError(RuntimeError):
    """More than one cookie of that name matches: give a domain and path."""


def create_cookie(name, value, **kwargs):
    """An http.cookiejar.Cookie with requests' defaults (domain "", path "/",
    a session cookie)."""
    result = {"version": 0, "name": name, "value": value, "port": None, "domain": "", "path": "/",
              "secure": False, "expires": None, "discard": True, "comment": None, "comment_url": None,
              "rest": {"HttpOnly": None}, "rfc2109": False}
    bad = set(kwargs) - set(result)
    if bad:
        raise TypeError(f"create_cookie() got unexpected keyword arguments: {list(bad)}")
    result.update(kwargs)
    result["port_specified"] = bool(result["port"])
    result["domain_specified"] = bool(result["domain"])
    result["domain_initial_dot"] = result["domain"].startswith(".")
    result["path_specified"] = bool(result["path"])
    return _cookielib.Cookie(**result)


def morsel_to_cookie(morsel):
    """An http.cookiejar.Cookie from an http.cookies.Morsel."""
    expires = None
    if morsel["max-age"]:
        try:
            expires = int(_time.time() + int(morsel["max-age"]))
        except ValueError:
            raise TypeError(f"max-age: {morsel['max-age']} must be integer") from None
    elif morsel["expires"]:
        expires = _calendar.timegm(_time.strptime(morsel["expires"], "%a, %d-%b-%Y %H:%M:%S GMT"))
    return create_cookie(comment=morsel["comment"], comment_url=bool(morsel["comment"]), discard=False,
                         domain=morsel["domain"], expires=expires, name=morsel.key, path=morsel["path"],
                         port=None, rest={"HttpOnly": morsel["httponly"]}, rfc2109=False,
                         secure=bool(morsel["secure"]), value=morsel.value, version=morsel["version"] or 0)


class RequestsCookieJar(_cookielib.CookieJar, _MutableMapping):
    """requests' cookie jar: an http.cookiejar.CookieJar that is also a
    dict of name -> value (CookieConflictError when a name is ambiguous)."""

    def get(self, name, default=None, domain=None, path=None):
        try:
            return self._find_no_duplicates(name, domain, path)
        except KeyError:
            return default

    def set(self, name, value, **kwargs):
        if value is None:
            remove_cookie_by_name(self, name, domain=kwargs.get("domain"), path=kwargs.get("path"))
            return None
        c = morsel_to_cookie(value) if isinstance(value, _Morsel) else create_cookie(name, value, **kwargs)
        self.set_cookie(c)
        return c

    def iterkeys(self):
        for cookie in iter(self):
            yield cookie.name

    def keys(self):
        return list(self.iterkeys())

    def itervalues(self):
        for cookie in iter(self):
            yield cookie.value

    def values(self):
        return list(self.itervalues())

    def iteritems(self):
        for cookie in iter(self):
            yield cookie.name, cookie.value

    def items(self):
        return list(self.iteritems())

    def list_domains(self):
        domains = []
        for cookie in iter(self):
            if cookie.domain not in domains:
                domains.append(cookie.domain)
        return domains

    def list_paths(self):
        paths = []
        for cookie in iter(self):
            if cookie.path not in paths:
                paths.append(cookie.path)
        return paths

    def multiple_domains(self):
        domains = []
        for cookie in iter(self):
            if cookie.domain is not None and cookie.domain in domains:
                return True
            domains.append(cookie.domain)
        return False

    def get_dict(self, domain=None, path=None):
        return {c.name: c.value for c in iter(self)
                if (domain is None or c.domain == domain) and (path is None or c.path == path)}

    def __contains__(self, name):
        try:
            return super().__contains__(name)
        except CookieConflictError:
            return True

    def __getitem__(self, name):
        return self._find_no_duplicates(name)

    def __setitem__(self, name, value):
        self.set(name, value)

    def __delitem__(self, name):
        remove_cookie_by_name(self, name)

    def set_cookie(self, cookie, *args, **kwargs):
        # A value quoted with escaped quotes is stored unescaped, as requests does.
        if hasattr(cookie.value, "startswith") and cookie.value.startswith('"') and cookie.value.endswith('"'):
            cookie.value = cookie.value.replace('\\"', "")
        return super().set_cookie(cookie, *args, **kwargs)

    def update(self, other):
        if isinstance(other, _cookielib.CookieJar):
            for cookie in other:
                self.set_cookie(_copy.copy(cookie))
        else:
            super().update(other)

    def _find(self, name, domain=None, path=None):
        for cookie in iter(self):
            if cookie.name == name and (domain is None or cookie.domain == domain) \
                    and (path is None or cookie.path == path):
                return cookie.value
        raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")

    def _find_no_duplicates(self, name, domain=None, path=None):
        found = None
        for cookie in iter(self):
            if cookie.name == name and (domain is None or cookie.domain == domain) \
                    and (path is None or cookie.path == path):
                if found is not None:
                    raise CookieConflictError(f"There are multiple cookies with name, {name!r}")
                found = cookie.value
        if found is None:
            raise KeyError(f"name={name!r}, domain={domain!r}, path={path!r}")
        return found

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_cookies_lock")  # a lock cannot be pickled
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if "_cookies_lock" not in self.__dict__:
            import threading
            self._cookies_lock = threading.RLock()

    def copy(self):
        new = RequestsCookieJar()
        new.set_policy(self.get_policy())
        new.update(self)
        return new

    def get_policy(self):
        return self._policy


def remove_cookie_by_name(cookiejar, name, domain=None, path=None):
    """Deletes the cookies of that name (and domain, path) from a jar."""
    doomed = [(c.domain, c.path, c.name) for c in cookiejar
              if c.name == name and (domain is None or domain == c.domain) and (path is None or path == c.path)]
    for d, p, n in doomed:
        cookiejar.clear(d, p, n)


def cookiejar_from_dict(cookie_dict, cookiejar=None, overwrite=True):
    """A RequestsCookieJar (or `cookiejar`) holding the cookies of a dict."""
    if cookiejar is None:
        cookiejar = RequestsCookieJar()
    if cookie_dict is not None:
        names = [c.name for c in cookiejar]
        for name in cookie_dict:
            if overwrite or name not in names:
                cookiejar.set_cookie(create_cookie(name, cookie_dict[name]))
    return cookiejar


def merge_cookies(cookiejar, cookies):
    """Adds a dict's or a jar's cookies to cookiejar."""
    if not isinstance(cookiejar, _cookielib.CookieJar):
        raise ValueError("You can only merge into CookieJar")
    if isinstance(cookies, dict):
        cookiejar = cookiejar_from_dict(cookies, cookiejar=cookiejar, overwrite=False)
    elif isinstance(cookies, _cookielib.CookieJar):
        try:
            cookiejar.update(cookies)
        except AttributeError:
            for c in cookies:
                cookiejar.set_cookie(c)
    return cookiejar


def get_cookie_header(jar, request):
    """The Cookie header `jar` gives a request to request.url (None if none)."""
    try:
        r = _urlreq.Request(request.url, headers=dict(request.headers or {}))
    except ValueError:
        return None  # not an absolute URL: no cookies belong to it
    jar.add_cookie_header(r)
    return r.get_header("Cookie")


class _HeadersResponse:
    """What http.cookiejar reads from a response: info() with its headers."""

    def __init__(self, set_cookies):
        self._msg = _HTTPMessage()
        for v in set_cookies:
            self._msg["Set-Cookie"] = v

    def info(self):
        return self._msg


def extract_cookies_to_jar(jar, request, response):
    """Stores in jar the cookies response set, as if for request."""
    values = response._set_cookies() if hasattr(response, "_set_cookies") else []
    if not values:
        return
    url = getattr(request, "url", None) or response.url
    try:
        req = _urlreq.Request(url)
    except ValueError:
        return  # not an absolute URL: no host to store the cookies for
    jar.extract_cookies(_HeadersResponse(values), req)
