"""The names requests.compat exports (standard-library aliases), so code
that imports them from requests keeps working."""

import json  # noqa: F401
from collections import OrderedDict  # noqa: F401
from collections.abc import Callable, Mapping, MutableMapping  # noqa: F401
from http import cookiejar as cookielib  # noqa: F401
from http.cookies import Morsel  # noqa: F401
from io import StringIO  # noqa: F401
from json import JSONDecodeError  # noqa: F401
from urllib.parse import (quote, quote_plus, unquote, unquote_plus, urldefrag, urlencode,  # noqa: F401
                          urljoin, urlparse, urlsplit, urlunparse)
from urllib.request import (getproxies, getproxies_environment, parse_http_list, proxy_bypass,  # noqa: F401
                            proxy_bypass_environment)

try:
    import charset_normalizer as chardet  # noqa: F401
except ImportError:
    chardet = None

has_simplejson = False
is_py2 = False
is_py3 = True
builtin_str = str
str = str  # noqa: A001
bytes = bytes  # noqa: A001
basestring = (str, bytes)
numeric_types = (int, float)
integer_types = (int,)
