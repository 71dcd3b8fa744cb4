"""hsession: requests.Session's API over the hsession library (ctypes).

    import hsession as requests   # the common cases switch with an import
    with requests.Session() as s:
        s.headers.update({"User-Agent": "MyApp/1.0"})
        print(s.get("http://127.0.0.1:8080/json").json())

One Session may be shared by any number of threads; the GIL is released
during every network call.
"""

from __future__ import annotations

from typing import Any

from . import adapters, auth, compat, cookies, exceptions, hooks, models, sessions, status_codes, structures  # noqa: F401
from .adapters import HTTPAdapter, Retry
from .auth import AuthBase, HTTPBasicAuth, HTTPBearerAuth, HTTPDigestAuth, HTTPProxyAuth
from .cookies import Cookie, RequestsCookieJar, SessionCookies
from .exceptions import (BodyTooLarge, Cancelled, ChunkedEncodingError, ConnectionError, ConnectTimeout,
                         ContentDecodingError, FileModeWarning, HTTPError, InvalidArgument, InvalidHeader,
                         InvalidJSONError, InvalidProxyURL, InvalidSchema, InvalidURL, JSONDecodeError,
                         MissingSchema, ProxyError, ReadTimeout, RequestException, RequestsDependencyWarning,
                         RequestsWarning, RetryError, SSLError, StreamConsumedError, Timeout, TooManyRedirects,
                         UnrewindableBodyError, URLRequired)
from .models import PreparedRequest, Request, Response
from .sessions import VERSION as library_version
from .sessions import Session, SessionClosed, session
from .status_codes import codes
from .structures import CaseInsensitiveDict

__version__ = "0.1.0"

__all__ = [
    "AuthBase", "BodyTooLarge", "Cancelled", "CaseInsensitiveDict", "ChunkedEncodingError",
    "ConnectTimeout", "ConnectionError", "ContentDecodingError", "Cookie", "FileModeWarning", "HTTPAdapter",
    "HTTPBasicAuth", "HTTPBearerAuth", "HTTPDigestAuth", "HTTPError", "HTTPProxyAuth", "InvalidArgument",
    "InvalidHeader", "InvalidJSONError", "InvalidProxyURL", "InvalidSchema", "InvalidURL", "JSONDecodeError",
    "MissingSchema", "PreparedRequest", "ProxyError", "ReadTimeout", "Request", "RequestException",
    "RequestsCookieJar", "RequestsDependencyWarning", "RequestsWarning", "Response", "Retry", "RetryError",
    "SSLError", "Session", "SessionClosed", "SessionCookies", "StreamConsumedError", "Timeout",
    "TooManyRedirects", "URLRequired", "UnrewindableBodyError", "adapters", "auth", "codes", "compat",
    "cookies", "delete", "exceptions", "get", "head", "hooks", "library_version", "models", "options",
    "patch", "post", "put", "request", "session", "sessions", "status_codes", "structures",
]


def request(method: str, url: str, **kwargs: Any) -> Response:
    """One request with a throw-away session (requests.request)."""
    with Session() as s:
        return s.request(method, url, **kwargs)


def get(url: str, params: Any = None, **kwargs: Any) -> Response:
    return request("GET", url, params=params, **kwargs)


def options(url: str, **kwargs: Any) -> Response:
    return request("OPTIONS", url, **kwargs)


def head(url: str, **kwargs: Any) -> Response:
    kwargs.setdefault("allow_redirects", False)
    return request("HEAD", url, **kwargs)


def post(url: str, data: Any = None, json: Any = None, **kwargs: Any) -> Response:
    return request("POST", url, data=data, json=json, **kwargs)


def put(url: str, data: Any = None, **kwargs: Any) -> Response:
    return request("PUT", url, data=data, **kwargs)


def patch(url: str, data: Any = None, **kwargs: Any) -> Response:
    return request("PATCH", url, data=data, **kwargs)


def delete(url: str, **kwargs: Any) -> Response:
    return request("DELETE", url, **kwargs)
