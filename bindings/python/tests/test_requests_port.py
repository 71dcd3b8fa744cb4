"""requests' own session tests (tests/test_requests.py), ported where they
apply: the behaviour each checks, against hsession and the test server."""

import uuid

import pytest

import hsession
from conftest import echoed
from hsession.adapters import Retry
from hsession.exceptions import RetryError


# --- cookies

def test_session_persistent_cookies(s, base):
    # requests: test_cookie_persists_via_api / test_cookie_sent_on_redirect
    s.get(base + "/cookies/set?foo=bar")
    assert s.cookies["foo"] == "bar"
    r = s.get(base + "/redirect/1")  # sent on the redirect hop too
    assert r.json()["cookies"] == {"foo": "bar"}


def test_request_cookie_overrides_session_cookie(s, base):
    s.cookies["foo"] = "bar"
    r = s.get(base + "/cookies", cookies={"foo": "baz"})
    assert r.json()["cookies"]["foo"] == "baz"
    assert s.cookies["foo"] == "bar"  # the session's is unchanged


def test_request_cookies_not_persisted(s, base):
    s.get(base + "/cookies", cookies={"foo": "baz"})
    assert len(s.cookies) == 0


def test_cookie_removed_on_expire(s, base):
    s.get(base + "/cookies/set?foo=bar")
    assert s.cookies["foo"] == "bar"
    s.get(base + "/cookies/set-raw", params={"c": "foo=deleted; Path=/; expires=Thu, 01-Jan-1970 00:00:01 GMT"})
    assert "foo" not in s.cookies


def test_cookie_quote_wrapped(s, base):
    s.get(base + '/cookies/set?foo="bar:baz"')
    assert s.cookies["foo"] == '"bar:baz"'


def test_cookies_set_on_redirect_hop_are_kept(s, base):
    r = s.get(base + "/redirect-to", params={"url": "/cookies", "set_cookie": "hop=1; Path=/"})
    assert r.json()["cookies"] == {"hop": "1"}
    assert s.cookies["hop"] == "1"


def test_generic_dict_as_request_cookies(s, base):
    r = s.get(base + "/cookies", cookies={"a": "1", "b": "2"})
    assert r.json()["cookies"] == {"a": "1", "b": "2"}


# --- headers

def test_headers_on_session_with_none_are_not_sent(s, base):
    s.headers["Accept-Encoding"] = None
    s.headers["X-None"] = None
    body = s.get(base + "/echo").json()
    assert echoed(body, "x-none") == []


def test_header_remove_is_case_insensitive(s, base):
    s.headers["foo"] = "bar"
    body = s.get(base + "/echo", headers={"FOO": None}).json()
    assert echoed(body, "foo") == []


def test_params_are_merged_case_sensitive(s, base):
    s.params["foo"] = "bar"
    r = s.get(base + "/echo", params={"FOO": "bar"})
    assert r.url.endswith("?foo=bar&FOO=bar")


def test_headers_preserve_order(s, base):
    s.headers.update({"X-First": "1", "X-Second": "2"})
    body = s.get(base + "/echo", headers={"X-Third": "3", "X-Fourth": "4"}).json()
    names = [k for k, _ in body["headers"] if k.startswith("x-")]
    assert names == ["x-first", "x-second", "x-third", "x-fourth"]


def test_user_agent_transfers(s, base):
    heads = {"User-agent": "Mozilla/5.0 (github.com/psf/requests)"}
    assert heads["User-agent"] in s.get(base + "/echo", headers=heads).text
    heads = {"user-agent": "Mozilla/5.0 (github.com/psf/requests)"}
    assert heads["user-agent"] in s.get(base + "/echo", headers=heads).text


def test_fixes_1329_header_case_merging(s, base):
    s.headers.update({"ACCEPT": "BOGUS"})
    s.headers.update({"accept": "application/json"})
    body = s.get(base + "/echo").json()
    assert echoed(body, "accept") == ["application/json"]


@pytest.mark.parametrize("value", ["foo\nbar", "foo\rbar", " foo", "\tfoo"])
def test_header_no_return_chars_or_leading_space(s, base, value):
    with pytest.raises(hsession.InvalidHeader):
        s.get(base + "/echo", headers={"foo": value})
    assert s.get(base + "/echo").ok


def test_header_value_not_str(s, base):
    for bad in (1, 1.5, ["x"], {"a": 1}):
        with pytest.raises(hsession.InvalidHeader):
            s.get(base + "/echo", headers={"X-Bad": bad})


# --- auth and redirects

def test_set_basicauth(s, base):
    s.auth = ("user", "pass")
    assert s.get(base + "/basic-auth/user/pass").status_code == 200


def test_auth_is_stripped_on_redirect_off_host(s, server):
    # 127.0.0.1 -> localhost: another host, Authorization must not follow.
    s.auth = ("user", "pass")
    other = f"http://localhost:{server.port}/echo"
    r = s.get(server.url("/redirect-to"), params={"url": other})
    assert r.url == other
    assert echoed(r.json(), "authorization") == []


def test_auth_is_retained_for_redirect_on_host(s, server):
    s.auth = ("user", "pass")
    r = s.get(server.url("/redirect-to"), params={"url": "/echo"})
    assert echoed(r.json(), "authorization") != []


def test_auth_stays_stripped_after_returning_to_the_host(s, server):
    s.auth = ("user", "pass")
    back = server.url("/redirect-to?url=") + server.url("/echo")
    via_other = f"http://localhost:{server.port}/redirect-to"
    r = s.get(server.url("/redirect-to"), params={"url": via_other + "?url=" + server.url("/echo")})
    assert len(r.history) == 2
    assert echoed(r.json(), "authorization") == []
    assert back  # (the chain above returns to the first host)


def test_history_is_always_a_list(s, base):
    r = s.get(base + "/echo")
    assert isinstance(r.history, list) and r.history == []
    r = s.get(base + "/redirect/3")
    assert isinstance(r.history, list) and len(r.history) == 3


def test_requests_in_history_are_not_overridden(s, base):
    r = s.get(base + "/redirect/3")
    urls = [h.url for h in r.history]
    assert len(set(urls)) == 3


def test_303_post_becomes_get(s, base):
    r = s.post(base + "/redirect-to", params={"url": "/echo", "status": "303"}, data=b"x")
    assert r.json()["method"] == "GET" and r.json()["body_len"] == 0


def test_307_keeps_method_and_body(s, base):
    r = s.post(base + "/redirect-to", params={"url": "/echo", "status": "307"}, data=b"abc")
    assert r.json()["method"] == "POST" and r.json()["body"] == "abc"


def test_mixed_case_scheme_acceptable(s, base):
    for scheme in ("http://", "HTTP://", "hTTp://", "HttP://"):
        url = scheme + base.split("://", 1)[1] + "/echo"
        assert s.get(url).status_code == 200


def test_http_200_ok_get_with_mixed_params(s, base):
    r = s.get(base + "/echo?test=true", params={"q": "test"}, headers={"User-agent": "x"})
    assert r.status_code == 200 and "test=true" in r.url and "q=test" in r.url


def test_json_param_post_content_type_works(s, base):
    r = s.post(base + "/echo", json={"life": 42})
    assert r.status_code == 200
    assert "application/json" in echoed(r.json(), "content-type")[0]
    assert r.json()["json"] == {"life": 42}


def test_unicode_multipart_post(s, base):
    r = s.post(base + "/echo", data={"stuff": "ëlïxr"}, files={"file": ("test_requests.py", b"x")})
    assert r.status_code == 200
    assert r.json()["multipart"]["fields"]["stuff"] == "ëlïxr"


# --- adapters and retries

def test_transport_adapter_ordering(s):
    order = ["https://", "http://"]
    assert list(s.adapters) == order
    s.mount("https://github.com/", hsession.HTTPAdapter())
    s.mount("https://github.com/about", hsession.HTTPAdapter())
    s.mount("http://git", hsession.HTTPAdapter())
    s.mount("http://gi", hsession.HTTPAdapter())
    assert list(s.adapters) == ["https://github.com/about", "https://github.com/", "http://git",
                                "http://gi", "https://", "http://"]


def test_session_get_adapter_prefix_matching(s):
    a, b = hsession.HTTPAdapter(), hsession.HTTPAdapter()
    s.mount("https://example.com", a)
    s.mount("https://example.com/api", b)
    assert s.get_adapter("https://example.com/api/x") is b
    assert s.get_adapter("https://example.com/other") is a
    assert s.get_adapter("HTTPS://EXAMPLE.COM/api") is b  # mixed case
    assert s.get_adapter("http://example.org") is s.adapters["http://"]
    with pytest.raises(hsession.InvalidSchema):  # requests' class for it
        s.get_adapter("ftp://x")


def test_urllib3_retries_raise_retry_error(s, base):
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[500])))
    key = uuid.uuid4().hex
    with pytest.raises(RetryError):
        s.get(f"{base}/flaky/{key}/10?status=500")
    assert s.get(f"{base}/attempts/{key}").json()["attempts"] == 3


def test_retry_raise_on_status_false_returns_the_response(s, base):
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=2, status_forcelist=[500],
                                                                raise_on_status=False)))
    key = uuid.uuid4().hex
    r = s.get(f"{base}/flaky/{key}/10?status=500")
    assert r.status_code == 500 and r.retries == 2


def test_retry_only_idempotent_methods_unless_allowed(s, base):
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503])))
    key = uuid.uuid4().hex
    r = s.post(f"{base}/flaky/{key}/1")
    assert r.status_code == 503  # POST is not retried by default
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503],
                                                                allowed_methods=["POST"])))
    key = uuid.uuid4().hex
    assert s.post(f"{base}/flaky/{key}/1").status_code == 200


def test_retry_after_is_respected(s, base):
    import time
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=1, status_forcelist=[503])))
    key = uuid.uuid4().hex
    t = time.monotonic()
    r = s.get(f"{base}/flaky/{key}/1?retry_after=1")
    assert r.status_code == 200 and time.monotonic() - t >= 0.9


def test_urllib3_retry_object_and_requests_adapter_work(s, base):
    urllib3_retry = pytest.importorskip("urllib3.util.retry")
    requests_adapters = pytest.importorskip("requests.adapters")
    retries = urllib3_retry.Retry(total=3, backoff_factor=0.01, status_forcelist=[500, 502, 503, 504])
    s.mount("http://", requests_adapters.HTTPAdapter(max_retries=retries))
    key = uuid.uuid4().hex
    r = s.get(f"{base}/flaky/{key}/2")
    assert r.status_code == 200 and r.retries == 2


def test_max_retries_int_retries_connect_errors(s):
    s.mount("http://", hsession.HTTPAdapter(max_retries=2))
    with pytest.raises(hsession.ConnectionError):
        s.get("http://127.0.0.1:1/")


# --- misc

def test_session_close_then_request_raises(base):
    s = hsession.Session()
    s.close()
    with pytest.raises(hsession.RequestException):
        s.get(base + "/echo")


def test_response_is_iterable(s, base):
    r = s.get(base + "/bytes/300")
    assert b"".join(iter(r)) == r.content


def test_manual_redirect_with_partial_body_read(s, base):
    r1 = s.get(base + "/redirect/2", allow_redirects=False, stream=True)
    assert r1.is_redirect
    next(r1.iter_content(8), None)
    r2 = s.get(base + "/" + r1.headers["location"].lstrip("/"), allow_redirects=False, stream=True)
    assert r2.is_redirect
    r1.close()
    r2.close()


def test_retry_backoff_grows(s, base):
    import time
    # urllib3: no sleep before the first retry, then factor * 2^(n-1).
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.1,
                                                                status_forcelist=[503])))
    key = uuid.uuid4().hex
    t = time.monotonic()
    r = s.get(f"{base}/flaky/{key}/3")
    took = time.monotonic() - t
    assert r.status_code == 200 and r.retries == 3
    assert took >= 0.6, took  # 0 + 0.2 + 0.4


def test_retry_status_count_limits(s, base):
    s.mount("http://", hsession.HTTPAdapter(max_retries=Retry(total=10, status=1,
                                                                status_forcelist=[503])))
    key = uuid.uuid4().hex
    with pytest.raises(RetryError):
        s.get(f"{base}/flaky/{key}/2")
    assert s.get(f"{base}/attempts/{key}").json()["attempts"] == 2
