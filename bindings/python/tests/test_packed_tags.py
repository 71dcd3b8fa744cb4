"""The binding's packed-request tags against the header's
HSESSION_PACKED_* constants: same names, same numbers, none missing."""

import os
import re

from hsession import _tags

HEADER = os.path.join(os.path.dirname(__file__), "..", "..", "..", "include", "hsession.h")


def test_every_packed_tag_has_the_headers_number():
    with open(HEADER, encoding="utf-8") as f:
        defined = {m.group(1): int(m.group(2))
                   for m in re.finditer(r"^#define HSESSION_PACKED_([A-Z_]+) (\d+)$", f.read(), re.M)}
    ours = {k: v for k, v in vars(_tags).items() if k.isupper()}
    assert len(defined) >= 27
    assert ours == defined
