"""Session settings and the request options, against the test server."""

import json
import os

import pytest

import hsession
from conftest import echoed


def test_context_manager_closes(base):
    with hsession.Session() as s:
        assert s.get(base + "/json").status_code == 200
    with pytest.raises(hsession.SessionClosed):
        s.get(base + "/json")
    s.close()  # twice is fine


def test_methods(s, base):
    for name in ("get", "post", "put", "patch", "delete", "options"):
        r = getattr(s, name)(base + "/echo")
        assert r.status_code == 200
        assert r.json()["method"] == name.upper()
    r = s.head(base + "/echo")
    assert r.status_code == 200 and r.content == b""
    assert s.request("get", base + "/echo").json()["method"] == "GET"
    assert s.request("PROPFIND", base + "/echo").json()["method"] == "PROPFIND"


def test_session_headers_apply_and_are_case_insensitive(s, base):
    s.headers.update({"User-Agent": "MyApp/1.0", "X-Token": "a"})
    assert s.headers["user-agent"] == "MyApp/1.0"
    body = s.get(base + "/echo").json()
    assert echoed(body, "user-agent") == ["MyApp/1.0"]
    assert echoed(body, "x-token") == ["a"]
    s.headers["x-token"] = "b"  # same header, other case
    assert echoed(s.get(base + "/echo").json(), "x-token") == ["b"]
    del s.headers["X-TOKEN"]
    assert echoed(s.get(base + "/echo").json(), "x-token") == []
    s.headers = {"X-Only": "1"}
    body = s.get(base + "/echo").json()
    assert echoed(body, "x-only") == ["1"]
    assert echoed(body, "user-agent") == []  # replaced wholesale
    assert dict(s.headers) == {"X-Only": "1"}


def test_request_headers_merge_override_and_remove(s, base):
    s.headers.update({"Accept": "application/json", "X-A": "session"})
    body = s.get(base + "/echo", headers={"X-A": "request", "X-B": "b"}).json()
    assert echoed(body, "x-a") == ["request"]
    assert echoed(body, "x-b") == ["b"]
    body = s.get(base + "/echo", headers={"X-A": None}).json()
    assert echoed(body, "x-a") == []
    assert echoed(body, "accept") == ["application/json"]
    # The session header is still there for the next request.
    assert echoed(s.get(base + "/echo").json(), "x-a") == ["session"]


def test_auth_tuple_basic_and_bearer(s, base):
    s.auth = ("user", "pass")
    assert s.get(base + "/basic-auth/user/pass").status_code == 200
    s.auth = hsession.HTTPBasicAuth("user", "wrong")
    assert s.get(base + "/basic-auth/user/pass").status_code == 401
    s.auth = hsession.HTTPBearerAuth("tok")
    r = s.get(base + "/bearer")
    assert r.status_code == 200, r.text
    assert echoed(s.get(base + "/echo").json(), "authorization") == ["Bearer tok"]
    s.auth = None
    assert s.get(base + "/basic-auth/user/pass").status_code == 401
    # Per request.
    assert s.get(base + "/basic-auth/user/pass", auth=("user", "pass")).status_code == 200
    r = s.get(base + "/echo", auth=hsession.HTTPBearerAuth("t2")).json()
    assert echoed(r, "authorization") == ["Bearer t2"]


def test_requests_own_auth_object_is_accepted(s, base):
    requests = pytest.importorskip("requests")
    s.auth = requests.auth.HTTPBasicAuth("user", "pass")
    assert s.get(base + "/basic-auth/user/pass").status_code == 200


def test_digest_auth_session_and_request(s, base):
    from hsession.auth import HTTPDigestAuth
    url = base + "/digest-auth/auth/user/pass"
    assert s.get(url).status_code == 401
    s.auth = HTTPDigestAuth("user", "pass")
    r = s.get(url)
    assert r.status_code == 200, r.text
    assert r.json() == {"authenticated": True, "user": "user"}
    assert s.cookies.get("fake") == "fake_value"  # the challenge's cookie, as requests keeps it
    # The session answers later requests at once, from the last challenge.
    r = s.get(base + "/digest-auth/auth/user/pass/SHA-256")
    assert r.status_code == 200, r.text
    assert s.get(base + "/digest-auth/auth/user/pass/SHA-256").status_code == 200
    s.auth = HTTPDigestAuth("user", "wrong")
    assert s.get(url).status_code == 401
    s.auth = None
    assert s.get(url).status_code == 401
    # Per request, MD5 and SHA-256, with qop and without.
    for path in ("/digest-auth/auth/user/pass/MD5", "/digest-auth/none/user/pass",
                 "/digest-auth/auth/user/pass/SHA-256-sess"):
        r = s.get(base + path, auth=HTTPDigestAuth("user", "pass"))
        assert r.status_code == 200, (path, r.text)
    assert s.get(url, auth=HTTPDigestAuth("user", "nope")).status_code == 401
    # Through prepare_request + send, as requests does it.
    prep = s.prepare_request(hsession.Request("GET", url, auth=HTTPDigestAuth("user", "pass")))
    assert s.send(prep).status_code == 200


def test_digest_auth_not_sent_to_another_origin(s, base, server):
    from hsession.auth import HTTPDigestAuth
    other = base.replace("127.0.0.1", "localhost")
    s.auth = HTTPDigestAuth("user", "pass")
    r = s.get(base + "/redirect-to", params={"url": other + "/digest-auth/auth/user/pass"})
    assert r.status_code == 401
    assert [h.status_code for h in r.history] == [302]


def test_netrc_with_trust_env(s, base, tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login user password pass\n")
    monkeypatch.setenv("NETRC", str(netrc))
    url = base + "/basic-auth/user/pass"
    assert s.get(url).status_code == 200
    assert s.get(url, auth=("user", "wrong")).status_code == 401
    s.trust_env = False
    assert s.get(url).status_code == 401


def test_requests_digest_auth_object_is_accepted(s, base):
    requests = pytest.importorskip("requests")
    s.auth = requests.auth.HTTPDigestAuth("user", "pass")
    assert s.get(base + "/digest-auth/auth/user/pass").status_code == 200


def test_params_session_and_request(s, base):
    s.params = {"a": "1", "b": ["x", "y"]}
    r = s.get(base + "/echo")
    assert r.url.endswith("?a=1&b=x&b=y")
    r = s.get(base + "/echo", params={"a": "2", "c": "3 4"})
    assert "a=2" in r.url and "a=1" not in r.url
    assert "c=3+4" in r.url or "c=3%204" in r.url
    s.params["d"] = "5"
    assert "d=5" in s.get(base + "/echo").url
    del s.params["d"]
    s.params.clear()
    assert "?" not in s.get(base + "/echo").url
    r = s.get(base + "/echo", params=[("k", "1"), ("k", "2")])
    assert r.url.endswith("?k=1&k=2")
    assert s.get(base + "/echo", params="q=v").url.endswith("?q=v")
    assert s.get(base + "/echo", params={"skip": None}).url.endswith("/echo")


def test_data_json_and_files(s, base, tmp_path):
    r = s.post(base + "/echo", data={"k": "v", "l": ["1", "2"]}).json()
    assert r["form"]["k"] == "v"
    assert echoed(r, "content-type") == ["application/x-www-form-urlencoded"]
    r = s.post(base + "/echo", data=b"\x00raw").json()
    assert r["body_base64"] and r["body_len"] == 4
    r = s.post(base + "/echo", data="grüß").json()
    assert r["body"] == "grüß"
    r = s.post(base + "/echo", json={"a": [1, 2]}).json()
    assert r["json"] == {"a": [1, 2]}
    assert echoed(r, "content-type") == ["application/json"]
    r = s.put(base + "/echo", data=(c for c in [b"ab", b"cd"])).json()
    assert r["body"] == "abcd"
    with pytest.raises(hsession.InvalidJSONError):
        s.post(base + "/echo", json={"x": float("nan")})

    p = tmp_path / "report.csv"
    p.write_bytes(b"a,b\n1,2\n")
    with open(p, "rb") as f:
        r = s.post(base + "/echo", data={"field": "v"}, files={
            "report": f,
            "mem": ("mem.bin", b"\x00\x01\x02", "application/x-test"),
            "text": ("t.txt", "hello"),
        }).json()
    m = r["multipart"]
    assert "error" not in m, m
    assert m["fields"]["field"] == "v"
    assert m["files"]["report"]["filename"] == "report.csv"
    assert m["files"]["mem"]["filename"] == "mem.bin"
    assert m["files"]["mem"]["content_type"] == "application/x-test"
    assert m["files"]["text"]["filename"] == "t.txt"
    import base64
    assert base64.b64decode(m["files"]["report"]["body_base64"]) == b"a,b\n1,2\n"
    assert base64.b64decode(m["files"]["mem"]["body_base64"]) == b"\x00\x01\x02"


def test_request_cookies_are_not_stored(s, base):
    r = s.get(base + "/cookies", cookies={"once": "1"}).json()
    assert r["cookies"] == {"once": "1"}
    assert s.get(base + "/cookies").json()["cookies"] == {}
    assert "once" not in s.cookies


def test_cookie_jar_view(s, base, tmp_path):
    s.get(base + "/cookies/set?a=1&b=2")
    assert s.cookies["a"] == "1"
    assert dict(s.cookies.items()) == {"a": "1", "b": "2"}
    assert "b" in s.cookies and len(s.cookies) == 2
    assert s.get(base + "/cookies").json()["cookies"] == {"a": "1", "b": "2"}
    c = next(iter(s.cookies))
    assert c.domain == "127.0.0.1" and c.path == "/"
    del s.cookies["a"]
    assert s.get(base + "/cookies").json()["cookies"] == {"b": "2"}
    # A cookie with a domain goes into the jar; one without goes to any host.
    s.cookies.set("d", "4", domain="127.0.0.1", path="/")
    s.cookies["anyhost"] = "5"
    assert s.get(base + "/cookies").json()["cookies"] == {"b": "2", "d": "4", "anyhost": "5"}
    with pytest.raises(hsession.InvalidArgument):
        s.cookies.set("x", "y", domain="example.com", url="http://other.org/")  # not its domain
    with pytest.raises(hsession.InvalidArgument):
        s.cookies.set("x", "y", domain=".co.uk", url="http://a.co.uk/")  # a public suffix
    # save / load
    f = tmp_path / "jar.txt"
    assert s.cookies.save(f) == 2
    assert oct(os.stat(f).st_mode & 0o777) == "0o600"
    s.cookies.clear()
    assert len(s.cookies) == 0
    assert s.cookies.load(f) == 2
    assert s.cookies.get_dict() == {"b": "2", "d": "4"}
    j = tmp_path / "jar.json"
    s.cookies.save(j)
    assert json.loads(j.read_text())["format"] == "hsession-cookies"
    with hsession.Session() as other:
        other.cookies.load(j)
        assert other.get(base + "/cookies").json()["cookies"] == {"b": "2", "d": "4"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(hsession.InvalidArgument):
        s.cookies.load(bad)
    with pytest.raises(hsession.RequestException):
        s.cookies.load(tmp_path / "missing.txt")


def test_login_cookie_flow(s, base):
    r = s.post(base + "/login", data={"username": "user", "password": "pass"})
    assert r.json()["logged_in"] is True
    assert "session" in r.cookies
    assert s.get(base + "/protected").status_code == 200
    s.cookies.clear()
    assert s.get(base + "/protected").status_code == 401


def test_timeouts(s, base):
    with pytest.raises(hsession.ReadTimeout):
        s.get(base + "/delay/2000", timeout=0.2)
    with pytest.raises(hsession.Timeout):
        s.get(base + "/delay/2000", timeout=(5, 0.2))
    assert s.get(base + "/delay/10", timeout=(1, 5)).status_code == 200
    assert s.get(base + "/delay/10", timeout=(None, None)).status_code == 200
    # A listener whose accept queue is full: connects to it hang.
    import socket
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(0)
    port = lst.getsockname()[1]
    fill = []
    for _ in range(8):
        c = socket.socket()
        c.settimeout(0.2)
        try:
            c.connect(("127.0.0.1", port))
            fill.append(c)
        except OSError:
            c.close()
            break
    with pytest.raises(hsession.ConnectTimeout) as e:
        s.get(f"http://127.0.0.1:{port}/", timeout=(0.2, 5))
    for c in fill:
        c.close()
    lst.close()
    assert isinstance(e.value, hsession.ConnectionError) and isinstance(e.value, hsession.Timeout)
    s.set_timeout(0.2)
    with pytest.raises(hsession.ReadTimeout):
        s.get(base + "/delay/2000")


def test_requests_partial_timeout(s, base):
    import functools
    s.request = functools.partial(s.request, timeout=0.2)
    with pytest.raises(hsession.ReadTimeout):
        s.get(base + "/delay/2000")


def test_redirects_history_and_limits(s, base):
    r = s.get(base + "/redirect/3")
    assert r.status_code == 200
    assert [h.status_code for h in r.history] == [302, 302, 302]
    assert r.history[0].url == base + "/redirect/3"
    assert r.url == base + "/echo"
    r = s.get(base + "/redirect/2", allow_redirects=False)
    assert r.status_code == 302 and r.history == [] and r.is_redirect
    s.max_redirects = 2
    with pytest.raises(hsession.TooManyRedirects):
        s.get(base + "/redirect/3")
    assert s.get(base + "/redirect/2").status_code == 200


def test_stream_iter_content_and_lines(s, base):
    with s.get(base + "/bytes/300000", stream=True) as r:
        assert r.status_code == 200
        total = 0
        for chunk in r.iter_content(65536):
            assert 0 < len(chunk) <= 65536
            total += len(chunk)
        assert total == 300000
    r = s.get(base + "/drip?bytes=10&delay_ms=5", stream=True)
    assert len(r.content) == 10
    r = s.post(base + "/echo", data=b"a\nbb\r\nccc", stream=True)
    assert r.json()["body"] == "a\nbb\r\nccc"
    lines = list(s.get(base + "/json", stream=True).iter_lines())
    assert b"".join(lines).startswith(b"{")
    r = s.post(base + "/anything", data=b"x")
    assert len(list(r.iter_content(7))) == (len(r.content) + 6) // 7
    # Closing a streamed response in the middle stops the download.
    r = s.get(base + "/bytes/50000000", stream=True)
    next(r.iter_content(1024))
    r.close()
    assert s.get(base + "/json").ok


def test_iter_lines_splits(s, base):
    r = s.post(base + "/echo", data=b"x")
    r._content = b"one\ntwo\r\nthree"
    assert list(r.iter_lines(chunk_size=2)) == [b"one", b"two", b"three"]
    assert list(r.iter_lines(chunk_size=4, decode_unicode=True)) == ["one", "two", "three"]
    assert list(r.iter_lines(delimiter=b"t")) == [b"one\n", b"wo\r\n", b"hree"]
    r._content = b"a\n\nb\r\n\r\nc\n"
    for size in (1, 2, 3, 512):
        assert list(r.iter_lines(chunk_size=size)) == [b"a", b"", b"b", b"", b"c"], size


def test_mount_retry(s, base):
    import uuid
    key = uuid.uuid4().hex
    retry = hsession.Retry(total=3, backoff_factor=0.01, status_forcelist=[500, 502, 503, 504])
    s.mount(base + "/flaky/", hsession.HTTPAdapter(max_retries=retry))
    r = s.get(f"{base}/flaky/{key}/2")
    assert r.status_code == 200 and r.retries == 2
    assert s.get(f"{base}/attempts/{key}").json()["attempts"] == 3
    # A URL under another prefix has the default adapter: no retries.
    key2 = uuid.uuid4().hex
    assert s.get(f"{base}/anything/../flaky/{key2}/1").status_code in (200, 503)
    r = s.get(f"{base}/status/503")
    assert r.status_code == 503 and r.retries == 0


def test_counters_show_pooling(s, base):
    for _ in range(5):
        s.get(base + "/json")
    assert s.requests_sent == 5
    assert s.connections_opened == 1


def test_trust_env_and_proxies_views(s):
    s.trust_env = False
    assert s.trust_env is False
    s.proxies = {"http": "http://127.0.0.1:3128", "no_proxy": "localhost"}
    assert s.proxies == {"http": "http://127.0.0.1:3128", "no_proxy": "localhost"}
    del s.proxies["http"]
    with pytest.raises(ValueError):
        s.proxies["ftp"] = "http://x:1"
    with pytest.raises(hsession.InvalidProxyURL):
        s.proxies["http"] = "not a url"
    assert "ftp" not in s.proxies and "http" not in s.proxies


def test_module_level_functions(base):
    assert hsession.get(base + "/json").json()["slideshow"]
    assert hsession.post(base + "/echo", json={"a": 1}).json()["json"] == {"a": 1}


def test_cookies_can_be_replaced_and_hooks_run(s, base):
    s.get(base + "/cookies/set?old=1")
    s.cookies = {"new": "2"}
    assert s.get(base + "/cookies").json()["cookies"] == {"new": "2"}
    seen = []
    s.hooks["response"].append(lambda r: seen.append(r.status_code))
    s.get(base + "/json", hooks={"response": lambda r: seen.append("request hook")})
    assert seen == [200, "request hook"]


def test_max_body_size_and_total_timeout(s, base):
    s.max_body_size = 1000
    assert len(s.get(base + "/bytes/1000").content) == 1000
    with pytest.raises(hsession.BodyTooLarge):
        s.get(base + "/bytes/1001")
    s.max_body_size = None
    assert len(s.get(base + "/bytes/300000").content) == 300000
    with pytest.raises(ValueError):
        s.max_body_size = -1
    # The total timeout bounds a body that keeps trickling in.
    s.set_timeout(5, total=0.3)
    with pytest.raises(hsession.Timeout):
        s.get(base + "/drip?bytes=20&delay_ms=50")
    s.set_timeout(5, total=None)
    assert len(s.get(base + "/drip?bytes=5&delay_ms=10").content) == 5


def test_file_body_is_streamed_from_disk(s, base, tmp_path):
    p = tmp_path / "upload.bin"
    data = bytes(range(256)) * 4096  # 1 MiB
    p.write_bytes(data)
    with open(p, "rb") as f:
        r = s.put(base + "/echo", data=f).json()
    assert r["body_len"] == len(data)
    assert echoed(r, "content-length") == [str(len(data))]
    import io
    r = s.put(base + "/echo", data=io.BytesIO(b"in memory")).json()
    assert r["body"] == "in memory"
    with open(p, "rb") as f:
        f.read(10)  # not at its start: read from where it is, in Python
        assert s.put(base + "/echo", data=f).json()["body_len"] == len(data) - 10


def test_params_and_proxies_views_stay_in_sync(s, base):
    s.params.setdefault("a", "1")
    s.params |= {"b": "2"}
    assert s.get(base + "/echo").url.endswith("?a=1&b=2")
    s.params.popitem()
    assert s.get(base + "/echo").url.endswith("?a=1")
    s.trust_env = False
    s.proxies.setdefault("no_proxy", "example.org")
    s.proxies |= {"http": "http://127.0.0.1:9"}
    with pytest.raises(hsession.ConnectionError):
        s.get(base + "/echo")  # through the (closed) proxy port
    assert s.proxies.popitem() == ("http", "http://127.0.0.1:9")
    assert s.get(base + "/echo").ok
