"""The library's log lines reach logging.getLogger("hsession"), from the
library's logging thread, with levels mapped and no credentials."""

import logging
import time

import hsession


def wait_for(caplog, *parts):
    """The first hsession record containing every part (waits up to 5 s)."""
    end = time.monotonic() + 5
    while True:
        for rec in caplog.records:
            if rec.name == "hsession" and all(p in rec.getMessage() for p in parts):
                return rec
        assert time.monotonic() < end, f"no record with {parts}: {[r.getMessage() for r in caplog.records]}"
        time.sleep(0.01)


def test_logger_receives_lines_with_levels(server, caplog):
    caplog.set_level(logging.DEBUG, logger="hsession")
    s = hsession.Session()
    s.mount("http://", hsession.HTTPAdapter(max_retries=hsession.Retry(
        total=2, backoff_factor=0, status_forcelist=[503])))
    assert s.get(server.url("/redirect/1")).status_code == 200
    assert wait_for(caplog, "done 200 GET", "/redirect/1").levelno == logging.INFO
    assert wait_for(caplog, "redirect 302 from=", "/echo").levelno == logging.DEBUG
    assert wait_for(caplog, "new connection to 127.0.0.1:").levelno == logging.DEBUG
    assert s.get(server.url("/flaky/pylog/1")).status_code == 200
    assert wait_for(caplog, "retry GET", 'reason="status 503"').levelno == logging.WARNING
    # Delivered on the library's thread, not the caller's.
    import threading
    assert all(r.thread != threading.get_ident() for r in caplog.records if r.name == "hsession")
    s.close()


def test_level_filters_and_off_stops_delivery(server, caplog):
    caplog.set_level(logging.INFO, logger="hsession")
    with hsession.Session() as s:
        s.get(server.url("/echo"))
        wait_for(caplog, "done 200 GET")
        assert all(r.levelno >= logging.INFO for r in caplog.records if r.name == "hsession")
        logging.getLogger("hsession").setLevel(logging.CRITICAL)
        caplog.clear()
        s.get(server.url("/echo"))
        time.sleep(0.1)
        assert [r for r in caplog.records if r.name == "hsession"] == []


def test_no_credentials_in_records(server, caplog):
    caplog.set_level(5, logger="hsession")
    with hsession.Session() as s:
        url = server.url("/redirect/2").replace("http://", "http://alice:s3cret@")
        r = s.get(url, headers={"Authorization": "Bearer tok3n", "Cookie": "a=c00kie"})
        assert r.status_code == 200
        wait_for(caplog, "done 200 GET", "/redirect/2")
        s.proxies = {"http": "http://proxyuser:pr0xypw@127.0.0.1:9"}
        try:
            s.get(url)
        except hsession.RequestException:
            pass
        wait_for(caplog, "request failed GET")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "hsession")
    assert "TRACE" == logging.getLevelName(5)
    for secret in ("alice", "s3cret", "tok3n", "c00kie", "proxyuser", "pr0xypw"):
        assert secret not in text, secret
