"""`requests` as hsession: the module alias under which requests' own test
suite runs against hsession (make test-requests-suite).

`import requests` gives the hsession package itself, and `requests.X` is
hsession's module X when hsession has one. Nothing is filled in here: a name
or module hsession lacks is missing, so the tests that use it fail.
"""

import importlib
import pkgutil
import sys

import hsession

for _m in pkgutil.iter_modules(hsession.__path__):
    if not _m.name.startswith("_"):
        sys.modules["requests." + _m.name] = importlib.import_module("hsession." + _m.name)
sys.modules["requests"] = hsession
