"""The public helpers of requests.utils that hsession has."""

from ._prepare import (get_auth_from_url, guess_filename, requote_uri, super_len,  # noqa: F401
                       to_key_val_list, unquote_unreserved)
from .cookies import cookiejar_from_dict
from .exceptions import UnrewindableBodyError


def rewind_body(prepared_request):
    """Moves a file body back to where it was when the request was
    prepared, so it can be sent again (a 307/308 redirect)."""
    body_seek = getattr(prepared_request.body, "seek", None)
    if body_seek is not None and isinstance(prepared_request._body_position, int):
        try:
            body_seek(prepared_request._body_position)
        except OSError:
            raise UnrewindableBodyError("An error occurred when rewinding request body for redirect.") from None
    else:
        raise UnrewindableBodyError("Unable to rewind request body for redirect.")


def dict_from_cookiejar(cj):
    """name -> value of a cookie jar."""
    return {cookie.name: cookie.value for cookie in cj}


def add_dict_to_cookiejar(cj, cookie_dict):
    """Adds the cookies of a dict to a jar."""
    return cookiejar_from_dict(cookie_dict, cj)
