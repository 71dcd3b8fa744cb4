"""Exceptions with the names and hierarchy of requests.exceptions.

Each carries `code` (the hsession result code, or None when raised by the
binding itself), `url` (credentials redacted), `request` (the
PreparedRequest, when there was one) and `response` (for HTTPError).
"""

import json as _json
import re as _re

from . import _lib

# The userinfo of a URL, parsed or not (as the library does for its own
# messages): from "//" (or the start) to the last "@" before "/", "?", "#".
_USERINFO = _re.compile(r"(//|^)[^/?#]*@")


def _redact(text):
    """`text` with URL credentials replaced by ***, so that no message or URL
    the binding builds from the caller's URL shows a password."""
    if isinstance(text, str) and "@" in text:
        return _USERINFO.sub(lambda m: m.group(1) + "***@", text)
    return text


class RequestException(IOError):
    """Something went wrong while handling the request."""

    def __init__(self, *args, response=None, request=None, code=None, url=None):
        if args:
            args = (_redact(args[0]),) + args[1:]
        super().__init__(*args)
        self.response = response
        if response is not None and not request and hasattr(response, "request"):
            request = response.request
        self.request = request
        self.code = code
        self.url = _redact(url)


class InvalidJSONError(RequestException):
    """A JSON body could not be encoded."""


class JSONDecodeError(InvalidJSONError, _json.JSONDecodeError):
    """The response body is not valid JSON."""

    def __init__(self, *args, **kwargs):
        _json.JSONDecodeError.__init__(self, *args)
        InvalidJSONError.__init__(self, *self.args, **kwargs)

    def __reduce__(self):
        # json.JSONDecodeError's arguments (msg, doc, pos), not IOError's.
        return _json.JSONDecodeError.__reduce__(self)


class HTTPError(RequestException):
    """raise_for_status() on a 4xx or 5xx response."""


class ConnectionError(RequestException):  # noqa: A001 (the requests name)
    """The connection failed or broke before a response arrived."""


class ProxyError(ConnectionError):
    """The proxy could not be reached, or it refused the tunnel."""


class SSLError(ConnectionError):
    """TLS handshake or certificate verification failed."""


class Timeout(RequestException):
    """The request timed out (catch this for every kind of timeout)."""


class ConnectTimeout(ConnectionError, Timeout):
    """No connection within the connect timeout; safe to retry."""


class ReadTimeout(Timeout):
    """The server sent nothing within the read timeout."""


class URLRequired(RequestException):
    """A valid URL is required."""


class TooManyRedirects(RequestException):
    """More redirects than max_redirects."""


class MissingSchema(RequestException, ValueError):
    """The URL has no scheme (http:// or https://)."""


class InvalidSchema(RequestException, ValueError):
    """The URL scheme is not http or https."""


class InvalidURL(RequestException, ValueError):
    """The URL is not valid."""


class InvalidHeader(RequestException, ValueError):
    """A header name or value is not valid (CR/LF and other control characters)."""


class InvalidProxyURL(InvalidURL):
    """The proxy URL is not valid."""


class ChunkedEncodingError(RequestException):
    """The body broke off while it was being read."""


class ContentDecodingError(RequestException):
    """The body could not be decoded (corrupt gzip and the like)."""


class StreamConsumedError(RequestException, TypeError):
    """The content of this response was already consumed."""


class RetryError(RequestException):
    """Retries ran out while a status_forcelist status kept coming back."""


class UnrewindableBodyError(RequestException):
    """The request body cannot be read again for a redirect."""


class RequestsWarning(Warning):
    """Base warning."""


class FileModeWarning(RequestsWarning, DeprecationWarning):
    """A file was opened in text mode but is sent as a body."""


class RequestsDependencyWarning(RequestsWarning):
    """An imported dependency has an unsupported version."""


# hsession's own, for outcomes requests has no name for.

class InvalidArgument(RequestException, ValueError):
    """An argument hsession refuses (out of range, malformed cookie file, ...)."""


class Cancelled(RequestException):
    """The request was cancelled (its session was closed while it was in flight)."""


class BodyTooLarge(RequestException):
    """The decoded body is larger than the maximum body size."""


class SessionClosed(RequestException):
    """The session was closed."""


# Result codes (docs/c-api.md, "Result codes") to exception classes.
_BY_CODE = {
    1: InvalidArgument, 2: InvalidArgument, 3: InvalidArgument, 4: InvalidArgument,
    5: InvalidURL, 6: InvalidSchema, 7: InvalidHeader, 8: InvalidHeader,
    9: RequestException, 10: ConnectionError, 11: ConnectTimeout, 12: ReadTimeout,
    13: Timeout, 14: ConnectionError, 15: ConnectionError, 16: SSLError,
    17: ContentDecodingError, 18: TooManyRedirects, 19: Cancelled,
    20: RequestException, 21: RequestException, 22: RequestException,
    23: RequestException, 24: RequestException, 25: RequestException,
    26: InvalidArgument, 27: BodyTooLarge, 28: RetryError, 29: ProxyError,
}


def exception_for(code, message=""):
    if code == 15 and "content-length" in message:
        # A malformed or conflicting Content-Length: requests' InvalidHeader.
        return InvalidHeader
    if code == 14 and message.startswith("the response body broke off"):
        return ChunkedEncodingError
    return _BY_CODE.get(code, RequestException)


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
    raise exception_for(rc, msg)(msg, code=rc, url=eurl or url)
