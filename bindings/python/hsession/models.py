"""Request, PreparedRequest and Response, with the attributes and methods
of requests.models' classes."""

from __future__ import annotations

import ctypes
import datetime
import io
import json as _json
import re
import socket
import struct
import threading
import weakref
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit  # noqa: F401 (requests.models exports urlencode)

from . import _lib
from ._prepare import (encode_files, encode_params, get_auth_from_url, join_url, requote_uri, split_url,
                       super_len)
from .exceptions import (ChunkedEncodingError, HTTPError, InvalidHeader, InvalidJSONError, InvalidURL,
                         JSONDecodeError, MissingSchema, RequestException, StreamConsumedError,
                         exception_for, raise_error)  # noqa: F401 (exception_for: models' old name)
from ._redirects import hop_requests
from .cookies import RequestsCookieJar, cookiejar_from_dict, extract_cookies_to_jar, get_cookie_header
from .hooks import default_hooks
from .structures import CaseInsensitiveDict

REDIRECT_STATI = (301, 302, 303, 307, 308)
DEFAULT_REDIRECT_LIMIT = 30

_U32 = struct.Struct("<I")
_HEAD = struct.Struct("<IQI")
_unpack_u32 = _U32.unpack_from

CONTENT_CHUNK_SIZE = 10 * 1024
ITER_CHUNK_SIZE = 512


_string_at = ctypes.string_at
_tls = threading.local()


def _outs():
    """This thread's out-parameters for hsession_response_packed (made once
    per thread: allocating them per call costs more than the call)."""
    try:
        return _tls.outs
    except AttributeError:
        v = (ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_void_p(), ctypes.c_size_t())
        _tls.outs = o = v + tuple(ctypes.byref(x) for x in v)
        return o


def _str(head, off):
    n = _unpack_u32(head, off)[0]
    off += 4
    return head[off:off + n].decode("utf-8", "replace"), off + n


_PHASES = struct.Struct("<6QBq")


def _addr(head, off):
    """A packed address: (host, port) or None, and the offset after it."""
    family = head[off]
    if family == 0:
        return None, off + 1
    n = 4 if family == 4 else 16
    raw = head[off + 1:off + 1 + n]
    host = socket.inet_ntop(socket.AF_INET if family == 4 else socket.AF_INET6, raw)
    (port,) = struct.unpack_from("<H", head, off + 1 + n)
    return (host, port), off + 3 + n


class Timings:
    """One exchange's timings and connection (``Response.timings``).

    The phases are seconds from when the exchange was sent (the request's
    start, or for the exchange after a redirect, when the redirect was
    answered) to when each ended, in order: ``queued`` (handed to the pool),
    ``dns``, ``connect``, ``tls``, ``first_byte`` (the response head) and
    ``total`` (the body read). A phase that did not happen (no DNS for an IP
    address, no connect on a reused connection, no TLS over http) ends where
    the one before it ended. ``reused`` says whether the connection came
    from the pool, ``idle`` how long it had been unused (seconds, None when
    new or not known); ``local_addr`` and ``remote_addr`` are (host, port);
    ``tls_version`` ("TLSv1.3"), ``tls_cipher`` and ``http_version`` are
    strings or None.
    """

    __slots__ = ("queued", "dns", "connect", "tls", "first_byte", "total", "reused", "idle",
                 "local_addr", "remote_addr", "tls_version", "tls_cipher", "http_version")

    def as_dict(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __repr__(self):
        return "<Timings %s>" % " ".join("%s=%r" % kv for kv in self.as_dict().items())


def _skip_str(head, off):
    return off + 4 + _unpack_u32(head, off)[0]


def _skip_pairs(head, off):
    (n,) = _unpack_u32(head, off)
    off += 4
    for _ in range(2 * n):
        off = _skip_str(head, off)
    return off


def _parse_timings(head, off):
    t = Timings()
    q, d, c, s, f, total, reused, idle = _PHASES.unpack_from(head, off)
    off += _PHASES.size
    t.queued, t.dns, t.connect, t.tls, t.first_byte, t.total = (x / 1e6 for x in (q, d, c, s, f, total))
    t.reused = bool(reused)
    t.idle = idle / 1e6 if reused and idle >= 0 else None
    t.local_addr, off = _addr(head, off)
    t.remote_addr, off = _addr(head, off)
    t.tls_version, off = _str(head, off)
    t.tls_cipher, off = _str(head, off)
    t.http_version, off = _str(head, off)
    t.tls_version = t.tls_version or None
    t.tls_cipher = t.tls_cipher or None
    t.http_version = t.http_version or None
    return t, off


def _parse_links(value):
    """[{'url': ..., 'rel': ..., ...}] of a Link header value."""
    links = []
    for part in value.split(", <") if value else ():
        url, _, params = part.partition(">")
        link = {"url": url.strip(" <'\"")}
        for param in params.split(";"):
            key, sep, val = param.partition("=")
            if sep:
                link[key.strip(" '\"")] = val.strip(" '\"")
        links.append(link)
    return links


def _strip_eol(line):
    return line.rstrip("\r\n") if isinstance(line, str) else line.rstrip(b"\r\n")


def _charset(content_type):
    # The charset parameter of a Content-Type value, as requests reads it.
    for param in content_type.split(";")[1:]:
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip("'\"")
    return None


# A header name: no leading whitespace or colon, no colon, CR or LF; a
# value: empty, or no leading whitespace and no CR or LF.
_HEADER_NAME = re.compile(r"^[^:\s][^:\r\n]*$")
_HEADER_VALUE = re.compile(r"^\S[^\r\n]*$|^$")
_HEADER_NAME_B = re.compile(rb"^[^:\s][^:\r\n]*$")
_HEADER_VALUE_B = re.compile(rb"^\S[^\r\n]*$|^$")


def check_header_validity(header):
    """InvalidHeader for a name or value that is not str/bytes, or breaks
    the rules above (requests.utils.check_header_validity)."""
    for i, part in enumerate(header):
        if isinstance(part, str):
            ok = (_HEADER_NAME, _HEADER_VALUE)[i].match(part)
        elif isinstance(part, bytes):
            ok = (_HEADER_NAME_B, _HEADER_VALUE_B)[i].match(part)
        else:
            raise InvalidHeader(f"Header part ({part!r}) from {header} must be of type str or bytes, "
                                f"not {type(part)}")
        if not ok:
            kind = "name" if i == 0 else "value"
            raise InvalidHeader(f"Invalid leading whitespace, reserved character(s), or return "
                                f"character(s) in header {kind}: {part!r}")


class RequestHooksMixin:
    def register_hook(self, event, hook):
        """Adds a hook (or an iterable of hooks) for event."""
        if event not in self.hooks:
            raise ValueError(f'Unsupported event specified, with event name "{event}"')
        if callable(hook):
            self.hooks[event].append(hook)
        elif hasattr(hook, "__iter__"):
            self.hooks[event].extend(h for h in hook if callable(h))

    def deregister_hook(self, event, hook):
        """Removes a hook; True if it was registered."""
        try:
            self.hooks[event].remove(hook)
            return True
        except ValueError:
            return False


class Request(RequestHooksMixin):
    """A request as the caller describes it (requests.Request); prepare()
    turns it into the PreparedRequest that is sent."""

    def __init__(self, method=None, url=None, headers=None, files=None, data=None, params=None, auth=None,
                 cookies=None, hooks=None, json=None):
        data = [] if data is None else data
        files = [] if files is None else files
        headers = {} if headers is None else headers
        params = {} if params is None else params
        hooks = {} if hooks is None else hooks
        self.hooks = default_hooks()
        for k, v in list(hooks.items()):
            self.register_hook(event=k, hook=v)
        self.method = method
        self.url = url
        self.headers = headers
        self.files = files
        self.data = data
        self.json = json
        self.params = params
        self.auth = auth
        self.cookies = cookies

    def __repr__(self):
        return f"<Request [{self.method}]>"

    def prepare(self):
        p = PreparedRequest()
        p.prepare(method=self.method, url=self.url, headers=self.headers, files=self.files, data=self.data,
                  json=self.json, params=self.params, auth=self.auth, cookies=self.cookies, hooks=self.hooks)
        return p


class PreparedRequest(RequestHooksMixin):
    """The exact request to send: method, URL (with its query), headers and
    body (requests.PreparedRequest). Session.send() sends one."""

    def __init__(self):
        self.method = None
        self.url = None
        self.headers = None
        self._cookies = None
        self.body = None
        self.hooks = default_hooks()
        self._body_position = None
        # The Cookie header prepare_cookies made, and the request's own
        # cookies: send() lets the library recompute jar cookies per hop
        # while the header is still the one made here.
        self._hs_cookie_header = None
        self._hs_digest = None  # (user, password) set by HTTPDigestAuth

    def prepare(self, method=None, url=None, headers=None, files=None, data=None, params=None, auth=None,
                cookies=None, hooks=None, json=None):
        self.prepare_method(method)
        self.prepare_url(url, params)
        self.prepare_headers(headers)
        self.prepare_cookies(cookies)
        self.prepare_body(data, files, json)
        self.prepare_auth(auth, url)
        self.prepare_hooks(hooks)

    def __repr__(self):
        return f"<PreparedRequest [{self.method}]>"

    def copy(self):
        p = PreparedRequest()
        p.method = self.method
        p.url = self.url
        p.headers = self.headers.copy() if self.headers is not None else None
        p._cookies = _copy_jar(self._cookies)
        p.body = self.body
        p.hooks = self.hooks
        p._body_position = self._body_position
        p._hs_cookie_header = self._hs_cookie_header
        p._hs_digest = self._hs_digest
        return p

    def prepare_method(self, method):
        self.method = method
        if self.method is not None:
            m = self.method
            self.method = (m.decode("utf-8") if isinstance(m, bytes) else m).upper()

    def prepare_url(self, url, params):
        if isinstance(url, bytes):
            url = url.decode("utf8")
        else:
            url = str(url)
        url = url.lstrip()
        # Not http(s) (e.g. "localhost:3128"): kept as it is; sending it
        # finds no adapter (InvalidSchema), as in requests.
        if ":" in url and not url.lower().startswith("http"):
            self.url = url
            return
        scheme, netloc, path, query, fragment, host = split_url(url)
        if not scheme:
            raise MissingSchema(f"Invalid URL {url!r}: No scheme supplied. Perhaps you meant https://{url}?")
        if not host:
            raise InvalidURL(f"Invalid URL {url!r}: No host supplied")
        if not host.isascii():
            netloc = netloc.replace(host, _idna_host(host))
        elif host.startswith(("*", ".")):
            raise InvalidURL("URL has an invalid label.")
        elif scheme.lower() in ("http", "https"):
            netloc = netloc.replace(host, host.lower())
        if not path:
            path = "/"
        if isinstance(params, bytes):
            params = params.decode("utf-8")
        enc = encode_params(params)
        if enc:
            query = f"{query}&{enc}" if query else enc
        self.url = requote_uri(join_url(scheme.lower(), netloc, path, query, fragment))

    def prepare_headers(self, headers):
        self.headers = CaseInsensitiveDict()
        if headers:
            for header in headers.items():
                check_header_validity(header)
                name, value = header
                self.headers[name.decode("utf-8") if isinstance(name, bytes) else name] = value

    def prepare_body(self, data, files, json=None):
        body = None
        content_type = None
        if not data and json is not None:
            content_type = "application/json"
            try:
                body = _json.dumps(json, allow_nan=False)
            except ValueError as ve:
                raise InvalidJSONError(ve, request=self) from None
            if not isinstance(body, bytes):
                body = body.encode("utf-8")
        is_stream = hasattr(data, "__iter__") and not isinstance(data, (str, bytes, list, tuple, Mapping))
        if is_stream:
            try:
                length = super_len(data)
            except (TypeError, AttributeError, OSError):
                length = None
            body = data
            if getattr(body, "tell", None) is not None:
                try:
                    self._body_position = body.tell()
                except OSError:
                    self._body_position = object()
            if files:
                raise NotImplementedError("Streamed bodies and files are mutually exclusive.")
            if length:
                self.headers["Content-Length"] = str(length)
            else:
                self.headers["Transfer-Encoding"] = "chunked"
        else:
            if files:
                body, content_type = encode_files(files, data)
            elif data:
                body = encode_params(data)
                if isinstance(data, (str, bytes)) or hasattr(data, "read"):
                    content_type = None
                else:
                    content_type = "application/x-www-form-urlencoded"
            self.prepare_content_length(body)
            if content_type and "content-type" not in self.headers:
                self.headers["Content-Type"] = content_type
        self.body = body

    def prepare_content_length(self, body):
        if body is not None:
            length = super_len(body)
            if length:
                self.headers["Content-Length"] = str(length)
        elif self.method not in ("GET", "HEAD") and self.headers.get("Content-Length") is None:
            self.headers["Content-Length"] = "0"

    def prepare_auth(self, auth, url=""):
        if auth is None:
            url_auth = get_auth_from_url(self.url)
            auth = url_auth if any(url_auth) else None
        if auth:
            if isinstance(auth, tuple) and len(auth) == 2:
                from .auth import HTTPBasicAuth
                auth = HTTPBasicAuth(*auth)
            r = auth(self)
            self.__dict__.update(r.__dict__)
            self.prepare_content_length(self.body)

    def prepare_cookies(self, cookies):
        from http.cookiejar import CookieJar
        self._cookies = cookies if isinstance(cookies, CookieJar) else cookiejar_from_dict(cookies)
        header = get_cookie_header(self._cookies, self)
        if header is not None:
            self.headers["Cookie"] = header
        self._hs_cookie_header = header

    def prepare_hooks(self, hooks):
        for event in hooks or []:
            self.register_hook(event, hooks[event])

    @property
    def path_url(self):
        p = urlsplit(self.url)
        return (p.path or "/") + ("?" + p.query if p.query else "")


def _urllib3_error(e):
    """requests' exception for a urllib3 one raised by a raw body (an
    adapter's urllib3 response); None for anything else."""
    kind = type(e)
    if not kind.__module__.startswith("urllib3"):
        return None
    from .exceptions import ConnectionError, ContentDecodingError, SSLError
    names = {c.__name__ for c in kind.__mro__}
    for name, cls in (("ProtocolError", ChunkedEncodingError), ("DecodeError", ContentDecodingError),
                      ("ReadTimeoutError", ConnectionError), ("SSLError", SSLError)):
        if name in names:
            return cls(e)
    return None


def _idna_host(host):
    """The ASCII form of a host name: IDNA 2008 (UTS 46) with the idna
    package when it is installed, as requests; else Python's IDNA 2003 codec."""
    try:
        import idna
    except ImportError:
        try:
            return host.encode("idna").decode("ascii")
        except UnicodeError:
            raise InvalidURL("URL has an invalid label.") from None
    try:
        return idna.encode(host, uts46=True).decode("utf-8")
    except idna.IDNAError:
        raise InvalidURL("URL has an invalid label.") from None


def _rewound_files(files):
    """`files=` of a request already sent, readable again for its lazily
    built PreparedRequest: a closed file on disk opened anew, an open one
    read from its start."""
    if not files:
        return files
    items = files.items() if isinstance(files, Mapping) else files
    out = []
    for name, value in items:
        parts = list(value) if isinstance(value, (tuple, list)) else None
        fp = parts[1] if parts and len(parts) > 1 else value
        if hasattr(fp, "read"):
            path = getattr(fp, "name", None)
            if getattr(fp, "closed", False) and isinstance(path, (str, bytes)):
                with open(path, "rb") as f:
                    fp = f.read()
            elif hasattr(fp, "seek"):
                try:
                    fp.seek(0)
                except (OSError, ValueError):
                    pass
            if parts:
                parts[1] = fp
            else:
                from ._prepare import guess_filename
                parts = [guess_filename(value) or name, fp]
        out.append((name, tuple(parts) if parts else value))
    return out


def _copy_jar(jar):
    if jar is None:
        return None
    if hasattr(jar, "copy"):
        return jar.copy()
    import copy
    new = copy.copy(jar)
    new.clear()
    for cookie in jar:
        new.set_cookie(copy.copy(cookie))
    return new


class Response:
    """The outcome of a request: status, headers and body, like requests.Response.

    The body is read at once unless the request had stream=True; then it is
    read from the network by iter_content()/iter_lines()/content, and close()
    (or the with block) stops the download.
    """

    # What pickling keeps (requests' list).
    __attrs__ = ["_content", "status_code", "headers", "url", "history", "encoding", "reason", "cookies",
                 "elapsed", "request"]

    # Defaults on the class, so a response from the library sets only what
    # it has (the fewer attribute writes, the cheaper a request).
    status_code = None
    retries = 0
    encoding = None
    connection = None
    _raw = None
    _next = None
    _request = None
    _req_args = None      # what Session.request was given, for the lazy .request
    _cookie_jar = None
    _content = False
    _content_consumed = False
    _handle = None
    _head = None          # the packed head, parsed on first use
    _meta = None          # (version, reason, url, offset of the headers in the head)
    _headers = None
    _history = None
    _elapsed_us = 0
    _set_cookie_values = ()
    _timings = None

    def __init__(self):
        self._meta = ("", "", None, 0)
        self._headers = CaseInsensitiveDict()
        self._history = []

    @classmethod
    def _from_handle(cls, handle, stream):
        """Builds a Response from an hsession_response: one call for the head and body."""
        o = _outs()
        rc = _lib.response_packed(handle, o[4], o[5], o[6], o[7])
        if rc != 0:
            _lib.response_free(handle)
            raise_error(rc, None)
        r = object.__new__(cls)
        head = _string_at(o[0].value, o[1].value)
        r.status_code, r._elapsed_us, retries = _HEAD.unpack_from(head, 0)
        if retries:
            r.retries = retries
        r._head = head
        if stream:
            r._handle = handle
        else:
            n = o[3].value
            r._content = _string_at(o[2].value, n) if n else b""
            r._content_consumed = True
            _lib.response_free(handle)
        return r

    def _parse_meta(self):
        head = self._head
        version, off = _str(head, 16)
        reason, off = _str(head, off)
        url, off = _str(head, off)
        self._meta = m = (version, reason, url, off)
        return m

    def _set_meta(self, i, value):
        m = list(self._meta or self._parse_meta())
        m[i] = value
        self._meta = tuple(m)

    @property
    def http_version(self):
        return (self._meta or self._parse_meta())[0]

    @property
    def reason(self):
        return (self._meta or self._parse_meta())[1]

    @reason.setter
    def reason(self, value):
        self._set_meta(1, value)

    @property
    def url(self):
        """The final URL, after redirects."""
        return (self._meta or self._parse_meta())[2]

    @url.setter
    def url(self, value):
        self._set_meta(2, value)

    @property
    def elapsed(self):
        """Time from sending the request to the end of the response head."""
        return datetime.timedelta(microseconds=self._elapsed_us)

    @elapsed.setter
    def elapsed(self, value):
        self._elapsed_us = int(value.total_seconds() * 1e6)

    def _parse_head(self):
        head = self._head
        off = (self._meta or self._parse_meta())[3]
        headers = CaseInsensitiveDict()
        store = headers._store
        set_cookies = self._set_cookie_values = []
        (n,) = _unpack_u32(head, off)
        off += 4
        for _ in range(n):
            name, off = _str(head, off)
            value, off = _str(head, off)
            key = name.lower()
            if key == "set-cookie":
                set_cookies.append(value)
            old = store.get(key)
            # Repeated headers are joined with ", " as requests (urllib3) does.
            store[key] = (name, value if old is None else old[1] + ", " + value)
        (h,) = _unpack_u32(head, off)
        off += 4
        history = []
        for _ in range(h):
            (status,) = _unpack_u32(head, off)
            url, off = _str(head, off + 4)
            hop = Response()
            hop.status_code = status
            hop.url = url
            hop._content = b""
            hop._content_consumed = True
            hop._owner = self
            history.append(hop)
        # Each hop's reason and headers follow the history.
        for hop in history:
            if off >= len(head):
                break
            hop.reason, off = _str(head, off)
            (n,) = _unpack_u32(head, off)
            off += 4
            hop_headers = CaseInsensitiveDict()
            hop_store = hop_headers._store
            hop_cookies = hop._set_cookie_values = []
            for _ in range(n):
                name, off = _str(head, off)
                value, off = _str(head, off)
                key = name.lower()
                if key == "set-cookie":
                    hop_cookies.append(value)
                old = hop_store.get(key)
                hop_store[key] = (name, value if old is None else old[1] + ", " + value)
            hop.headers = hop_headers
        for i, hop in enumerate(history):
            hop._history = history[:i]
        self._headers = headers
        self._history = history

    @property
    def timings(self):
        """This exchange's :class:`Timings` (a redirect hop in ``history``
        has its own); None for a response the library did not make."""
        if self._timings is None and self._head is None and self._owner is not None:
            self._owner.timings  # a library hop: its final response parses them
        if self._timings is None and self._head is not None:
            head = self._head
            off = (self._meta or self._parse_meta())[3]
            # Past the headers, the history and the hops' heads.
            off = _skip_pairs(head, off)
            (h,) = _unpack_u32(head, off)
            off += 4
            for _ in range(h):
                off = _skip_str(head, off + 4)
            for _ in range(h):
                off = _skip_pairs(head, _skip_str(head, off))
            records = [_parse_timings(head, off)]
            for _ in range(h):
                records.append(_parse_timings(head, records[-1][1]))
            self._timings = records[-1][0]
            # The library's hops (history from this head) get theirs.
            hops = self._history or ()
            if len(hops) == h:
                for hop, (t, _) in zip(hops, records):
                    if hop._owner is self:
                        hop._timings = t
        return self._timings

    @property
    def headers(self) -> CaseInsensitiveDict:
        """Response headers, case-insensitive; repeated ones joined with ", "."""
        if self._headers is None:
            self._parse_head()
        return self._headers

    @property
    def history(self):
        """The redirects followed, oldest first: Responses with status_code and url."""
        if self._history is None:
            self._parse_head()
        return self._history

    @history.setter
    def history(self, value):
        self._history = value

    @headers.setter
    def headers(self, value):
        self._headers = value

    def _set_cookies(self):
        if self._headers is None:
            self._parse_head()
        return self._set_cookie_values

    _owner = None  # for a redirect hop: the final response, which knows the requests

    @property
    def request(self):
        """The PreparedRequest that got this response (built when first asked for)."""
        if self._request is None:
            owner = self._owner
            if owner is not None:
                owner._build_requests()
            elif self._req_args is not None:
                self._build_requests()
        return self._request

    @request.setter
    def request(self, value):
        self._request = value

    def _build_requests(self):
        """This response's PreparedRequest and its redirect hops', from what
        Session.request was given and the hops' URLs and statuses."""
        args, self._req_args = self._req_args, None
        if args is None:
            return
        session = args[0]()
        if len(args) == 2:  # Session.send: the PreparedRequest itself
            prep = args[1]
        else:
            req = Request(*args[1:])
            req.files = _rewound_files(req.files)
            prep = session.prepare_request(req) if session is not None else req.prepare()
        preps = hop_requests(session, prep, self.history, self.url)
        for hop, hop_prep in zip(self.history, preps):
            hop._request = hop_prep
        self._request = preps[-1]

    @property
    def raw(self):
        """The body as a file object (read(), stream(), close(), closed):
        for a streamed response, reads from the network."""
        if self._raw is None and self._head is not None:
            self._raw = _LibraryRaw(self)
        return self._raw

    @raw.setter
    def raw(self, value):
        self._raw = value

    @property
    def next(self):
        """The PreparedRequest of the next redirect, for a redirect response
        not followed (allow_redirects=False); made when first asked for."""
        if self._next is None and self._req_args is not None and self.is_redirect:
            session = self._req_args[0]()
            if session is not None:
                self._next = next(session.resolve_redirects(self, self.request, yield_requests=True), None)
        return self._next

    def __getstate__(self):
        if not self._content_consumed:
            self.content  # noqa: B018 (a streamed body is read before pickling)
        return {attr: getattr(self, attr, None) for attr in self.__attrs__}

    def __setstate__(self, state):
        self._meta = ("", "", None, 0)
        for name, value in state.items():
            setattr(self, name, value)
        self._content_consumed = True
        self._raw = None

    @property
    def ok(self) -> bool:
        try:
            self.raise_for_status()
        except HTTPError:
            return False
        return True

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return f"<Response [{self.status_code}]>"

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def __iter__(self):
        return self.iter_content(128)

    def __del__(self):
        try:
            self.close()
        except Exception:  # at interpreter exit the library may be gone already
            pass

    @property
    def is_redirect(self):
        return "location" in self.headers and self.status_code in (301, 302, 303, 307, 308)

    @property
    def is_permanent_redirect(self):
        return "location" in self.headers and self.status_code in (301, 308)

    @property
    def links(self):
        """The Link header parsed (RFC 8288), keyed by rel (or URL), as requests does."""
        out = {}
        for link in _parse_links(self.headers.get("link", "")):
            out[link.get("rel") or link.get("url")] = link
        return out

    @property
    def cookies(self):
        """The cookies this response set (a RequestsCookieJar), from its Set-Cookie headers."""
        jar = self._cookie_jar
        if jar is None:
            jar = self._cookie_jar = RequestsCookieJar()
            if self._head is not None or self._headers:
                extract_cookies_to_jar(jar, None, self)
        return jar

    @cookies.setter
    def cookies(self, value):
        self._cookie_jar = value

    def _read_chunk(self, size):
        buf = ctypes.create_string_buffer(size)
        n = ctypes.c_size_t()
        err = ctypes.c_void_p()
        rc = _lib.response_read(self._handle, buf, size, ctypes.byref(n), ctypes.byref(err))
        if rc != 0:
            self.close()
            try:
                raise_error(rc, err, self.url)
            except RequestException as e:
                # A body that breaks off is ChunkedEncodingError in requests;
                # timeouts keep their own class.
                if type(e).__name__ in ("ConnectionError",):
                    raise ChunkedEncodingError(str(e), code=e.code, url=e.url) from None
                raise
        return buf.raw[:n.value]

    def iter_content(self, chunk_size: int | None = 1, decode_unicode: bool = False) -> Iterator[Any]:
        """The body in chunks of at most chunk_size bytes (None: as they arrive)."""
        if chunk_size is not None and not isinstance(chunk_size, int):
            raise TypeError(f"chunk_size must be an int, it is instead a {type(chunk_size)}.")

        def from_network():
            size = chunk_size or 64 * 1024
            while self._handle is not None:
                chunk = self._read_chunk(size)
                if not chunk:
                    break
                yield chunk
            self._content_consumed = True
            self.close()

        def from_memory():
            data = self._content
            if not chunk_size:
                if data:
                    yield data
                return
            for i in range(0, len(data), chunk_size):
                yield data[i:i + chunk_size]

        def from_raw():
            # A Response built by an adapter of the caller's: its raw file object.
            raw = self.raw
            try:
                if hasattr(raw, "stream"):
                    yield from raw.stream(chunk_size, decode_content=True)
                else:
                    while True:
                        chunk = raw.read(chunk_size)
                        if not chunk:
                            break
                        yield chunk
            except Exception as e:
                mapped = _urllib3_error(e)
                if mapped is None:
                    raise
                raise mapped from e
            self._content_consumed = True

        if self._content_consumed and isinstance(self._content, bool):
            raise StreamConsumedError("the content of this response was already consumed")
        if self._content_consumed:
            chunks = from_memory()
        elif self._handle is None and self._raw is not None and not isinstance(self._raw, _LibraryRaw):
            chunks = from_raw()
        else:
            chunks = from_network()
        if decode_unicode:
            return self._decode_stream(chunks)
        return chunks

    def _decode_stream(self, chunks):
        import codecs
        decoder = codecs.getincrementaldecoder(self.encoding or self._header_encoding() or "utf-8")(
            errors="replace")
        for chunk in chunks:
            s = decoder.decode(chunk)
            if s:
                yield s
        s = decoder.decode(b"", final=True)
        if s:
            yield s

    def iter_lines(self, chunk_size: int = ITER_CHUNK_SIZE, decode_unicode: bool = False,
                   delimiter: str | bytes | None = None) -> Iterator[Any]:
        """The body line by line, without line ends (or split on delimiter).
        A CR LF split across two chunks is one line end."""
        pending = None
        for chunk in self.iter_content(chunk_size=chunk_size, decode_unicode=decode_unicode):
            buf = chunk if pending is None else pending + chunk
            if delimiter:
                lines = buf.split(delimiter)
                pending = lines.pop()
                yield from lines
                continue
            lines = buf.splitlines(keepends=True)
            pending = None
            if lines:
                last = lines[-1]
                # Unfinished, or a CR whose LF may come with the next chunk.
                if last[-1:] in ("\r", b"\r") or _strip_eol(last) == last:
                    pending = lines.pop()
            for line in lines:
                yield _strip_eol(line)
        if pending:
            yield pending if delimiter else _strip_eol(pending)

    @property
    def content(self) -> bytes | None:
        """The whole body as bytes (read now for a streamed response)."""
        if self._content is False:
            if self._content_consumed:
                raise RuntimeError("The content for this response was already consumed")
            if self.status_code == 0 or (self._handle is None and self._raw is None):
                self._content = None  # a Response made by hand has no body (as requests)
            else:
                self._content = b"".join(self.iter_content(CONTENT_CHUNK_SIZE)) or b""
        self._content_consumed = True
        return self._content

    @property
    def apparent_encoding(self):
        try:
            import charset_normalizer
        except ImportError:
            return "utf-8"
        return charset_normalizer.detect(self.content)["encoding"]

    def _header_encoding(self):
        ct = self.headers.get("content-type")
        if not ct:
            return None
        cs = _charset(ct)
        if cs:
            return cs
        mime = ct.split(";", 1)[0].strip().lower()
        if mime == "application/json":
            return "utf-8"
        if mime.startswith("text/"):
            return "ISO-8859-1"  # RFC 2616's default, as requests uses
        return None

    @property
    def text(self) -> str:
        """The body decoded: the encoding set on the response, else the
        Content-Type's charset, else requests' fallbacks."""
        content = self.content
        if not content:
            return ""
        encoding = self.encoding or self._header_encoding()
        if encoding is None:
            try:
                return content.decode("utf-8")
            except UnicodeDecodeError:
                encoding = self.apparent_encoding or "utf-8"
        try:
            return str(content, encoding, errors="replace")
        except (LookupError, TypeError):
            return str(content, errors="replace")

    def json(self, **kwargs: Any) -> Any:
        """The body parsed as JSON; JSONDecodeError if it is not JSON."""
        try:
            if self.encoding is None and self.content and self._header_encoding() in (None, "utf-8"):
                try:
                    return _json.loads(self.content, **kwargs)
                except UnicodeDecodeError:
                    pass  # not UTF-8 (nor 16, 32): decoded as text below, as requests does
            return _json.loads(self.text, **kwargs)
        except _json.JSONDecodeError as e:
            raise JSONDecodeError(e.msg, e.doc, e.pos) from None

    def raise_for_status(self) -> None:
        """Raises HTTPError for a 4xx or 5xx status, as requests does."""
        reason = self.reason
        if isinstance(reason, bytes):
            # A reason set as bytes: UTF-8 if it is, else ISO-8859-1 (as requests).
            try:
                reason = reason.decode("utf-8")
            except UnicodeDecodeError:
                reason = reason.decode("iso-8859-1")
        if 400 <= self.status_code < 500:
            kind = "Client Error"
        elif 500 <= self.status_code < 600:
            kind = "Server Error"
        else:
            return
        raise HTTPError(f"{self.status_code} {kind}: {reason} for url: {self.url}", response=self)

    def close(self):
        """Frees the library's response (a streamed download stops); a raw
        file object set by an adapter is closed."""
        h = self._handle
        if h is not None:
            self._handle = None
            _lib.response_free(h)
        raw = self._raw
        if raw is not None and not isinstance(raw, _LibraryRaw):
            raw.close()
            release_conn = getattr(raw, "release_conn", None)
            if release_conn is not None:
                release_conn()


class _LibraryRaw(io.RawIOBase):
    """Response.raw of a library response: the body as a binary file
    (read from the network for a streamed response)."""

    def __init__(self, resp):
        super().__init__()
        self._resp = weakref.ref(resp)

    def readable(self):
        return True

    def readinto(self, b):
        resp = self._resp()
        if resp is None or resp._handle is None:
            return 0
        chunk = resp._read_chunk(len(b))
        if not chunk:
            resp.close()
        b[:len(chunk)] = chunk
        return len(chunk)

    def stream(self, amt=2 ** 16, decode_content=None):
        resp = self._resp()
        while resp is not None and resp._handle is not None:
            data = self.read(amt)
            if not data:
                break
            yield data

    @property
    def closed(self):
        resp = self._resp()
        return resp is None or resp._handle is None

    def close(self):
        resp = self._resp()
        if resp is not None:
            resp.close()
