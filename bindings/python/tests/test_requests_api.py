"""requests' API beyond Session.request: Request/PreparedRequest,
prepare_request/send, the redirect methods, Response.request and full
history entries, RequestsCookieJar, codes, pickling, and the behaviours
that once differed from requests (each test failed before its fix)."""

import json
import os
import pickle
import socket
import threading

import pytest
from conftest import echoed

import hsession
from hsession.cookies import RequestsCookieJar, cookiejar_from_dict


def one_shot_server(response):
    """A server on 127.0.0.1 that answers one connection with `response` bytes."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        conn.settimeout(2)
        try:
            conn.recv(65536)
            conn.sendall(response)
        finally:
            conn.close()
            srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{srv.getsockname()[1]}/"


# -- multipart framing (the core's, every language has a test)

@pytest.mark.parametrize("mode", ["rb", "r"])
def test_multipart_upload_has_content_length_not_chunked(s, base, tmp_path, mode):
    path = tmp_path / "up.txt"
    path.write_text("hello\n" * 1000)
    with open(path, mode) as f:
        body = s.post(base + "/echo", files={"x": f}, data={"k": "v"}).json()
    assert len(echoed(body, "content-length")) == 1
    assert echoed(body, "transfer-encoding") == []
    assert body["multipart"]["files"]["x"]["size"] == 6000


# -- Request, PreparedRequest, prepare_request, send

def test_prepared_request_fields():
    p = hsession.Request("post", "http://EXAMPLE.com/a b?x=1", params={"y": "2"}, data={"k": "v"},
                         headers={"X-A": "1"}, cookies={"c": "d"}, auth=("u", "p")).prepare()
    assert isinstance(p, hsession.PreparedRequest)
    assert p.method == "POST"
    assert p.url == "http://example.com/a%20b?x=1&y=2"
    assert p.path_url == "/a%20b?x=1&y=2"
    assert p.body == "k=v"
    assert p.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert p.headers["Content-Length"] == "3"
    assert p.headers["Cookie"] == "c=d"
    assert p.headers["Authorization"] == "Basic dTpw"
    q = p.copy()
    q.headers["X-A"] = "2"
    assert p.headers["X-A"] == "1" and q.url == p.url
    mp = hsession.Request("POST", "http://h/", files={"f": ("a.txt", b"data", "text/plain")}).prepare()
    assert b'name="f"; filename="a.txt"' in mp.body and b"Content-Type: text/plain" in mp.body
    assert mp.headers["Content-Type"].startswith("multipart/form-data; boundary=")


def test_prepare_request_merges_session_settings_and_send_sends_it_exactly(s, base):
    s.headers["X-Session"] = "s"
    s.params = {"sp": "1"}
    s.cookies.set("jar", "j", domain="127.0.0.1")
    prep = s.prepare_request(hsession.Request("PUT", base + "/echo", json={"a": 1}, headers={"X-Req": "r"}))
    assert prep.headers["X-Session"] == "s" and prep.headers["X-Req"] == "r"
    assert "sp=1" in prep.url and prep.headers["Cookie"] == "jar=j"
    del prep.headers["X-Session"]          # the prepared request decides
    prep.headers["X-Added"] = "a"
    r = s.send(prep)
    body = r.json()
    assert body["method"] == "PUT" and body["json"] == {"a": 1}
    assert body["query"] == {"sp": ["1"]}, "session params are in the URL once"
    assert echoed(body, "x-session") == [] and echoed(body, "x-added") == ["a"]
    assert body["cookies"] == {"jar": "j"}
    assert r.request is prep
    with pytest.raises(ValueError):
        s.send(hsession.Request("GET", base + "/echo"))


def test_response_request_is_built_when_asked(s, base):
    r = s.post(base + "/redirect-to?url=/echo&status=303", data={"k": "v"}, headers={"X-A": "1"})
    assert r.request.method == "GET" and r.request.url == base + "/echo"
    assert r.request.body is None and "Content-Type" not in r.request.headers
    hop = r.history[0]
    assert isinstance(hop, hsession.Response)
    assert hop.is_redirect and hop.status_code == 303 and hop.headers["Location"] == "/echo"
    assert hop.reason == "See Other"
    assert hop.request.method == "POST" and hop.request.body == "k=v"
    assert hop.request.headers["X-A"] == "1"


def test_next_of_a_redirect_not_followed(s, base):
    r = s.post(base + "/redirect-to?url=/echo&status=303", data="x", allow_redirects=False)
    assert r.status_code == 303
    assert (r.next.method, r.next.url, r.next.body) == ("GET", base + "/echo", None)
    assert s.send(r.next).json()["method"] == "GET"
    assert s.get(base + "/echo", allow_redirects=False).next is None


def test_errors_carry_the_request(s):
    with pytest.raises(hsession.ConnectionError) as e:
        s.get("http://127.0.0.1:1/x")
    assert e.value.request.url == "http://127.0.0.1:1/x"


def test_too_many_redirects_carries_the_last_response(s, base):
    s.max_redirects = 3
    with pytest.raises(hsession.TooManyRedirects) as e:
        s.get(base + "/redirect/10")
    assert e.value.response.status_code == 302
    assert len(e.value.response.history) == 3
    assert e.value.request.url == base + "/redirect/7"
    assert s.get(base + "/redirect/3").status_code == 200


def test_should_strip_auth_override_decides(base):
    # 127.0.0.1 -> localhost is another origin: the library would drop Authorization.
    target = base.replace("127.0.0.1", "localhost") + "/echo"

    class KeepAuth(hsession.Session):
        def should_strip_auth(self, old_url, new_url):
            return False

    with hsession.Session() as s:
        r = s.get(base + "/redirect-to?url=" + target, auth=("u", "p"))
        assert echoed(r.json(), "authorization") == []
    with KeepAuth() as s:
        r = s.get(base + "/redirect-to?url=" + target, auth=("u", "p"))
        assert echoed(r.json(), "authorization") == ["Basic dTpw"]
        assert len(r.history) == 1 and r.history[0].status_code == 302


def test_auth_callable_and_custom_adapter(s, base):
    def sign(prep):
        prep.headers["X-Signed"] = prep.method + " " + prep.path_url
        return prep

    body = s.get(base + "/echo?a=1", auth=sign).json()
    assert echoed(body, "x-signed") == ["GET /echo?a=1"]

    class Canned(hsession.adapters.BaseAdapter):
        def send(self, request, **kwargs):
            r = hsession.Response()
            r.status_code = 299
            r.url = request.url
            r.request = request
            r._content = b"canned"
            r._content_consumed = True
            return r

        def close(self):
            pass

    s.mount("http://canned.invalid/", Canned())
    r = s.get("http://canned.invalid/x")
    assert (r.status_code, r.content) == (299, b"canned")


def test_merge_environment_settings_and_get_adapter(s, monkeypatch, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.invalid:3128")
    settings = s.merge_environment_settings("http://example.com/", {}, None, None, None)
    assert settings["verify"] == str(ca)
    assert settings["proxies"]["http"] == "http://proxy.invalid:3128"
    assert isinstance(s.get_adapter("https://x/"), hsession.HTTPAdapter)
    with pytest.raises(hsession.InvalidSchema):
        s.get_adapter("ftp://x/")


def test_requests_ca_bundle_is_used_with_trust_env(tls_server, monkeypatch):
    url = tls_server.url("/echo")
    with hsession.Session() as s:
        with pytest.raises(hsession.SSLError):
            s.get(url)
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls_server.dir / "ca.pem"))
        assert s.get(url).status_code == 200
        s.trust_env = False
        with pytest.raises(hsession.SSLError):
            s.get(url)


# -- cookies, codes, pickling

def test_requests_cookie_jar():
    jar = cookiejar_from_dict({"a": "1"})
    assert isinstance(jar, RequestsCookieJar)
    jar.set("b", "2", domain="example.com", path="/p")
    assert jar["a"] == "1" and jar.get("b", domain="example.com") == "2"
    assert jar.get_dict(path="/p") == {"b": "2"}
    assert sorted(jar.list_domains()) == ["", "example.com"]
    jar.set("b", "3", domain="other.com")
    with pytest.raises(hsession.cookies.CookieConflictError):
        jar["b"]
    assert pickle.loads(pickle.dumps(jar)).get_dict() == jar.get_dict()


def test_response_cookies_jar_and_session_with_a_cookielib_jar(s, base):
    r = s.get(base + "/cookies/set?k=v", allow_redirects=False)
    assert isinstance(r.cookies, RequestsCookieJar) and r.cookies["k"] == "v"
    import http.cookiejar
    cj = http.cookiejar.CookieJar()
    cookiejar_from_dict({"foo": "bar"}, cj)
    s.cookies = cj
    assert s.get(base + "/cookies").json()["cookies"] == {"foo": "bar"}
    assert s.cookies is cj


def test_codes():
    assert hsession.codes.ok == 200 and hsession.codes["not_found"] == 404
    assert hsession.codes.TEMPORARY_REDIRECT == 307 and hsession.codes["nothing_like_this"] is None


def test_pickling_session_response_and_json_error(base):
    with hsession.Session() as s:
        s.headers["X-P"] = "1"
        s.cookies.set("c", "v", domain="127.0.0.1")
        s2 = pickle.loads(pickle.dumps(s))
        body = s2.get(base + "/echo").json()
        assert echoed(body, "x-p") == ["1"] and body["cookies"] == {"c": "v"}
        s2.close()
        r = s.get(base + "/json")
        r2 = pickle.loads(pickle.dumps(r))
        assert (r2.status_code, r2.content, r2.url) == (r.status_code, r.content, r.url)
        assert r2.request.url == r.request.url and r2.headers == r.headers
    e = hsession.JSONDecodeError("msg", "doc", 1)
    assert isinstance(pickle.loads(pickle.dumps(e)), hsession.JSONDecodeError)


# -- behaviours that differed from requests

def test_json_of_a_body_that_is_not_utf8_is_jsondecodeerror():
    url = one_shot_server(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n\xff\xfe\xfd")
    r = hsession.get(url)
    with pytest.raises(hsession.RequestException):
        r.json()
    with pytest.raises(hsession.JSONDecodeError):
        r.json()


def test_non_ascii_location_and_fragment_kept(s, base):
    r = s.get(base + "/redirect-to?url=/anything/%C3%A9#frag")
    assert r.status_code == 200 and r.url == base + "/anything/%C3%A9#frag"
    r = s.get(base + "/redirect-to?url=/echo#part")
    assert r.url.endswith("/echo#part")
    r = s.get(base + "/redirect-to?url=/echo" + "#orig")
    assert r.url == base + "/echo#orig" and r.history[0].url.endswith("#orig")


def test_exception_classes_as_requests(s, base):
    with pytest.raises(hsession.InvalidSchema):
        s.get("localhost:3128")
    with pytest.raises(hsession.MissingSchema):
        s.get("example.com/x")
    for bad in ("http://*example.com", "http://.example.com"):
        with pytest.raises(hsession.InvalidURL):
            s.get(bad)
    for bad in ("http:/badproxyurl:3128", "http://:8080", "https://", "http:///example.com:8080"):
        with pytest.raises(hsession.InvalidProxyURL):
            s.get(base + "/echo", proxies={"http": bad})
    # Without a scheme a proxy is http:// (a connection error, not a bad URL).
    with pytest.raises(hsession.ConnectionError):
        s.get("http://example.invalid/", proxies={"http": "127.0.0.1:1"})
    url = one_shot_server(b"HTTP/1.1 200 OK\r\nContent-Length: 16\r\nContent-Length: 32\r\n\r\nxxxxxxxxxxxxxxxx")
    with pytest.raises(hsession.InvalidHeader):
        s.get(url)


@pytest.mark.parametrize("response", [
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
])
def test_a_body_that_breaks_off_is_chunkedencodingerror(response):
    # Not streaming too, as requests.
    with pytest.raises(hsession.ChunkedEncodingError):
        hsession.get(one_shot_server(response))


def test_smaller_differences(s, base):
    # cert= is for https only.
    assert s.get(base + "/echo", cert=("/nonexistent/c", "/nonexistent/k")).status_code == 200
    # A files= entry of None is left out.
    body = s.post(base + "/echo", files={"a": None, "b": ("b.txt", b"x")}).json()
    assert list(body["multipart"]["files"]) == ["b"]
    assert hsession.Response().content is None
    r = hsession.Response()
    r.status_code, r.reason, r.url = 404, "Nicht gefunden".encode(), "http://x/"
    with pytest.raises(hsession.HTTPError, match="404 Client Error: Nicht gefunden for url"):
        r.raise_for_status()
