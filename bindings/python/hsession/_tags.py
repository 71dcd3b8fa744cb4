"""Field tags of the library's packed request (the header's
HSESSION_PACKED_* constants, without the prefix). tests/test_packed_tags.py
holds them to include/hsession.h."""

METHOD = 1
URL = 2
HEADER = 3
REMOVE_HEADER = 4
QUERY = 5
BODY = 6
COOKIE = 7
BASIC_AUTH = 8
BEARER_AUTH = 9
NO_AUTH = 10
CONNECT_TIMEOUT = 11
READ_TIMEOUT = 12
TOTAL_TIMEOUT = 13
MAX_REDIRECTS = 14
MAX_BODY_SIZE = 15
STREAM = 16
FORM_FIELD = 17
FORM_FILE = 18
BODY_FILE = 19
RETRY = 20
FORM_BYTES = 21
VERIFY = 22
CA_FILE = 23
CLIENT_CERT = 24
PROXY = 25
NO_PROXY = 26
RETURN_AT_REDIRECT_LIMIT = 27
