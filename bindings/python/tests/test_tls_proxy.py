"""verify, cert and proxies: on the session and per request (where they
differ from the session's, the request goes through a pool of its own)."""

import pytest

import hsession
from conftest import Server, echoed


@pytest.fixture(scope="module")
def mtls_server(tls_server):
    d = tls_server.dir
    srv = Server("--tls-cert", str(d / "cert.pem"), "--tls-key", str(d / "key.pem"),
                 "--tls-client-ca", str(d / "ca.pem"))
    srv.base = srv.base.replace("http://", "https://")
    yield srv
    srv.stop()


def test_default_verification_rejects_the_test_ca(s, tls_server):
    with pytest.raises(hsession.SSLError) as e:
        s.get(tls_server.url("/echo"))
    assert isinstance(e.value, hsession.ConnectionError)


def test_session_verify_with_ca_bundle_and_off(s, tls_server):
    ca = str(tls_server.dir / "ca.pem")
    s.verify = ca
    assert s.verify == ca
    assert s.get(tls_server.url("/echo")).ok
    s.verify = False
    assert s.get(tls_server.url("/echo")).ok
    s.verify = True
    # The unverified pooled connection is not reused by a verifying request.
    with pytest.raises(hsession.SSLError):
        s.get(tls_server.url("/echo"))


def test_per_request_verify(s, tls_server):
    ca = str(tls_server.dir / "ca.pem")
    assert s.get(tls_server.url("/echo"), verify=False).ok
    assert s.get(tls_server.url("/echo"), verify=ca).ok
    with pytest.raises(hsession.SSLError):
        s.get(tls_server.url("/echo"))
    s.verify = ca
    with pytest.raises(hsession.SSLError):
        s.get(tls_server.url("/echo"), verify=True)  # the platform roots only
    assert s.get(tls_server.url("/echo"), verify=ca).ok  # same as the session's


def test_cookies_are_shared_across_per_request_pools(s, tls_server):
    s.get(tls_server.url("/cookies/set?tls=1"), verify=False)
    # https cookies over the session's own pool (verify via CA) too.
    s.verify = str(tls_server.dir / "ca.pem")
    assert s.get(tls_server.url("/cookies")).json()["cookies"] == {"tls": "1"}


def test_client_certificate_session_and_per_request(mtls_server, tls_server):
    d = tls_server.dir
    pair = (str(d / "client.pem"), str(d / "client-key.pem"))
    with hsession.Session() as s:
        s.verify = str(d / "ca.pem")
        with pytest.raises(hsession.ConnectionError):
            s.get(mtls_server.url("/echo"))
        assert s.get(mtls_server.url("/echo"), cert=pair).ok
        s.cert = pair
        assert s.cert == pair
        assert s.get(mtls_server.url("/echo")).ok
        s.cert = None
        with pytest.raises(hsession.ConnectionError):
            s.get(mtls_server.url("/echo"))
        with pytest.raises(hsession.RequestException):
            s.cert = (str(d / "client.pem"), str(d / "key.pem"))  # the key of another certificate
        assert s.cert is None


def test_session_proxies(s, server):
    # The test server answers absolute-form requests, so it stands in for an
    # HTTP proxy: the echoed Host shows which origin the request was for.
    s.trust_env = False
    s.proxies = {"http": server.base}
    body = s.get("http://origin.invalid:9/echo").json()
    assert echoed(body, "host") == ["origin.invalid:9"]
    s.proxies["no_proxy"] = "origin.invalid"
    with pytest.raises(hsession.ConnectionError):
        s.get("http://origin.invalid:9/echo")
    del s.proxies["no_proxy"]
    assert s.get("http://origin.invalid:9/echo").ok
    s.proxies = {}
    with pytest.raises(hsession.ConnectionError):
        s.get("http://origin.invalid:9/echo")


def test_per_request_proxies(s, server):
    s.trust_env = False
    body = s.get("http://origin.invalid:9/echo", proxies={"http": server.base}).json()
    assert echoed(body, "host") == ["origin.invalid:9"]
    with pytest.raises(hsession.ConnectionError):
        s.get("http://origin.invalid:9/echo")
    s.proxies = {"all": server.base}
    with pytest.raises(hsession.ConnectionError):
        s.get("http://origin.invalid:9/echo", proxies={"all": None})
    with pytest.raises(hsession.ConnectionError):
        s.get("http://origin.invalid:9/echo", proxies={"no_proxy": "origin.invalid"})
    assert s.get("http://origin.invalid:9/echo").ok


def test_trust_env_proxy_from_environment(server, base, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", server.base)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with hsession.Session() as s:
        assert s.get("http://origin.invalid:9/echo").ok  # through the environment's proxy
        s.trust_env = False
        with pytest.raises(hsession.ConnectionError):
            s.get("http://origin.invalid:9/echo")


def test_http2_keep_alive_pings(s, tls_server):
    s.verify = str(tls_server.dir / "ca.pem")
    assert s.http2_keep_alive is None
    s.http2_keep_alive = (0.5, 2)
    assert s.http2_keep_alive == (0.5, 2)
    r = s.get(tls_server.url("/echo"))
    assert r.ok
    s.http2_keep_alive = None
    assert s.get(tls_server.url("/echo")).ok
    for bad in [(0, 1), (1, None), (1,), "1", (-1, 1)]:
        with pytest.raises(ValueError):
            s.http2_keep_alive = bad
    assert s.http2_keep_alive is None
