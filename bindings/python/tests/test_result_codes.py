"""The binding's table of result codes against the library's own: every code
the library names has an exception class here, and no code is mapped that
the library does not know."""

import ctypes

from hsession import _lib
from hsession import exceptions as hx


def _library_codes():
    name = _lib.lib.hsession_result_name
    name.restype = ctypes.c_char_p
    name.argtypes = [ctypes.c_uint32]
    codes = {}
    code = 0
    while code < 1000:
        text = name(code)
        if text is None:
            break
        codes[code] = text.decode()
        code += 1
    return codes


def test_every_library_code_has_an_exception_class():
    codes = _library_codes()
    assert codes[0] == "HSESSION_OK" and len(codes) > 20
    failures = {c: n for c, n in codes.items() if c != 0}
    assert set(hx._BY_CODE) == set(failures), (
        "exceptions._BY_CODE must map exactly the library's failure codes: "
        f"missing {sorted(set(failures) - set(hx._BY_CODE))}, "
        f"unknown {sorted(set(hx._BY_CODE) - set(failures))}")
