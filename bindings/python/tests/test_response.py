"""Response: status, reason, headers, body, text decoding, JSON, history,
elapsed, cookies, raise_for_status, streaming and close."""

import datetime
import http.server
import threading

import pytest

import hsession


@pytest.fixture(scope="module")
def charset_server():
    """A small server of Python's own for bodies with chosen Content-Types
    (the project's test server has no endpoint for that)."""
    bodies = {
        "/latin1": ("text/plain; charset=ISO-8859-1", "grüße".encode("latin-1")),
        "/utf8-quoted": ('text/html; charset="utf-8"', "grüße €".encode("utf-8")),
        "/text-nocharset": ("text/plain", "grüße".encode("latin-1")),
        "/json-nocharset": ("application/json", '{"k": "€"}'.encode("utf-8")),
        "/json-utf16": ("application/json; charset=utf-16", '{"k": "€"}'.encode("utf-16")),
        "/bin": ("application/octet-stream", "€ sign".encode("utf-8")),
        "/notjson": ("application/json", b"{nope"),
    }

    class H(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            ct, body = bodies[self.path]
            self.send_response(200)
            self.send_header("Content-Type", ct)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Multi", "a")
            self.send_header("X-Multi", "b")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_status_reason_ok_and_raise_for_status(s, base):
    r = s.get(base + "/json")
    assert (r.status_code, r.reason, r.ok, bool(r)) == (200, "OK", True, True)
    r.raise_for_status()
    r = s.get(base + "/status/404")
    assert (r.status_code, r.reason, r.ok) == (404, "Not Found", False)
    with pytest.raises(hsession.HTTPError) as e:
        r.raise_for_status()
    assert e.value.response is r
    assert str(e.value) == f"404 Client Error: Not Found for url: {base}/status/404"
    r = s.get(base + "/status/503?reason=Busy")
    assert r.reason == "Busy"
    with pytest.raises(hsession.HTTPError, match="503 Server Error: Busy"):
        r.raise_for_status()
    assert s.get(base + "/status/302", allow_redirects=False).ok  # 3xx is ok
    assert repr(r) == "<Response [503]>"


def test_headers_case_insensitive_and_joined(s, charset_server):
    r = s.get(charset_server + "/latin1")
    assert r.headers["content-type"] == r.headers["Content-Type"] == "text/plain; charset=ISO-8859-1"
    assert r.headers["x-multi"] == "a, b"
    assert "CONTENT-LENGTH" in r.headers
    assert r.http_version == "HTTP/1.1"


def test_text_charset_from_headers_and_fallbacks(s, charset_server):
    assert s.get(charset_server + "/latin1").text == "grüße"
    assert s.get(charset_server + "/utf8-quoted").text == "grüße €"
    # text/* without charset: ISO-8859-1, as requests.
    r = s.get(charset_server + "/text-nocharset")
    assert r.text == "grüße"
    # JSON without charset: UTF-8.
    r = s.get(charset_server + "/json-nocharset")
    assert r.text == '{"k": "€"}' and r.json() == {"k": "€"}
    assert s.get(charset_server + "/json-utf16").json() == {"k": "€"}
    # Nothing in the headers: UTF-8 when it decodes.
    assert s.get(charset_server + "/bin").text == "€ sign"
    r = s.get(charset_server + "/latin1")
    r.encoding = "utf-8"  # set by the caller wins
    assert "\ufffd" in r.text


def test_json_errors(s, charset_server, base):
    with pytest.raises(hsession.JSONDecodeError) as e:
        s.get(charset_server + "/notjson").json()
    import json
    assert isinstance(e.value, json.JSONDecodeError)
    assert isinstance(e.value, hsession.RequestException)
    assert s.get(base + "/json").json()


def test_content_url_elapsed_history(s, base):
    r = s.get(base + "/bytes/1000")
    assert isinstance(r.content, bytes) and len(r.content) == 1000
    assert r.url == base + "/bytes/1000"
    assert isinstance(r.elapsed, datetime.timedelta) and r.elapsed.total_seconds() > 0
    r = s.get(base + "/delay/100")
    assert r.elapsed >= datetime.timedelta(milliseconds=100)
    r = s.get(base + "/redirect/2")
    assert [(h.status_code, h.url) for h in r.history] == [
        (302, base + "/redirect/2"), (302, base + "/redirect/1")]
    assert all(isinstance(h, hsession.Response) for h in r.history)
    r = s.get(f"{base}/redirect-to?url=/echo&status=307")
    assert r.history[0].status_code == 307


def test_response_cookies(s, base):
    r = s.get(base + "/cookies/set?x=1&y=2")
    assert r.cookies == {"x": "1", "y": "2"}
    assert s.get(base + "/json").cookies == {}


def test_decoded_bodies(s, base):
    for path in ("/gzip", "/deflate", "/brotli", "/zstd"):
        r = s.get(base + path)
        assert r.status_code == 200, path
        assert r.json(), path


def test_stream_reads_and_consumption(s, base):
    r = s.get(base + "/bytes/100000", stream=True)
    assert r.headers["content-length"] == "100000"
    assert len(r.content) == 100000
    assert len(r.content) == 100000  # cached
    r = s.get(base + "/bytes/10", stream=True)
    assert len(b"".join(r.iter_content(3))) == 10
    with pytest.raises(hsession.StreamConsumedError):
        next(r.iter_content(3))
    r = s.get(base + "/json", stream=True)
    text = "".join(r.iter_content(5, decode_unicode=True))
    assert text.startswith("{")


def test_stream_broken_body(s, base):
    r = s.get(base + "/close-mid-body", stream=True)
    with pytest.raises((hsession.ChunkedEncodingError, hsession.ConnectionError)):
        r.content
    # Not streaming: a body that breaks off is ChunkedEncodingError too, as
    # requests; no response at all is ConnectionError.
    with pytest.raises(hsession.ChunkedEncodingError):
        s.get(base + "/close-mid-body")
    with pytest.raises(hsession.ConnectionError):
        s.get(base + "/close-no-response")
    assert s.get(base + "/json").ok


def test_links(s, base):
    r = s.get(base + "/json")
    assert r.links == {}
    r.headers["link"] = '<https://api.example.com/p?page=2>; rel="next", <https://api.example.com/p?page=5>; rel="last"'
    assert r.links["next"]["url"] == "https://api.example.com/p?page=2"
    assert r.links["last"] == {"url": "https://api.example.com/p?page=5", "rel": "last"}


def test_close_is_idempotent(s, base):
    r = s.get(base + "/bytes/100000", stream=True)
    r.close()
    r.close()
    with s.get(base + "/json") as r:
        assert r.ok
