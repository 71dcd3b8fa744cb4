"""Response.timings: each exchange's phases and connection, measured by the
library, against the test server over http and TLS."""

import datetime
import time

PHASES = ("queued", "dns", "connect", "tls", "first_byte", "total")


def ordered(t):
    values = [getattr(t, p) for p in PHASES]
    assert values == sorted(values), t
    assert t.total > 0


def test_new_then_reused_connection(s, server):
    r = s.get(server.url("/get"))
    assert isinstance(r.elapsed, datetime.timedelta)
    t = r.timings
    ordered(t)
    assert t.reused is False and t.idle is None
    assert t.connect > t.queued and t.tls == t.connect
    assert t.local_addr[0] == "127.0.0.1" and t.remote_addr == ("127.0.0.1", server.port)
    assert t.http_version == "HTTP/1.1" and t.tls_version is None and t.tls_cipher is None
    time.sleep(0.02)
    r2 = s.get(server.url("/get"))
    t2 = r2.timings
    ordered(t2)
    assert t2.reused is True and 0.015 <= t2.idle < 5
    assert t2.local_addr == t.local_addr
    assert t2.connect == t2.queued
    assert set(t2.as_dict()) >= set(PHASES) | {"reused", "idle", "local_addr", "remote_addr"}


def test_each_redirect_hop_has_its_own(s, server):
    r = s.get(server.url("/redirect/2"))
    assert len(r.history) == 2
    hops = [h.timings for h in r.history]
    for t in hops + [r.timings]:
        ordered(t)
    assert [t.reused for t in hops] == [False, True]
    assert r.timings.reused is True
    assert r.timings is not hops[0]


def test_tls_handshake_version_and_cipher(s, tls_server):
    s.verify = str(tls_server.dir / "ca.pem")
    t = s.get(tls_server.url("/get")).timings
    ordered(t)
    assert t.tls > t.connect > t.queued
    assert t.tls_version == "TLSv1.3" and t.tls_cipher.startswith("TLS13_")
    assert t.http_version == "HTTP/1.1"  # the test server offers no h2 over TLS
