"""Response, with the attributes and methods of requests.Response."""

import ctypes
import datetime
import json as _json
import struct
import threading

from . import _lib
from .exceptions import (ChunkedEncodingError, HTTPError, JSONDecodeError, RequestException,
                         StreamConsumedError, exception_for)
from .structures import CaseInsensitiveDict

_U32 = struct.Struct("<I")
_HEAD = struct.Struct("<IQI")
_unpack_u32 = _U32.unpack_from

CONTENT_CHUNK_SIZE = 10 * 1024
ITER_CHUNK_SIZE = 512


def raise_error(rc, err, url=None):
    """Raises the exception for result `rc`, with the message of `err` (freed here)."""
    msg = None
    eurl = None
    if err:
        m = _lib.error_message(err)
        msg = m.decode("utf-8", "replace") if m else None
        u = _lib.error_url(err)
        eurl = u.decode("utf-8", "replace") if u else None
        _lib.error_free(err)
    if not msg:
        msg = _lib.result_str(rc).decode()
    raise exception_for(rc)(msg, code=rc, url=eurl or url)


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


class Response:
    """The outcome of a request: status, headers and body, like requests.Response.

    The body is read at once unless the request had stream=True; then it is
    read from the network by iter_content()/iter_lines()/content, and close()
    (or the with block) stops the download.
    """

    __attrs__ = ("status_code", "reason", "url", "headers", "content", "history", "elapsed")

    # Defaults on the class, so a response from the library sets only what
    # it has (the fewer attribute writes, the cheaper a request).
    status_code = None
    retries = 0
    encoding = None
    request = None
    connection = None
    _content = False
    _content_consumed = False
    _handle = None
    _head = None          # the packed head, parsed on first use
    _meta = None          # (version, reason, url, offset of the headers in the head)
    _headers = None
    _history = None
    _elapsed_us = 0
    _set_cookie_values = ()

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
            history.append(hop)
        self._headers = headers
        self._history = history

    @property
    def headers(self):
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

    @property
    def ok(self):
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
        """The cookies this response set (name -> value), from its Set-Cookie headers."""
        from .cookies import cookies_from_response
        return cookies_from_response(self)

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

    def iter_content(self, chunk_size=1, decode_unicode=False):
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

        if self._content_consumed and isinstance(self._content, bool):
            raise StreamConsumedError("the content of this response was already consumed")
        chunks = from_memory() if self._content_consumed else from_network()
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

    def iter_lines(self, chunk_size=ITER_CHUNK_SIZE, decode_unicode=False, delimiter=None):
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
    def content(self):
        """The whole body as bytes (read now for a streamed response)."""
        if self._content is False:
            if self._content_consumed:
                raise RuntimeError("The content for this response was already consumed")
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
    def text(self):
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

    def json(self, **kwargs):
        """The body parsed as JSON; JSONDecodeError if it is not JSON."""
        try:
            if self.encoding is None and self._header_encoding() in (None, "utf-8"):
                return _json.loads(self.content, **kwargs)
            return _json.loads(self.text, **kwargs)
        except _json.JSONDecodeError as e:
            raise JSONDecodeError(e.msg, e.doc, e.pos) from None

    def raise_for_status(self):
        """Raises HTTPError for a 4xx or 5xx status, as requests does."""
        reason = self.reason
        if 400 <= self.status_code < 500:
            kind = "Client Error"
        elif 500 <= self.status_code < 600:
            kind = "Server Error"
        else:
            return
        raise HTTPError(f"{self.status_code} {kind}: {reason} for url: {self.url}", response=self)

    def close(self):
        """Frees the library's response (a streamed download stops)."""
        h = self._handle
        if h is not None:
            self._handle = None
            _lib.response_free(h)
