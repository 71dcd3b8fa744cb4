"""Auth objects, named as in requests.auth (plus a bearer token).

Basic, bearer and digest auth are sent by the library itself (and kept off
other origins on redirects). Any other auth object is requests' protocol: a
callable that takes the PreparedRequest and returns it, changed; such a
request is prepared in Python first (Session.prepare_request + send).
"""

from __future__ import annotations

import warnings
from base64 import b64encode


def _str_or_warn(v, what):
    """requests turns a non-string user or password into str, with a warning."""
    if isinstance(v, (str, bytes)):
        return v
    warnings.warn(f"Non-string {what}s will no longer be supported in Requests 3.0.0. Please convert "
                  f"the object you've passed in ({v!r}) to a string or bytes object in the near future "
                  "to avoid problems.", category=DeprecationWarning, stacklevel=3)
    return str(v)


def _latin1(v, what):
    v = _str_or_warn(v, what)
    return v if isinstance(v, bytes) else v.encode("latin1")


def _basic_auth_str(username, password):
    """The Authorization value of basic auth (as requests.auth._basic_auth_str)."""
    token = b64encode(_latin1(username, "auth user") + b":" + _latin1(password, "auth password"))
    return "Basic " + token.strip().decode("ascii")


class AuthBase:
    """Base of auth objects: called with the PreparedRequest, returns it."""

    def __call__(self, r):
        raise NotImplementedError("Auth hooks must be callable.")


class _UserPassword(AuthBase):
    """A user and a password, compared as requests compares its auth objects;
    the password is never shown."""

    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self.username = username
        self.password = password

    def __eq__(self, other: object) -> bool:
        return (getattr(other, "username", None), getattr(other, "password", None)) == (
            self.username, self.password)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.username!r}, '***')"


class HTTPBasicAuth(_UserPassword):

    def __call__(self, r):
        r.headers["Authorization"] = _basic_auth_str(self.username, self.password)
        return r


class HTTPProxyAuth(HTTPBasicAuth):
    """Basic auth for the proxy (Proxy-Authorization)."""

    def __call__(self, r):
        r.headers["Proxy-Authorization"] = _basic_auth_str(self.username, self.password)
        return r


class HTTPBearerAuth(AuthBase):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: str | bytes) -> None:
        self.token = token

    def __eq__(self, other: object) -> bool:
        return getattr(other, "token", None) == self.token

    def __repr__(self) -> str:
        return "HTTPBearerAuth('***')"

    def __call__(self, r):
        token = self.token.decode("latin1") if isinstance(self.token, bytes) else self.token
        r.headers["Authorization"] = "Bearer " + token
        return r


class HTTPDigestAuth(_UserPassword):
    """HTTP Digest auth (RFC 7616: MD5, SHA-256 and their -sess variants,
    qop=auth or none), answered by the library: a 401 with a Digest
    challenge from the request's origin gets one retry with Authorization.
    As the session's auth, later requests to that origin send Authorization
    at once from its last challenge (the next nonce count)."""

    def __call__(self, r):
        # On a PreparedRequest (prepare_request + send): the library answers
        # the challenge when it sends the request.
        r._hs_digest = (_text(self.username, "auth user"), _text(self.password, "auth password"))
        return r


def _text(v, what):
    v = _str_or_warn(v, what)
    return v.decode("latin-1") if isinstance(v, bytes) else v


def classify(auth):
    """('basic', user, password) | ('bearer', token) | ('digest', user,
    password) for auth the library sends itself; ('call', auth) for any other callable (requests' auth
    protocol, run on a PreparedRequest); TypeError for anything else.

    requests' own HTTPBasicAuth (any object named so, with username and
    password) counts as basic, so code switching from requests keeps working.
    """
    if isinstance(auth, (tuple, list)) and len(auth) == 2:
        return ("basic", _text(auth[0], "auth user"), _text(auth[1], "auth password"))
    kind = type(auth)
    if isinstance(auth, HTTPBasicAuth) and kind.__call__ is HTTPBasicAuth.__call__:
        return ("basic", _text(auth.username, "auth user"), _text(auth.password, "auth password"))
    if kind.__name__ == "HTTPBasicAuth" and kind.__module__ == "requests.auth":
        return ("basic", _text(auth.username, "auth user"), _text(auth.password, "auth password"))
    if isinstance(auth, HTTPDigestAuth) and kind.__call__ is HTTPDigestAuth.__call__:
        return ("digest", _text(auth.username, "auth user"), _text(auth.password, "auth password"))
    if kind.__name__ == "HTTPDigestAuth" and kind.__module__ == "requests.auth":
        return ("digest", _text(auth.username, "auth user"), _text(auth.password, "auth password"))
    if isinstance(auth, HTTPBearerAuth) and kind.__call__ is HTTPBearerAuth.__call__:
        return ("bearer", _text(auth.token, "bearer token"))
    if callable(auth):
        return ("call", auth)
    raise TypeError(f"auth must be a (user, password) tuple or an auth callable, not {kind.__name__}")
