"""Auth objects, named as in requests.auth (plus a bearer token)."""

from __future__ import annotations


class AuthBase:
    """Base of the auth objects hsession understands (it sends them itself)."""


class HTTPBasicAuth(AuthBase):
    def __init__(self, username: str | bytes, password: str | bytes) -> None:
        self.username = username
        self.password = password

    def __eq__(self, other: object) -> bool:
        return (getattr(other, "username", None), getattr(other, "password", None)) == (
            self.username, self.password)

    def __repr__(self) -> str:
        return f"HTTPBasicAuth({self.username!r}, '***')"


class HTTPBearerAuth(AuthBase):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: str | bytes) -> None:
        self.token = token

    def __eq__(self, other: object) -> bool:
        return getattr(other, "token", None) == self.token

    def __repr__(self) -> str:
        return "HTTPBearerAuth('***')"


def _text(v, what):
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if not isinstance(v, str):
        raise TypeError(f"{what} must be str or bytes, not {type(v).__name__}")
    return v


def classify(auth):
    """('basic', user, password) | ('bearer', token) for an auth setting.

    Accepts a (user, password) tuple, HTTPBasicAuth, HTTPBearerAuth, and
    requests' own HTTPBasicAuth (any object with username and password), so
    code switching from requests keeps working.
    """
    if isinstance(auth, (tuple, list)) and len(auth) == 2:
        return ("basic", _text(auth[0], "auth user"), _text(auth[1], "auth password"))
    if isinstance(auth, HTTPBearerAuth) or (hasattr(auth, "token") and not hasattr(auth, "username")):
        return ("bearer", _text(auth.token, "bearer token"))
    if hasattr(auth, "username") and hasattr(auth, "password") and type(auth).__name__ == "HTTPBasicAuth":
        return ("basic", _text(auth.username, "auth user"), _text(auth.password, "auth password"))
    raise TypeError(
        "auth must be a (user, password) tuple, HTTPBasicAuth or HTTPBearerAuth, "
        f"not {type(auth).__name__} (hsession sends auth itself; custom auth callables are not supported)")
