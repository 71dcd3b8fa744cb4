"""Bad input raises the exception requests would raise (or hsession's own
ValueError/TypeError subclasses), sends nothing, and leaves the session usable."""

import pytest

import hsession
from hsession import exceptions as hx

B = "{base}"  # replaced by the server's base URL

BAD_INPUTS = [
    # (description, call on session s, expected exception)
    ("URL not a string", lambda s, b: s.get(123), hx.MissingSchema),
    ("URL None", lambda s, b: s.get(None), hx.MissingSchema),
    ("empty URL", lambda s, b: s.get(""), hx.MissingSchema),
    ("URL without scheme", lambda s, b: s.get("127.0.0.1/echo"), hx.MissingSchema),
    ("ftp URL", lambda s, b: s.get("ftp://127.0.0.1/"), hx.InvalidSchema),
    ("URL without host", lambda s, b: s.get("http://"), hx.InvalidURL),
    ("space in host", lambda s, b: s.get("http://exa mple.com/"), hx.InvalidURL),
    ("CR LF in URL", lambda s, b: s.get(b + "/echo\r\nX-Injected: 1"), hx.InvalidURL),
    ("NUL in URL", lambda s, b: s.get(b + "/echo\0"), hx.InvalidURL),
    ("broken IPv6 host", lambda s, b: s.get("http://[::1/"), hx.InvalidURL),
    ("bad port", lambda s, b: s.get("http://127.0.0.1:99999/"), hx.InvalidURL),
    ("method with a space", lambda s, b: s.request("GE T", b + "/echo"), hx.InvalidArgument),
    ("method not a string", lambda s, b: s.request(None, b + "/echo"), TypeError),
    ("CR LF in header value", lambda s, b: s.get(b + "/echo", headers={"X": "a\r\nY: b"}), hx.InvalidHeader),
    ("LF in header name", lambda s, b: s.get(b + "/echo", headers={"X\n": "a"}), hx.InvalidHeader),
    ("colon in header name", lambda s, b: s.get(b + "/echo", headers={"X:": "a"}), hx.InvalidHeader),
    ("header value int", lambda s, b: s.get(b + "/echo", headers={"X": 1}), hx.InvalidHeader),
    ("header name int", lambda s, b: s.get(b + "/echo", headers={1: "a"}), hx.InvalidHeader),
    ("session header with LF", lambda s, b: s.headers.update({"X": "a\nb"}), hx.InvalidHeader),
    ("session header value None-like object", lambda s, b: s.headers.update({"X": object()}), hx.InvalidHeader),
    ("negative timeout", lambda s, b: s.get(b + "/echo", timeout=-1), ValueError),
    ("zero timeout", lambda s, b: s.get(b + "/echo", timeout=0), ValueError),
    ("string timeout", lambda s, b: s.get(b + "/echo", timeout="1"), ValueError),
    ("NaN timeout", lambda s, b: s.get(b + "/echo", timeout=float("nan")), ValueError),
    ("3-tuple timeout", lambda s, b: s.get(b + "/echo", timeout=(1, 2, 3)), ValueError),
    ("bool timeout", lambda s, b: s.get(b + "/echo", timeout=True), ValueError),
    ("params an int", lambda s, b: s.get(b + "/echo", params=5), TypeError),
    ("auth 1-tuple", lambda s, b: s.get(b + "/echo", auth=("a",)), TypeError),
    ("auth object", lambda s, b: s.get(b + "/echo", auth=object()), TypeError),
    ("colon in basic-auth user", lambda s, b: s.get(b + "/echo", auth=("a:b", "c")), hx.InvalidArgument),
    ("session auth bad", lambda s, b: setattr(s, "auth", 42), TypeError),
    ("space in cookie name", lambda s, b: s.get(b + "/echo", cookies={"a b": "c"}), hx.InvalidArgument),
    ("; in jar cookie", lambda s, b: s.cookies.__setitem__("a", "x;y"), hx.InvalidArgument),
    ("json not serialisable", lambda s, b: s.post(b + "/echo", json={1, 2}), hx.InvalidJSONError),
    ("file content a list", lambda s, b: s.post(b + "/echo", files={"f": [1]}), ValueError),
    ("data an object", lambda s, b: s.post(b + "/echo", data=object()), TypeError),
    ("bad multipart content type", lambda s, b: s.post(b + "/echo", files={"f": ("a", b"x", "nope")}),
     hx.InvalidArgument),
    ("verify an int", lambda s, b: s.get(b + "/echo", verify=5), TypeError),
    # A CA bundle is only used (so read) for https, as in requests.
    ("verify a missing CA file", lambda s, b: s.get(b.replace("http:", "https:") + "/echo",
                                                    verify="/nonexistent/ca.pem"),
     OSError),
    ("session verify missing file", lambda s, b: setattr(s, "verify", "/nonexistent/ca.pem"),
     hx.RequestException),
    # A client certificate is only used (so read) for https, as in requests.
    ("cert missing files", lambda s, b: s.get(b.replace("http:", "https:") + "/echo",
                                              cert=("/nonexistent/c", "/nonexistent/k")),
     OSError),
    ("max_redirects negative", lambda s, b: setattr(s, "max_redirects", -1), ValueError),
    ("per-request bad proxy", lambda s, b: s.get(b + "/echo", proxies={"http": "::nope"}), hx.InvalidURL),
    ("per-request proxy key", lambda s, b: s.get(b + "/echo", proxies={"gopher": "http://x:1"}), ValueError),
    ("Retry negative", lambda s, b: s.mount("http://", hsession.HTTPAdapter(
        max_retries=hsession.Retry(total=-2))), ValueError),
    ("Retry bad status", lambda s, b: s.mount(b, hsession.HTTPAdapter(
        max_retries=hsession.Retry(total=1, status_forcelist=[999]))), hx.InvalidArgument),
    ("chunk_size a string", lambda s, b: next(s.get(b + "/json").iter_content("x")), TypeError),
    ("connection refused", lambda s, b: s.get("http://127.0.0.1:1/"), hx.ConnectionError),
    ("name does not resolve", lambda s, b: s.get("http://nonexistent.invalid/", timeout=5), hx.ConnectionError),
]


@pytest.mark.parametrize("desc,call,exc", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input(desc, call, exc, base):
    with hsession.Session() as s:
        s.headers["X-Keep"] = "1"
        with pytest.raises(exc):
            call(s, base)
        # Nothing half-set, and the session still works.
        assert s.headers.get("X") is None
        r = s.get(base + "/echo")
        assert r.status_code == 200
        assert ["x-keep", "1"] in r.json()["headers"]
        assert not any(k == "x-injected" for k, _ in r.json()["headers"])


def test_errors_carry_code_and_redacted_url(s):
    with pytest.raises(hsession.ConnectionError) as e:
        s.get("http://user:secret@127.0.0.1:1/x")
    assert e.value.code == 10
    assert "secret" not in (e.value.url or "") and "secret" not in str(e.value)


def test_hierarchy_matches_requests():
    requests = pytest.importorskip("requests")
    names = [n for n in dir(hx) if isinstance(getattr(hx, n), type)
             and issubclass(getattr(hx, n), BaseException) and hasattr(requests.exceptions, n)]
    assert len(names) >= 20
    for n in names:
        ours, theirs = getattr(hx, n), getattr(requests.exceptions, n)
        for m in names:
            assert issubclass(ours, getattr(hx, m)) == issubclass(theirs, getattr(requests.exceptions, m)), (n, m)
    assert issubclass(hx.RequestException, IOError)
    for n in ("InvalidURL", "InvalidHeader", "MissingSchema", "InvalidSchema"):
        assert issubclass(getattr(hx, n), ValueError)


SECRET_URL = "http://alice:TOPSECRET@127.0.0.1:1/x"
LEAKY_CALLS = [
    # (description, call on session s); each fails, none may show the password
    ("unparsable URL", lambda s: s.get("http://alice:TOPSECRET@exa mple.com/")),
    ("no scheme", lambda s: s.get("alice:TOPSECRET@127.0.0.1/x")),
    ("bad header", lambda s: s.get(SECRET_URL, headers={"X": "a\r\nb"})),
    ("bad cookie", lambda s: s.get(SECRET_URL, cookies={"a;b": "1"})),
    ("bad method", lambda s: s.request("GE T", SECRET_URL)),
    ("bad proxy", lambda s: s.get(SECRET_URL, proxies={"http": "ftp://p:1"})),
    ("bad CA file", lambda s: s.get(SECRET_URL.replace("http:", "https:"), verify="/nonexistent/ca.pem")),
    ("cookie API", lambda s: s.cookies.set_cookie_header("http://alice:TOPSECRET@exa mple.com/", "a=1")),
    ("connect", lambda s: s.get(SECRET_URL)),
]


@pytest.mark.parametrize("call", [c for _, c in LEAKY_CALLS], ids=[d for d, _ in LEAKY_CALLS])
def test_no_error_shows_a_url_password(s, call):
    with pytest.raises(Exception) as e:
        call(s)
    shown = " ".join([str(e.value), repr(e.value.args), str(getattr(e.value, "url", ""))])
    assert "TOPSECRET" not in shown, shown


def test_a_proxy_that_cannot_be_reached_raises_proxy_error(s, base):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    with pytest.raises(hx.ProxyError) as e:
        s.get(base + "/echo", proxies={"http": f"http://127.0.0.1:{dead}"})
    assert e.value.code == 29
    assert isinstance(e.value, hsession.ConnectionError)
    assert s.get(base + "/echo").status_code == 200
