"""Loads libhsession and declares the C functions the package calls.

The library is found, in order:
  1. the path in HSESSION_LIB, when set (an explicit override: nothing else
     is tried);
  2. the copy bundled inside the package (a wheel carries it);
  3. in a source checkout, the project's build, target/release/libhsession.so
     (`cargo build --release` at the repository's top);
  4. libhsession.so.0 from the system loader path (`make install`).
A failure names only the places that apply to this install.
ctypes.CDLL releases the GIL around every call, so network calls never
block other Python threads.
"""

import ctypes
import os
from ctypes import (POINTER, c_char_p, c_double, c_int32, c_int64, c_size_t, c_uint8, c_uint32,
                    c_uint64, c_void_p)
from typing import List, Tuple

_HERE = os.path.dirname(os.path.abspath(__file__))
_SONAME = "libhsession.so.0"


def _candidates() -> Tuple[List[str], str]:
    """The paths to try, and what to tell the user when none loads."""
    env = os.environ.get("HSESSION_LIB")
    if env:
        return [env], "HSESSION_LIB is set, so only that path was tried"
    bundled = os.path.join(_HERE, "libhsession.so")
    if os.path.exists(bundled):
        return [bundled], "the library bundled in this package does not load; reinstall the package"
    top = os.path.normpath(os.path.join(_HERE, "..", "..", ".."))
    if os.path.exists(os.path.join(top, "Cargo.toml")) and os.path.isdir(os.path.join(top, "src", "ffi")):
        # Imported from the repository's source tree.
        return ([os.path.join(top, "target", "release", "libhsession.so"), _SONAME],
                "build it with `cargo build --release` at " + top + ", or set HSESSION_LIB")
    return [_SONAME], ("this package has no bundled library (install a platform wheel), "
                       "so it needs libhsession installed (`make install` from the hsession "
                       "source), or HSESSION_LIB set to its path")


def _load() -> ctypes.CDLL:
    paths, hint = _candidates()
    errors = []
    for path in paths:
        if os.sep in path and not os.path.exists(path):
            errors.append(f"{path}: no such file")
            continue
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
    raise ImportError(f"hsession: cannot load libhsession: {hint} (tried {'; '.join(errors)})")


lib = _load()

P = c_void_p  # every handle is opaque
PP = POINTER(c_void_p)
u8p = POINTER(c_uint8)


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


R = c_uint32  # hsession_result

result_str = _fn("hsession_result_str", c_char_p, R)
version = _fn("hsession_version", c_char_p)

error_code = _fn("hsession_error_code", R, P)
error_message = _fn("hsession_error_message", c_char_p, P)
error_url = _fn("hsession_error_url", c_char_p, P)
error_free = _fn("hsession_error_free", None, P)

new = _fn("hsession_new", R, PP, PP)
free = _fn("hsession_free", None, P)
set_header = _fn("hsession_set_header", R, P, c_char_p, c_char_p, PP)
remove_header = _fn("hsession_remove_header", R, P, c_char_p, PP)
set_basic_auth = _fn("hsession_set_basic_auth", R, P, c_char_p, c_char_p, PP)
set_bearer_auth = _fn("hsession_set_bearer_auth", R, P, c_char_p, PP)
set_digest_auth = _fn("hsession_set_digest_auth", R, P, c_char_p, c_char_p, PP)
clear_auth = _fn("hsession_clear_auth", R, P)
add_query_param = _fn("hsession_add_query_param", R, P, c_char_p, c_char_p, PP)
clear_query_params = _fn("hsession_clear_query_params", R, P)
set_connect_timeout_ms = _fn("hsession_set_connect_timeout_ms", R, P, c_uint64)
set_read_timeout_ms = _fn("hsession_set_read_timeout_ms", R, P, c_uint64)
set_total_timeout_ms = _fn("hsession_set_total_timeout_ms", R, P, c_uint64)
set_max_redirects = _fn("hsession_set_max_redirects", R, P, c_size_t)
set_max_body_size = _fn("hsession_set_max_body_size", R, P, c_uint64)
set_proxy = _fn("hsession_set_proxy", R, P, c_char_p, c_char_p, PP)
set_no_proxy = _fn("hsession_set_no_proxy", R, P, c_char_p, PP)
set_trust_env = _fn("hsession_set_trust_env", R, P, c_int32, PP)
set_http2_keep_alive_ms = _fn("hsession_set_http2_keep_alive_ms", R, P, c_uint64, c_uint64, PP)
set_max_connections_per_host = _fn("hsession_set_max_connections_per_host", R, P, c_size_t, PP)
set_verify = _fn("hsession_set_verify", R, P, c_int32, PP)
set_ca_file = _fn("hsession_set_ca_file", R, P, c_char_p, PP)
set_client_cert = _fn("hsession_set_client_cert", R, P, c_char_p, c_char_p, PP)
set_retry = _fn("hsession_set_retry", R, P, c_int64, c_int64, c_int64, c_int64,
                c_double, c_double, c_double, PP)
requests_sent = _fn("hsession_requests_sent", c_uint64, P)
connections_opened = _fn("hsession_connections_opened", c_uint64, P)

request_new_packed = _fn("hsession_request_new_packed", R, c_char_p, c_size_t, PP, PP)
request_free = _fn("hsession_request_free", None, P)
request_packed = _fn("hsession_request_packed", R, P, c_char_p, c_size_t, PP, PP)
response_free = _fn("hsession_response_free", None, P)
response_packed = _fn("hsession_response_packed", R, P, POINTER(c_void_p), POINTER(c_size_t),
                      POINTER(c_void_p), POINTER(c_size_t))
response_read = _fn("hsession_response_read", R, P, c_void_p, c_size_t, POINTER(c_size_t), PP)

cookies_list = _fn("hsession_cookies_list", R, P, PP, PP)
cookies_for_url = _fn("hsession_cookies_for_url", R, P, c_char_p, PP, PP)
cookie_list_free = _fn("hsession_cookie_list_free", None, P)
cookie_list_count = _fn("hsession_cookie_list_count", c_size_t, P)
cookie_list_at = _fn("hsession_cookie_list_at", R, P, c_size_t, POINTER(c_char_p), POINTER(c_char_p),
                     POINTER(c_char_p), POINTER(c_char_p), POINTER(c_int64), POINTER(c_uint32))
cookies_set = _fn("hsession_cookies_set", R, P, c_char_p, c_char_p, PP)
cookies_set_fields = _fn("hsession_cookies_set_fields", R, P, c_char_p, c_char_p, c_char_p, c_char_p,
                         c_char_p, c_int64, c_uint32, PP)
cookies_delete = _fn("hsession_cookies_delete", R, P, c_char_p, c_char_p, c_char_p, PP)
cookies_clear = _fn("hsession_cookies_clear", R, P)
cookies_save = _fn("hsession_cookies_save", R, P, c_char_p, c_uint32, POINTER(c_size_t), PP)
cookies_load = _fn("hsession_cookies_load", R, P, c_char_p, c_uint32, POINTER(c_size_t), PP)

COOKIE_SECURE = 1
COOKIE_HTTP_ONLY = 2
COOKIE_HOST_ONLY = 4
COOKIE_FILE_NETSCAPE = 1
COOKIE_FILE_JSON = 2

# The log callback (hsession/_logging.py): (user_data, level, message).
LOG_CALLBACK = ctypes.CFUNCTYPE(None, c_void_p, ctypes.c_int, c_char_p)
set_log_callback = _fn("hsession_set_log_callback", R, LOG_CALLBACK, c_void_p, ctypes.c_int, PP)
set_log_level = _fn("hsession_set_log_level", R, ctypes.c_int, PP)
log_dropped = _fn("hsession_log_dropped", c_uint64)
